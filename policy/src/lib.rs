//! The security verdict engine that rules on every inter-partition call, and (feature
//! `compiler`, host only) the compiler from the policy language to its static tables.
//!
//! The engine ([`Engine`]) is `no_std`, allocates nothing and never panics: it reads
//! [`Tables`] that the compiler generated and keeps its run-time state (state machines,
//! temporal counters, denial counters, the audit ring) in slices the caller owns, normally a
//! generated [`Storage`] placed in a `static`. A verdict touches one dense key entry and at most
//! [`Tables::max_entries_per_key`] rule entries, whatever the total number of rules.
//!
//! See `policy/README.md` for the language.
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]

mod engine;
mod tables;

#[cfg(feature = "std")]
pub use engine::OwnedStorage;
pub use engine::{AuditRecord, Engine, MachineState, SizeMismatch, State, Storage, TemporalSlot};
pub use tables::*;

#[cfg(feature = "compiler")]
pub mod compiler;
