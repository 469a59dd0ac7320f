//! ESM: error signalling module, base 0xFFFF_F500 on both parts.
//!
//! SPNU563A §16.4 "ESM Control Registers" and SPNU515C "ESM Control Registers"; HALCoGen
//! `reg_esm.h` (`esmBASE_t`). Group 1 channels 0-31 are in the "1" registers, 32-63 in the "4"
//! registers. The LC43x adds channels 64-127 of group 1 at 0x80-0xA0 (IEPSR7 ...), which the
//! OS does not use yet and are not declared. Group 2 (SR1[1]) and group 3 (SR1[2]) are
//! always fatal: they raise the high-level interrupt (FIQ) and/or the nERROR pin.
use tock_registers::register_structs;
use tock_registers::registers::{ReadOnly, ReadWrite};

register_structs! {
    pub EsmRegisters {
        (0x00 => pub eepapr1: ReadWrite<u32>),
        (0x04 => pub depapr1: ReadWrite<u32>),
        (0x08 => pub iesr1: ReadWrite<u32>),
        (0x0C => pub iecr1: ReadWrite<u32>),
        (0x10 => pub ilsr1: ReadWrite<u32>),
        (0x14 => pub ilcr1: ReadWrite<u32>),
        /// Status: group 1 (channels 0-31), group 2, group 3.
        (0x18 => pub sr1: [ReadWrite<u32>; 3]),
        (0x24 => pub epsr: ReadOnly<u32>),
        (0x28 => pub ioffhr: ReadOnly<u32>),
        (0x2C => pub iofflr: ReadOnly<u32>),
        (0x30 => pub ltcr: ReadOnly<u32>),
        (0x34 => pub ltcpr: ReadWrite<u32>),
        (0x38 => pub ekr: ReadWrite<u32>),
        (0x3C => pub ssr2: ReadWrite<u32>),
        (0x40 => pub iepsr4: ReadWrite<u32>),
        (0x44 => pub iepcr4: ReadWrite<u32>),
        (0x48 => pub iesr4: ReadWrite<u32>),
        (0x4C => pub iecr4: ReadWrite<u32>),
        (0x50 => pub ilsr4: ReadWrite<u32>),
        (0x54 => pub ilcr4: ReadWrite<u32>),
        /// Status of group 1 channels 32-63 (SR4[0]); SR4[1], SR4[2] are reserved.
        (0x58 => pub sr4: [ReadWrite<u32>; 3]),
        (0x64 => @END),
    }
}

/// Reset values (SPNU563A §16.4, each register's "value after reset").
pub mod reset {
    pub const IESR1: u32 = 0;
    pub const ILSR1: u32 = 0;
    pub const SR1: u32 = 0;
    /// Low-time counter preload: 0x3FFF.
    pub const LTCPR: u32 = 0x0000_3FFF;
    pub const EKR: u32 = 0;
    /// IOFFHR/IOFFLR: no pending interrupt.
    pub const IOFFHR: u32 = 0;
}

/// EKR key that resets the nERROR pin after the low time has elapsed (SPNU515C §16.2.x).
pub const EKR_ERROR_PIN_RESET: u32 = 0x5;
