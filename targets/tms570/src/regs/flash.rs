//! Flash wrapper read control: wait states before the clock goes up.
//!
//! SPNU515C §5.7 "Flash Control Registers" (FRDCNTL at 0xFFF8_7000) and SPNU563A §7.10 (L2FMC,
//! FRDCNTL at 0xFFF8_7000); HALCoGen `reg_flash.h` (`flashWBASE_t`, `flashWREG` = 0xFFF87000).
use tock_registers::register_bitfields;
use tock_registers::register_structs;
use tock_registers::registers::ReadWrite;

register_structs! {
    pub FlashRegisters {
        (0x00 => pub frdcntl: ReadWrite<u32, FRDCNTL::Register>),
        (0x04 => @END),
    }
}

register_bitfields! [u32,
    pub FRDCNTL [
        /// Read mode / pipeline enable (LC43x: bits 1:0 = 3 prefetch on, as HALCoGen).
        ENPIPE OFFSET(0) NUMBITS(2) [],
        /// Address setup wait state enable (LS12x).
        ASWSTEN OFFSET(4) NUMBITS(1) [],
        /// Random read wait states.
        RWAIT OFFSET(8) NUMBITS(4) []
    ]
];

pub const FLASH_WRAPPER: usize = 0xFFF8_7000;
