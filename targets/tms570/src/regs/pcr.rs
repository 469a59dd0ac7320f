//! PCR: peripheral central resource (peripheral power-down control).
//!
//! SPNU515C §2.6 "Peripheral Central Resource (PCR) Control Registers" (PCR at 0xFFFF_E000) and
//! SPNU563A §2.6 (PCR1 0xFFFF_1000, PCR2 0xFCFF_1000, PCR3 0xFFF7_8000); HALCoGen
//! `reg_pcr.h` / `HL_reg_pcr.h`. Only the power-down clear registers are declared: the OS
//! powers every peripheral up, as HALCoGen's `periphInit` does.
use tock_registers::register_structs;
use tock_registers::registers::ReadWrite;

register_structs! {
    pub PcrRegisters {
        (0x00 => _reserved0),
        (0xA0 => pub pspwrdwnclr: [ReadWrite<u32>; 4]),
        (0xB0 => @END),
    }
}
