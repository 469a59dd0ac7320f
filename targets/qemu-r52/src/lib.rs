//! The Cortex-R52 on QEMU's `mps3-an536` board, running the Cortex-R port at EL1 (aarch32-rt
//! starts at EL2 and drops to SYS mode; the exception model there is the Armv7-R one).
//!
//! - tick: the EL1 virtual generic timer (PPI 27), always accessible from EL1;
//! - clock (timing protection): the virtual count, scaled without a division;
//! - MPU: PMSAv8 at EL1, no background region; partitions in DDR at 0x2000_0000;
//! - interrupts: GICv3, distributor at 0xF000_0000, redistributor of core 0 at 0xF010_0000,
//!   CPU interface through the ICC system registers;
//! - console: CMSDK UART0 at 0xE7C0_0000 (transmitter enabled on first use);
//! - exit: semihosting SYS_EXIT_EXTENDED, so the run's status is QEMU's exit code.
#![no_std]

#[cfg(target_arch = "arm")]
mod board;

#[cfg(target_arch = "arm")]
pub use board::{Mps3An536, BOARD};
