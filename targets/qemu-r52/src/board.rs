use core::arch::asm;
use core::ptr::{read_volatile, write_volatile};
use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use ecu_cortex_r::{semihosting, Board, Irq};

const GICD: usize = 0xF000_0000;
const GICD_CTLR: usize = 0x0000;
/// EnableGrp0 | EnableGrp1 | ARE (affinity routing).
const GICD_CTLR_ENABLE: u32 = 0x13;

/// Core 0's redistributor: RD_base, then SGI_base 64 KiB above it.
const GICR: usize = 0xF010_0000;
const GICR_WAKER: usize = 0x0014;
const GICR_SGI: usize = GICR + 0x1_0000;
const GICR_IGROUPR0: usize = 0x0080;
const GICR_ISENABLER0: usize = 0x0100;
const GICR_ICENABLER0: usize = 0x0180;
const GICR_IPRIORITYR: usize = 0x0400;

/// CMSDK APB UART 0: data, state (bit 0: TX full), control (bit 0: TX enable), baud divider.
const UART0: usize = 0xE7C0_0000;
const UART_DATA: usize = 0x00;
const UART_STATE: usize = 0x04;
const UART_CTRL: usize = 0x08;
const UART_BAUDDIV: usize = 0x10;

const TIMER_PPI: u32 = 27;
/// SGIs (0-15) and PPIs (16-31): the redistributor's own interrupts, which this board gives
/// to ISRs (but the timer's). Shared peripheral interrupts would need the distributor's
/// routing, which no device of this board's ISRs needs yet.
const PRIVATE_INTIDS: u32 = 32;
const LINE_PRIORITY: u8 = 0x40;
const SPURIOUS: u32 = 1023;
const TICK_PRIORITY: u8 = 0x30;
/// Category 1 ISRs on FIQ outrank everything the kernel takes.
const FIQ_PRIORITY: u8 = 0x10;

fn write_reg(addr: usize, value: u32) {
    // SAFETY: callers pass only the GIC and UART registers above, which QEMU maps on this board.
    unsafe { write_volatile(addr as *mut u32, value) }
}

fn read_reg(addr: usize) -> u32 {
    // SAFETY: as for `write_reg`.
    unsafe { read_volatile(addr as *const u32) }
}

fn counter_frequency() -> u32 {
    let hz: u32;
    // SAFETY: reads CNTFRQ; no side effects.
    unsafe { asm!("mrc p15, 0, {0}, c14, c0, 0", out(reg) hz, options(nomem, nostack)) };
    hz
}

fn set_virtual_compare(value: u64) {
    // SAFETY: writes CNTV_CVAL, the tick's next deadline: only the tick uses this timer.
    unsafe {
        asm!("mcrr p15, 3, {0}, {1}, c14", "isb", in(reg) value as u32, in(reg) (value >> 32) as u32,
            options(nomem, nostack))
    };
}

/// An SGI or PPI of core 0 ISRs may take: any but the tick's timer.
fn isr_line(line: u32) -> bool {
    line < PRIVATE_INTIDS && line != TIMER_PPI
}

fn virtual_count() -> u64 {
    let (low, high): (u32, u32);
    // SAFETY: reads CNTVCT; no side effects.
    unsafe {
        asm!("isb", "mrrc p15, 1, {0}, {1}, c14", out(reg) low, out(reg) high, options(nomem, nostack))
    };
    (high as u64) << 32 | low as u64
}

fn set_virtual_control(value: u32) {
    // SAFETY: writes CNTV_CTL (enable, mask): only the tick uses this timer.
    unsafe { asm!("mcr p15, 0, {0}, c14, c3, 1", "isb", in(reg) value, options(nomem, nostack)) };
}

/// Puts an SGI or PPI of core 0 in group 1 (an IRQ) or group 0 (a FIQ: no EL3, so group 0
/// is signalled as FIQ) with this priority (it stays disabled).
fn configure_private(intid: u32, priority: u8) {
    configure_private_in(intid, priority, true)
}

fn configure_private_in(intid: u32, priority: u8, group_1: bool) {
    let group = read_reg(GICR_SGI + GICR_IGROUPR0);
    let group = if group_1 {
        group | 1 << intid
    } else {
        group & !(1 << intid)
    };
    write_reg(GICR_SGI + GICR_IGROUPR0, group);
    // SAFETY: one priority byte of this interrupt, in the redistributor's priority array.
    unsafe {
        write_volatile(
            (GICR_SGI + GICR_IPRIORITYR + intid as usize) as *mut u8,
            priority,
        )
    };
}

pub struct Mps3An536;

/// The SGIs and PPIs routed to FIQ (group 0), one bit each: raised through ICC_SGI0R.
static FIQ_LINES: AtomicU32 = AtomicU32::new(0);

/// Nanoseconds per virtual counter tick, 32.32 fixed point, fixed by `start_tick`.
static NS_PER_COUNT_Q32: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(0);

