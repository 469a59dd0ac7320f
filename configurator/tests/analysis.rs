//! Response-time analysis: task sets whose response times are known by hand (see the comment
//! at the top of each fixture under tests/analysis/), rejection of an unschedulable set with a
//! located diagnostic, and a deterministic `ecuconf report`.
//! `UPDATE_SNAPSHOTS=1 cargo test -p ecu-configurator` rewrites the report snapshot.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ecu_configurator::analysis::{analyse, Analysis, Kind, Row, Verdict};
use ecu_configurator::{load, Ecu};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/analysis")
        .join(name)
}

fn analysed(name: &str) -> (Ecu, Analysis) {
    let ecu = load(&[fixture(name)]).unwrap_or_else(|d| panic!("{name}: {d}"));
    let analysis = analyse(&ecu);
    (ecu, analysis)
}

fn row<'a>(analysis: &'a Analysis, kind: Kind, name: &str) -> &'a Row {
    analysis
        .rows
        .iter()
        .find(|r| r.kind == kind && r.name == name)
        .unwrap_or_else(|| panic!("no row for {name}"))
}

const MS: u64 = 1_000_000;
const US: u64 = 1_000;

/// Asserts a converged response time, in nanoseconds, and a schedulable verdict.
fn assert_schedulable(analysis: &Analysis, kind: Kind, name: &str, r_ns: u64) {
    let row = row(analysis, kind, name);
    let response = row.response.as_ref().expect("analysed");
    assert!(response.converged, "{name}: {row:?}");
    assert_eq!(response.ns, r_ns, "{name}: {row:?}");
    assert_eq!(row.verdict, Verdict::Schedulable, "{name}: {row:?}");
}

fn blocking_ns(analysis: &Analysis, kind: Kind, name: &str) -> u64 {
    row(analysis, kind, name)
        .blocking
        .as_ref()
        .expect("blocking known")
        .as_ref()
        .map_or(0, |b| b.ns)
}

fn ecuconf(args: &[&str], files: &[&Path]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecuconf"))
        .args(args)
        .args(files)
        .output()
        .unwrap()
}

#[test]
fn rate_monotonic_textbook_set() {
    let (_, analysis) = analysed("textbook.toml");
    assert_schedulable(&analysis, Kind::Task, "T1", MS);
    assert_schedulable(&analysis, Kind::Task, "T2", 3 * MS);
    assert_schedulable(&analysis, Kind::Task, "T3", 10 * MS);
    assert!(analysis.is_schedulable());
}

#[test]
fn burns_and_wellings_set_meets_its_deadline_exactly() {
    let (_, analysis) = analysed("burns.toml");
    assert_schedulable(&analysis, Kind::Task, "A", 3 * MS);
    assert_schedulable(&analysis, Kind::Task, "B", 6 * MS);
    // R = D = 20 ms: meeting the deadline exactly is schedulable.
    assert_schedulable(&analysis, Kind::Task, "C", 20 * MS);
    let c = row(&analysis, Kind::Task, "C");
    assert_eq!(c.d_ns, Some(20 * MS));
}

#[test]
fn blocking_through_a_shared_resource() {
    let (_, analysis) = analysed("blocking.toml");
    // Low holds Shared (ceiling 3) for 1.5 ms: both tasks above it can wait that long once.
    assert_eq!(blocking_ns(&analysis, Kind::Task, "High"), 1500 * US);
    assert_eq!(blocking_ns(&analysis, Kind::Task, "Mid"), 1500 * US);
    assert_eq!(blocking_ns(&analysis, Kind::Task, "Low"), 0);
    assert_schedulable(&analysis, Kind::Task, "High", 2500 * US);
    assert_schedulable(&analysis, Kind::Task, "Mid", 4500 * US);
    assert_schedulable(&analysis, Kind::Task, "Low", 7 * MS);
}

#[test]
fn a_non_preemptive_low_task_blocks_for_its_whole_budget() {
    let (_, analysis) = analysed("nonpreemptive.toml");
    let high = row(&analysis, Kind::Task, "High");
    let blocking = high.blocking.as_ref().unwrap().as_ref().unwrap();
    assert_eq!((blocking.ns, blocking.resource), (3 * MS, None));
    assert_schedulable(&analysis, Kind::Task, "High", 4 * MS);
    assert_schedulable(&analysis, Kind::Task, "Batch", 4 * MS);
}

