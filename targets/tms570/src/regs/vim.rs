//! VIM: vectored interrupt manager, control part at 0xFFFF_FE00 on both parts.
//!
//! SPNU515C "VIM Control Registers" (IRQINDEX at 0xFFFF_FE00, CHANCTRL0 at 0xFFFF_FE80; 96
//! channels, CHANCTRL0..23); SPNU563A §19.9 "VIM Control Registers" (IRQINDEX: §19.9.7,
//! Table 19-12; 128 channels, CHANCTRL0..31, ECC registers below at 0xFFFF_FDEC). HALCoGen `reg_vim.h` for the LS12x
//! (`vimBASE_t` at 0xFFFFFE00) and `HL_reg_vim.h` for the LC43x (`vimBASE_t` at 0xFFFFFD00 whose
//! IRQINDEX sits at +0x100 = 0xFFFF_FE00, CHANCTRL[32]). We declare the common frame from
//! IRQINDEX with 32 CHANCTRL words; the LS1224 only has the first 24 (the driver never goes
//! past the part's channel count).
use tock_registers::register_bitfields;
use tock_registers::register_structs;
use tock_registers::registers::{ReadOnly, ReadWrite};

register_structs! {
    pub VimRegisters {
        (0x00 => pub irqindex: ReadOnly<u32, INDEX::Register>),
        (0x04 => pub fiqindex: ReadOnly<u32, INDEX::Register>),
        (0x08 => _reserved0),
        (0x10 => pub firqpr: [ReadWrite<u32>; 4]),
        (0x20 => pub intreq: [ReadWrite<u32>; 4]),
        (0x30 => pub reqmaskset: [ReadWrite<u32>; 4]),
        (0x40 => pub reqmaskclr: [ReadWrite<u32>; 4]),
        (0x50 => pub wakemaskset: [ReadWrite<u32>; 4]),
        (0x60 => pub wakemaskclr: [ReadWrite<u32>; 4]),
        (0x70 => pub irqvecreg: ReadOnly<u32>),
        (0x74 => pub fiqvecreg: ReadOnly<u32>),
        (0x78 => pub capevt: ReadWrite<u32>),
        (0x7C => _reserved1),
        (0x80 => pub chanctrl: [ReadWrite<u32>; 32]),
        (0x100 => @END),
    }
}

register_bitfields! [u32,
    /// IRQINDEX / FIQINDEX: channel number + 1 of the highest-priority pending request;
    /// 0 = none (phantom).
    pub INDEX [
        INDEX OFFSET(0) NUMBITS(8) []
    ]
];

/// Reset values (SPNU563A §19.9 "VIM Control Registers"; SPNU515C, same section title).
pub mod reset {
    pub const IRQINDEX: u32 = 0;
    /// Channels 0 and 1 are FIQ after reset (channel 0: ESM high level; 1: reserved).
    pub const FIRQPR0: u32 = 0x0000_0003;
    pub const REQMASKSET0: u32 = 0x0000_0003;
    /// Identity mapping: CHANCTRLn holds requests 4n..4n+3 for channels 4n..4n+3,
    /// channel 4n in bits 30:24.
    pub const fn chanctrl(n: u32) -> u32 {
        let c = 4 * n;
        c << 24 | (c + 1) << 16 | (c + 2) << 8 | (c + 3)
    }
}

/// The VIM RAM (interrupt vector table), one 32-bit vector per channel plus the phantom vector
/// at index 0. SPNU515C §19.4 / SPNU563A §19.4: 0xFFF8_2000 on both parts.
pub const VIM_RAM: usize = 0xFFF8_2000;
