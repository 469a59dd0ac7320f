//! End-to-end tests live in `tests/tests/`; this library holds what they share.

use std::path::{Path, PathBuf};

use ecu_configurator::image::{self, RunOutput, Target};
use ecu_configurator::Ecu;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn example(name: &str) -> Ecu {
    let path = repo_root().join("examples").join(name).join("ecu.toml");
    ecu_configurator::load(&[path]).unwrap_or_else(|d| panic!("example {name}: {d}"))
}

/// Builds and runs; a missing toolchain fails the test with the command that installs it.
pub fn run(ecu: &Ecu, target: Target, ticks: u64, seed: u64) -> RunOutput {
    image::run(ecu, target, ticks, seed)
        .unwrap_or_else(|e| panic!("{} on {}: {e}", ecu.name, target.name()))
}

pub mod can;
