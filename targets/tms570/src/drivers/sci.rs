//! SCI in asynchronous mode: 8 data bits, no parity, one stop bit, internal clock.
use tock_registers::interfaces::{ReadWriteable, Readable, Writeable};

use crate::regs::sci::{SciRegisters, BRS, FLR, GCR1, PIO0_RX_FUNC, PIO0_TX_FUNC};

/// BRS for a baud rate: baud = VCLK / (16 * (P + 1) + M) (SPNU515C §29.2.x "Baud rate",
/// asynchronous mode with the fractional divider M).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BaudDivisor {
    pub p: u32,
    pub m: u32,
}

impl BaudDivisor {
    /// The nearest divisor; None if the baud rate is out of reach of VCLK.
    pub fn new(vclk_hz: u32, baud: u32) -> Option<BaudDivisor> {
        if baud == 0 {
            return None;
        }
        let d = (vclk_hz as u64 + baud as u64 / 2) / baud as u64;
        if !(32..=(1 << 24) * 16).contains(&d) {
            return None;
        }
        Some(BaudDivisor {
            p: (d / 16 - 1) as u32,
            m: (d % 16) as u32,
        })
    }

    /// The baud rate this divisor really gives, in Hz x 1000.
    pub fn actual_millibaud(&self, vclk_hz: u32) -> u64 {
        vclk_hz as u64 * 1000 / (16 * (self.p as u64 + 1) + self.m as u64)
    }

    pub fn brs(&self) -> u32 {
        self.m << 24 | self.p
    }
}

/// Sets the SCI up for 8N1 at `divisor` (HALCoGen `sciInit` order: reset, configure, release).
pub fn init(sci: &SciRegisters, divisor: BaudDivisor) {
    sci.gcr0.set(0);
    sci.gcr0.set(1);
    sci.clearint.set(0xFFFF_FFFF);
    sci.clearintlvl.set(0xFFFF_FFFF);
    sci.gcr1.set(0);
    sci.gcr1
        .write(GCR1::TXENA::SET + GCR1::RXENA::SET + GCR1::CLOCK::SET + GCR1::TIMING_MODE::SET);
    sci.brs
        .write(BRS::PRESCALER.val(divisor.p) + BRS::M.val(divisor.m));
    sci.format.set(8 - 1);
    sci.pio[0].set(PIO0_RX_FUNC | PIO0_TX_FUNC);
    sci.gcr1.modify(GCR1::SWNRST::SET);
}

/// Writes one byte once the transmitter is ready; false (byte dropped) if it never became
/// ready within the bound (a console must not hang the kernel).
pub fn write_byte(sci: &SciRegisters, byte: u8) -> bool {
    if !super::wait(|| sci.flr.is_set(FLR::TX_RDY)) {
        return false;
    }
    sci.td.set(byte as u32);
    true
}

/// Writes text, `\n` as `\r\n` for terminals.
pub fn write_str(sci: &SciRegisters, text: &str) {
    for byte in text.bytes() {
        if byte == b'\n' && !write_byte(sci, b'\r') {
            return;
        }
        if !write_byte(sci, byte) {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::Fake;
    use crate::part::Part;

    #[test]
    fn divisor_115200() {
        // LC4357: VCLK 75 MHz -> 651 = 16 * 40 + 11.
        let vclk = Part::Lc4357.clock_plan().vclk_hz();
        assert_eq!(vclk, 75_000_000);
        let d = BaudDivisor::new(vclk, 115_200).unwrap();
        assert_eq!(d, BaudDivisor { p: 39, m: 11 });
        assert_eq!(d.brs(), 0x0B00_0027);
        assert_eq!(d.actual_millibaud(vclk), 115_207_373);
        // LS1224: VCLK 80 MHz -> 694 = 16 * 43 + 6.
        let vclk = Part::Ls1224.clock_plan().vclk_hz();
        assert_eq!(vclk, 80_000_000);
        let d = BaudDivisor::new(vclk, 115_200).unwrap();
        assert_eq!(d, BaudDivisor { p: 42, m: 6 });
        assert_eq!(d.actual_millibaud(vclk), 115_273_775);
        // Both within 0.1 % of 115200: far inside a UART's tolerance.
        for part in [Part::Lc4357, Part::Ls1224] {
            let vclk = part.clock_plan().vclk_hz();
            let got = BaudDivisor::new(vclk, 115_200)
                .unwrap()
                .actual_millibaud(vclk);
            assert!(
                got.abs_diff(115_200_000) * 1000 < 115_200_000,
                "{part:?}: {got}"
            );
        }
        assert_eq!(BaudDivisor::new(75_000_000, 0), None);
        assert_eq!(BaudDivisor::new(75_000_000, 75_000_000), None);
    }

    #[test]
    fn init_programs_8n1() {
        let fake = Fake::<SciRegisters>::new();
        init(fake.regs(), BaudDivisor { p: 39, m: 11 });
        assert_eq!(fake.word(0x00), 1, "GCR0 out of reset");
        // TXENA | RXENA | SWnRST | CLOCK | TIMING MODE (HALCoGen: 0x03000022 before SWnRST).
        assert_eq!(fake.word(0x04), 0x0300_00A2);
        assert_eq!(fake.word(0x28), 7, "8 data bits");
        assert_eq!(fake.word(0x2C), 0x0B00_0027);
        assert_eq!(fake.word(0x3C), 0b110, "RX/TX pins functional");
        assert_eq!(fake.word(0x10), 0xFFFF_FFFF, "CLEARINT: all interrupts off");
        assert_eq!(fake.word(0x18), 0xFFFF_FFFF, "CLEARINTLVL");
    }

    #[test]
    fn write_waits_for_txrdy_bounded() {
        let fake = Fake::<SciRegisters>::new();
        assert!(
            !write_byte(fake.regs(), b'x'),
            "never ready: dropped, not hung"
        );
        assert_eq!(fake.word(0x38), 0);
        fake.set_word(0x1C, 1 << 8);
        write_str(fake.regs(), "a\n");
        assert_eq!(fake.word(0x38), b'\n' as u32);
    }
}
