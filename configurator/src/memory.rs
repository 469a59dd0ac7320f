//! Memory layout of the partitioned Cortex-R images: where each task's stack and each
//! OS-Application's data go, and the MPU region values that guard them.
//!
//! The layout is computed here, once, from the model; the board templates render it into the
//! linker script (one output section per application and per task stack, at a fixed address)
//! and into `src/layout.rs` (the raw MPU register values the port writes on every switch).
//! Nothing is decided at run time.
//!
//! Rules per MPU:
//! - PMSAv7 (Cortex-R4/R5, QEMU `versatileab`): a region is a power of two of at least 32 bytes
//!   at an address that is a multiple of its size. Every block is rounded up to a power of two
//!   and the blocks are packed largest first, so each lands on its own alignment.
//! - PMSAv8 (Cortex-R52, QEMU `mps3-an536`): base and limit on 64-byte granules, regions may
//!   not overlap. Blocks are rounded up to 64 bytes.
//!
//! Boards: the two QEMU Cortex-R machines and the two TMS570 parts (PMSAv7 like QEMU's R5F,
//! with 16 MPU regions on the LC4357's Cortex-R5F and 12 on the LS1224's Cortex-R4F).
//!
//! Blocks, all inside the board's partition window (which nothing else is linked into):
//! - `common`: statics of the application module that name no partition (shared by every
//!   task: not isolated; kept so descriptions written before partitioning still run);
//! - one data block per OS-Application (`.data.<app>`/`.bss.<app>`, lower case), which
//!   `partition_static!` in the image places statics into;
//! - one stack block per task. The stack's guard is the region boundary: below it lies a block
//!   the running task has no region for;
//! - one stack block per ISR (`ISR_STACK_BYTES`): the port runs an ISR like a task, on its own
//!   stack with its application's data block, so a nested ISR never writes another's stack.
//!
//! A data block is two output sections at the block's base: its initialised data, whose load
//! image sits in the code window after the kernel's `.data` image (`AT(...)`), then its
//! zero-initialised data (`<section>.bss`, NOLOAD). The linker script lists every data block in
//! the `.partition_init` table (load address, start, end of data, end of bss), from which the
//! Cortex-R port copies and zeroes the blocks at start-up: flash parts need it, and the QEMU
//! boards run the same code.
//!
//! Sizes the model does not describe come from an optional `memory.toml` beside the
//! application module (the file `[ecu] application` names):
//!
//! ```toml
//! common_size = 4096          # bytes of the shared block (default 4096)
//! probes = false              # the port's benchmark probes (cargo xtask bench only)
//! switch_probes = false       # and the ones that split the preemption figure
//! can_loopback = false        # QEMU: a loopback CAN controller (test images)
//! [apps.Comfort]
//! data_size = 8192            # bytes of that application's data block (default 4096)
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::model::Ecu;

/// A number the templates print in hexadecimal (`0x02000000`), as linker scripts and
/// register values read best.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hex(pub u32);

impl Serialize for Hex {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{:#010x}", self.0))
    }
}

fn hex3(r: [u32; 3]) -> [Hex; 3] {
    r.map(Hex)
}

/// Which MPU architecture the image's CPU has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Mpu {
    Pmsav7,
    Pmsav8,
}

/// A board's fixed memory map, as the templates and the MPU see it.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Board {
    pub mpu: Mpu,
    /// MPU data regions the CPU has (MPUIR.DREGION): the fixed regions and the two per-task
    /// ones must fit.
    pub mpu_regions: u32,
    /// Vector table, code and read-only data (user: read and execute). `code_size` is the MPU
    /// region's size, `code_length` the memory behind it (a flash of 1.25 MiB sits in a 2 MiB
    /// region).
    pub code_base: u32,
    pub code_size: u32,
    pub code_length: u32,
    /// Kernel data, bss and mode stacks (user: no access).
    pub kernel_data_base: u32,
    pub kernel_data_size: u32,
    /// Device window the kernel needs (PMSAv8 maps it explicitly; PMSAv7 uses the privileged
    /// background region).
    pub device_base: u32,
    pub device_size: u32,
    /// Where partition blocks go.
    pub partition_base: u32,
    pub partition_size: u32,
    /// Interrupt request lines ISRs may take (`[[isrs]] irq`): `first_isr_line` up to
    /// `isr_line_end`, but the ones the port keeps for itself; and how the diagnostics name
    /// them.
    pub first_isr_line: u32,
    pub isr_line_end: u32,
    pub reserved_lines: &'static [u32],
    pub lines_described: &'static str,
    /// Category 1 ISRs on device lines take FIQs, outside the kernel.
    pub fiq_category_1: bool,
}