/// Virtual counter ticks per nanosecond, 32.32 fixed point rounded up, fixed by `start_tick`:
/// a stimulus deadline is a multiplication, never early (no 128-bit division at run time).
static COUNTS_PER_NS_Q32: AtomicU64 = AtomicU64::new(0);

/// Ticks of the virtual counter per system tick, fixed by `start_tick`.
static PERIOD: core::sync::atomic::AtomicU32 = core::sync::atomic::AtomicU32::new(0);

/// The virtual timer serves two deadlines, in virtual counter ticks: the next system tick and
/// the next interrupt stimulus (u64::MAX: none). Its compare value is the earlier one. (The
/// physical timer would be the natural second timer, but EL1 reaches it only if the boot code
/// at EL2 allowed it, which aarch32-rt's does not.)
static NEXT_TICK: AtomicU64 = AtomicU64::new(u64::MAX);
static NEXT_STIMULUS: AtomicU64 = AtomicU64::new(u64::MAX);

/// Sets the compare value to the earlier deadline.
fn program_timer() {
    let next = NEXT_TICK
        .load(Ordering::Relaxed)
        .min(NEXT_STIMULUS.load(Ordering::Relaxed));
    if next == u64::MAX {
        set_virtual_control(0);
    } else {
        set_virtual_compare(next);
        set_virtual_control(1);
    }
}

impl Mps3An536 {
    fn init_gic(&self) {
        write_reg(GICD + GICD_CTLR, GICD_CTLR_ENABLE);
        // Wake core 0's redistributor and wait until it is awake.
        let waker = read_reg(GICR + GICR_WAKER);
        write_reg(GICR + GICR_WAKER, waker & !(1 << 1));
        while read_reg(GICR + GICR_WAKER) & (1 << 2) != 0 {}
        configure_private(TIMER_PPI, TICK_PRIORITY);
        // SAFETY: ICC_SRE (system-register interface on), ICC_PMR (let every priority
        // through), ICC_IGRPEN1 (group 1 interrupts on): the CPU interface of this core.
        unsafe {
            asm!(
                "mrc p15, 0, {t}, c12, c12, 5",
                "orr {t}, {t}, #1",
                "mcr p15, 0, {t}, c12, c12, 5",
                "isb",
                "mov {t}, #0xFF",
                "mcr p15, 0, {t}, c4, c6, 0",
                "mov {t}, #1",
                "mcr p15, 0, {t}, c12, c12, 7",
                "isb",
                t = out(reg) _,
                options(nomem, nostack)
            )
        };
    }
}

/// The loopback CAN controller of test images: the board has no CAN device.
#[cfg(feature = "can-loopback")]
static LOOPBACK_CAN: ecu_cortex_r::LoopbackCan = ecu_cortex_r::LoopbackCan::new();

impl Board for Mps3An536 {
    fn start_tick(&self, tick_ns: u32) {
        self.init_gic();
        let period = (counter_frequency() as u64 * tick_ns as u64 / 1_000_000_000).max(1);
        PERIOD.store(period as u32, Ordering::Relaxed);
        let ns_q32 = (1_000_000_000u64 << 32) / counter_frequency().max(1) as u64;
        NS_PER_COUNT_Q32.store(ns_q32, Ordering::Relaxed);
        let counts_q32 = ((counter_frequency() as u64) << 32).div_ceil(1_000_000_000);
        COUNTS_PER_NS_Q32.store(counts_q32, Ordering::Relaxed);
        NEXT_TICK.store(virtual_count() + period, Ordering::Relaxed);
        program_timer();
        write_reg(GICR_SGI + GICR_ISENABLER0, 1 << TIMER_PPI);
    }

    fn stop_tick(&self) {
        NEXT_TICK.store(u64::MAX, Ordering::Relaxed);
        program_timer();
    }

    fn claim_irq(&self) -> Irq {
        let intid: u32;
        // SAFETY: ICC_IAR1 acknowledges the highest-priority pending group 1 interrupt.
        unsafe { asm!("mrc p15, 0, {0}, c12, c12, 0", out(reg) intid, options(nomem, nostack)) };
        if intid == SPURIOUS {
            return Irq::Spurious;
        }
        let irq = if intid == TIMER_PPI {
            let now = virtual_count();
            let tick = NEXT_TICK.load(Ordering::Relaxed);
            let irq = if tick <= now {
                // The next deadline one period after this one: no drift from handling latency.
                let period = PERIOD.load(Ordering::Relaxed) as u64;
                NEXT_TICK.store(tick + period, Ordering::Relaxed);
                Irq::Tick
            } else if NEXT_STIMULUS.load(Ordering::Relaxed) <= now {
                NEXT_STIMULUS.store(u64::MAX, Ordering::Relaxed);
                Irq::Stimulus
            } else {
                Irq::Spurious
            };
            // A deadline already past (both fell together) fires again at once.
            program_timer();
            irq
        } else if intid < PRIVATE_INTIDS {
            Irq::Line(intid)
        } else {
            Irq::Unexpected(intid)
        };
        // SAFETY: ICC_EOIR1 ends the interrupt acknowledged above.
        unsafe {
            asm!("mcr p15, 0, {0}, c12, c12, 1", "isb", in(reg) intid, options(nomem, nostack))
        };
        irq
    }

