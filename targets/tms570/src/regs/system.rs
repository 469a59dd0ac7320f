//! SYSTEM module: clock sources, PLLs, clock domains, memory self-init.
//!
//! Primary frame (SYS1) at 0xFFFF_FF00: SPNU515C §2.5.1 Table 2-xx "Primary System Control
//! Registers" and SPNU563A §2.5.1; HALCoGen `reg_system.h` (`systemBASE1_t`, `systemREG1`).
//! Secondary frame (SYS2) at 0xFFFF_E100: SPNU515C §2.5.2, SPNU563A §2.5.2; HALCoGen
//! `systemBASE2_t` (`systemREG2`): PLLCTL3 (second PLL), CLK2CNTRL (VCLK3 divider),
//! VCLKACON1, and on the LC43x HCLKCNTL (HCLK = GCLK / (HCLKR + 1)).
use tock_registers::register_bitfields;
use tock_registers::register_structs;
use tock_registers::registers::{ReadOnly, ReadWrite};

register_structs! {
    pub System1Registers {
        (0x00 => pub syspc: [ReadWrite<u32>; 9]),
        (0x24 => pub sswpll: [ReadWrite<u32>; 3]),
        (0x30 => pub csdis: ReadWrite<u32>),
        (0x34 => pub csdisset: ReadWrite<u32>),
        (0x38 => pub csdisclr: ReadWrite<u32>),
        (0x3C => pub cddis: ReadWrite<u32>),
        (0x40 => pub cddisset: ReadWrite<u32>),
        (0x44 => pub cddisclr: ReadWrite<u32>),
        (0x48 => pub ghvsrc: ReadWrite<u32, GHVSRC::Register>),
        (0x4C => pub vclkasrc: ReadWrite<u32>),
        (0x50 => pub rclksrc: ReadWrite<u32, RCLKSRC::Register>),
        (0x54 => pub csvstat: ReadOnly<u32>),
        (0x58 => pub mstgcr: ReadWrite<u32>),
        (0x5C => pub minitgcr: ReadWrite<u32>),
        (0x60 => pub msinena: ReadWrite<u32>),
        (0x64 => pub mstfail: ReadWrite<u32>),
        (0x68 => pub mstcgstat: ReadWrite<u32>),
        (0x6C => pub ministat: ReadWrite<u32>),
        (0x70 => pub pllctl1: ReadWrite<u32, PLLCTL1::Register>),
        (0x74 => pub pllctl2: ReadWrite<u32, PLLCTL2::Register>),
        (0x78 => pub syspc10: ReadWrite<u32>),
        (0x7C => pub dieidl: ReadOnly<u32>),
        (0x80 => pub dieidh: ReadOnly<u32>),
        (0x84 => _reserved0),
        (0x88 => pub lpomonctl: ReadWrite<u32>),
        (0x8C => pub clktest: ReadWrite<u32>),
        (0x90 => _reserved1),
        (0xA0 => pub gpreg1: ReadWrite<u32>),
        (0xA4 => _reserved2),
        (0xC0 => pub ramgcr: ReadWrite<u32>),
        (0xC4 => pub bmmcr1: ReadWrite<u32>),
        (0xC8 => _reserved3),
        (0xCC => pub cpurstcr: ReadWrite<u32>),
        (0xD0 => pub clkcntl: ReadWrite<u32, CLKCNTL::Register>),
        (0xD4 => pub ecpcntl: ReadWrite<u32>),
        (0xD8 => _reserved4),
        (0xDC => pub devcr1: ReadWrite<u32>),
        (0xE0 => pub sysecr: ReadWrite<u32>),
        (0xE4 => pub sysesr: ReadWrite<u32>),
        (0xE8 => pub systasr: ReadWrite<u32>),
        (0xEC => pub glbstat: ReadWrite<u32>),
        (0xF0 => pub devid: ReadOnly<u32>),
        (0xF4 => pub ssivec: ReadOnly<u32>),
        (0xF8 => pub ssif: ReadWrite<u32>),
        (0xFC => @END),
    },
    pub System2Registers {
        (0x00 => pub pllctl3: ReadWrite<u32>),
        (0x04 => _reserved0),
        (0x08 => pub stcclkdiv: ReadWrite<u32>),
        (0x0C => _reserved1),
        (0x3C => pub clk2cntrl: ReadWrite<u32>),
        (0x40 => pub vclkacon1: ReadWrite<u32>),
        (0x44 => _reserved2),
        /// LC43x only (reserved on the LS12x).
        (0x54 => pub hclkcntl: ReadWrite<u32>),
        (0x58 => @END),
    }
}

