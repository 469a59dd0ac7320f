use core::ptr::{read_volatile, write_volatile};

use ecu_cortex_r::{Board, Irq};

const TIMER0: usize = 0x101E_2000;
const TIMER_LOAD: usize = 0x00;
const TIMER_CONTROL: usize = 0x08;
const TIMER_INTCLR: usize = 0x0C;
/// Enable, periodic, interrupt enable, 32-bit, prescale 1.
const TIMER_PERIODIC: u32 = 0xE2;
const TIMER_HZ: u32 = 1_000_000;
/// The SP804's second timer, free-running from StartOS: the clock of timing protection.
const TIMER1: usize = 0x101E_2020;
const TIMER_VALUE: usize = 0x04;
/// Enable, free-running, no interrupt, 32-bit, prescale 1.
const TIMER_FREE_RUNNING: u32 = 0x82;

/// The second SP804 (timer 2), one-shot: the interrupt stimuli of the description.
const TIMER2: usize = 0x101E_3000;
/// Enable, one-shot, interrupt enable, 32-bit, prescale 1.
const TIMER_ONE_SHOT: u32 = 0xA3;

const VIC: usize = 0x1014_0000;
const VIC_IRQ_STATUS: usize = 0x000;
const VIC_FIQ_STATUS: usize = 0x004;
/// A set bit makes the line a FIQ (PL190 VICIntSelect).
const VIC_INT_SELECT: usize = 0x00C;
const VIC_INT_ENABLE: usize = 0x010;
const VIC_INT_EN_CLEAR: usize = 0x014;
const VIC_SOFT_INT: usize = 0x018;
const VIC_SOFT_INT_CLEAR: usize = 0x01C;
/// The VIC's lines; 4 and 5 are the port's own timers.
const VIC_LINES: u32 = 32;
const TICK_SOURCE: u32 = 4;
/// QEMU's versatile boards wire the second SP804 to VIC line 5.
const STIMULUS_SOURCE: u32 = 5;

/// A VIC line ISRs may take: any but the port's own timers'.
fn isr_line(line: u32) -> bool {
    line < VIC_LINES && line != TICK_SOURCE && line != STIMULUS_SOURCE
}

const UART0: usize = 0x101F_1000;
const UART_DR: usize = 0x00;
const UART_FR: usize = 0x18;
const UART_FR_TXFF: u32 = 1 << 5;

fn write_reg(addr: usize, value: u32) {
    // SAFETY: callers pass only the board's device registers above, which QEMU maps.
    unsafe { write_volatile(addr as *mut u32, value) }
}

fn read_reg(addr: usize) -> u32 {
    // SAFETY: as for `write_reg`.
    unsafe { read_volatile(addr as *const u32) }
}

pub struct VersatileR5;

/// The loopback CAN controller of test images: the board has no CAN device.
#[cfg(feature = "can-loopback")]
static LOOPBACK_CAN: ecu_cortex_r::LoopbackCan = ecu_cortex_r::LoopbackCan::new();

impl Board for VersatileR5 {
    fn start_tick(&self, tick_ns: u32) {
        let load = (tick_ns as u64 * TIMER_HZ as u64 / 1_000_000_000).max(1) as u32;
        write_reg(TIMER1 + TIMER_LOAD, u32::MAX);
        write_reg(TIMER1 + TIMER_CONTROL, TIMER_FREE_RUNNING);
        write_reg(TIMER0 + TIMER_LOAD, load);
        write_reg(TIMER0 + TIMER_INTCLR, 1);
        write_reg(TIMER0 + TIMER_CONTROL, TIMER_PERIODIC);
        write_reg(VIC + VIC_INT_ENABLE, 1 << TICK_SOURCE);
    }

    fn stop_tick(&self) {
        write_reg(TIMER0 + TIMER_CONTROL, 0);
        write_reg(TIMER0 + TIMER_INTCLR, 1);
        write_reg(VIC + VIC_INT_EN_CLEAR, 1 << TICK_SOURCE);
    }

