//! Builds the example image for both TMS570 parts through `ecuconf` and checks the ELF:
//! - big-endian, BE32 (no EF_ARM_BE8), the entry is our `_start`, the vector table at 0;
//! - every allocated section inside the part's flash or RAM (LC4357: 4 MiB flash at 0,
//!   512 KiB RAM at 0x0800_0000; LS1224: 1.25 MiB flash at 0, 192 KiB RAM at 0x0800_0000),
//!   every load image (initialised data included) in flash;
//! - the MPU tables the image carries (`layout::MEMORY`, read back out of the ELF) against
//!   the partition sections: each region PMSAv7-legal (power of two, size-aligned base, at most
//!   the part's region count), each task's stack region exactly its `.stack.<task>` section,
//!   each data region exactly one `.part.<app>` block holding that block's data and bss, the
//!   partition window covering every block, the code region every flash section;
//! - the `.partition_init` table: one entry per data block with its load address, start, end
//!   of data and end of bss, as the port copies and zeroes them at start-up.
//!
//! Skipped (passes with a note) when the cross toolchain is not installed.
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::Command;

use ecu_tms570::part::Part;

const EF_ARM_BE8: u32 = 0x0080_0000;
const SHF_WRITE: u32 = 0x1;
const SHF_ALLOC: u32 = 0x2;
const SHT_NOBITS: u32 = 8;
const SHT_SYMTAB: u32 = 2;
const PT_LOAD: u32 = 1;

/// PMSAv7 DRACR fields (Arm Cortex-R4/R5 TRM, "MPU Region Access Control Register").
const DRACR_XN: u32 = 1 << 12;
const AP_SHIFT: u32 = 8;
const AP_NONE: u32 = 0b000;
const AP_FULL: u32 = 0b011;
const AP_RO: u32 = 0b110;

struct Section {
    name: String,
    kind: u32,
    flags: u32,
    addr: u32,
    offset: u32,
    size: u32,
    link: u32,
}

impl Section {
    fn range(&self) -> Range<u64> {
        self.addr as u64..self.addr as u64 + self.size as u64
    }
}

struct Segment {
    kind: u32,
    offset: u32,
    vaddr: u32,
    paddr: u32,
    filesz: u32,
    memsz: u32,
}

/// A big-endian ELF32 file: just what these checks read.
struct Elf {
    bytes: Vec<u8>,
    sections: Vec<Section>,
    segments: Vec<Segment>,
}

impl Elf {
    fn be16(&self, at: usize) -> u16 {
        u16::from_be_bytes([self.bytes[at], self.bytes[at + 1]])
    }

    fn be32(&self, at: usize) -> u32 {
        u32::from_be_bytes(self.bytes[at..at + 4].try_into().unwrap())
    }

    /// `N` consecutive words of a header from file offset `at`.
    fn fields<const N: usize>(&self, at: usize) -> [u32; N] {
        core::array::from_fn(|i| self.be32(at + 4 * i))
    }

    fn string(&self, at: usize) -> String {
        let end = self.bytes[at..].iter().position(|&c| c == 0).unwrap() + at;
        String::from_utf8_lossy(&self.bytes[at..end]).into_owned()
    }

    fn parse(bytes: Vec<u8>) -> Elf {
        let mut elf = Elf {
            bytes,
            sections: Vec::new(),
            segments: Vec::new(),
        };
        let (shoff, shentsize) = (elf.be32(0x20) as usize, elf.be16(0x2E) as usize);
        let (shnum, shstrndx) = (elf.be16(0x30) as usize, elf.be16(0x32) as usize);
        let headers: Vec<usize> = (0..shnum).map(|i| shoff + i * shentsize).collect();
        let names = elf.be32(headers[shstrndx] + 0x10) as usize;
        elf.sections = headers
            .iter()
            .map(|&h| {
                let [name, kind, flags, addr, offset, size, link] = elf.fields(h);
                Section {
                    name: elf.string(names + name as usize),
                    kind,
                    flags,
                    addr,
                    offset,
                    size,
                    link,
                }
            })
            .collect();
        let (phoff, phentsize) = (elf.be32(0x1C) as usize, elf.be16(0x2A) as usize);
        elf.segments = (0..elf.be16(0x2C) as usize)
            .map(|i| {
                let [kind, offset, vaddr, paddr, filesz, memsz] = elf.fields(phoff + i * phentsize);
                Segment {
                    kind,
                    offset,
                    vaddr,
                    paddr,
                    filesz,
                    memsz,
                }
            })
            .collect();
        elf
    }

    fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name == name)
    }

    /// The first symbol whose name contains `part`: (name, value, size).
    fn symbol(&self, matches: impl Fn(&str) -> bool) -> Option<(String, u32, u32)> {
        let symtab = self.sections.iter().find(|s| s.kind == SHT_SYMTAB)?;
        let strings = self.sections[symtab.link as usize].offset as usize;
        (0..symtab.size as usize / 16).find_map(|n| {
            let at = symtab.offset as usize + n * 16;
            let name = self.string(strings + self.be32(at) as usize);
            matches(&name).then(|| (name, self.be32(at + 4), self.be32(at + 8)))
        })
    }

    /// The load address of the allocated byte at `addr` (where a loader or programmer puts it).
    fn load_address(&self, addr: u32) -> Option<u32> {
        self.segments
            .iter()
            .filter(|p| p.kind == PT_LOAD)
            .find(|p| addr >= p.vaddr && addr - p.vaddr < p.memsz.max(1))
            .map(|p| p.paddr + (addr - p.vaddr))
    }

    /// `len` bytes of the image at run address `addr`, from the file (constants, tables).
    fn read(&self, addr: u32, len: u32) -> &[u8] {
        let p = self
            .segments
            .iter()
            .find(|p| p.kind == PT_LOAD && addr >= p.vaddr && addr + len <= p.vaddr + p.filesz)
            .unwrap_or_else(|| panic!("{addr:#x}+{len:#x} is not in a loaded segment"));
        let at = (p.offset + addr - p.vaddr) as usize;
        &self.bytes[at..at + len as usize]
    }

    fn words(&self, addr: u32, count: u32) -> Vec<u32> {
        self.read(addr, count * 4)
            .chunks(4)
            .map(|w| u32::from_be_bytes(w.try_into().unwrap()))
            .collect()
    }
}

#[test]
fn lc4357_image_is_be32_fits_and_matches_its_mpu_tables() {
    check_part("tms570", Part::Lc4357);
}

#[test]
fn ls1224_image_is_be32_fits_and_matches_its_mpu_tables() {
    check_part("tms570-ls1224", Part::Ls1224);
}

fn build(target: &str) -> Option<Elf> {
    if !Path::new("/usr/bin/rustc").exists()
        || !Path::new("/usr/lib/rustlib/src/rust/library").is_dir()
    {
        eprintln!("cross toolchain not installed: skipped (scripts/setup-toolchain.sh)");
        return None;
    }
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(&repo)
        .args(["run", "-q", "-p", "ecu-configurator", "--bin", "ecuconf"])
        .arg("--")
        .arg("build")
        .arg(repo.join("examples/body_ecu/ecu.toml"))
        .args(["--target", target])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = String::from_utf8(out.stdout).unwrap();
    Some(Elf::parse(std::fs::read(path.trim()).unwrap()))
}

fn check_part(target: &str, part: Part) {
    let Some(elf) = build(target) else { return };
    let flash = Part::FLASH_BASE as u64..(Part::FLASH_BASE + part.flash_bytes()) as u64;
    let ram = Part::RAM_BASE as u64..(Part::RAM_BASE + part.ram_bytes()) as u64;
    check_header(&elf);
    check_placement(&elf, &flash, &ram);
    check_mpu_tables(&elf, part, &flash);
    check_partition_init(&elf, &flash);
}

fn check_header(elf: &Elf) {
    let b = &elf.bytes;
    assert_eq!(&b[..4], b"\x7fELF");
    assert_eq!(b[4], 1, "ELFCLASS32");
    assert_eq!(b[5], 2, "EI_DATA = ELFDATA2MSB: big-endian");
    assert_eq!(elf.be16(0x12), 40, "EM_ARM");
    let flags = elf.be32(0x24);
    assert_eq!(flags & EF_ARM_BE8, 0, "BE32, not BE8: e_flags {flags:#x}");
    assert_eq!(flags >> 24, 5, "EABI version 5");
    let entry = elf.be32(0x18);
    let start = elf.symbol(|n| n == "_start").map(|s| s.1);
    assert_eq!(Some(entry), start, "entry is the TMS570 _start");
    assert_eq!(elf.symbol(|n| n == "_vector_table").map(|s| s.1), Some(0));
    let vectors = elf.section(".vector_table").unwrap();
    assert_eq!((vectors.addr, vectors.size), (0, 0x40));
}

fn inside(range: &Range<u64>, within: &Range<u64>) -> bool {
    range.start >= within.start && range.end <= within.end
}

