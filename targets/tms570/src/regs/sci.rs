//! SCI/LIN module in SCI (UART) mode.
//!
//! SPNU515C "SCI/LIN Control Registers" (LIN at 0xFFF7_E400, SCI at
//! 0xFFF7_E500) and SPNU563A §29.7 (LIN1/SCI1 at 0xFFF7_E400, LIN2/SCI2 0xFFF7_E500, SCI3
//! 0xFFF7_E600, SCI4 0xFFF7_E700); HALCoGen `reg_sci.h` / `HL_reg_sci.h` (`sciBASE_t`, `sciREG1`
//! = 0xFFF7E400). The LIN-only registers between 0x60 and 0x8C are not declared.
use tock_registers::register_bitfields;
use tock_registers::register_structs;
use tock_registers::registers::{ReadOnly, ReadWrite};

register_structs! {
    pub SciRegisters {
        (0x00 => pub gcr0: ReadWrite<u32>),
        (0x04 => pub gcr1: ReadWrite<u32, GCR1::Register>),
        (0x08 => pub gcr2: ReadWrite<u32>),
        (0x0C => pub setint: ReadWrite<u32>),
        (0x10 => pub clearint: ReadWrite<u32>),
        (0x14 => pub setintlvl: ReadWrite<u32>),
        (0x18 => pub clearintlvl: ReadWrite<u32>),
        (0x1C => pub flr: ReadWrite<u32, FLR::Register>),
        (0x20 => pub intvect0: ReadOnly<u32>),
        (0x24 => pub intvect1: ReadOnly<u32>),
        (0x28 => pub format: ReadWrite<u32>),
        (0x2C => pub brs: ReadWrite<u32, BRS::Register>),
        (0x30 => pub ed: ReadOnly<u32>),
        (0x34 => pub rd: ReadOnly<u32>),
        (0x38 => pub td: ReadWrite<u32>),
        /// PIO0 (function) ... PIO8 (pull select).
        (0x3C => pub pio: [ReadWrite<u32>; 9]),
        (0x60 => _reserved0),
        (0x90 => pub iodftctrl: ReadWrite<u32>),
        (0x94 => @END),
    }
}

register_bitfields! [u32,
    pub GCR1 [
        COMM_MODE OFFSET(0) NUMBITS(1) [],
        /// 1 = asynchronous timing.
        TIMING_MODE OFFSET(1) NUMBITS(1) [],
        PARITY_ENA OFFSET(2) NUMBITS(1) [],
        PARITY OFFSET(3) NUMBITS(1) [],
        /// 0 = one stop bit.
        STOP OFFSET(4) NUMBITS(1) [],
        /// 1 = internal clock.
        CLOCK OFFSET(5) NUMBITS(1) [],
        LIN_MODE OFFSET(6) NUMBITS(1) [],
        /// 1 = ready (out of software reset).
        SWNRST OFFSET(7) NUMBITS(1) [],
        LOOP_BACK OFFSET(16) NUMBITS(1) [],
        CONT OFFSET(17) NUMBITS(1) [],
        RXENA OFFSET(24) NUMBITS(1) [],
        TXENA OFFSET(25) NUMBITS(1) []
    ],
    pub FLR [
        TX_RDY OFFSET(8) NUMBITS(1) [],
        RX_RDY OFFSET(9) NUMBITS(1) [],
        TX_EMPTY OFFSET(11) NUMBITS(1) [],
        IDLE OFFSET(2) NUMBITS(1) []
    ],
    /// Baud: VCLK / (16 * (P + 1 + M/16)) in asynchronous mode.
    pub BRS [
        PRESCALER OFFSET(0) NUMBITS(24) [],
        M OFFSET(24) NUMBITS(4) []
    ]
];

/// Reset values (SPNU515C / SPNU563A SCI register tables).
pub mod reset {
    pub const GCR0: u32 = 0;
    pub const GCR1: u32 = 0;
    pub const BRS: u32 = 0;
    pub const FORMAT: u32 = 0;
}

/// PIO0 bits that give the RX and TX pins to the module (HALCoGen `sciInit`).
pub const PIO0_RX_FUNC: u32 = 1 << 1;
pub const PIO0_TX_FUNC: u32 = 1 << 2;
