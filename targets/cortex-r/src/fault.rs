//! Faults end the run: a line naming the exception and the faulting address, then a non-zero
//! exit. (The protection hook that contains a fault to its partition comes with user mode.)
//!
//! aarch32-rt's assembly trampolines call these in the exception's own mode and stack.

use core::fmt::Write;

use crate::port::{board, fatal, Console};

#[unsafe(no_mangle)]
extern "C" fn _undefined_handler(addr: usize) -> ! {
    fatal("undefined instruction", addr)
}

#[unsafe(no_mangle)]
extern "C" fn _prefetch_abort_handler(addr: usize) -> ! {
    fatal("prefetch abort", addr)
}

#[unsafe(no_mangle)]
extern "C" fn _data_abort_handler(addr: usize) -> ! {
    fatal("data abort", addr)
}

#[unsafe(no_mangle)]
extern "C" fn _hvc_handler(_hsr: u32, _frame: usize) -> ! {
    fatal("hypervisor call", 0)
}

/// From `_asm_fiq_handler` (context.rs), with the interrupted address.
#[unsafe(no_mangle)]
extern "C" fn ecu_cortex_r_fiq(addr: usize) -> ! {
    fatal("fiq", addr)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    if let Some(board) = board() {
        let mut out = Console(board);
        match info.location() {
            Some(at) => {
                let _ = writeln!(
                    out,
                    "fault: panic at {}:{}: {}",
                    at.file(),
                    at.line(),
                    info.message()
                );
            }
            None => {
                let _ = writeln!(out, "fault: panic at ?: {}", info.message());
            }
        }
        board.exit(1)
    }
    loop {
        core::hint::spin_loop();
    }
}