/// Run addresses in flash or RAM, read-only contents in flash, every load image in flash,
/// no two sections overlapping.
fn check_placement(elf: &Elf, flash: &Range<u64>, ram: &Range<u64>) {
    let allocated: Vec<&Section> = elf
        .sections
        .iter()
        .filter(|s| s.flags & SHF_ALLOC != 0 && s.size > 0)
        .collect();
    for s in &allocated {
        let at = s.range();
        assert!(
            inside(&at, flash) || inside(&at, ram),
            "{} at {at:#x?}",
            s.name
        );
        if s.kind != SHT_NOBITS && s.flags & SHF_WRITE == 0 {
            assert!(inside(&at, flash), "{} (read-only) not in flash", s.name);
        }
        if s.kind != SHT_NOBITS {
            let load = elf.load_address(s.addr).unwrap() as u64;
            assert!(
                inside(&(load..load + s.size as u64), flash),
                "{}: load image at {load:#x} not in flash",
                s.name
            );
        }
    }
    for (i, a) in allocated.iter().enumerate() {
        for b in &allocated[i + 1..] {
            let (x, y) = (a.range(), b.range());
            assert!(
                x.end <= y.start || y.end <= x.start,
                "{} overlaps {}",
                a.name,
                b.name
            );
        }
    }
    for p in elf
        .segments
        .iter()
        .filter(|p| p.kind == PT_LOAD && p.filesz > 0)
    {
        let load = p.paddr as u64..p.paddr as u64 + p.filesz as u64;
        assert!(inside(&load, flash), "segment loaded at {load:#x?}");
    }
    let data = elf.section(".data").unwrap();
    assert!(ram.contains(&(data.addr as u64)), ".data runs in RAM");
    let data_load = elf.load_address(data.addr).unwrap() as u64;
    assert!(flash.contains(&data_load), ".data loads from flash");
    let bss = elf.section(".bss").unwrap();
    assert!(ram.contains(&(bss.addr as u64)));
}

/// A PMSAv7 region's (base, size, AP, XN), checked legal: enabled, a power of two of at least
/// 32 bytes, the base a multiple of it.
fn region(words: &[u32]) -> (u64, u64, u32, bool) {
    let (drbar, drsr, dracr) = (words[0], words[1], words[2]);
    assert_eq!(drsr & 1, 1, "region enabled: {words:#x?}");
    let size = 1u64 << (((drsr >> 1) & 0x1F) + 1);
    assert!(size >= 32);
    assert_eq!(drbar as u64 % size, 0, "base aligned to size: {words:#x?}");
    (
        drbar as u64,
        size,
        (dracr >> AP_SHIFT) & 0b111,
        dracr & DRACR_XN != 0,
    )
}

/// The extent of a partition data block: `.part.<name>` and `.part.<name>.bss`.
fn block_extent(elf: &Elf, section: &str) -> Range<u64> {
    let data = elf.section(section).unwrap();
    let bss = elf.section(&format!("{section}.bss")).unwrap();
    assert_eq!(
        bss.addr as u64,
        data.range().end,
        "{section}: bss follows data"
    );
    data.addr as u64..bss.range().end
}

