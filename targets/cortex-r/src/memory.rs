//! What a partitioned image tells the port about memory: the MPU regions the configurator
//! computed (configurator/src/memory.rs) as raw register values, and where each task's stack
//! is. Plain data, so the generated `layout.rs` is a readable table.

/// One MPU region as the register values to write: PMSAv7 (Cortex-R4/R5) DRBAR, DRSR, DRACR;
/// PMSAv8 (Cortex-R52) PRBAR, PRLAR and an unused word.
pub type Region = [u32; 3];

/// One task's stack block and the two regions programmed while it runs. `repr(C)`: the
/// TMS570 ELF check reads the tables back out of the image.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TaskMemory {
    /// The lowest address of the stack; the region ends here, so an overflow faults.
    pub stack_base: usize,
    pub stack_size: usize,
    /// Its OS-Application's data block (user read-write, never executable).
    pub data: Region,
    /// Its stack (user read-write, never executable).
    pub stack: Region,
}

/// The whole layout of a partitioned image (`repr(C)` as [`TaskMemory`]).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Memory {
    /// Programmed once at start from region 0 (code, the partition window or the kernel's own
    /// windows, the common block); the per-task regions follow.
    pub fixed: &'static [Region],
    /// In task order.
    pub tasks: &'static [TaskMemory],
    /// `(base, size)` of the partition window: data aborts the kernel's entry code takes in
    /// it, while saving a task's context, are that task's stack overflowing.
    pub partitions: (usize, usize),
}

impl Memory {
    pub fn in_partitions(&self, addr: usize) -> bool {
        addr.wrapping_sub(self.partitions.0) < self.partitions.1
    }
}

/// One data block's start-up initialisation, as the linker script lists it in the
/// `.partition_init` table (four words per block, in the code window): `[start, data_end)` is
/// copied from `load`, `[data_end, end)` is zeroed.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SectionInit {
    pub load: usize,
    pub start: usize,
    pub data_end: usize,
    pub end: usize,
}

/// Copies each block's initialised data from its load address (skipped where the image was
/// loaded in place) and zeroes its zero-initialised data. An entry whose bounds are out of
/// order is left alone: the linker script's assertions and the ELF checks rule it out.
///
/// # Safety
/// For every entry: `[load, load + (data_end - start))` readable, `[start, end)` writable and
/// in use by nothing else yet (no reference to a static in it exists), and the two do not
/// overlap unless `load == start`.
pub unsafe fn init_sections(table: &[SectionInit]) {
    for entry in table {
        if entry.start > entry.data_end || entry.data_end > entry.end {
            continue;
        }
        // SAFETY: by the caller's contract for this entry.
        unsafe {
            if entry.load != entry.start {
                core::ptr::copy_nonoverlapping(
                    entry.load as *const u8,
                    entry.start as *mut u8,
                    entry.data_end - entry.start,
                );
            }
            core::ptr::write_bytes(entry.data_end as *mut u8, 0, entry.end - entry.data_end);
        }
    }
}

/// Initialises every partition data block of the image from the linker's `.partition_init`
/// table (between `__partition_init_start` and `__partition_init_end`).
///
/// # Safety
/// Boot only, once, before the MPU is on and before anything uses a partition's statics.
#[cfg(target_arch = "arm")]
pub(crate) unsafe fn init_partition_sections() {
    unsafe extern "C" {
        static __partition_init_start: SectionInit;
        static __partition_init_end: SectionInit;
    }
    let first = &raw const __partition_init_start;
    let count = (&raw const __partition_init_end as usize - first as usize)
        / core::mem::size_of::<SectionInit>();
    // SAFETY: the linker script writes whole entries between the two symbols, in flash; each
    // names a data block of the partition window (RAM nothing else is linked into) and its
    // load image in the code window; by the caller, nothing uses those blocks yet.
    unsafe { init_sections(core::slice::from_raw_parts(first, count)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_data_zeroes_bss_and_leaves_the_rest() {
        let flash: [u8; 16] = core::array::from_fn(|i| i as u8 + 1);
        let mut ram = [0xAAu8; 64];
        let base = ram.as_mut_ptr() as usize;
        let table = [
            SectionInit {
                load: flash.as_ptr() as usize,
                start: base + 8,
                data_end: base + 8 + 12,
                end: base + 8 + 12 + 20,
            },
            // Loaded in place (QEMU-style): only the zeroing happens.
            SectionInit {
                load: base + 48,
                start: base + 48,
                data_end: base + 52,
                end: base + 56,
            },
            // Out of order: skipped.
            SectionInit {
                load: flash.as_ptr() as usize,
                start: base + 60,
                data_end: base + 56,
                end: base + 64,
            },
        ];
        // SAFETY: every range lies in `flash` or `ram`, which nothing else refers to here.
        unsafe { init_sections(&table) };
        assert_eq!(&ram[..8], &[0xAA; 8]);
        assert_eq!(&ram[8..20], &flash[..12]);
        assert_eq!(&ram[20..40], &[0; 20]);
        assert_eq!(&ram[40..52], &[0xAA; 12]);
        assert_eq!(&ram[52..56], &[0; 4]);
        assert_eq!(&ram[56..], &[0xAA; 8]);
    }
}