    fn claim_irq(&self) -> Irq {
        let pending = read_reg(VIC + VIC_IRQ_STATUS);
        if pending & (1 << TICK_SOURCE) != 0 {
            write_reg(TIMER0 + TIMER_INTCLR, 1);
            Irq::Tick
        } else if pending & (1 << STIMULUS_SOURCE) != 0 {
            write_reg(TIMER2 + TIMER_INTCLR, 1);
            Irq::Stimulus
        } else if pending == 0 {
            Irq::Spurious
        } else {
            // A software request is taken once, as a device's edge would be; a device's own
            // line stays asserted until its ISR clears the device.
            let line = pending.trailing_zeros();
            write_reg(VIC + VIC_SOFT_INT_CLEAR, 1 << line);
            Irq::Line(line)
        }
    }

    fn write_str(&self, text: &str) {
        for byte in text.bytes() {
            while read_reg(UART0 + UART_FR) & UART_FR_TXFF != 0 {}
            write_reg(UART0 + UART_DR, byte as u32);
        }
    }

    /// Microseconds of the free-running timer since StartOS (wraps after 71 minutes).
    fn now_ns(&self) -> Option<u64> {
        let elapsed = u32::MAX - read_reg(TIMER1 + TIMER_VALUE);
        Some(elapsed as u64 * (1_000_000_000 / TIMER_HZ as u64))
    }

    fn arm_stimulus(&self, at_ns: u64) -> bool {
        let now = self.now_ns().unwrap_or(0);
        let ns_per_count = 1_000_000_000 / TIMER_HZ as u64;
        let counts = at_ns.saturating_sub(now).div_ceil(ns_per_count).max(1);
        write_reg(TIMER2 + TIMER_CONTROL, 0);
        write_reg(TIMER2 + TIMER_INTCLR, 1);
        write_reg(TIMER2 + TIMER_LOAD, counts.min(u32::MAX as u64) as u32);
        write_reg(TIMER2 + TIMER_CONTROL, TIMER_ONE_SHOT);
        write_reg(VIC + VIC_INT_ENABLE, 1 << STIMULUS_SOURCE);
        true
    }

    fn enable_line(&self, line: u32) -> bool {
        if !isr_line(line) {
            return false;
        }
        write_reg(VIC + VIC_INT_ENABLE, 1 << line);
        true
    }

    fn disable_line(&self, line: u32) {
        if isr_line(line) {
            write_reg(VIC + VIC_INT_EN_CLEAR, 1 << line);
        }
    }

    fn trigger_line(&self, line: u32) -> bool {
        if !isr_line(line) {
            return false;
        }
        write_reg(VIC + VIC_SOFT_INT, 1 << line);
        true
    }

    fn route_to_fiq(&self, line: u32) -> bool {
        if !isr_line(line) {
            return false;
        }
        let select = read_reg(VIC + VIC_INT_SELECT);
        write_reg(VIC + VIC_INT_SELECT, select | 1 << line);
        write_reg(VIC + VIC_INT_ENABLE, 1 << line);
        true
    }

    fn claim_fiq(&self) -> Option<u32> {
        let pending = read_reg(VIC + VIC_FIQ_STATUS);
        if pending == 0 {
            return None;
        }
        // As in `claim_irq`: a software request is taken once.
        let line = pending.trailing_zeros();
        write_reg(VIC + VIC_SOFT_INT_CLEAR, 1 << line);
        Some(line)
    }

    // A loopback controller for test images (feature `can-loopback`); no CAN otherwise.
    #[cfg(feature = "can-loopback")]
    ecu_cortex_r::loopback_can_methods!(LOOPBACK_CAN);

    fn exit(&self, code: u32) -> ! {
        ecu_cortex_r::semihosting::exit(code)
    }
}

/// The board, for `ecu_cortex_r::run`.
pub static BOARD: VersatileR5 = VersatileR5;
