//! The TI TMS570LC4357 (Cortex-R5F, big-endian BE32): the Cortex-R port on this chip.
//!
//! Not done yet, on purpose (a later issue brings the drivers): the RTI tick through the VIM,
//! the SCI console and DCAN. Until then the board starts no tick, prints nothing and parks on
//! exit: the image links and boots to the end of tick 0, which is what the build checks.
#![no_std]

#[cfg(target_arch = "arm")]
mod board;

#[cfg(target_arch = "arm")]
pub use board::{Tms570lc43, BOARD};
