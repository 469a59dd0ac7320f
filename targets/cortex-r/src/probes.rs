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

/// Instruction clock at the first statement of the SVC handler (feature `switch-probes`).
static SVC_ENTERED: AtomicU32 = AtomicU32::new(0);
/// For the first switch ActivateTask's fast path decided: the SVC entry's reading, and the
/// reading where the decision was taken, before the port switches (feature `switch-probes`;
/// both 0 until then).
pub static SWITCH_SVC_ENTERED: AtomicU32 = AtomicU32::new(0);
pub static SWITCH_DECIDED: AtomicU32 = AtomicU32::new(0);

/// First thing in the SVC handler.
#[inline(always)]
pub(crate) fn svc_entered() {
    SVC_ENTERED.store(crate::pmu::cycles(), Ordering::Relaxed);
}

/// ActivateTask's fast path has decided to switch; only the first such switch is kept, so
/// the benchmark reads the one it timed.
#[inline(always)]
pub(crate) fn switch_decided() {
    let now = crate::pmu::cycles();
    if SWITCH_DECIDED.load(Ordering::Relaxed) == 0 {
        SWITCH_DECIDED.store(now, Ordering::Relaxed);
        SWITCH_SVC_ENTERED.store(SVC_ENTERED.load(Ordering::Relaxed), Ordering::Relaxed);
    }
}
