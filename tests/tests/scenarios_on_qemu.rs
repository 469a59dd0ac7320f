//! The behaviour scenarios on QEMU's Cortex-R5F and Cortex-R52 (ISRs, nesting and stimuli
//! included): the trace must be the one the specification gives, as on the simulation (list,
//! and the reasons for the few left out: tests/scenarios/ON_BOARDS.md).

use ecu_configurator::image::Target;
use ecu_tests::{repo_root, run, squeeze, squeezed_output};

#[test]
fn the_portable_scenarios_give_their_expected_traces_on_qemu_r5() {
    check(Target::QemuR5);
}

#[test]
fn the_portable_scenarios_give_their_expected_traces_on_qemu_r52() {
    check(Target::QemuR52);
}

fn check(target: Target) {
    let dir = repo_root().join("tests/scenarios");
    let list = std::fs::read_to_string(dir.join("ON_BOARDS.md")).unwrap();
    let names: Vec<&str> = list
        .lines()
        .filter_map(|l| l.strip_prefix("- "))
        .filter(|n| !n.contains(' '))
        .collect();
    assert!(names.len() >= 40, "the list shrank: {names:?}");
    let mut failures = Vec::new();
    for name in &names {
        let expected = std::fs::read_to_string(dir.join(name).join("expected.trace"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut lines = expected.lines();
        let ticks: u64 = lines
            .next()
            .and_then(|l| l.split(':').nth(1))
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name}: no `# ticks: N` line"));
        let expected: Vec<String> = lines
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(squeeze)
            .collect();
        let ecu = ecu_configurator::load(&[dir.join(name).join("ecu.toml")])
            .unwrap_or_else(|d| panic!("{name}: {d}"));
        let output = run(&ecu, target, ticks, 0);
        let got = squeezed_output(&output);
        if got != expected {
            let at = got
                .iter()
                .zip(&expected)
                .position(|(g, e)| g != e)
                .unwrap_or(got.len().min(expected.len()));
            failures.push(format!(
                "{name}: line {at}: expected {:?}, got {:?}",
                expected.get(at),
                got.get(at)
            ));
        }
    }
    eprintln!(
        "{} scenarios on {}, {} differ",
        names.len(),
        target.name(),
        failures.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
}
