//! What the port needs from a board: a periodic tick, its interrupt, a console and a way out;
//! optionally device lines, FIQ, a clock and CAN controllers.

use ecu_os::ecu_com::CanFrame;

/// What the interrupt controller says about the IRQ being taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Irq {
    /// The system tick; the board has already acknowledged it.
    Tick,
    /// Nothing pending any more (raced away): resume what was running.
    Spurious,
    /// The stimulus timer armed by [`Board::arm_stimulus`] fired; the board has acknowledged it.
    Stimulus,
    /// A device interrupt request line an ISR is configured for ([`Board::enable_line`]); the
    /// board has acknowledged it at the controller, the device is the ISR's to clear.
    Line(u32),
    /// The board's error signalling reported a hardware error (TMS570 ESM: RAM/flash ECC,
    /// lockstep compare, ...), already logged and cleared. `fatal`: the hardware has already
    /// signalled it outside (nERROR) and the OS shuts down; otherwise the protection hook
    /// decides, for the context that was running.
    HardwareError { fatal: bool },
    /// A CAN controller received a frame, finished a transmission or changed its error
    /// state; the board has acknowledged it at the controller's interface. The port then
    /// takes what [`Board::can_receive`] has and offers [`Board::can_transmit`] what waits.
    Can,
    /// A source the configuration does not handle: a fault.
    Unexpected(u32),
}

pub trait Board: Sync {
    /// Starts the periodic tick interrupt with this period.
    fn start_tick(&self, tick_ns: u32);
    /// Stops the tick: no further tick interrupt is taken.
    fn stop_tick(&self);
    /// Called first in every IRQ, in the kernel with IRQs masked.
    fn claim_irq(&self) -> Irq;
    /// Writes to the console; blocking, callable from any context.
    fn write_str(&self, text: &str);
    /// A monotonic clock in nanoseconds, for execution budgets and time frames; `None` on
    /// boards without one (the kernel then enforces no timing protection).
    fn now_ns(&self) -> Option<u64> {
        None
    }
    /// Arms a one-shot interrupt ([`Irq::Stimulus`]) at `at_ns` on the clock of [`Board::now_ns`]
    /// (at once if that has passed), replacing any armed before: how the boards raise the
    /// description's interrupt stimuli at the times the simulation raises them. `false` on
    /// boards without such a timer.
    fn arm_stimulus(&self, at_ns: u64) -> bool {
        let _ = at_ns;
        false
    }
    /// Lets the interrupt request `line` through to the CPU (the port enables every ISR's line
    /// at start and again when its ISR returns). `false` if the board has no such line for
    /// ISRs (out of range, or the tick's own).
    fn enable_line(&self, line: u32) -> bool {
        let _ = line;
        false
    }
    /// Holds `line` back: from when its request is taken until its ISR returns, so a
    /// level-triggered device does not interrupt again before its ISR has served it (and for
    /// good once a protection reaction ended that ISR).
    fn disable_line(&self, line: u32) {
        let _ = line;
    }
    /// Raises `line` by software (VIC soft interrupt, GIC SGI), as its device would: tests
    /// drive ISRs through the real interrupt path with it. `false` if the board cannot.
    fn trigger_line(&self, line: u32) -> bool {
        let _ = line;
        false
    }
    /// Makes `line` a fast interrupt (FIQ) source and lets it through: category 1 ISRs, which
    /// the OS does not manage. `false` if the board cannot (no such line, the board's own, or
    /// no FIQ routing).
    fn route_to_fiq(&self, line: u32) -> bool {
        let _ = line;
        false
    }
    /// Called first in every FIQ: the line being taken, acknowledged at the controller;
    /// `None` if nothing is pending any more.
    fn claim_fiq(&self) -> Option<u32> {
        None
    }
    /// The FIQ of `line` is served (GIC: end of interrupt).
    fn end_fiq(&self, line: u32) {
        let _ = line;
    }
    /// The CAN controllers the board drives, one per bus of the description, numbered as its
    /// buses (`BusId`); none on a board without CAN (the QEMU boards).
    fn can_buses(&self) -> u8 {
        0
    }
    /// Hands `frame` to `bus`'s controller to transmit. `false` when none of its transmit
    /// mailboxes is free (the port keeps the frame and offers it again after the next
    /// [`Irq::Can`]) or there is no such bus.
    fn can_transmit(&self, bus: u8, frame: &CanFrame) -> bool {
        let _ = (bus, frame);
        false
    }
    /// The oldest frame `bus`'s controller received that the port has not taken yet.
    fn can_receive(&self, bus: u8) -> Option<CanFrame> {
        let _ = bus;
        None
    }
    /// Ends the run with this status (0 = success). On QEMU it ends the emulator.
    fn exit(&self, code: u32) -> !;
}
