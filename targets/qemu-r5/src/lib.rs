//! The Cortex-R5F on QEMU's `versatileab` board: the Cortex-R port plus this board's devices.
//!
//! - tick: SP804 timer 0 at 0x101E_2000 (1 MHz reference clock), VIC source 4;
//! - clock (timing protection): the SP804's timer 1 at 0x101E_2020, free-running, 1 µs;
//! - MPU: PMSAv7, layout from the configurator (targets/cortex-r/README.md);
//! - interrupts: PL190 VIC at 0x1014_0000;
//! - console: PL011 UART0 at 0x101F_1000 (QEMU needs no set-up);
//! - exit: semihosting SYS_EXIT_EXTENDED, so the run's status is QEMU's exit code.
#![no_std]

#[cfg(target_arch = "arm")]
mod board;

#[cfg(target_arch = "arm")]
pub use board::{VersatileR5, BOARD};
