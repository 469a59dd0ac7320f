//! The generated Rust source: a snapshot (a change shows as a diff), deterministic, and the
//! `static`s it defines equal the tables the compiler built in memory.
//!
//! The snapshot itself is checked (and refreshed with `UPDATE_SNAPSHOTS=1`) by
//! `tests/snapshot.rs`, which does not include it, so a stale snapshot can be rewritten.

mod common;

use ecu_policy::{Engine, Request, Verdict};

/// The snapshot, compiled as Rust: the configurator's generated crate does the same.
mod generated {
    include!("generated/example_tables.rs");
}

#[test]
fn generation_is_deterministic() {
    assert_eq!(common::compiled().to_rust(), common::compiled().to_rust());
    assert_eq!(common::compiled(), common::compiled());
}

#[test]
fn generated_statics_equal_compiled_tables() {
    let c = common::compiled();
    assert_eq!(generated::TABLES, c.tables());
    assert_eq!(
        generated::NAMES.partitions,
        c.partitions.iter().map(|s| s.as_str()).collect::<Vec<_>>()
    );
    assert_eq!(generated::NAMES.interfaces.len(), c.interfaces.len());
    assert_eq!(
        generated::NAMES.states[0],
        ["default", "extended", "programming"]
    );
    assert_eq!(generated::TEMPORAL_SLOTS, c.temporal_slots());
    assert_eq!(generated::EVENT_SLOTS, c.event_slots());
}

#[test]
fn generated_storage_runs_the_engine_without_heap() {
    let mut storage = generated::Storage::new();
    let mut e = Engine::new(generated::TABLES, storage.state()).unwrap();
    // Comfort sets the lights with its handle 0.
    let set = Request::call(1, 2, 0)
        .with_handle(0)
        .with_args([42, 0, 0, 0]);
    assert_eq!(e.verdict(&set, 1), Verdict::Allow);
    assert!(!e.verdict(&set.with_handle(1), 2).is_allow());
    assert_eq!(e.audit_len(), 1);
}
