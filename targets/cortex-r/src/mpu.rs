//! The MPU: PMSAv7 on Armv7-R (Cortex-R4F/R5F), PMSAv8 on Armv8-R (Cortex-R52). The port only
//! writes the register values the configurator computed; the difference between the two is
//! which registers they go to.
//!
//! - PMSAv7: RGNR selects, then DRBAR, DRACR, DRSR (size and enable last). SCTLR.BR gives
//!   privileged code the default memory map wherever no region matches; user code gets only
//!   the regions (the partition window region denies everyone, so even the kernel's own pushes
//!   below a task's stack fault).
//! - PMSAv8: PRSELR selects, then PRBAR, PRLAR (enable). No background region: the kernel's
//!   code, data and devices are mapped explicitly, and everything else faults for EL1 too.
//!   MAIR0 attribute 0 is normal non-cacheable memory, attribute 1 device-nGnRnE.

use core::arch::asm;

use crate::memory::Region;

/// How many regions the per-task part uses (application data, stack).
pub const TASK_REGIONS: usize = 2;

/// The number of regions the CPU has: MPUIR bits 15:8 on both architectures (DREGION on
/// PMSAv7, REGION, the EL1 regions, on PMSAv8).
fn regions() -> u32 {
    let mpuir: u32;
    // SAFETY: reads MPUIR; no side effects.
    unsafe { asm!("mrc p15, 0, {0}, c0, c0, 4", out(reg) mpuir, options(nomem, nostack)) };
    (mpuir >> 8) & 0xFF
}

#[cfg(not(target_feature = "v8"))]
mod arch {
    use super::*;

    /// Writes region `index`.
    ///
    /// # Safety
    /// Changes what the CPU may access: the kernel's own code, data and stacks must stay
    /// accessible (they are: privileged code uses the background region).
    #[inline(always)]
    pub unsafe fn write(index: u32, region: &Region) {
        // SAFETY: see above; RGNR selects, the three writes set it up, enable bit last.
        unsafe {
            asm!(
                "mcr p15, 0, {i}, c6, c2, 0",
                "mcr p15, 0, {b}, c6, c1, 0",
                "mcr p15, 0, {a}, c6, c1, 4",
                "mcr p15, 0, {s}, c6, c1, 2",
                i = in(reg) index, b = in(reg) region[0], s = in(reg) region[1],
                a = in(reg) region[2],
                options(nostack, preserves_flags)
            )
        }
    }

    /// SCTLR.M and SCTLR.BR.
    pub const SCTLR_BITS: u32 = 1 | 1 << 17;

    pub unsafe fn attributes() {}
}

#[cfg(target_feature = "v8")]
mod arch {
    use super::*;

    /// Writes region `index`.
    ///
    /// # Safety
    /// As for PMSAv7; the kernel's windows are fixed regions that are never rewritten.
    #[inline(always)]
    pub unsafe fn write(index: u32, region: &Region) {
        // SAFETY: see above; PRSELR selects, PRLAR (with the enable bit) last.
        unsafe {
            asm!(
                "mcr p15, 0, {i}, c6, c2, 1",
                "mcr p15, 0, {b}, c6, c3, 0",
                "mcr p15, 0, {l}, c6, c3, 1",
                i = in(reg) index, b = in(reg) region[0], l = in(reg) region[1],
                options(nostack, preserves_flags)
            )
        }
    }

    /// SCTLR.M only: no background region.
    pub const SCTLR_BITS: u32 = 1;

    /// MAIR0: attribute 0 normal non-cacheable (0x44), attribute 1 device-nGnRnE (0x00).
    pub unsafe fn attributes() {
        // SAFETY: sets the attributes the configurator's AttrIndx values refer to, before the
        // MPU is enabled.
        unsafe { asm!("mcr p15, 0, {0}, c10, c2, 0", in(reg) 0x44u32, options(nomem, nostack)) };
    }
}

/// Programs the fixed regions, disables every other region and turns the MPU on.
///
/// # Safety
/// Boot only (privileged, IRQs masked). `fixed` must map what the kernel uses (PMSAv8).
pub unsafe fn enable(fixed: &[Region]) {
    let regions = regions();
    let off: Region = [0, 0, 0];
    // SAFETY: the MPU is still off; the regions take effect when SCTLR.M is set below.
    unsafe {
        arch::attributes();
        for index in 0..regions {
            arch::write(index, fixed.get(index as usize).unwrap_or(&off));
        }
        asm!(
            "dsb",
            "mrc p15, 0, {t}, c1, c0, 0",
            "orr {t}, {t}, {bits}",
            "mcr p15, 0, {t}, c1, c0, 0",
            "isb",
            t = out(reg) _, bits = in(reg) arch::SCTLR_BITS,
            options(nostack)
        );
    }
}

/// Whether the MPU has room for `fixed` and the per-task regions.
pub fn fits(fixed: usize) -> bool {
    fixed + TASK_REGIONS <= regions() as usize
}

/// Maps the running task's data and stack: two region writes after the fixed ones.
///
/// # Safety
/// Kernel only (privileged, IRQs masked), between a task's context being saved and another
/// being resumed.
#[inline(always)]
pub unsafe fn switch(first: u32, data: &Region, stack: &Region) {
    // SAFETY: by the caller; the kernel does not touch partition memory while it switches.
    unsafe {
        arch::write(first, data);
        arch::write(first + 1, stack);
        asm!("isb", options(nomem, nostack, preserves_flags));
    }
}

/// Fault status decoding: whether a data or prefetch abort's status (DFSR/IFSR) is the MPU
/// refusing an access (no region, or a region without the permission), and a word for it.
pub fn cause(status: u32) -> (bool, &'static str) {
    #[cfg(not(target_feature = "v8"))]
    let code = (status & 0xF) | (status >> 6) & 0x10;
    #[cfg(not(target_feature = "v8"))]
    return match code {
        0x00 => (true, "background"),
        0x0D => (true, "permission"),
        0x01 => (false, "alignment"),
        0x02 => (false, "debug"),
        0x08 => (false, "external"),
        _ => (false, "other"),
    };
    // PMSAv8 reports in the long-descriptor format (LPAE): STATUS in bits 5:0.
    #[cfg(target_feature = "v8")]
    return match status & 0x3F {
        0x04..=0x07 => (true, "background"),
        0x0C..=0x0F => (true, "permission"),
        0x21 => (false, "alignment"),
        0x22 => (false, "debug"),
        0x10 => (false, "external"),
        _ => (false, "other"),
    };
}
