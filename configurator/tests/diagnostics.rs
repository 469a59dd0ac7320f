//! Bad descriptions: each gives one located diagnostic, a non-zero exit and no panic.

use std::path::{Path, PathBuf};
use std::process::Command;

fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/body_ecu")
}

fn example_toml() -> String {
    std::fs::read_to_string(example_dir().join("ecu.toml")).unwrap()
}

/// Writes the example with `from` replaced by `to` (once) next to a copy of its task bodies.
fn mutated(from: &str, to: &str) -> (tempfile::TempDir, PathBuf, String) {
    let text = example_toml();
    assert!(
        text.contains(from),
        "the example no longer contains {from:?}"
    );
    let text = text.replacen(from, to, 1);
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(example_dir().join("tasks.rs"), dir.path().join("tasks.rs")).unwrap();
    let path = dir.path().join("ecu.toml");
    std::fs::write(&path, &text).unwrap();
    (dir, path, text)
}

/// 1-based line of the first occurrence of `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in text"));
    text[..offset].matches('\n').count() + 1
}

struct Checked {
    code: Option<i32>,
    stderr: String,
}

fn check(paths: &[&Path]) -> Checked {
    let output = Command::new(env!("CARGO_BIN_EXE_ecuconf"))
        .arg("check")
        .args(paths)
        .output()
        .unwrap();
    Checked {
        code: output.status.code(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// Asserts exactly one diagnostic, at `path:line:`, whose message contains `message`.
fn assert_one_error(result: &Checked, path: &Path, line: usize, message: &str) {
    assert_eq!(result.code, Some(1), "stderr: {}", result.stderr);
    assert!(!result.stderr.contains("panicked"), "{}", result.stderr);
    let errors: Vec<&str> = result
        .stderr
        .lines()
        .filter(|l| l.contains(": error: "))
        .collect();
    assert_eq!(
        errors.len(),
        1,
        "want one diagnostic, got: {}",
        result.stderr
    );
    let prefix = format!("{}:{line}:", path.display());
    assert!(
        errors[0].starts_with(&prefix),
        "want {prefix}..., got: {}",
        errors[0]
    );
    assert!(
        errors[0].contains(message),
        "want {message:?} in: {}",
        errors[0]
    );
    assert!(
        result.stderr.contains("hint: "),
        "a diagnostic says what would fix it: {}",
        result.stderr
    );
    assert!(
        result.stderr.trim_end().ends_with("1 error"),
        "{}",
        result.stderr
    );
}

#[test]
fn the_example_is_valid() {
    let path = example_dir().join("ecu.toml");
    let result = check(&[&path]);
    assert_eq!(result.code, Some(0), "{}", result.stderr);
}

#[test]
fn toml_syntax_error() {
    let (_dir, path, text) = mutated("priority = 10", "priority = = 10");
    let result = check(&[&path]);
    assert_one_error(&result, &path, line_of(&text, "priority = = 10"), "");
    // The column points into the offending line, past the key.
    let column: usize = result
        .stderr
        .lines()
        .next()
        .unwrap()
        .split(':')
        .nth(2)
        .unwrap()
        .parse()
        .unwrap();
    assert!(column > 1, "{}", result.stderr);
}

#[test]
fn alarm_naming_an_unknown_task() {
    let (_dir, path, text) = mutated(
        "activate_task = \"SpeedMonitor\"",
        "activate_task = \"SpeedMonitr\"",
    );
    let result = check(&[&path]);
    assert_one_error(
        &result,
        &path,
        line_of(&text, "\"SpeedMonitr\""),
        "unknown task `SpeedMonitr`",
    );
    assert!(
        result
            .stderr
            .contains("element: alarms[SpeedAlarm].activate_task"),
        "{}",
        result.stderr
    );
    assert!(
        result.stderr.contains("`SpeedMonitor`"),
        "the hint lists known tasks: {}",
        result.stderr
    );
}

#[test]
fn duplicate_name() {
    let (_dir, path, text) = mutated("name = \"Logger\"", "name = \"LightControl\"");
    let result = check(&[&path]);
    let second = text.rfind("name = \"LightControl\"").unwrap();
    let line = text[..second].matches('\n').count() + 1;
    assert_one_error(&result, &path, line, "duplicate name `LightControl`");
    let first_line = line_of(&text, "name = \"LightControl\"");
    assert!(
        result
            .stderr
            .contains(&format!("{}:{first_line}:", path.display())),
        "the note points at the first definition: {}",
        result.stderr
    );
}

#[test]
fn zero_stack_size() {
    let (_dir, path, text) = mutated("stack_size = 2048", "stack_size = 0");
    let result = check(&[&path]);
    assert_one_error(
        &result,
        &path,
        line_of(&text, "stack_size = 0"),
        "stack_size is 0",
    );
    assert!(
        result.stderr.contains("element: tasks[Logger].stack_size"),
        "{}",
        result.stderr
    );
}

#[test]
fn more_bad_input_is_located_too() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "priority = 10",
            "priorty = 10",
            "priorty = 10",
            "unknown field `priorty`",
        ),
        (
            "priority = 10",
            "priority = 300",
            "priority = 300",
            "priority is 300",
        ),
        (
            "activation_limit = 2",
            "activation_limit = 9",
            "activation_limit = 9",
            "activation_limit is 9",
        ),
        (
            "counter = \"SystemTimer\"",
            "counter = \"Nope\"",
            "\"Nope\"",
            "unknown counter `Nope`",
        ),
        (
            "os_application = \"Powertrain\"",
            "os_application = \"X\"",
            "\"X\"",
            "unknown os_application `X`",
        ),
        (
            "entry = \"logger\"",
            "entry = \"fn\"",
            "entry = \"fn\"",
            "not a Rust function name",
        ),
        (
            "application = \"tasks.rs\"",
            "application = \"missing.rs\"",
            "\"missing.rs\"",
            "not found",
        ),
        (
            "name = \"Logger\"",
            "name = \"Speed_Monitor\"",
            "\"Speed_Monitor\"",
            "both become the constant `SPEED_MONITOR`",
        ),
        (
            "offset = 5, cycle = 10",
            "offset = 0, cycle = 10",
            "offset = 0",
            "offset is 0",
        ),
        (
            "offset = 5, cycle = 10",
            "offset = 5, cycle = 70000",
            "cycle = 70000",
            "cycle is 70000",
        ),
        (
            "name = \"Init\"",
            "name = \"1nit\"",
            "\"1nit\"",
            "not a valid name",
        ),
    ];
    for (from, to, at, message) in cases {
        let (_dir, path, text) = mutated(from, to);
        let result = check(&[&path]);
        assert_one_error(&result, &path, line_of(&text, at), message);
    }
}

