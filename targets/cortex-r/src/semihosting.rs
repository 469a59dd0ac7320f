//! Arm semihosting, for the QEMU boards: console output and the exit code of a run.

use core::arch::asm;

const SYS_WRITEC: u32 = 0x03;
const SYS_WRITE0: u32 = 0x04;
const SYS_EXIT_EXTENDED: u32 = 0x20;
const ADP_STOPPED_APPLICATION_EXIT: u32 = 0x2_0026;

#[instruction_set(arm::a32)]
fn call(op: u32, arg: usize) -> u32 {
    let ret: u32;
    // SAFETY: with semihosting enabled, the emulator traps this svc and performs `op` on the
    // block `arg` points to; only called from privileged code (the kernel or idle).
    unsafe {
        asm!("svc 0x123456", inlateout("r0") op => ret, in("r1") arg, options(nostack));
    }
    ret
}

/// Writes `text` (any length, no NUL needed) through SYS_WRITEC/SYS_WRITE0.
pub fn write_str(text: &str) {
    let mut buf = [0u8; 65];
    for chunk in text.as_bytes().chunks(64) {
        buf[..chunk.len()].copy_from_slice(chunk);
        buf[chunk.len()] = 0;
        if chunk.contains(&0) {
            for byte in chunk {
                call(SYS_WRITEC, byte as *const u8 as usize);
            }
        } else {
            call(SYS_WRITE0, buf.as_ptr() as usize);
        }
    }
}

/// Ends the emulator with `code` as its exit status.
pub fn exit(code: u32) -> ! {
    let block = [ADP_STOPPED_APPLICATION_EXIT, code];
    call(SYS_EXIT_EXTENDED, block.as_ptr() as usize);
    // Without a semihosting host there is nowhere to go.
    loop {
        core::hint::spin_loop();
    }
}
