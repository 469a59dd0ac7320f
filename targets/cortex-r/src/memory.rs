//! What a partitioned image tells the port about memory: the MPU regions the configurator
//! computed (configurator/src/memory.rs) as raw register values, and where each task's stack
//! is. Plain data, so the generated `layout.rs` is a readable table.

/// One MPU region as the register values to write: PMSAv7 (Cortex-R4/R5) DRBAR, DRSR, DRACR;
/// PMSAv8 (Cortex-R52) PRBAR, PRLAR and an unused word.
pub type Region = [u32; 3];

/// One task's stack block and the two regions programmed while it runs.
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

/// The whole layout of a partitioned image.
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
