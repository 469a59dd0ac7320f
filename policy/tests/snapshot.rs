//! The generated Rust source of the example policy is snapshotted: a change shows as a diff.
//! Refresh after an intended change with
//! `UPDATE_SNAPSHOTS=1 cargo test -p ecu-policy --features compiler --test snapshot`.

mod common;

const SNAPSHOT: &str = "tests/generated/example_tables.rs";

#[test]
fn generated_source_matches_snapshot() {
    let text = common::compiled().to_rust();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SNAPSHOT);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let snapshot = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(text == snapshot, "generated source differs from {SNAPSHOT}; rerun with UPDATE_SNAPSHOTS=1 and review the diff");
}
