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

/// A trace line with its column padding collapsed to single spaces, as expected traces and
/// assertions write it.
pub fn squeeze(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every non-empty line the run printed (trace, `end`, faults), squeezed.
pub fn squeezed_output(output: &RunOutput) -> Vec<String> {
    output
        .stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(squeeze)
        .collect()
}

/// The run's trace lines (without the closing `end` line), squeezed.
pub fn squeezed_trace(output: &RunOutput) -> Vec<String> {
    output.trace().iter().map(|l| squeeze(l)).collect()
}

/// What happened at `tick` in a squeezed trace: its lines without the tick number.
pub fn at(trace: &[String], tick: u64) -> Vec<&str> {
    trace
        .iter()
        .filter(|l| l.split(' ').next() == Some(&tick.to_string()))
        .map(|l| l.split_once(' ').unwrap().1)
        .collect()
}

pub mod can;