impl Board {
    /// Whether an ISR may take `line`.
    pub fn free_line(&self, line: u32) -> bool {
        (self.first_isr_line..self.isr_line_end).contains(&line)
            && !self.reserved_lines.contains(&line)
    }
}

/// QEMU `versatileab` with a Cortex-R5F: 64 MiB of RAM from 0.
pub const QEMU_R5: Board = Board {
    mpu: Mpu::Pmsav7,
    mpu_regions: 16,
    code_base: 0x0000_0000,
    code_size: 0x0040_0000,
    code_length: 0x0040_0000,
    kernel_data_base: 0x0040_0000,
    kernel_data_size: 0x0040_0000,
    device_base: 0x1000_0000,
    device_size: 0x1000_0000,
    partition_base: 0x0200_0000,
    partition_size: 0x0200_0000,
    // VIC lines 4 and 5: the SP804 tick and stimulus timers (targets/qemu-r5).
    first_isr_line: 0,
    isr_line_end: 32,
    reserved_lines: &[4, 5],
    lines_described: "VIC lines 0-31 but 4 and 5, the port's timers",
    fiq_category_1: true,
};

/// QEMU `mps3-an536` with a Cortex-R52: code in QSPI, kernel data in BRAM, partitions in DDR.
pub const QEMU_R52: Board = Board {
    mpu: Mpu::Pmsav8,
    mpu_regions: 16,
    code_base: 0x0800_0000,
    code_size: 0x0080_0000,
    code_length: 0x0080_0000,
    kernel_data_base: 0x1000_0000,
    kernel_data_size: 0x0008_0000,
    device_base: 0xE000_0000,
    device_size: 0x2000_0000,
    partition_base: 0x2000_0000,
    partition_size: 0x0100_0000,
    // SGIs and PPIs of core 0; INTID 27 is the virtual timer, the tick (targets/qemu-r52).
    first_isr_line: 0,
    isr_line_end: 32,
    reserved_lines: &[27],
    lines_described: "GIC INTIDs 0-31 but 27, the tick",
    fiq_category_1: true,
};

/// TI TMS570LC4357 (Cortex-R5F, 16 MPU regions): 4 MiB flash at 0, 512 KiB RAM at
/// 0x0800_0000 (SPNS195C), split in two 256 KiB halves: kernel data and mode stacks below,
/// the partition window above (each half is a power of two on its own alignment).
pub const TMS570LC4357: Board = Board {
    mpu: Mpu::Pmsav7,
    mpu_regions: 16,
    code_base: 0x0000_0000,
    code_size: 0x0040_0000,
    code_length: 0x0040_0000,
    kernel_data_base: 0x0800_0000,
    kernel_data_size: 0x0004_0000,
    // Peripherals: the privileged background region (PMSAv7); listed for the report only.
    device_base: 0xFC00_0000,
    device_size: 0x0400_0000,
    partition_base: 0x0804_0000,
    partition_size: 0x0004_0000,
    // VIM channels 0-1 are FIQ-only (ESM), 2 and 3 the RTI compares, 20 the ESM low level
    // (targets/tms570 `part::requests`).
    first_isr_line: 2,
    isr_line_end: 128,
    reserved_lines: &[2, 3, 20],
    lines_described: "VIM channels 4-127 but 20, the ESM",
    // A category 1 ISR's channel is put on FIQ (FIRQPR) beside the ESM's channels 0 and 1.
    fiq_category_1: true,
};

