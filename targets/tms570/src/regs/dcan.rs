//! DCAN: the CAN controller (Bosch C_CAN derived), 64 message objects on each module.
//!
//! SPNU563A ch. 27 and SPNU515C, section "DCAN Control Registers" (numbers not checked);
//! HALCoGen `reg_can.h` (`canBASE_t`). Bases: DCAN1 0xFFF7_DC00, DCAN2 0xFFF7_DE00, DCAN3
//! 0xFFF7_E000 on both parts, DCAN4 0xFFF7_E200 on the LC43x only (SPNS192 / SPNS195C
//! peripheral memory maps).
//!
//! The IFx command register is one 32-bit word: command mask in bits 23:16, Busy in bit 15,
//! message number in 7:0 (HALCoGen declares it as bytes, ordered per endianness). Data A/B
//! hold Data 0..3 / 4..7; on the big-endian TMS570 Data 0 is the byte at the lowest address
//! (HALCoGen `can.c` writes `IF1DATx[i]` directly when big-endian), i.e. bits 31:24 of Data A.
use tock_registers::register_bitfields;
use tock_registers::register_structs;
use tock_registers::registers::{ReadOnly, ReadWrite};

register_structs! {
    /// One interface register set (IF1 or IF2).
    pub DcanIf {
        (0x00 => pub cmd: ReadWrite<u32, IFCMD::Register>),
        (0x04 => pub msk: ReadWrite<u32, IFMSK::Register>),
        (0x08 => pub arb: ReadWrite<u32, IFARB::Register>),
        (0x0C => pub mctl: ReadWrite<u32, IFMCTL::Register>),
        (0x10 => pub data: ReadWrite<u32>),
        (0x14 => pub datb: ReadWrite<u32>),
        (0x18 => _reserved),
        (0x20 => @END),
    },
    pub DcanRegisters {
        (0x000 => pub ctl: ReadWrite<u32, CTL::Register>),
        (0x004 => pub es: ReadOnly<u32, ES::Register>),
        (0x008 => pub errc: ReadOnly<u32, ERRC::Register>),
        (0x00C => pub btr: ReadWrite<u32, BTR::Register>),
        (0x010 => pub int: ReadOnly<u32>),
        (0x014 => pub test: ReadWrite<u32>),
        (0x018 => _reserved0),
        (0x01C => pub perr: ReadOnly<u32>),
        (0x020 => pub rel: ReadOnly<u32>),
        (0x024 => _reserved1),
        (0x080 => pub abotr: ReadWrite<u32>),
        (0x084 => pub txrqx: ReadOnly<u32>),
        (0x088 => pub txrq: [ReadOnly<u32>; 4]),
        (0x098 => pub nwdatx: ReadOnly<u32>),
        (0x09C => pub nwdat: [ReadOnly<u32>; 4]),
        (0x0AC => pub intpndx: ReadOnly<u32>),
        (0x0B0 => pub intpnd: [ReadOnly<u32>; 4]),
        (0x0C0 => pub msgvalx: ReadOnly<u32>),
        (0x0C4 => pub msgval: [ReadOnly<u32>; 4]),
        (0x0D4 => _reserved2),
        (0x0D8 => pub intmux: [ReadWrite<u32>; 4]),
        (0x0E8 => _reserved3),
        (0x100 => pub if1: DcanIf),
        (0x120 => pub if2: DcanIf),
        (0x140 => pub if3obs: ReadWrite<u32>),
        (0x144 => pub if3msk: ReadOnly<u32>),
        (0x148 => pub if3arb: ReadOnly<u32>),
        (0x14C => pub if3mctl: ReadOnly<u32>),
        (0x150 => pub if3data: ReadOnly<u32>),
        (0x154 => pub if3datb: ReadOnly<u32>),
        (0x158 => _reserved4),
        (0x160 => pub if3upd: [ReadWrite<u32>; 4]),
        (0x170 => _reserved5),
        (0x1E0 => pub tioc: ReadWrite<u32>),
        (0x1E4 => pub rioc: ReadWrite<u32>),
        (0x1E8 => @END),
    }
}

