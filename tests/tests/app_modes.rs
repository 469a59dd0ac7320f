//! StartOS in an application mode autostarts what that mode names; application startup hooks
//! run; trusted functions check their callers.

use ecu_configurator::image::{run_with, RunOptions, Target};
use ecu_tests::{repo_root, squeezed_trace};

fn trace(mode: Option<&str>) -> Vec<String> {
    let path = repo_root().join("tests/fixtures/modes/ecu.toml");
    let ecu = ecu_configurator::load(&[path]).unwrap_or_else(|d| panic!("{d}"));
    let options = RunOptions {
        mode: mode.map(str::to_owned),
        ..RunOptions::default()
    };
    let run = run_with(&ecu, Target::Sim, 5, 0, &options).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(run.exit_code, Some(0), "{}", run.stdout);
    squeezed_trace(&run)
}

#[test]
fn the_default_mode_autostarts_its_own_tasks_only() {
    let normal = trace(None);
    assert_eq!(normal, trace(Some("Normal")), "Normal is the default mode");
    assert_eq!(
        normal,
        [
            "0 activate Drive",
            "0 start Drive",
            "0 error CallTrustedFunction(-) E_OS_ACCESS",
            "0 terminate Drive",
        ]
    );
}

#[test]
fn another_mode_autostarts_its_tasks_and_alarms() {
    let workshop = trace(Some("Workshop"));
    assert_eq!(
        workshop,
        [
            "0 activate Flash",
            "0 start Flash",
            "0 terminate Flash",
            "2 alarm WorkshopAlarm",
            "2 activate Report",
            "2 start Report",
            "2 terminate Report",
        ]
    );
}

#[test]
fn an_unknown_mode_is_refused() {
    let path = repo_root().join("tests/fixtures/modes/ecu.toml");
    let ecu = ecu_configurator::load(&[path]).unwrap();
    let options = RunOptions {
        mode: Some("Racing".to_owned()),
        ..RunOptions::default()
    };
    let error = run_with(&ecu, Target::Sim, 5, 0, &options).unwrap_err();
    assert!(
        error.to_string().contains("no application mode `Racing`"),
        "{error}"
    );
}
