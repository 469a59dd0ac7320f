//! The LaunchPad board: clocks, VIM, ESM, SCI console, GIO LEDs, and the RTI tick behind the
//! port's `Board`.
use core::fmt::Write;
use core::sync::atomic::{AtomicU8, Ordering};

use ecu_cortex_r::{Board, Irq};
use ecu_os::ecu_com::{CanFrame, IdFilter};

use crate::can;
use crate::clock;
use crate::drivers::{esm, gio, rti, sci, vim};
use crate::part::{channel, Part};
use crate::regs::dcan::DcanRegisters;
use crate::regs::esm::EsmRegisters;
use crate::regs::flash::{FlashRegisters, FLASH_WRAPPER};
use crate::regs::gio::{GioPort, GioRegisters, GIO_BASE, GIO_PORTA, GIO_PORTB};
use crate::regs::pcr::PcrRegisters;
use crate::regs::rti::RtiRegisters;
use crate::regs::sci::SciRegisters;
use crate::regs::system::{System1Registers, System2Registers, SYS1_BASE, SYS2_BASE};
use crate::regs::vim::VimRegisters;

const PART: Part = Part::SELECTED;
const RTI_BASE: usize = 0xFFFF_FC00;
const VIM_BASE: usize = 0xFFFF_FE00;
const ESM_BASE: usize = 0xFFFF_F500;
const CONSOLE_BAUD: u32 = 115_200;
/// The exit status of a stop on an ESM high-level error (LED 2, as any failure).
const ESM_HIGH_EXIT: u32 = 0xE5;

/// A register block at its fixed address.
///
/// # Safety
/// `base` must be the address of a `T` block of this part (the constants above, cited in
/// `regs`); the blocks are device memory, valid for the whole run, and only accessed through
/// the volatile cells of `T`.
unsafe fn block<T>(base: usize) -> &'static T {
    // SAFETY: per the contract above.
    unsafe { &*(base as *const T) }
}

fn rti_regs() -> &'static RtiRegisters {
    // SAFETY: RTI frame of both parts.
    unsafe { block(RTI_BASE) }
}
fn vim_regs() -> &'static VimRegisters {
    // SAFETY: VIM control frame of both parts.
    unsafe { block(VIM_BASE) }
}
fn esm_regs() -> &'static EsmRegisters {
    // SAFETY: ESM frame of both parts.
    unsafe { block(ESM_BASE) }
}
fn sci_regs() -> &'static SciRegisters {
    // SAFETY: the console SCI of this part.
    unsafe { block(PART.console_sci_base()) }
}

fn dcan_regs(bus: usize) -> &'static DcanRegisters {
    // SAFETY: a DCAN frame of both parts (DCAN1-3, `can::MODULES`).
    unsafe { block(can::MODULES[bus].base) }
}

/// Buses whose controller runs, and each one's receive objects. Written by `init_can` before
/// the kernel starts, read-only afterwards.
static CAN_BUSES: AtomicU8 = AtomicU8::new(0);
static CAN_UP: [AtomicU8; 3] = [const { AtomicU8::new(0) }; 3];
static CAN_RX_OBJECTS: [AtomicU8; 3] = [const { AtomicU8::new(0) }; 3];

/// The description's CAN buses on DCAN1, DCAN2, DCAN3: each controller's bit timing from its
/// bus's rate and the CAN clock, transmit objects, one receive object per acceptance filter,
/// and its interrupt channel. Called from `kmain` after `init`, IRQs masked. A bus the part
/// cannot serve (no module, a rate the clock cannot make exactly) is reported on the console
/// and stays off; its frames wait in the kernel, whose transmit queue then reports
/// E_OS_LIMIT.
pub fn init_can(bitrates: &[u32], filters: &[&[IdFilter]]) {
    let can_clk = PART.clock_plan().can_clk_hz();
    let buses = bitrates
        .len()
        .min(can::MODULES.len())
        .min(PART.dcan_count());
    for (bus, &rate) in bitrates.iter().enumerate() {
        if bus >= buses {
            let _ = writeln!(Console, "tms570: CAN bus {bus}: no DCAN module left for it");
            continue;
        }
        let accepted = filters.get(bus).copied().unwrap_or(&[]);
        match can::init(dcan_regs(bus), can_clk, rate, accepted) {
            Ok(layout) => {
                CAN_RX_OBJECTS[bus].store(layout.rx_objects, Ordering::Relaxed);
                CAN_UP[bus].store(1, Ordering::Relaxed);
                let _ = vim::enable(vim_regs(), PART.vim_channels(), can::MODULES[bus].channel);
            }
            Err(error) => {
                let _ = writeln!(
                    Console,
                    "tms570: DCAN{} ({rate} bit/s): {error:?}: bus {bus} stays off",
                    bus + 1
                );
            }
        }
    }
    CAN_BUSES.store(buses as u8, Ordering::Relaxed);
}

