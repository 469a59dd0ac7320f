//! Builds the example image for the TMS570 through `ecuconf` and checks the ELF: big-endian,
//! BE32 (no EF_ARM_BE8), the entry is our `_start`, the vector table at 0, every allocated
//! section inside the part's flash or RAM (LC4357: 4 MiB flash at 0, 512 KiB RAM at 0x0800_0000;
//! LS1224: 1.25 MiB flash at 0, 192 KiB RAM at 0x0800_0000).
//! Skipped (passes with a note) when the cross toolchain is not installed.
use std::path::{Path, PathBuf};
use std::process::Command;

const EF_ARM_BE8: u32 = 0x0080_0000;
const SHF_ALLOC: u32 = 0x2;
const SHT_NOBITS: u32 = 8;

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}
fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

struct Section {
    name: String,
    kind: u32,
    flags: u32,
    addr: u32,
    size: u32,
}

fn sections(elf: &[u8]) -> Vec<Section> {
    let shoff = be32(elf, 0x20) as usize;
    let shentsize = be16(elf, 0x2E) as usize;
    let shnum = be16(elf, 0x30) as usize;
    let shstrndx = be16(elf, 0x32) as usize;
    let header = |i: usize| &elf[shoff + i * shentsize..shoff + (i + 1) * shentsize];
    let strtab = be32(header(shstrndx), 0x10) as usize;
    (0..shnum)
        .map(|i| {
            let h = header(i);
            let name_at = strtab + be32(h, 0) as usize;
            let end = elf[name_at..].iter().position(|&c| c == 0).unwrap() + name_at;
            Section {
                name: String::from_utf8_lossy(&elf[name_at..end]).into_owned(),
                kind: be32(h, 4),
                flags: be32(h, 8),
                addr: be32(h, 0x0C),
                size: be32(h, 0x14),
            }
        })
        .collect()
}

fn symbol(elf: &[u8], wanted: &str) -> Option<u32> {
    let all = sections(elf);
    let shoff = be32(elf, 0x20) as usize;
    let shentsize = be16(elf, 0x2E) as usize;
    let (i, _) = all.iter().enumerate().find(|(_, s)| s.name == ".symtab")?;
    let h = &elf[shoff + i * shentsize..];
    let (off, size, link) = (
        be32(h, 0x10) as usize,
        be32(h, 0x14) as usize,
        be32(h, 0x18) as usize,
    );
    let strtab = be32(&elf[shoff + link * shentsize..], 0x10) as usize;
    (0..size / 16).find_map(|n| {
        let sym = &elf[off + n * 16..];
        let name_at = strtab + be32(sym, 0) as usize;
        let end = elf[name_at..].iter().position(|&c| c == 0)? + name_at;
        (&elf[name_at..end] == wanted.as_bytes()).then(|| be32(sym, 4))
    })
}

#[test]
fn lc4357_image_is_be32_and_fits() {
    check_part("tms570", 4 * 1024 * 1024, 512 * 1024);
}

#[test]
fn ls1224_image_is_be32_and_fits() {
    check_part("tms570-ls1224", 1280 * 1024, 192 * 1024);
}

fn check_part(target: &str, flash_bytes: u64, ram_bytes: u64) {
    if !Path::new("/usr/bin/rustc").exists()
        || !Path::new("/usr/lib/rustlib/src/rust/library").is_dir()
    {
        eprintln!("cross toolchain not installed: skipped (scripts/setup-toolchain.sh)");
        return;
    }
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(&repo)
        .args([
            "run",
            "-q",
            "-p",
            "ecu-configurator",
            "--bin",
            "ecuconf",
            "--",
            "build",
        ])
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
    let elf = std::fs::read(path.trim()).unwrap();

    assert_eq!(&elf[..4], b"\x7fELF");
    assert_eq!(elf[4], 1, "ELFCLASS32");
    assert_eq!(elf[5], 2, "EI_DATA = ELFDATA2MSB: big-endian");
    assert_eq!(be16(&elf, 0x12), 40, "EM_ARM");
    let flags = be32(&elf, 0x24);
    assert_eq!(flags & EF_ARM_BE8, 0, "BE32, not BE8: e_flags {flags:#x}");
    assert_eq!(flags >> 24, 5, "EABI version 5");

    let entry = be32(&elf, 0x18);
    assert_eq!(
        Some(entry),
        symbol(&elf, "_start"),
        "entry is the TMS570 _start"
    );
    assert_eq!(symbol(&elf, "_vector_table"), Some(0));

    let flash = 0u64..flash_bytes;
    let ram = 0x0800_0000u64..0x0800_0000 + ram_bytes;
    let all = sections(&elf);
    let vectors = all.iter().find(|s| s.name == ".vector_table").unwrap();
    assert_eq!((vectors.addr, vectors.size), (0, 0x40));
    for s in all
        .iter()
        .filter(|s| s.flags & SHF_ALLOC != 0 && s.size > 0)
    {
        let (start, end) = (s.addr as u64, s.addr as u64 + s.size as u64);
        let inside = |r: &std::ops::Range<u64>| start >= r.start && end <= r.end;
        assert!(
            inside(&flash) || inside(&ram),
            "{} at {start:#x}..{end:#x}",
            s.name
        );
        if s.kind != SHT_NOBITS && s.flags & 0x1 == 0 {
            // Read-only loaded sections (code, constants) are in flash.
            assert!(inside(&flash), "{} not in flash", s.name);
        }
    }
    assert!(all
        .iter()
        .any(|s| s.name == ".bss" && ram.contains(&(s.addr as u64))));
}
