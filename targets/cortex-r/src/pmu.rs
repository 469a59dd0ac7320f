//! The PMU cycle counter (PMCCNTR), for benchmark images: under QEMU's `-icount shift=0` it
//! advances by one per guest instruction, a repeatable clock. (QEMU's Cortex-R52 model has no
//! cycle counter: it reads 0 there.)

use core::arch::asm;

/// The cycle counter now.
#[inline(always)]
pub fn cycles() -> u32 {
    let count: u32;
    // SAFETY: reads PMCCNTR; no side effects (from User mode only once `enable(true)` ran).
    unsafe { asm!("mrc p15, 0, {0}, c9, c13, 0", out(reg) count, options(nomem, nostack)) };
    count
}

/// Starts the cycle counter from 0; with `user_access`, User mode may read it too. Privileged
/// code only (a startup hook or a trusted task).
pub fn enable(user_access: bool) {
    // SAFETY: PMCR.E|C (enable, reset the cycle counter), PMCNTENSET.C, and PMUSERENR.EN when
    // asked: writes to the performance monitor, which nothing else in an image uses.
    unsafe {
        asm!(
            "mcr p15, 0, {pmcr}, c9, c12, 0",
            "mcr p15, 0, {cycle}, c9, c12, 1",
            "mcr p15, 0, {user}, c9, c14, 0",
            "isb",
            pmcr = in(reg) 0b101u32,
            cycle = in(reg) 1u32 << 31,
            user = in(reg) user_access as u32,
            options(nomem, nostack)
        )
    };
}