/// TI TMS570LS1224 (Cortex-R4F, 12 MPU regions): 1.25 MiB flash at 0 (in a 2 MiB code
/// region), 192 KiB RAM at 0x0800_0000 (SPNS192): 128 KiB of kernel data and mode stacks, then
/// a 64 KiB partition window at 0x0802_0000 (its own alignment).
pub const TMS570LS1224: Board = Board {
    mpu: Mpu::Pmsav7,
    mpu_regions: 12,
    code_base: 0x0000_0000,
    code_size: 0x0020_0000,
    code_length: 0x0014_0000,
    kernel_data_base: 0x0800_0000,
    kernel_data_size: 0x0002_0000,
    device_base: 0xFC00_0000,
    device_size: 0x0400_0000,
    partition_base: 0x0802_0000,
    partition_size: 0x0001_0000,
    first_isr_line: 2,
    isr_line_end: 96,
    reserved_lines: &[2, 3, 20],
    lines_described: "VIM channels 4-95 but 20, the ESM",
    fiq_category_1: true,
};

pub const DEFAULT_APP_DATA: u32 = 4096;
pub const DEFAULT_COMMON: u32 = 4096;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MemoryFile {
    common_size: Option<u32>,
    /// Builds the port with its benchmark probes (`cargo xtask bench` images only).
    #[serde(default)]
    probes: bool,
    /// With `probes`: also the switch probes (the preemption figure split in two).
    #[serde(default)]
    switch_probes: bool,
    /// QEMU boards: a loopback CAN controller (test images of the port's CAN path).
    #[serde(default)]
    can_loopback: bool,
    #[serde(default)]
    apps: BTreeMap<String, AppMemoryIn>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AppMemoryIn {
    data_size: Option<u32>,
}

/// What a block holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum BlockKind {
    Common,
    AppData { app: usize },
    Stack { task: usize },
    IsrStack { isr: usize },
}

/// The stack of each ISR: its saved context (200 bytes) and the body's frames.
pub const ISR_STACK_BYTES: u32 = 1024;

/// One block of the partition window: an output section of the linker script, guarded by
/// one MPU region.
#[derive(Clone, Debug, Serialize)]
pub struct Block {
    pub kind: BlockKind,
    /// Output section name (`.part.common`, `.part.comfort`, `.stack.light_control`).
    pub section: String,
    /// Input section names placed in it (empty for stacks): initialised data (`.data.*`),
    /// loaded from flash.
    pub inputs: Vec<String>,
    /// Zero-initialised input sections (`.bss.*`), in `<section>.bss` after the data.
    pub bss_inputs: Vec<String>,
    /// The data block whose load image precedes this one's in the code window (None: the
    /// first, right after the kernel's `.data` image; also None for stacks).
    pub load_after: Option<String>,
    pub base: Hex,
    pub size: Hex,
    /// Bytes asked for (a stack's configured size; a data block's size).
    pub requested: u32,
    /// The MPU region guarding it, user read-write, never executable: raw register values
    /// (PMSAv7: DRBAR, DRSR, DRACR; PMSAv8: PRBAR, PRLAR, 0).
    pub region: [Hex; 3],
}

/// The per-task part of the MPU: its application's data block and its stack.
#[derive(Clone, Debug, Serialize)]
pub struct TaskRegions {
    pub task: String,
    pub stack_base: Hex,
    pub stack_size: Hex,
    pub data: [Hex; 3],
    pub stack: [Hex; 3],
}

#[derive(Clone, Debug, Serialize)]
pub struct AppBlock {
    pub name: String,
    /// The input section `partition_static!` puts its statics in (`.data.comfort`).
    pub section: String,
    pub base: Hex,
    pub size: Hex,
}

#[derive(Clone, Debug, Serialize)]
pub struct Layout {
    pub board: Board,
    /// The board's windows, for the linker script: code, kernel data, partitions.
    pub windows: [(Hex, Hex); 3],
    /// Blocks in address order.
    pub blocks: Vec<Block>,
    /// Regions programmed once at start: code, (PMSAv8) kernel data and devices, the
    /// partition window (PMSAv7: no access for anyone, so even privileged stores below a task's
    /// stack fault), the common block.
    pub fixed: Vec<[Hex; 3]>,
    pub fixed_names: Vec<&'static str>,
    /// Per task, in task order, then per ISR, in ISR order: programmed on every switch.
    pub tasks: Vec<TaskRegions>,
    /// Per application, in application order: its data block.
    pub apps: Vec<AppBlock>,
    pub common: (Hex, Hex),
    /// The port's benchmark probes are compiled in (`probes = true` in memory.toml).
    pub probes: bool,
    /// The switch probes too (`switch_probes = true`).
    pub switch_probes: bool,
    /// The QEMU board's loopback CAN controller (`can_loopback = true`).
    pub can_loopback: bool,
    /// The last data block's section: its load image ends the code window's contents.
    pub last_loaded: Option<String>,
}

