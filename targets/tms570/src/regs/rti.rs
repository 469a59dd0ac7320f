//! RTI: real-time interrupt module (free-running counters, compare units).
//!
//! SPNU563A §17.3 "RTI Control Registers" and SPNU515C "RTI Control Registers"; same
//! layout on both parts, base 0xFFFF_FC00 (SPNS195C Table 6-xx / SPNS192 "Peripheral Memory
//! Map": RTI + DWWD frame). HALCoGen `reg_rti.h` (`rtiBASE_t`). Counter block 0 clocks the tick
//! (compare 0) and, through compare 1, the timing-protection deadline.
use tock_registers::register_bitfields;
use tock_registers::register_structs;
use tock_registers::registers::{ReadOnly, ReadWrite};

register_structs! {
    /// One counter block (FRCx, UCx, CPUCx, capture registers).
    pub RtiCounter {
        (0x00 => pub frc: ReadWrite<u32>),
        (0x04 => pub uc: ReadWrite<u32>),
        (0x08 => pub cpuc: ReadWrite<u32>),
        (0x0C => _reserved0),
        (0x10 => pub cafrc: ReadOnly<u32>),
        (0x14 => pub cauc: ReadOnly<u32>),
        (0x18 => _reserved1),
        (0x20 => @END),
    },
    /// One compare unit (COMPx, UDCPx).
    pub RtiCompare {
        (0x00 => pub comp: ReadWrite<u32>),
        (0x04 => pub udcp: ReadWrite<u32>),
        (0x08 => @END),
    },
    pub RtiRegisters {
        (0x00 => pub gctrl: ReadWrite<u32, GCTRL::Register>),
        (0x04 => pub tbctrl: ReadWrite<u32>),
        (0x08 => pub capctrl: ReadWrite<u32>),
        (0x0C => pub compctrl: ReadWrite<u32, COMPCTRL::Register>),
        (0x10 => pub cnt: [RtiCounter; 2]),
        (0x50 => pub cmp: [RtiCompare; 4]),
        (0x70 => pub tblcomp: ReadWrite<u32>),
        (0x74 => pub tbhcomp: ReadWrite<u32>),
        (0x78 => _reserved0),
        (0x80 => pub setintena: ReadWrite<u32, INT::Register>),
        (0x84 => pub clearintena: ReadWrite<u32, INT::Register>),
        (0x88 => pub intflag: ReadWrite<u32, INT::Register>),
        (0x8C => _reserved1),
        (0x90 => pub dwdctrl: ReadWrite<u32>),
        (0x94 => pub dwdprld: ReadWrite<u32>),
        (0x98 => pub wdstatus: ReadWrite<u32>),
        (0x9C => pub wdkey: ReadWrite<u32>),
        (0xA0 => pub dwdcntr: ReadOnly<u32>),
        (0xA4 => pub wwdrxnctrl: ReadWrite<u32>),
        (0xA8 => pub wwdsizectrl: ReadWrite<u32>),
        (0xAC => pub intclrenable: ReadWrite<u32>),
        (0xB0 => pub compclr: [ReadWrite<u32>; 4]),
        (0xC0 => @END),
    }
}

register_bitfields! [u32,
    pub GCTRL [
        /// Counter block 0 enable.
        CNT0EN OFFSET(0) NUMBITS(1) [],
        /// Counter block 1 enable.
        CNT1EN OFFSET(1) NUMBITS(1) [],
        /// Continue on suspend (debug halt).
        COS OFFSET(15) NUMBITS(1) [],
        /// Counter 0 NTU input select (LC43x only).
        NTUSEL OFFSET(16) NUMBITS(4) []
    ],
    pub COMPCTRL [
        /// Compare 0..3 counter select (0 = counter block 0).
        COMPSEL0 OFFSET(0) NUMBITS(1) [],
        COMPSEL1 OFFSET(4) NUMBITS(1) [],
        COMPSEL2 OFFSET(8) NUMBITS(1) [],
        COMPSEL3 OFFSET(12) NUMBITS(1) []
    ],
    /// SETINTENA / CLEARINTENA / INTFLAG share the bit layout.
    pub INT [
        INT0 OFFSET(0) NUMBITS(1) [],
        INT1 OFFSET(1) NUMBITS(1) [],
        INT2 OFFSET(2) NUMBITS(1) [],
        INT3 OFFSET(3) NUMBITS(1) [],
        OVL0 OFFSET(17) NUMBITS(1) [],
        OVL1 OFFSET(18) NUMBITS(1) []
    ]
];

/// Reset values (SPNU563A §17.3, the "value after reset" of each register's figure).
pub mod reset {
    pub const GCTRL: u32 = 0x0000_0000;
    pub const COMPCTRL: u32 = 0x0000_0000;
    pub const CPUC: u32 = 0x0000_0000;
    pub const COMP: u32 = 0x0000_0000;
    pub const SETINTENA: u32 = 0x0000_0000;
    pub const INTFLAG: u32 = 0x0000_0000;
    /// DWD preload 0xFFF: the digital windowed watchdog is off after reset.
    pub const DWDPRLD: u32 = 0x0000_0FFF;
    pub const DWDCTRL: u32 = 0x5312_ACED;
    pub const INTCLRENABLE: u32 = 0x0505_0505;
}