/// The bus whose running controller interrupts on `channel`.
fn can_bus_of(channel: u32) -> Option<usize> {
    (0..can::MODULES.len())
        .find(|&bus| can::MODULES[bus].channel == channel && running_can(bus as u8).is_some())
}

/// A bus's controller, if it runs.
fn running_can(bus: u8) -> Option<&'static DcanRegisters> {
    let bus = bus as usize;
    (bus < CAN_BUSES.load(Ordering::Relaxed) as usize && CAN_UP[bus].load(Ordering::Relaxed) != 0)
        .then(|| dcan_regs(bus))
}

/// Brings the chip up after RAM and .data/.bss are ready, before the kernel starts: PLL and
/// clock tree, peripherals out of reset, flash wait states, VIM, GIO LEDs, SCI console, ESM
/// low-level interrupt. Called from `kmain` with IRQs masked.
pub fn init() {
    // SAFETY: the system, flash, PCR and GIO frames of this part (see `regs`).
    let (sys1, sys2, flash) = unsafe {
        (
            block::<System1Registers>(SYS1_BASE),
            block::<System2Registers>(SYS2_BASE),
            block::<FlashRegisters>(FLASH_WRAPPER),
        )
    };
    let plan = PART.clock_plan();
    let lc43 = PART == Part::Lc4357;
    let pll = clock::start_pll(sys1, sys2, &plan, lc43);
    for &base in PART.pcr_bases() {
        // SAFETY: a PCR frame of this part.
        clock::power_up_peripherals(sys1, &[unsafe { block::<PcrRegisters>(base) }]);
    }
    clock::set_flash_wait_states(flash, &plan);
    // Without a locked PLL the chip stays on OSCIN; the console then runs at the wrong rate,
    // but nothing hangs.
    let clocks = pll.and_then(|()| clock::map_clocks(sys1, sys2, &plan, lc43));

    vim::init(vim_regs(), PART.vim_channels());
    // SAFETY: GIO frames of both parts.
    let (gio_regs, porta, portb) = unsafe {
        (
            block::<GioRegisters>(GIO_BASE),
            block::<GioPort>(GIO_PORTA),
            block::<GioPort>(GIO_PORTB),
        )
    };
    gio::init(gio_regs, [porta, portb], &PART.leds());
    let vclk = if clocks.is_ok() {
        plan.vclk_hz()
    } else {
        plan.oscin_hz / 2
    };
    if let Some(divisor) = sci::BaudDivisor::new(vclk, CONSOLE_BAUD) {
        sci::init(sci_regs(), divisor);
    }
    let _ = vim::enable(vim_regs(), PART.vim_channels(), channel::ESM_LOW);
    if clocks.is_err() {
        BOARD.write_str("tms570: PLL did not lock, running from OSCIN\n");
    }
}

/// The VIM channels the board keeps for itself: the tick, the timing-protection compare, the
/// ESM and the running CAN controllers (ISRs get every other IRQ channel the part has).
pub fn reserved_channel(channel: u32) -> bool {
    matches!(
        channel,
        channel::RTI_COMPARE0 | channel::RTI_COMPARE1 | channel::ESM_LOW
    ) || can_bus_of(channel).is_some()
}

pub struct Tms570;

impl Tms570 {
    fn led(&self, index: usize, on: bool) {
        let led = PART.leds()[index];
        let base = if led.port == 0 { GIO_PORTA } else { GIO_PORTB };
        // SAFETY: a GIO port frame of both parts.
        gio::set(unsafe { block::<GioPort>(base) }, led.bit, on);
    }
}

impl Board for Tms570 {
    /// RTI compare 0 on counter block 0, through VIM channel 2.
    fn start_tick(&self, tick_ns: u32) {
        let rticlk = PART.clock_plan().rticlk_hz();
        let setup = rti::TickSetup::new(rticlk, tick_ns).unwrap_or(rti::TickSetup {
            cpuc: 1,
            period: ((rticlk as u64 / 2 * tick_ns as u64) / 1_000_000_000).max(1) as u32,
        });
        rti::start_tick(rti_regs(), setup);
        let _ = vim::enable(vim_regs(), PART.vim_channels(), channel::RTI_COMPARE0);
    }