/// A section-name-safe, lower-case form of an application's or task's name.
pub fn section_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// How many per-task regions the port rewrites on a switch (its application's data, its
/// stack): `ecu_cortex_r`'s `TASK_REGIONS`.
const TASK_REGIONS: usize = 2;

/// Regions programmed once at start (see `fixed` below).
fn fixed_region_count(mpu: Mpu) -> usize {
    match mpu {
        Mpu::Pmsav7 => 3,
        Mpu::Pmsav8 => 4,
    }
}

fn round_block(mpu: Mpu, bytes: u32) -> Option<u32> {
    match mpu {
        Mpu::Pmsav7 => bytes.max(32).checked_next_power_of_two(),
        Mpu::Pmsav8 => bytes.max(64).checked_add(63).map(|b| b & !63),
    }
}

fn alignment(mpu: Mpu, size: u32) -> u32 {
    match mpu {
        Mpu::Pmsav7 => size,
        Mpu::Pmsav8 => 64,
    }
}

// PMSAv7 DRACR fields.
const V7_XN: u32 = 1 << 12;
const V7_AP_NONE: u32 = 0b000 << 8;
const V7_AP_FULL: u32 = 0b011 << 8;
const V7_AP_RO: u32 = 0b110 << 8;
/// TEX=001, C=0, B=0: normal memory, non-cacheable.
const V7_NORMAL: u32 = 0b001 << 3;

fn v7_region(base: u32, size: u32, access: u32) -> [u32; 3] {
    debug_assert!(size.is_power_of_two() && base.is_multiple_of(size));
    let size_field = (size.trailing_zeros() - 1) << 1;
    [base, size_field | 1, access | V7_NORMAL]
}

// PMSAv8 PRBAR/PRLAR fields.
const V8_XN: u32 = 1;
/// AP[2:1]: 00 EL1 read-write only, 01 read-write at EL1 and EL0, 11 read-only at both.
const V8_AP_EL1: u32 = 0b00 << 1;
const V8_AP_FULL: u32 = 0b01 << 1;
const V8_AP_RO: u32 = 0b11 << 1;
/// AttrIndx 0: normal memory (MAIR attribute 0), 1: device memory (MAIR attribute 1).
const V8_NORMAL: u32 = 0 << 1;
const V8_DEVICE: u32 = 1 << 1;

fn v8_region(base: u32, size: u32, access: u32, attr: u32) -> [u32; 3] {
    let limit = base.wrapping_add(size - 1) & !63;
    [base & !63 | access, limit | attr | 1, 0]
}

fn user_rw(mpu: Mpu, base: u32, size: u32) -> [u32; 3] {
    match mpu {
        Mpu::Pmsav7 => v7_region(base, size, V7_AP_FULL | V7_XN),
        Mpu::Pmsav8 => v8_region(base, size, V8_AP_FULL | V8_XN, V8_NORMAL),
    }
}

/// Reads `memory.toml` beside the application module, if there is one.
fn read_memory_file(ecu: &Ecu) -> Result<MemoryFile, String> {
    let dir = ecu.application.parent().unwrap_or(Path::new("."));
    let path = dir.join("memory.toml");
    if !path.exists() {
        return Ok(MemoryFile::default());
    }
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let file: MemoryFile = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    for name in file.apps.keys() {
        if !ecu.apps.iter().any(|a| &a.name == name) {
            return Err(format!(
                "{}: [apps.{name}] names no OS-Application of {}",
                path.display(),
                ecu.name
            ));
        }
    }
    Ok(file)
}