#[test]
fn missing_file_and_garbage() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.toml");
    let result = check(&[&missing]);
    assert_one_error(&result, &missing, 1, "cannot read the file");

    let garbage = dir.path().join("garbage.toml");
    std::fs::write(&garbage, [0xff, 0xfe, 0x00, 0x41]).unwrap();
    let result = check(&[&garbage]);
    assert_eq!(result.code, Some(1), "{}", result.stderr);
    assert!(!result.stderr.contains("panicked"));

    let empty = dir.path().join("empty.toml");
    std::fs::write(&empty, "").unwrap();
    assert_one_error(&check(&[&empty]), &empty, 1, "no [ecu] section");
}

#[test]
fn a_description_split_across_files() {
    let text = example_toml();
    let split = text.find("[[tasks]]").unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(example_dir().join("tasks.rs"), dir.path().join("tasks.rs")).unwrap();
    let (os, tasks) = (dir.path().join("os.toml"), dir.path().join("tasks.toml"));
    std::fs::write(&os, &text[..split]).unwrap();
    std::fs::write(&tasks, &text[split..]).unwrap();
    let result = check(&[&os, &tasks]);
    assert_eq!(result.code, Some(0), "{}", result.stderr);

    // A mistake in the second file is reported in the second file.
    std::fs::write(
        &tasks,
        text[split..].replacen("stack_size = 2048", "stack_size = 12", 1),
    )
    .unwrap();
    let second = std::fs::read_to_string(&tasks).unwrap();
    assert_one_error(
        &check(&[&os, &tasks]),
        &tasks,
        line_of(&second, "stack_size = 12"),
        "stack_size 12",
    );
}

#[test]
fn counters_that_increment_each_other_are_rejected() {
    let cycle = r#"
[[counters]]
name = "Wheel"
max_allowed_value = 100

[[counters]]
name = "Axle"
max_allowed_value = 100

[[alarms]]
name = "WheelToAxle"
os_application = "Powertrain"
counter = "Wheel"
increment_counter = "Axle"
autostart = { offset = 1, cycle = 1 }

[[alarms]]
name = "AxleToWheel"
os_application = "Powertrain"
counter = "Axle"
increment_counter = "Wheel"
autostart = { offset = 1, cycle = 1 }
"#;
    let (_dir, path, text) = mutated(
        "[[os_applications]]",
        &format!("{cycle}\n[[os_applications]]"),
    );
    let result = check(&[&path]);
    let at = text.find("increment_counter = \"Axle\"").unwrap();
    let line = text[..at].matches('\n').count() + 1;
    assert_one_error(&result, &path, line, "increment each other");
}

#[test]
fn two_isrs_on_one_interrupt_line() {
    let fixture = example_dir().join("../../tests/fixtures/device_irq");
    let text = std::fs::read_to_string(fixture.join("ecu.toml")).unwrap()
        + "\n[[isrs]]\nname = \"TxIsr\"\ncategory = 2\npriority = 2\nos_application = \"Io\"\nentry = \"tx_isr\"\nirq = 10\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture.join("tasks.rs"), dir.path().join("tasks.rs")).unwrap();
    let path = dir.path().join("ecu.toml");
    std::fs::write(&path, &text).unwrap();
    let result = check(&[&path]);
    let line = text[..text.rfind("irq = 10").unwrap()]
        .matches('\n')
        .count()
        + 1;
    assert_one_error(
        &result,
        &path,
        line,
        "interrupt line 10 is already ISR RxIsr's",
    );
    assert!(
        result.stderr.contains("isrs[TxIsr].irq"),
        "{}",
        result.stderr
    );
}