#[test]
fn an_isr_interferes_with_every_task_and_is_blocked_by_a_masking_task() {
    let (_, analysis) = analysed("isr.toml");
    assert_eq!(blocking_ns(&analysis, Kind::Isr, "CanRx"), 200 * US);
    assert_schedulable(&analysis, Kind::Isr, "CanRx", 700 * US);
    // High uses no resource, yet Low holding RxBuffer masks the ISR and so every task level.
    assert_eq!(blocking_ns(&analysis, Kind::Task, "High"), 200 * US);
    assert_schedulable(&analysis, Kind::Task, "High", 1700 * US);
    assert_schedulable(&analysis, Kind::Task, "Low", 4 * MS);
    let low = row(&analysis, Kind::Task, "Low").response.clone().unwrap();
    let isr = low
        .interference
        .iter()
        .find(|i| i.kind == Kind::Isr)
        .expect("the ISR interferes");
    assert_eq!((isr.jobs, isr.ns), (2, MS));
}

#[test]
fn queued_activations_are_analysed_over_the_whole_busy_period() {
    let (_, analysis) = analysed("queued.toml");
    let drain = row(&analysis, Kind::Task, "Drain");
    let response = drain.response.as_ref().unwrap();
    // The fourth job, released at 30 ms and done at 44 ms, is the worst, not the first (11).
    assert_eq!((response.ns, response.job), (14 * MS, 3));
    assert_eq!(response.pending, 2);
    assert_eq!(drain.verdict, Verdict::Schedulable);
}

#[test]
fn too_few_activations_are_rejected() {
    let text = std::fs::read_to_string(fixture("queued.toml"))
        .unwrap()
        .replace("activation_limit = 2", "activation_limit = 1");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tasks.rs"), "").unwrap();
    let path = dir.path().join("queued.toml");
    std::fs::write(&path, &text).unwrap();
    let output = ecuconf(&["check"], &[&path]);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("task `Drain` loses activations: 2 can be pending"),
        "{stderr}"
    );
    assert!(stderr.contains("raise activation_limit to 2"), "{stderr}");
}

#[test]
fn missing_figures_are_reported_not_rejected() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/body_ecu/ecu.toml");
    let ecu = load(std::slice::from_ref(&example)).unwrap();
    let analysis = analyse(&ecu);
    assert!(analysis.is_schedulable());
    assert!(analysis
        .rows
        .iter()
        .all(|r| matches!(r.verdict, Verdict::NotAnalysable(_))));
    // Logger is activated by LightControl's code: no arrival bound without time_frame_us.
    assert!(row(&analysis, Kind::Task, "Logger").arrivals.is_err());
    assert!(ecuconf(&["check"], &[&example]).status.success());
}

#[test]
fn the_example_ecu_with_budgets_is_schedulable() {
    let (_, analysis) = analysed("body_ecu_budgets.toml");
    assert_schedulable(&analysis, Kind::Task, "SpeedMonitor", MS);
    assert_schedulable(&analysis, Kind::Task, "DoorWatch", 2 * MS);
    assert_schedulable(&analysis, Kind::Task, "LightControl", 4500 * US);
    assert_schedulable(&analysis, Kind::Task, "Logger", 7 * MS);
    assert_schedulable(&analysis, Kind::Task, "Init", 9 * MS);
    assert_eq!(blocking_ns(&analysis, Kind::Task, "LightControl"), 500 * US);
}

/// 1-based line of the first occurrence of `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    let offset = text.find(needle).unwrap();
    text[..offset].matches('\n').count() + 1
}