    fn write_str(&self, text: &str) {
        // The transmitter must be enabled (with a divider of at least 16) before it sends.
        if read_reg(UART0 + UART_CTRL) & 1 == 0 {
            write_reg(UART0 + UART_BAUDDIV, 16);
            write_reg(UART0 + UART_CTRL, 1);
        }
        for byte in text.bytes() {
            while read_reg(UART0 + UART_STATE) & 1 != 0 {}
            write_reg(UART0 + UART_DATA, byte as u32);
        }
    }

    /// The virtual counter in nanoseconds: the clock of timing protection. A multiplication by
    /// the 32.32 fixed-point period `start_tick` computed: no division on the kernel's path.
    fn now_ns(&self) -> Option<u64> {
        let ns_q32 = NS_PER_COUNT_Q32.load(Ordering::Relaxed) as u128;
        Some((virtual_count() as u128 * ns_q32 >> 32) as u64)
    }

    fn arm_stimulus(&self, at_ns: u64) -> bool {
        let counts_q32 = COUNTS_PER_NS_Q32.load(Ordering::Relaxed) as u128;
        // Rounded up twice (the rate, then one count more): at or just after the nominal
        // time, never before it (the port delivers what is due when it fires).
        let count = (at_ns as u128 * counts_q32 >> 32) + 1;
        NEXT_STIMULUS.store(count.min(u64::MAX as u128 - 1) as u64, Ordering::Relaxed);
        program_timer();
        true
    }

    fn enable_line(&self, line: u32) -> bool {
        if !isr_line(line) {
            return false;
        }
        configure_private(line, LINE_PRIORITY);
        write_reg(GICR_SGI + GICR_ISENABLER0, 1 << line);
        true
    }

    fn disable_line(&self, line: u32) {
        if isr_line(line) {
            write_reg(GICR_SGI + GICR_ICENABLER0, 1 << line);
        }
    }

    /// An SGI to this core (ICC_SGI1R, or ICC_SGI0R for a FIQ line: INTID in bits 24-27,
    /// target list bit 0, affinity 0).
    fn trigger_line(&self, line: u32) -> bool {
        if line >= 16 {
            return false;
        }
        let low = (line << 24) | 1;
        if FIQ_LINES.load(Ordering::Relaxed) & 1 << line != 0 {
            // SAFETY: writes ICC_SGI0R, which only raises the group 0 SGI for this core.
            unsafe {
                asm!("mcrr p15, 2, {0}, {1}, c12", "isb", in(reg) low, in(reg) 0u32,
                    options(nomem, nostack))
            };
        } else {
            // SAFETY: writes ICC_SGI1R, which only raises the SGI for this core.
            unsafe {
                asm!("mcrr p15, 0, {0}, {1}, c12", "isb", in(reg) low, in(reg) 0u32,
                    options(nomem, nostack))
            };
        }
        true
    }

    fn route_to_fiq(&self, line: u32) -> bool {
        if !isr_line(line) {
            return false;
        }
        FIQ_LINES.fetch_or(1 << line, Ordering::Relaxed);
        configure_private_in(line, FIQ_PRIORITY, false);
        write_reg(GICR_SGI + GICR_ISENABLER0, 1 << line);
        // SAFETY: ICC_IGRPEN0: group 0 interrupts on, at this core's CPU interface.
        unsafe {
            asm!("mov {t}, #1", "mcr p15, 0, {t}, c12, c12, 6", "isb", t = out(reg) _,
                options(nomem, nostack))
        };
        true
    }

    fn claim_fiq(&self) -> Option<u32> {
        let intid: u32;
        // SAFETY: ICC_IAR0 acknowledges the highest-priority pending group 0 interrupt.
        unsafe { asm!("mrc p15, 0, {0}, c12, c8, 0", out(reg) intid, options(nomem, nostack)) };
        (intid < PRIVATE_INTIDS).then_some(intid)
    }

    fn end_fiq(&self, line: u32) {
        // SAFETY: ICC_EOIR0 ends the group 0 interrupt `claim_fiq` acknowledged.
        unsafe {
            asm!("mcr p15, 0, {0}, c12, c8, 1", "isb", in(reg) line, options(nomem, nostack))
        };
    }

    // A loopback controller for test images (feature `can-loopback`); no CAN otherwise.
    #[cfg(feature = "can-loopback")]
    ecu_cortex_r::loopback_can_methods!(LOOPBACK_CAN);

    fn exit(&self, code: u32) -> ! {
        semihosting::exit(code)
    }
}

/// The board, for `ecu_cortex_r::run`.
pub static BOARD: Mps3An536 = Mps3An536;