/// `layout::MEMORY` (ecu_cortex_r::Memory, repr(C)) read back out of the image and held
/// against the sections.
fn check_mpu_tables(elf: &Elf, part: Part, flash: &Range<u64>) {
    let (name, addr, size) = elf
        .symbol(|n| n.contains("6layout6MEMORY"))
        .expect("the image carries layout::MEMORY");
    assert_eq!(size, 24, "{name}: two slices and a pair of words");
    let memory = elf.words(addr, 6);
    let (fixed_at, fixed_len, tasks_at, tasks_len) = (memory[0], memory[1], memory[2], memory[3]);
    let window = (memory[4] as u64, memory[5] as u64);
    assert!(
        fixed_len as usize + 2 <= part.mpu_regions() as usize,
        "{} fixed regions and two per task exceed the {} regions of the {}",
        fixed_len,
        part.mpu_regions(),
        part.name()
    );
    let fixed: Vec<_> = elf
        .words(fixed_at, fixed_len * 3)
        .chunks(3)
        .map(region)
        .collect();
    // Fixed regions (configurator/src/memory.rs): code, partition window, common block.
    assert_eq!(fixed.len(), 3);
    let (code_base, code_size, code_ap, code_xn) = fixed[0];
    assert_eq!(
        (code_ap, code_xn),
        (AP_RO, false),
        "code: read-only, executable"
    );
    let code = code_base..code_base + code_size;
    assert!(inside(flash, &code), "the code region covers the flash");
    assert_eq!(
        (fixed[1].0, fixed[1].1),
        window,
        "the window region is MEMORY.partitions"
    );
    assert_eq!(
        (fixed[1].2, fixed[1].3),
        (AP_NONE, true),
        "window: no access"
    );
    let window = window.0..window.0 + window.1;
    let blocks: Vec<&Section> = elf
        .sections
        .iter()
        .filter(|s| s.name.starts_with(".part.") || s.name.starts_with(".stack."))
        .collect();
    for s in &blocks {
        assert!(inside(&s.range(), &window), "{} outside the window", s.name);
    }
    for s in elf
        .sections
        .iter()
        .filter(|s| s.flags & SHF_ALLOC != 0 && s.size > 0)
    {
        if !blocks.iter().any(|b| b.name == s.name) {
            let r = s.range();
            assert!(
                r.end <= window.start || r.start >= window.end,
                "{} in the window",
                s.name
            );
        }
    }
    let user_rw = |r: &(u64, u64, u32, bool), what: &str| {
        assert_eq!((r.2, r.3), (AP_FULL, true), "{what}: user read-write, XN");
    };
    let common = block_extent(elf, ".part.common");
    assert_eq!(fixed[2].0, common.start, "common region at .part.common");
    assert!(common.end <= fixed[2].0 + fixed[2].1);
    user_rw(&fixed[2], "common");

    let stacks: Vec<&&Section> = blocks
        .iter()
        .filter(|s| s.name.starts_with(".stack."))
        .collect();
    assert_eq!(tasks_len as usize, stacks.len(), "one stack block per task");
    let mut stacks_used = vec![false; stacks.len()];
    for (task, words) in elf.words(tasks_at, tasks_len * 8).chunks(8).enumerate() {
        let (stack_base, stack_size) = (words[0] as u64, words[1] as u64);
        let data = region(&words[2..5]);
        let stack = region(&words[5..8]);
        user_rw(&data, "task data");
        user_rw(&stack, "task stack");
        assert_eq!((stack.0, stack.1), (stack_base, stack_size), "task {task}");
        let index = stacks
            .iter()
            .position(|s| (s.addr as u64, s.size as u64) == (stack.0, stack.1))
            .unwrap_or_else(|| panic!("task {task}: stack region {stack:x?} is no .stack section"));
        assert!(!stacks_used[index], "{} shared", stacks[index].name);
        stacks_used[index] = true;
        let app = blocks
            .iter()
            .find(|s| {
                s.name.starts_with(".part.") && !s.name.ends_with(".bss") && s.addr as u64 == data.0
            })
            .unwrap_or_else(|| panic!("task {task}: data region {data:x?} is no .part block"));
        let extent = block_extent(elf, &app.name);
        assert!(
            extent.end <= data.0 + data.1,
            "{} outgrows its region",
            app.name
        );
        // Nothing else lies under a task's data region.
        for s in &blocks {
            if !s.name.starts_with(&app.name) {
                let r = s.range();
                assert!(
                    r.end <= data.0 || r.start >= data.0 + data.1 || r.is_empty(),
                    "{} under the region of {}",
                    s.name,
                    app.name
                );
            }
        }
    }
}

/// The `.partition_init` table against the data blocks.
fn check_partition_init(elf: &Elf, flash: &Range<u64>) {
    let table = elf.section(".partition_init").expect(".partition_init");
    let entries = elf.words(table.addr, table.size / 4);
    let blocks: Vec<&Section> = elf
        .sections
        .iter()
        .filter(|s| s.name.starts_with(".part.") && !s.name.ends_with(".bss"))
        .collect();
    assert_eq!(entries.len(), blocks.len() * 4, "one entry per data block");
    for entry in entries.chunks(4) {
        let block = blocks
            .iter()
            .find(|s| s.addr == entry[1])
            .unwrap_or_else(|| panic!("entry {entry:x?} starts no .part block"));
        let extent = block_extent(elf, &block.name);
        assert_eq!(
            entry[2],
            block.addr + block.size,
            "{}: end of data",
            block.name
        );
        assert_eq!(entry[3] as u64, extent.end, "{}: end of bss", block.name);
        // An empty data part has nothing to copy (the linker gives it no load address).
        if block.size > 0 {
            assert!(
                flash.contains(&(entry[0] as u64)),
                "{}: loads from flash",
                block.name
            );
            assert_eq!(
                Some(entry[0]),
                elf.load_address(block.addr),
                "{}",
                block.name
            );
        }
    }
}