/// The layout of `ecu` on `board`, or why it does not fit.
pub fn layout(ecu: &Ecu, board: Board) -> Result<Layout, String> {
    let file = read_memory_file(ecu)?;
    let mpu = board.mpu;
    if board.mpu_regions < (fixed_region_count(mpu) + TASK_REGIONS) as u32 {
        return Err(format!(
            "{}: the layout needs {} MPU regions, the CPU has {}",
            ecu.name,
            fixed_region_count(mpu) + TASK_REGIONS,
            board.mpu_regions
        ));
    }
    let mut wanted: Vec<(BlockKind, String, u32)> = Vec::new();
    wanted.push((
        BlockKind::Common,
        "common".into(),
        file.common_size.unwrap_or(DEFAULT_COMMON),
    ));
    for (index, app) in ecu.apps.iter().enumerate() {
        let name = section_name(&app.name);
        let size = file
            .apps
            .get(&app.name)
            .and_then(|a| a.data_size)
            .unwrap_or(DEFAULT_APP_DATA);
        wanted.push((BlockKind::AppData { app: index }, name, size));
    }
    for (index, task) in ecu.tasks.iter().enumerate() {
        wanted.push((
            BlockKind::Stack { task: index },
            section_name(&task.name),
            task.stack_size,
        ));
    }
    for (index, isr) in ecu.isrs.iter().enumerate() {
        wanted.push((
            BlockKind::IsrStack { isr: index },
            format!("isr_{}", section_name(&isr.name)),
            ISR_STACK_BYTES,
        ));
    }
    // Stacks first, then data; each group largest first: with power-of-two sizes every block
    // then starts on its own alignment. Below every stack lies another task's stack or, for
    // the first, a hole as large as the largest stack: never a block the task may write, so
    // the region boundary is the stack's guard.
    let mut sized = Vec::new();
    for (kind, name, requested) in wanted {
        let (section, inputs, bss_inputs) = match kind {
            BlockKind::Stack { .. } | BlockKind::IsrStack { .. } => {
                (format!(".stack.{name}"), vec![], vec![])
            }
            _ => (
                format!(".part.{name}"),
                vec![format!(".data.{name}")],
                vec![format!(".bss.{name}")],
            ),
        };
        let size = round_block(mpu, requested)
            .ok_or_else(|| format!("{section}: {requested} bytes do not fit an MPU region"))?;
        sized.push((kind, section, inputs, bss_inputs, requested, size));
    }
    let is_data =
        |kind: &BlockKind| !matches!(kind, BlockKind::Stack { .. } | BlockKind::IsrStack { .. });
    sized.sort_by(|a, b| {
        is_data(&a.0)
            .cmp(&is_data(&b.0))
            .then(b.5.cmp(&a.5))
            .then(a.1.cmp(&b.1))
    });
    let guard = sized
        .iter()
        .filter(|b| !is_data(&b.0))
        .map(|b| b.5)
        .max()
        .unwrap_or(0);
    let mut next = board.partition_base as u64 + guard as u64;
    let end = board.partition_base as u64 + board.partition_size as u64;
    let mut blocks = Vec::new();
    let mut last_loaded: Option<String> = None;
    for (kind, section, inputs, bss_inputs, requested, size) in sized {
        let align = alignment(mpu, size) as u64;
        let base = next.div_ceil(align) * align;
        if base + size as u64 > end {
            return Err(format!(
                "{}: the partitions need more than the {} KiB partition window at {:#010x}",
                ecu.name,
                board.partition_size / 1024,
                board.partition_base
            ));
        }
        next = base + size as u64;
        let load_after = if inputs.is_empty() {
            None
        } else {
            last_loaded.replace(section.clone())
        };
        blocks.push(Block {
            kind,
            section,
            inputs,
            bss_inputs,
            load_after,
            base: Hex(base as u32),
            size: Hex(size),
            requested,
            region: hex3(user_rw(mpu, base as u32, size)),
        });
    }
    let find = |kind: &BlockKind| {
        blocks
            .iter()
            .find(|b| &b.kind == kind)
            .expect("every block was placed")
    };
    let common = find(&BlockKind::Common);
    let (fixed, fixed_names) = match mpu {
        Mpu::Pmsav7 => (
            vec![
                v7_region(board.code_base, board.code_size, V7_AP_RO),
                v7_region(
                    board.partition_base,
                    board.partition_size,
                    V7_AP_NONE | V7_XN,
                ),
                common.region.map(|h| h.0),
            ],
            vec!["code", "partition window", "common"],
        ),
        Mpu::Pmsav8 => (
            vec![
                v8_region(board.code_base, board.code_size, V8_AP_RO, V8_NORMAL),
                v8_region(
                    board.kernel_data_base,
                    board.kernel_data_size,
                    V8_AP_EL1 | V8_XN,
                    V8_NORMAL,
                ),
                v8_region(
                    board.device_base,
                    board.device_size,
                    V8_AP_EL1 | V8_XN,
                    V8_DEVICE,
                ),
                common.region.map(|h| h.0),
            ],
            vec!["code", "kernel data", "devices", "common"],
        ),
    };
    let tasks = ecu
        .tasks
        .iter()
        .enumerate()
        .map(|(index, task)| {
            let stack = find(&BlockKind::Stack { task: index });
            let data = find(&BlockKind::AppData { app: task.app });
            TaskRegions {
                task: task.name.clone(),
                stack_base: stack.base,
                stack_size: stack.size,
                data: data.region,
                stack: stack.region,
            }
        })
        .collect::<Vec<_>>();
    let isrs = ecu.isrs.iter().enumerate().map(|(index, isr)| {
        let stack = find(&BlockKind::IsrStack { isr: index });
        // An ISR of no application writes only its stack (and the common block).
        let data = isr
            .app
            .map_or(stack, |app| find(&BlockKind::AppData { app }));
        TaskRegions {
            task: format!("ISR {}", isr.name),
            stack_base: stack.base,
            stack_size: stack.size,
            data: data.region,
            stack: stack.region,
        }
    });
    let tasks = tasks.into_iter().chain(isrs).collect();
    let apps = ecu
        .apps
        .iter()
        .enumerate()
        .map(|(index, app)| {
            let block = find(&BlockKind::AppData { app: index });
            AppBlock {
                name: app.name.clone(),
                section: format!(".data.{}", section_name(&app.name)),
                base: block.base,
                size: block.size,
            }
        })
        .collect();
    let common = (common.base, common.size);
    let fixed = fixed.into_iter().map(hex3).collect();
    blocks.sort_by_key(|b| b.base.0);
    Ok(Layout {
        board,
        windows: [
            (Hex(board.code_base), Hex(board.code_length)),
            (Hex(board.kernel_data_base), Hex(board.kernel_data_size)),
            (Hex(board.partition_base), Hex(board.partition_size)),
        ],
        blocks,
        fixed,
        fixed_names,
        tasks,
        apps,
        common,
        probes: file.probes || file.switch_probes,
        switch_probes: file.switch_probes,
        can_loopback: file.can_loopback,
        last_loaded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> Ecu {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        crate::load(&[root.join("examples/body_ecu/ecu.toml")]).expect("the example loads")
    }

    fn disjoint(layout: &Layout) {
        for pair in layout.blocks.windows(2) {
            assert!(
                pair[0].base.0 + pair[0].size.0 <= pair[1].base.0,
                "{pair:?}"
            );
        }
    }

    #[test]
    fn pmsav7_blocks_are_power_of_two_and_size_aligned() {
        let ecu = example();
        let layout = layout(&ecu, QEMU_R5).unwrap();
        disjoint(&layout);
        for block in &layout.blocks {
            let (base, size) = (block.base.0, block.size.0);
            assert!(size.is_power_of_two(), "{block:?}");
            assert_eq!(base % size, 0, "{block:?}");
            assert!(size >= block.requested);
            assert!(base >= QEMU_R5.partition_base);
            // DRSR: size field log2(size) - 1, enabled.
            assert_eq!(block.region[1].0, (size.trailing_zeros() - 1) << 1 | 1);
        }
        assert_eq!(layout.tasks.len(), ecu.tasks.len());
        assert_eq!(layout.apps.len(), ecu.apps.len());
    }

    #[test]
    fn pmsav8_blocks_are_granule_aligned() {
        let ecu = example();
        let layout = layout(&ecu, QEMU_R52).unwrap();
        disjoint(&layout);
        for block in &layout.blocks {
            let (base, size) = (block.base.0, block.size.0);
            assert_eq!(base % 64, 0);
            assert_eq!(size % 64, 0);
            // PRLAR holds the last granule's base and the enable bit.
            assert_eq!(block.region[1].0 & !63, base + size - 64);
            assert_eq!(block.region[1].0 & 1, 1);
        }
    }

    #[test]
    fn below_every_stack_is_no_block_of_its_own() {
        for board in [QEMU_R5, QEMU_R52] {
            let layout = layout(&example(), board).unwrap();
            for (index, block) in layout.blocks.iter().enumerate() {
                if let BlockKind::Stack { .. } | BlockKind::IsrStack { .. } = block.kind {
                    let below = index.checked_sub(1).map(|i| &layout.blocks[i].kind);
                    assert!(
                        matches!(
                            below,
                            None | Some(BlockKind::Stack { .. } | BlockKind::IsrStack { .. })
                        ),
                        "{block:?} sits on {below:?}"
                    );
                    assert!(block.base.0 > board.partition_base);
                }
            }
        }
    }

    #[test]
    fn every_isr_has_a_stack_block_after_the_tasks_regions() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let ecu = crate::load(&[root.join("tests/fixtures/faults/ecu.toml")]).unwrap();
        assert!(!ecu.isrs.is_empty(), "the fixture has a hostile ISR");
        for board in [QEMU_R5, QEMU_R52] {
            let layout = layout(&ecu, board).unwrap();
            disjoint(&layout);
            assert_eq!(layout.tasks.len(), ecu.tasks.len() + ecu.isrs.len());
            for (index, isr) in ecu.isrs.iter().enumerate() {
                let regions = &layout.tasks[ecu.tasks.len() + index];
                let stack = layout
                    .blocks
                    .iter()
                    .find(|b| b.kind == BlockKind::IsrStack { isr: index })
                    .expect("an ISR stack block");
                assert_eq!(regions.task, format!("ISR {}", isr.name));
                assert_eq!(regions.stack_base, stack.base);
                assert_eq!(regions.stack, stack.region);
                assert!(stack.size.0 >= ISR_STACK_BYTES);
                // Its application's data block, as for that application's tasks.
                let app = layout
                    .blocks
                    .iter()
                    .find(|b| {
                        b.kind
                            == BlockKind::AppData {
                                app: isr.app.unwrap(),
                            }
                    })
                    .unwrap();
                assert_eq!(regions.data, app.region);
            }
        }
    }

    #[test]
    fn tms570_parts_fit_their_windows_and_chain_their_load_images() {
        for board in [TMS570LC4357, TMS570LS1224] {
            let layout = layout(&example(), board).unwrap();
            disjoint(&layout);
            let window = board.partition_base..board.partition_base + board.partition_size;
            for block in &layout.blocks {
                assert!(window.contains(&block.base.0));
                assert!(block.base.0 + block.size.0 <= window.end, "{block:?}");
            }
            // The windows themselves are MPU-legal regions (kernel data is privileged-only
            // through the background region, but stays a legal size for a later region).
            for (base, size) in [
                (board.code_base, board.code_size),
                (board.kernel_data_base, board.kernel_data_size),
                (board.partition_base, board.partition_size),
            ] {
                assert!(
                    size.is_power_of_two() && base % size == 0,
                    "{base:#x}+{size:#x}"
                );
            }
            assert!(board.code_length <= board.code_size);
            assert_eq!(layout.windows[0].1 .0, board.code_length);
            // Data blocks load one after the other, in address order.
            let data: Vec<&Block> = layout
                .blocks
                .iter()
                .filter(|b| !b.inputs.is_empty())
                .collect();
            assert_eq!(data[0].load_after, None);
            for pair in data.windows(2) {
                assert_eq!(
                    pair[1].load_after.as_deref(),
                    Some(pair[0].section.as_str())
                );
            }
            assert_eq!(
                layout.last_loaded.as_deref(),
                data.last().map(|b| b.section.as_str())
            );
            assert_eq!(layout.fixed.len(), fixed_region_count(board.mpu));
        }
    }

    #[test]
    fn a_cpu_with_too_few_regions_is_refused() {
        let board = Board {
            mpu_regions: 4,
            ..TMS570LS1224
        };
        let error = layout(&example(), board).unwrap_err();
        assert!(
            error.contains("needs 5 MPU regions, the CPU has 4"),
            "{error}"
        );
    }

    #[test]
    fn section_names_are_lower_case() {
        assert_eq!(section_name("Comfort"), "comfort");
        assert_eq!(section_name("Light-Control 2"), "light_control_2");
    }
}