register_bitfields! [u32,
    pub PLLCTL1 [
        /// Integer multiplier (NF - 1) in bits 15:8, fractional in 7:0.
        PLLMUL OFFSET(0) NUMBITS(16) [],
        /// NR - 1.
        REFCLKDIV OFFSET(16) NUMBITS(6) [],
        /// Reset on oscillator fail.
        ROF OFFSET(23) NUMBITS(1) [],
        /// R - 1 (final divider).
        PLLDIV OFFSET(24) NUMBITS(5) [],
        /// Bypass on PLL slip (0b01 as HALCoGen: bit 29).
        MASK_SLIP OFFSET(29) NUMBITS(2) [],
        /// Reset on oscillator slip.
        ROS OFFSET(31) NUMBITS(1) []
    ],
    pub PLLCTL2 [
        SPR_AMOUNT OFFSET(0) NUMBITS(9) [],
        /// OD - 1.
        ODPLL OFFSET(9) NUMBITS(3) [],
        MULMOD OFFSET(12) NUMBITS(9) [],
        SPREADINGRATE OFFSET(22) NUMBITS(9) [],
        FMENA OFFSET(31) NUMBITS(1) []
    ],
    /// GCLK (bits 3:0), HCLK/VCLK, wake-up and low-power sources.
    pub GHVSRC [
        GHVSRC OFFSET(0) NUMBITS(4) [],
        HVLPM OFFSET(16) NUMBITS(4) [],
        GHVWAKE OFFSET(24) NUMBITS(4) []
    ],
    pub RCLKSRC [
        RTI1SRC OFFSET(0) NUMBITS(4) [],
        /// RTICLK1 = source / 2^RTI1DIV.
        RTI1DIV OFFSET(8) NUMBITS(2) []
    ],
    pub CLKCNTL [
        /// Peripheral enable: peripherals out of reset.
        PENA OFFSET(8) NUMBITS(1) [],
        /// VCLK = HCLK / (VCLKR + 1).
        VCLKR OFFSET(16) NUMBITS(4) [],
        /// VCLK2 = HCLK / (VCLK2R + 1).
        VCLK2R OFFSET(24) NUMBITS(4) []
    ]
];

pub const SYS1_BASE: usize = 0xFFFF_FF00;
pub const SYS2_BASE: usize = 0xFFFF_E100;

/// Clock source numbers for GHVSRC / RCLKSRC / VCLKASRC (SPNU515C Table 2-xx "Clock Sources").
pub const SRC_OSCIN: u32 = 0;
pub const SRC_PLL1: u32 = 1;
/// VCLK as RTI / asynchronous clock source.
pub const SRC_VCLK: u32 = 9;

/// CSDIS bits of the two PLLs (clock sources 1 and 6).
pub const CSDIS_PLL1: u32 = 1 << 1;
pub const CSDIS_PLL2: u32 = 1 << 6;

/// Memory hardware initialisation: key values of MINITGCR and the done flag in MSTCGSTAT.
pub const MINITGCR_ENABLE: u32 = 0xA;
pub const MINITGCR_DISABLE: u32 = 0x5;
pub const MSTCGSTAT_MINIDONE: u32 = 1 << 8;

/// Reset values (SPNU515C / SPNU563A system register tables, "Reset" column).
pub mod reset {
    /// Everything on OSCIN.
    pub const GHVSRC: u32 = 0x0000_0000;
    /// PLLs 1 and 2 (and the external clocks) disabled at reset.
    pub const CSDIS: u32 = 0x0000_00CE;
    /// VCLK = VCLK2 = HCLK / 2 at reset, peripherals held in reset (PENA = 0).
    pub const CLKCNTL: u32 = 0x0101_0000;
    pub const MINITGCR: u32 = 0x5;
}