register_bitfields! [u32,
    pub CTL [
        INIT OFFSET(0) NUMBITS(1) [],
        IE0 OFFSET(1) NUMBITS(1) [],
        SIE OFFSET(2) NUMBITS(1) [],
        EIE OFFSET(3) NUMBITS(1) [],
        /// Disable automatic retransmission.
        DAR OFFSET(5) NUMBITS(1) [],
        /// Configuration change enable (write BTR while INIT).
        CCE OFFSET(6) NUMBITS(1) [],
        TEST OFFSET(7) NUMBITS(1) [],
        IDS OFFSET(8) NUMBITS(1) [],
        /// Auto bus-on after ABOTR clocks.
        ABO OFFSET(9) NUMBITS(1) [],
        /// Parity/ECC function: 0x5 = disabled.
        PMD OFFSET(10) NUMBITS(4) [],
        SWR OFFSET(15) NUMBITS(1) [],
        INITDBG OFFSET(16) NUMBITS(1) [],
        IE1 OFFSET(17) NUMBITS(1) []
    ],
    pub ES [
        LEC OFFSET(0) NUMBITS(3) [],
        TXOK OFFSET(3) NUMBITS(1) [],
        RXOK OFFSET(4) NUMBITS(1) [],
        EPASS OFFSET(5) NUMBITS(1) [],
        EWARN OFFSET(6) NUMBITS(1) [],
        BOFF OFFSET(7) NUMBITS(1) [],
        PER OFFSET(8) NUMBITS(1) []
    ],
    pub ERRC [
        TEC OFFSET(0) NUMBITS(8) [],
        REC OFFSET(8) NUMBITS(7) [],
        RP OFFSET(15) NUMBITS(1) []
    ],
    /// Bit time = (1 + (TSEG1+1) + (TSEG2+1)) tq, tq = (BRPE:BRP + 1) / CAN clock.
    pub BTR [
        BRP OFFSET(0) NUMBITS(6) [],
        SJW OFFSET(6) NUMBITS(2) [],
        TSEG1 OFFSET(8) NUMBITS(4) [],
        TSEG2 OFFSET(12) NUMBITS(3) [],
        BRPE OFFSET(16) NUMBITS(4) []
    ],
    pub IFCMD [
        MESSAGE_NUMBER OFFSET(0) NUMBITS(8) [],
        BUSY OFFSET(15) NUMBITS(1) [],
        DATA_B OFFSET(16) NUMBITS(1) [],
        DATA_A OFFSET(17) NUMBITS(1) [],
        /// TxRqst/NewDat.
        TXRQST OFFSET(18) NUMBITS(1) [],
        CLRINTPND OFFSET(19) NUMBITS(1) [],
        CONTROL OFFSET(20) NUMBITS(1) [],
        ARB OFFSET(21) NUMBITS(1) [],
        MASK OFFSET(22) NUMBITS(1) [],
        /// 1 = write the IF registers to the message object.
        WR_RD OFFSET(23) NUMBITS(1) []
    ],
    pub IFMSK [
        MSK OFFSET(0) NUMBITS(29) [],
        MDIR OFFSET(30) NUMBITS(1) [],
        MXTD OFFSET(31) NUMBITS(1) []
    ],
    pub IFARB [
        ID OFFSET(0) NUMBITS(29) [],
        DIR OFFSET(29) NUMBITS(1) [],
        XTD OFFSET(30) NUMBITS(1) [],
        MSGVAL OFFSET(31) NUMBITS(1) []
    ],
    pub IFMCTL [
        DLC OFFSET(0) NUMBITS(4) [],
        EOB OFFSET(7) NUMBITS(1) [],
        TXRQST OFFSET(8) NUMBITS(1) [],
        RMTEN OFFSET(9) NUMBITS(1) [],
        RXIE OFFSET(10) NUMBITS(1) [],
        TXIE OFFSET(11) NUMBITS(1) [],
        UMASK OFFSET(12) NUMBITS(1) [],
        INTPND OFFSET(13) NUMBITS(1) [],
        MSGLST OFFSET(14) NUMBITS(1) [],
        NEWDAT OFFSET(15) NUMBITS(1) []
    ]
];

/// Reset values ("DCAN Control Registers" of SPNU563A ch. 27 and SPNU515C).
pub mod reset {
    /// INIT = 1, PMD = 0x5 (ECC/parity disabled).
    pub const CTL: u32 = 0x0000_1401;
    /// LEC = 7 ("no change").
    pub const ES: u32 = 0x0000_0007;
    /// BRP = 1, TSEG1 = 3, TSEG2 = 2, SJW = 0.
    pub const BTR: u32 = 0x0000_2301;
    pub const ERRC: u32 = 0;
    pub const IFCMD: u32 = 0x0000_0001;
}

/// Base addresses of DCAN1..DCAN4.
pub const DCAN_BASES: [usize; 4] = [0xFFF7_DC00, 0xFFF7_DE00, 0xFFF7_E000, 0xFFF7_E200];
/// Message objects per DCAN module on these parts.
pub const MESSAGE_OBJECTS: u8 = 64;
