//! The TI TMS570LC4357 (Cortex-R5F) and TMS570LS1224 (Cortex-R4F), big-endian BE32: the
//! Cortex-R port on these chips and their LaunchPads.
//!
//! - `regs`: register blocks (`tock-registers`) with their TRM citations, offsets tested;
//! - `drivers`: RTI tick and budget compare, VIM, ESM, SCI console, DCAN, GIO, written against
//!   `&RegisterBlock` so host tests run them on a fake register file;
//! - `can`: the description's buses on the DCAN modules (message object layout, transmit,
//!   receive, interrupt service);
//! - `clock`: PLL and clock tree of each LaunchPad;
//! - `board` (Arm only): start-up (core registers, RAM ECC init), `init`, and the `Board`.
//!
//! The part is chosen with a cargo feature: `ls1224`, else the LC4357.
#![no_std]

#[cfg(all(feature = "lc4357", feature = "ls1224"))]
compile_error!("select one part: feature `lc4357` or `ls1224`");

pub mod can;
pub mod clock;
pub mod drivers;
pub mod part;
pub mod regs;

#[cfg(test)]
mod fake;

#[cfg(target_arch = "arm")]
mod board;
#[cfg(target_arch = "arm")]
mod startup;

#[cfg(target_arch = "arm")]
pub use board::{init, init_can, Tms570, BOARD};
