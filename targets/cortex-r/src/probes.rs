//! Benchmark probes (feature `probes`, for `cargo xtask bench` only): figures that need a
//! reading inside the kernel. They use the PMU cycle counter, which the benchmark image's
//! startup hook enables; under QEMU's `-icount shift=0` it counts guest instructions.

use core::mem::offset_of;
use core::sync::atomic::{AtomicU32, Ordering};

use crate::context::Frame;

/// Set by a privileged benchmark task before it spins; the next IRQ entry clears it.
pub static IRQ_ARMED: AtomicU32 = AtomicU32::new(0);
/// Cycles from the interrupted task's last counter reading (kept in its r4) to the first
/// statement of the Rust IRQ handler.
pub static IRQ_ENTRY_CYCLES: AtomicU32 = AtomicU32::new(0);

/// First thing in the IRQ handler: `sp` is the interrupted context's frame.
#[inline(always)]
pub(crate) fn irq_entry(sp: usize) {
    let now = crate::pmu::cycles();
    if IRQ_ARMED.load(Ordering::Relaxed) == 0 {
        return;
    }
    // SAFETY: the entry code just pushed a whole `Frame` at `sp`; r4 is word-aligned in it.
    let r4 = unsafe { *((sp + offset_of!(Frame, r) + 16) as *const u32) };
    IRQ_ENTRY_CYCLES.store(now.wrapping_sub(r4), Ordering::Relaxed);
    IRQ_ARMED.store(0, Ordering::Relaxed);
}

/// The instruction clock of the benchmarks and the switch probes: the PMU cycle counter on the
/// Cortex-R5F; on the R52, whose QEMU model has no cycle counter, the virtual count (one count
/// per 1e9/CNTFRQ instructions, so the benchmark averages over repetitions). Readable from
/// User mode once a privileged hook opened both.
#[inline(always)]
pub fn clock() -> u32 {
    #[cfg(not(target_feature = "v8"))]
    return crate::pmu::cycles();
    #[cfg(target_feature = "v8")]
    {
        let count: u32;
        // SAFETY: reads CNTVCT's low word; no side effects (User mode: once CNTKCTL allows it).
        unsafe {
            core::arch::asm!("isb", "mrrc p15, 1, {0}, {1}, c14", out(reg) count, out(reg) _,
                options(nomem, nostack))
        };
        count
    }
}

/// The clock at the first statement of the SVC handler (feature `switch-probes`).
static SVC_ENTERED: AtomicU32 = AtomicU32::new(0);
/// The clock where ActivateTask's fast path decided to switch (0: no decision to count).
static DECIDED: AtomicU32 = AtomicU32::new(0);
/// Over every switch ActivateTask's fast path decided: how many, and the sum of the clock
/// from the SVC entry to the decision (feature `switch-probes`).
pub static SWITCHES_DECIDED: AtomicU32 = AtomicU32::new(0);
pub static SWITCH_SERVICE_SUM: AtomicU32 = AtomicU32::new(0);

/// First thing in the SVC handler. A decision the last entry took is counted here, after
/// this entry's reading, so the switch it led to carries one store of the probes' own.
#[inline(always)]
pub(crate) fn svc_entered() {
    let now = clock();
    let decided = DECIDED.load(Ordering::Relaxed);
    if decided != 0 {
        let service = decided.wrapping_sub(SVC_ENTERED.load(Ordering::Relaxed));
        SWITCH_SERVICE_SUM.fetch_add(service, Ordering::Relaxed);
        SWITCHES_DECIDED.fetch_add(1, Ordering::Relaxed);
        DECIDED.store(0, Ordering::Relaxed);
    }
    SVC_ENTERED.store(now, Ordering::Relaxed);
}

/// ActivateTask's fast path has decided to switch: the reading, nothing more, before the
/// port switches.
#[inline(always)]
pub(crate) fn switch_decided() {
    DECIDED.store(clock(), Ordering::Relaxed);
}