#[test]
fn an_unschedulable_set_is_rejected_where_the_task_is_defined() {
    let path = fixture("unschedulable.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let line = line_of(&text, "name = \"Logger\"");
    for command in [
        &["check"][..],
        &["generate", "--out", "/nonexistent/never-written"],
    ] {
        let output = ecuconf(command, &[&path]);
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(1), "{command:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        let errors: Vec<&str> = stderr.lines().filter(|l| l.contains(": error: ")).collect();
        assert_eq!(errors.len(), 1, "{stderr}");
        assert_eq!(
            errors[0],
            format!(
                "{}:{line}:8: error: task `Logger` misses its deadline: response time 14 ms > deadline 10 ms",
                path.display()
            )
        );
        assert!(stderr.contains("  element: tasks[Logger]\n"), "{stderr}");
        assert!(
            stderr.contains("most of it is task `Control` (3 × 3 ms)"),
            "{stderr}"
        );
        let control = line_of(&text, "name = \"Control\"");
        assert!(
            stderr.contains(&format!(
                "{}:{control}:8: note: task `Control` is defined here",
                path.display()
            )),
            "{stderr}"
        );
        assert!(stderr.ends_with("1 error\n"), "{stderr}");
    }
}

#[test]
fn report_is_deterministic_and_matches_its_snapshot() {
    let path = fixture("body_ecu_budgets.toml");
    let run = || {
        let output = ecuconf(&["report"], &[&path]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    let first = run();
    assert_eq!(first, run());
    let snapshot = fixture("body_ecu_budgets.report.txt");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&snapshot, &first).unwrap();
    }
    let expected = std::fs::read_to_string(&snapshot).unwrap();
    assert_eq!(
        first, expected,
        "the report changed; if meant, rerun with UPDATE_SNAPSHOTS=1"
    );
    for line in first.lines() {
        assert_eq!(line, line.trim_end(), "trailing blanks");
    }
}

#[test]
fn report_shows_an_unschedulable_set_without_failing() {
    let output = ecuconf(&["report"], &[&fixture("unschedulable.toml")]);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success());
    let logger = stdout
        .lines()
        .rfind(|l| l.trim_start().starts_with("Logger "))
        .expect("a Logger row in the response-time table");
    let cells: Vec<&str> = logger
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(
        cells,
        [
            "Logger",
            "1",
            "10 ms",
            "5 ms",
            "0",
            "-",
            "14 ms",
            "10 ms",
            "UNSCHEDULABLE: misses its deadline"
        ]
    );
}

/// Writes `toml` with an empty application next to it.
fn temp_description(toml: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tasks.rs"), "").unwrap();
    let path = dir.path().join("ecu.toml");
    std::fs::write(&path, toml).unwrap();
    (dir, path)
}

const HEAD: &str = r#"
[ecu]
name = "Edge"
application = "tasks.rs"

[[counters]]
name = "Timer"
tick_us = 1000

[[counters]]
name = "Soft"

[[os_applications]]
name = "App"
"#;

fn task(name: &str, priority: u8, extra: &str) -> String {
    format!(
        "\n[[tasks]]\nname = \"{name}\"\nos_application = \"App\"\npriority = {priority}\nstack_size = 1024\nentry = \"{}\"\n{extra}\n",
        name.to_lowercase()
    )
}

fn alarm(name: &str, counter: &str, task: &str, autostart: &str) -> String {
    format!("\n[[alarms]]\nname = \"{name}\"\ncounter = \"{counter}\"\nactivate_task = \"{task}\"\n{autostart}\n")
}

#[test]
fn an_overload_is_rejected_in_bounded_time() {
    // High alone needs 6 ms every 5 ms: the level busy period of Low never ends.
    let toml = [
        HEAD.to_owned(),
        task("High", 2, "execution_budget_us = 6000"),
        task("Low", 1, "execution_budget_us = 1000"),
        alarm(
            "HighAlarm",
            "Timer",
            "High",
            "autostart = { offset = 1, cycle = 5 }",
        ),
        alarm(
            "LowAlarm",
            "Timer",
            "Low",
            "autostart = { offset = 1, cycle = 100 }",
        ),
    ]
    .concat();
    let (_dir, path) = temp_description(&toml);
    let started = std::time::Instant::now();
    let output = ecuconf(&["check"], &[&path]);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("task `High` misses its deadline: response time 6 ms > deadline 5 ms"),
        "{stderr}"
    );
    assert!(
        stderr.contains("task `Low` misses its deadline: response time at least "),
        "{stderr}"
    );
    assert!(stderr.ends_with("2 errors\n"), "{stderr}");
}

