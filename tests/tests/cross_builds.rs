//! The kernel with the example configuration builds for every board we target, including the
//! ones that do not run the full example in QEMU yet.

use ecu_configurator::image::{self, Target};
use ecu_tests::example;

fn elf_header(path: &std::path::Path) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        bytes.len() > 64 && &bytes[..4] == b"\x7fELF",
        "{} is not an ELF file",
        path.display()
    );
    bytes[..52].to_vec()
}

#[test]
fn qemu_r52_image_builds_as_armv8r_elf() {
    let elf =
        image::build(&example("body_ecu"), Target::QemuR52, 100).unwrap_or_else(|e| panic!("{e}"));
    let header = elf_header(&elf);
    assert_eq!(header[5], 1, "little-endian");
    assert_eq!(u16::from_le_bytes([header[18], header[19]]), 40, "EM_ARM");
}

#[test]
fn tms570_image_builds_big_endian() {
    let elf =
        image::build(&example("body_ecu"), Target::Tms570, 100).unwrap_or_else(|e| panic!("{e}"));
    let header = elf_header(&elf);
    assert_eq!(header[5], 2, "ELFDATA2MSB: big-endian, as the TMS570 runs");
    assert_eq!(u16::from_be_bytes([header[18], header[19]]), 40, "EM_ARM");
}
