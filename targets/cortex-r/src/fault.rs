//! Faults outside a task end the run: a line naming the exception and the faulting address,
//! then a non-zero exit. (A task's undefined instruction, prefetch or data abort goes to the
//! protection hook instead: `port::ecu_cortex_r_fault`.)
//!
//! aarch32-rt's assembly trampolines call these in the exception's own mode and stack.

use core::fmt::Write;

use crate::port::{board, fatal, Console};

#[unsafe(no_mangle)]
extern "C" fn _hvc_handler(_hsr: u32, _frame: usize) -> ! {
    fatal("hypervisor call", 0)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    let cpsr: u32;
    // SAFETY: reads the CPSR; no side effects.
    unsafe { core::arch::asm!("mrs {0}, cpsr", out(reg) cpsr, options(nomem, nostack)) };
    if cpsr & 0x1F == 0x10 {
        // A task in User mode cannot reach the console: it ends as a CPU exception of its own
        // (E_OS_PROTECTION_EXCEPTION through the protection hook).
        // SAFETY: a permanently undefined instruction; the kernel never resumes this task.
        unsafe { core::arch::asm!("udf #0xEC", options(noreturn)) };
    }
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
