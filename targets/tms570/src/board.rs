use ecu_cortex_r::{Board, Irq};

pub struct Tms570lc43;

impl Board for Tms570lc43 {
    /// The RTI compare 0 interrupt through the VIM will drive the tick (not yet written).
    fn start_tick(&self, _tick_ns: u32) {}

    fn stop_tick(&self) {}

    /// No interrupt source is enabled yet, so any IRQ is unexpected.
    fn claim_irq(&self) -> Irq {
        Irq::Unexpected(0)
    }

    /// The SCI console is not written yet; output is dropped.
    fn write_str(&self, _text: &str) {}

    /// No host to report to: park the core (a debugger sees where it stopped).
    fn exit(&self, _code: u32) -> ! {
        loop {
            core::hint::spin_loop();
        }
    }
}

/// The board, for `ecu_cortex_r::run`.
pub static BOARD: Tms570lc43 = Tms570lc43;
