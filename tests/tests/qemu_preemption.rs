//! What needs the real CPU: a task preempted by the tick interrupt in the middle of its work,
//! with every VFP register live, resumes with its context intact, on both Cortex-R boards.

use std::path::PathBuf;

use ecu_configurator::image::Target;
use ecu_tests::{repo_root, run};

fn fixture() -> ecu_configurator::Ecu {
    let path: PathBuf = repo_root().join("tests/fixtures/preempt_vfp/ecu.toml");
    ecu_configurator::load(&[path]).unwrap_or_else(|d| panic!("{d}"))
}

fn check(target: Target) {
    let output = run(&fixture(), target, 10, 0);
    assert_eq!(
        output.exit_code,
        Some(0),
        "{} output:\n{}",
        target.name(),
        output.stdout
    );
    let trace = output.trace();
    assert!(!output.stdout.contains("fault:"), "{}", output.stdout);
    let has = |suffix: &str| trace.iter().any(|l| l.ends_with(suffix));
    assert!(
        has("preempt   Busy"),
        "Busy was never preempted by the tick:\n{}",
        output.stdout
    );
    assert!(has("resume    Busy"), "{}", output.stdout);
    assert!(
        has("terminate Busy"),
        "Busy did not finish:\n{}",
        output.stdout
    );
    assert!(output.stdout.ends_with("end 10\n"), "{}", output.stdout);
}

#[test]
fn tick_preemption_keeps_vfp_state_on_qemu_r5() {
    check(Target::QemuR5);
}

#[test]
fn tick_preemption_keeps_vfp_state_on_qemu_r52() {
    check(Target::QemuR52);
}