#[test]
fn unknown_figures_make_objects_not_analysable_with_the_reason() {
    let toml = [
        HEAD.to_owned(),
        task("Top", 9, "execution_budget_us = 100"),
        task("Ticked", 5, "execution_budget_us = 100"),
        task("Sporadic", 3, "execution_budget_us = 100\ntime_frame_us = 5000"),
        task("Coded", 2, "execution_budget_us = 100"),
        alarm("TopAlarm", "Timer", "Top", "autostart = { offset = 1, cycle = 10 }"),
        alarm("SoftAlarm", "Soft", "Ticked", "autostart = { offset = 1, cycle = 10 }"),
        alarm("CodedAlarm", "Timer", "Coded", ""),
        "\n[[isrs]]\nname = \"Uart\"\ncategory = 2\npriority = 1\nentry = \"uart\"\nexecution_budget_us = 50\n".to_owned(),
    ]
    .concat();
    let (_dir, path) = temp_description(&toml);
    let ecu = load(std::slice::from_ref(&path)).unwrap();
    let analysis = analyse(&ecu);
    let reason = |kind, name| match &row(&analysis, kind, name).verdict {
        Verdict::NotAnalysable(reason) => reason.clone(),
        other => panic!("{name}: {other:?}"),
    };
    assert_eq!(
        reason(Kind::Isr, "Uart"),
        "no arrival bound: it has no time_frame_us"
    );
    // Every task suffers the ISR, whose rate is unknown.
    assert_eq!(
        reason(Kind::Task, "Top"),
        "interference unbounded: ISR `Uart` has no arrival bound (it has no time_frame_us)"
    );
    assert!(
        reason(Kind::Task, "Ticked").contains("counts software counter `Soft`"),
        "{analysis:?}"
    );
    assert!(
        reason(Kind::Task, "Coded").contains("alarm `CodedAlarm` is armed by code"),
        "{analysis:?}"
    );
    // Sporadic's own arrivals are known (its time frame); its interference is not.
    let sporadic = row(&analysis, Kind::Task, "Sporadic");
    assert_eq!(
        sporadic.arrivals.as_ref().unwrap().period_ns(),
        Some(5 * MS)
    );
    // Not analysable is not an error.
    assert!(ecuconf(&["check"], &[&path]).status.success());
}

#[test]
fn two_alarms_on_one_task_are_two_streams() {
    // Fast is activated by two 10 ms alarms: up to two jobs every 10 ms, not one.
    let toml = [
        HEAD.to_owned(),
        task("Fast", 2, "execution_budget_us = 2000\ndeadline_us = 10000"),
        task("Slow", 1, "execution_budget_us = 5000"),
        alarm(
            "FastA",
            "Timer",
            "Fast",
            "autostart = { offset = 1, cycle = 10 }",
        ),
        alarm(
            "FastB",
            "Timer",
            "Fast",
            "autostart = { offset = 6, cycle = 10 }",
        ),
        alarm(
            "SlowAlarm",
            "Timer",
            "Slow",
            "autostart = { offset = 1, cycle = 20 }",
        ),
    ]
    .concat();
    let (_dir, path) = temp_description(&toml);
    let ecu = load(&[path]).unwrap();
    let analysis = analyse(&ecu);
    // Offsets are ignored (critical instant): both alarms may fire together, so two
    // activations of Fast can be pending, more than its activation_limit of 1.
    assert_eq!(
        row(&analysis, Kind::Task, "Fast").verdict,
        Verdict::ActivationsLost {
            pending: 2,
            limit: 1
        }
    );
    let (_dir, path) =
        temp_description(&toml.replace("priority = 2\n", "priority = 2\nactivation_limit = 2\n"));
    let ecu = load(&[path]).unwrap();
    let analysis = analyse(&ecu);
    // Fast: its other stream counts as FIFO interference: R = 2 + 2 = 4 ms.
    assert_schedulable(&analysis, Kind::Task, "Fast", 4 * MS);
    // Slow: 5 + 2·2 = 9 ms (fixed point 5, 9, 9).
    assert_schedulable(&analysis, Kind::Task, "Slow", 9 * MS);
}
