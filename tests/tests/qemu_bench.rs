//! The benchmark image of `cargo xtask bench` (tests/fixtures/bench) runs on both Cortex-R
//! boards: its measuring tasks, in User mode under the MPU, may read the counters the startup
//! hook opened to them, and the run ends cleanly. (The figures themselves are printed through
//! semihosting and reported by `cargo xtask bench`, never asserted here.)

use std::path::PathBuf;
use std::process::Stdio;

use ecu_configurator::image::{self, Target};
use ecu_tests::{repo_root, run};

fn check(target: Target) {
    let stdout = check_fixture("bench", target);
    // Its port has no switch probes: the preemption figure is not split there.
    assert!(!stdout.contains("context_switch"), "{stdout}");
}

/// Runs a benchmark image: its tasks ran and ended, no exception; its output.
fn check_fixture(fixture: &str, target: Target) -> String {
    let path: PathBuf = repo_root().join(format!("tests/fixtures/{fixture}/ecu.toml"));
    let ecu = ecu_configurator::load(&[path]).unwrap_or_else(|d| panic!("{d}"));
    let output = run(&ecu, target, 8, 0);
    assert_eq!(
        output.exit_code,
        Some(0),
        "{}:\n{}",
        target.name(),
        output.stdout
    );
    let trace = output.trace();
    for line in [
        "start     High",
        "terminate Low",
        "terminate IrqEntry",
        "terminate Report",
    ] {
        assert!(
            trace.iter().any(|l| l.ends_with(line)),
            "{line}:\n{}",
            output.stdout
        );
    }
    assert!(!output.stdout.contains("exception"), "{}", output.stdout);
    output.stdout
}

#[test]
fn kernel_benchmark_image_runs_on_qemu_r5() {
    check(Target::QemuR5);
}

#[test]
fn kernel_benchmark_image_runs_on_qemu_r52() {
    check(Target::QemuR52);
}

/// The same measurements with execution budgets in force (`qemu-r5.*_timed`): nobody overruns.
#[test]
fn kernel_benchmark_image_with_timing_protection_runs_on_qemu_r5() {
    check_fixture("bench_timed", Target::QemuR5);
}

/// With the switch probes (`<board>.context_switch`, `<board>.activate_service`): the probes
/// saw exactly the timed activations (the image prints the parts only then), and each part is
/// a real share of the preemption figure, neither empty nor the whole (a probe in the wrong
/// place gives a wrapped or zero part). The figures go out through semihosting, on QEMU's
/// stderr.
fn check_switch_split(target: Target) {
    check_fixture("bench_switch", target);
    let path = repo_root().join("tests/fixtures/bench_switch/ecu.toml");
    let ecu = ecu_configurator::load(&[path]).unwrap_or_else(|d| panic!("{d}"));
    let elf = image::build(&ecu, target, 8).unwrap_or_else(|e| panic!("{e}"));
    let output = image::qemu_command(target, &elf)
        .expect("a QEMU target")
        .stdin(Stdio::null())
        .output()
        .expect("QEMU runs");
    let figures = String::from_utf8_lossy(&output.stderr).into_owned();
    let figure = |name: &str| -> u32 {
        figures
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix(&format!("{}.{name}: ", target.name()))
            })
            .and_then(|v| v.strip_suffix(" instructions"))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name}: {figures}"))
    };
    let (whole, service, switch) = (
        figure("switch"),
        figure("activate_service"),
        figure("context_switch"),
    );
    assert!(service > 0 && service < whole, "{figures}");
    assert!(switch > 0 && switch < whole, "{figures}");
}

#[test]
fn the_switch_probes_split_the_preemption_figure_on_qemu_r5() {
    check_switch_split(Target::QemuR5);
}

#[test]
fn the_switch_probes_split_the_preemption_figure_on_qemu_r52() {
    check_switch_split(Target::QemuR52);
}

#[test]
fn the_gateway_benchmark_image_routes_correctly_on_qemu_r5() {
    let path = ecu_tests::repo_root().join("tests/fixtures/gateway_bench/ecu.toml");
    let ecu = ecu_configurator::load(&[path]).unwrap_or_else(|d| panic!("{d}"));
    let run = ecu_tests::run(&ecu, ecu_configurator::image::Target::QemuR5, 3, 0);
    assert_eq!(run.exit_code, Some(0), "{}", run.stdout);
    assert!(run.stdout.contains("verdicts: ok"), "{}", run.stdout);
    let cost: u32 = run
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("gateway_frame: "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no figure: {}", run.stdout));
    assert!(
        cost > 0,
        "a routing decision costs something: {}",
        run.stdout
    );
}

#[test]
fn the_ipc_benchmark_image_gets_its_replies_on_qemu_r5() {
    let path = ecu_tests::repo_root().join("tests/fixtures/ipc_bench/ecu.toml");
    let ecu = ecu_configurator::load(&[path]).unwrap_or_else(|d| panic!("{d}"));
    let run = ecu_tests::run(&ecu, ecu_configurator::image::Target::QemuR5, 3, 0);
    assert_eq!(run.exit_code, Some(0), "{}", run.stdout);
    assert!(run.stdout.contains("replies: ok"), "{}", run.stdout);
    assert!(run.stdout.contains("ipc_roundtrip: "), "{}", run.stdout);
}
