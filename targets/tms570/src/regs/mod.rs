//! Register blocks of the TMS570LC4357 and TMS570LS1224 that the OS uses, declared with
//! `tock-registers`. Offsets are checked at compile time by `register_structs!` and again by the
//! host tests in `tests.rs` against constants copied from TI's documents; base addresses per
//! part are in [`crate::part`].
//!
//! Sources (cited per block):
//! - SPNU563A: TMS570LC43x Technical Reference Manual (Rev. A, 2016);
//! - SPNU515C: TMS570LS12x/11x Technical Reference Manual (Rev. C);
//! - SPNS195C: TMS570LC4357 data sheet; SPNS192: TMS570LS1224 data sheet;
//! - HALCoGen generated headers (`reg_rti.h`, `reg_vim.h`, `reg_esm.h`, `reg_sci.h`, `reg_can.h`,
//!   `reg_gio.h`, `reg_system.h`, `reg_pcr.h`, `reg_flash.h`; `HL_` prefixed for the LC43x),
//!   which are the TRM tables in C.
//!
//! What was checked against public copies of those headers (the TRM PDFs themselves were not
//! at hand): RTI `rtiBASE_t` (0x00-0xBC), VIM `vimBASE_t` of HALCoGen 04.07.01 for the LC43x
//! (ECC block at 0xFFFF_FDEC, IRQINDEX 0xFFFF_FE00, CHANCTRL[32] from 0xFFFF_FE80), ESM
//! `esmBASE_t` (LS12x up to SR4, LC43x with IEPSR7 at 0x80), SCI `sciBASE_t` and `sciInit`
//! (GCR1 bits, PIO0 RX/TX bits, SWnRST = 0x80), DCAN `canBASE_t` (0x00-0x1E4, IF command word
//! layout per endianness), GIO `gioBASE_t`/`gioPORT_t`, SYSTEM `systemBASE1_t` (0x00-0xF8) and
//! the LC43x `systemBASE2_t` (PLLCTL3, CLK2CNTRL 0x3C, VCLKACON1 0x40, HCLKCNTL 0x54), and the
//! HALCoGen `setupPLL`/`mapClocks` values. Reset values marked "TRM" in `reset` modules are
//! from the TRM tables as remembered, not re-read: see targets/tms570/README.md.

pub mod dcan;
pub mod esm;
pub mod flash;
pub mod gio;
pub mod pcr;
pub mod rti;
pub mod sci;
pub mod system;
pub mod vim;

#[cfg(test)]
mod tests;
