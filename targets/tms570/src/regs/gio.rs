//! GIO: general-purpose I/O, base 0xFFF7_BC00 (ports A at +0x34, B at +0x54) on both parts.
//!
//! SPNU563A §25.5 "GIO Control Registers" and SPNU515C "GIO Control Registers";
//! HALCoGen `reg_gio.h` (`gioBASE_t`, `gioPORT_t`, `gioPORTA` = 0xFFF7BC34, `gioPORTB` =
//! 0xFFF7BC54).
use tock_registers::register_structs;
use tock_registers::registers::{ReadOnly, ReadWrite};

register_structs! {
    pub GioRegisters {
        (0x00 => pub gcr0: ReadWrite<u32>),
        (0x04 => _reserved0),
        (0x08 => pub intdet: ReadWrite<u32>),
        (0x0C => pub pol: ReadWrite<u32>),
        (0x10 => pub enaset: ReadWrite<u32>),
        (0x14 => pub enaclr: ReadWrite<u32>),
        (0x18 => pub lvlset: ReadWrite<u32>),
        (0x1C => pub lvlclr: ReadWrite<u32>),
        (0x20 => pub flg: ReadWrite<u32>),
        (0x24 => pub off1: ReadOnly<u32>),
        (0x28 => pub off2: ReadOnly<u32>),
        (0x2C => pub emu1: ReadOnly<u32>),
        (0x30 => pub emu2: ReadOnly<u32>),
        (0x34 => @END),
    },
    pub GioPort {
        (0x00 => pub dir: ReadWrite<u32>),
        (0x04 => pub din: ReadOnly<u32>),
        (0x08 => pub dout: ReadWrite<u32>),
        (0x0C => pub dset: ReadWrite<u32>),
        (0x10 => pub dclr: ReadWrite<u32>),
        (0x14 => pub pdr: ReadWrite<u32>),
        (0x18 => pub puldis: ReadWrite<u32>),
        (0x1C => pub psl: ReadWrite<u32>),
        (0x20 => @END),
    }
}

pub const GIO_BASE: usize = 0xFFF7_BC00;
pub const GIO_PORTA: usize = 0xFFF7_BC34;
pub const GIO_PORTB: usize = 0xFFF7_BC54;

/// Reset values: the module is in reset (GCR0.RESET = 0), all pins inputs.
pub mod reset {
    pub const GCR0: u32 = 0;
    pub const DIR: u32 = 0;
    pub const DOUT: u32 = 0;
}