    fn stop_tick(&self) {
        rti::stop_tick(rti_regs());
        let _ = vim::disable(vim_regs(), PART.vim_channels(), channel::RTI_COMPARE0);
    }

    fn claim_irq(&self) -> Irq {
        match vim::pending_irq(vim_regs()) {
            None => Irq::Spurious,
            Some(channel::RTI_COMPARE0) => {
                if rti::ack_tick(rti_regs()) {
                    Irq::Tick
                } else {
                    Irq::Spurious
                }
            }
            Some(channel::ESM_LOW) => {
                let reported = esm::handle(esm_regs());
                if let Some((error, reaction)) = reported {
                    let _ = writeln!(
                        Console,
                        "esm: group {} channel {}: {:?}",
                        error.group, error.channel, reaction
                    );
                }
                match reported.map(|(_, reaction)| reaction) {
                    Some(esm::Reaction::Shutdown) => Irq::HardwareError { fatal: true },
                    Some(esm::Reaction::ProtectionHook) => Irq::HardwareError { fatal: false },
                    None => Irq::Spurious,
                }
            }
            Some(other) => match can_bus_of(other) {
                // Finished transmissions and the status are served here; received frames
                // stay pending until the port takes them (`can_receive`).
                Some(bus) => {
                    if can::service(dcan_regs(bus)) {
                        let _ = writeln!(Console, "dcan{}: bus-off, recovering", bus + 1);
                    }
                    Irq::Can
                }
                // A device's channel: the VIM has acknowledged it; the device is its ISR's to
                // clear.
                None => Irq::Line(other),
            },
        }
    }

    fn enable_line(&self, line: u32) -> bool {
        !reserved_channel(line) && vim::enable(vim_regs(), PART.vim_channels(), line).is_ok()
    }

    fn disable_line(&self, line: u32) {
        if !reserved_channel(line) {
            let _ = vim::disable(vim_regs(), PART.vim_channels(), line);
        }
    }

    /// A category 1 ISR's channel becomes a FIQ (FIRQPR); the board's own channels stay IRQs.
    fn route_to_fiq(&self, line: u32) -> bool {
        !reserved_channel(line) && vim::route_to_fiq(vim_regs(), PART.vim_channels(), line).is_ok()
    }

    fn claim_fiq(&self) -> Option<u32> {
        match vim::pending_fiq(vim_regs()) {
            // The ESM's high level (group 2: lockstep compare, uncorrectable RAM or flash
            // ECC). FIQ is open only in images with category 1 ISRs; the ESM has driven
            // nERROR already, and the FIQ cannot enter the kernel (it may have interrupted
            // it) to reach the protection hook: report and stop, as a fatal ESM error does.
            Some(channel::ESM_HIGH) => {
                let _ = writeln!(Console, "esm: high-level error (FIQ): stopping");
                self.exit(ESM_HIGH_EXIT)
            }
            other => other,
        }
    }

    fn write_str(&self, text: &str) {
        sci::write_str(sci_regs(), text);
    }

    fn can_buses(&self) -> u8 {
        CAN_BUSES.load(Ordering::Relaxed)
    }

    fn can_transmit(&self, bus: u8, frame: &CanFrame) -> bool {
        running_can(bus).is_some_and(|regs| can::transmit(regs, frame))
    }

    fn can_receive(&self, bus: u8) -> Option<CanFrame> {
        let regs = running_can(bus)?;
        let rx_objects = CAN_RX_OBJECTS[bus as usize].load(Ordering::Relaxed);
        can::receive(regs, can::Layout { rx_objects })
    }

    /// No host to report to: LED 1 on for success, LED 2 for failure, then park (a debugger
    /// sees where it stopped).
    fn exit(&self, code: u32) -> ! {
        self.led(if code == 0 { 0 } else { 1 }, true);
        loop {
            // SAFETY: waits for an interrupt; IRQs are masked here, so it just idles.
            unsafe { core::arch::asm!("wfi", options(nomem, nostack)) };
        }
    }
}

struct Console;

impl Write for Console {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        sci::write_str(sci_regs(), s);
        Ok(())
    }
}

/// The board, for `ecu_cortex_r::run`.
pub static BOARD: Tms570 = Tms570;
