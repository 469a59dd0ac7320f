//! The generator: a snapshot of the example's tables and byte-for-byte determinism.
//! `UPDATE_SNAPSHOTS=1 cargo test -p ecu-configurator` rewrites the snapshot after a change
//! that is meant; the diff then shows in review.

use std::path::Path;
use std::process::Command;

fn generate_into(dir: &Path) -> String {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/body_ecu/ecu.toml");
    let output = Command::new(env!("CARGO_BIN_EXE_ecuconf"))
        .args(["generate"])
        .arg(&example)
        .arg("--out")
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    std::fs::read_to_string(dir.join("ecu.rs")).unwrap()
}

#[test]
fn snapshot_of_the_example_tables() {
    let dir = tempfile::tempdir().unwrap();
    let generated = generate_into(dir.path());
    let snapshot = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/body_ecu.ecu.rs");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&snapshot, &generated).unwrap();
    }
    let expected =
        std::fs::read_to_string(&snapshot).expect("snapshot exists (UPDATE_SNAPSHOTS=1)");
    assert_eq!(
        generated,
        expected,
        "generated tables differ from {}",
        snapshot.display()
    );
}

#[test]
fn same_input_same_bytes() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = generate_into(a.path());
    let second = generate_into(b.path());
    assert_eq!(first.as_bytes(), second.as_bytes());
    // And from another working directory: no absolute path leaks into the tables.
    assert!(
        !first.contains(env!("CARGO_MANIFEST_DIR")),
        "tables name no local path"
    );
}
