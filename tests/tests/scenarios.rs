//! The behaviour suite written as scenarios: every directory `tests/scenarios/<area>_<name>/`
//! holds a description (`ecu.toml`), its task bodies (`tasks.rs`) and the kernel trace the
//! OSEK/VDX OS 2.2.3 and AUTOSAR SWS_Os specifications make us expect (`expected.trace`,
//! derived by hand before the first run). Each scenario is built as its own simulation image
//! and run; the trace must match line for line (whitespace-insensitive).
//!
//! Scenarios listed in `tests/scenarios/KNOWN_DEVIATIONS.md` (a `### <name>` heading each)
//! are where the kernel departs from the specification: they are run and reported apart, and
//! the suite fails if one of them starts to pass, so the list stays honest.
//!
//! `SCENARIOS=substring` runs only the scenarios whose name contains it; `SCENARIOS_SHOW=1`
//! prints every trace the kernel gave.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ecu_configurator::image::Target;
use ecu_tests::squeeze;

fn scenarios_dir() -> PathBuf {
    ecu_tests::repo_root().join("tests").join("scenarios")
}

struct Expected {
    ticks: u64,
    seed: u64,
    lines: Vec<String>,
}

fn parse_expected(path: &Path) -> Result<Expected, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut ticks = None;
    let mut seed = 0;
    let mut lines = Vec::new();
    for raw in text.lines() {
        let line = raw.trim();
        if let Some(comment) = line.strip_prefix('#') {
            let comment = comment.trim();
            if let Some(value) = comment.strip_prefix("ticks:") {
                ticks = Some(
                    value
                        .trim()
                        .parse()
                        .map_err(|e| format!("{}: bad `# ticks:` value: {e}", path.display()))?,
                );
            } else if let Some(value) = comment.strip_prefix("seed:") {
                seed = value
                    .trim()
                    .parse()
                    .map_err(|e| format!("{}: bad `# seed:` value: {e}", path.display()))?;
            }
            continue;
        }
        if !line.is_empty() {
            lines.push(squeeze(line));
        }
    }
    let ticks = ticks.ok_or_else(|| format!("{}: no `# ticks: N` line", path.display()))?;
    // `end N`: the ticks run, or fewer when the scenario shuts the OS down.
    if !lines.last().is_some_and(|l| l.starts_with("end ")) {
        return Err(format!("{}: must end with `end N`", path.display()));
    }
    Ok(Expected { ticks, seed, lines })
}

/// The known deviations: `### <scenario>` headings of KNOWN_DEVIATIONS.md.
fn known_deviations(dir: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(dir.join("KNOWN_DEVIATIONS.md")).unwrap_or_default();
    text.lines()
        .filter_map(|l| l.strip_prefix("### "))
        .map(|l| l.trim().trim_matches('`').to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Runs one scenario: `Ok(())` if the trace matches, else a readable diff.
fn run_scenario(dir: &Path) -> Result<(), String> {
    let expected = parse_expected(&dir.join("expected.trace"))?;
    let ecu = ecu_configurator::load(&[dir.join("ecu.toml")]).map_err(|d| format!("load: {d}"))?;
    let output = ecu_configurator::image::run(&ecu, Target::Sim, expected.ticks, expected.seed)
        .map_err(|e| format!("build/run: {e}"))?;
    let got: Vec<String> = output
        .stdout
        .lines()
        .map(squeeze)
        .filter(|l| !l.is_empty())
        .collect();
    if std::env::var_os("SCENARIOS_SHOW").is_some() {
        eprintln!("--- {} ---\n{}", dir.display(), got.join("\n"));
    }
    if got == expected.lines {
        return Ok(());
    }
    let at = got
        .iter()
        .zip(&expected.lines)
        .position(|(g, e)| g != e)
        .unwrap_or(got.len().min(expected.lines.len()));
    let show = |lines: &[String]| lines.get(at).cloned().unwrap_or_else(|| "<nothing>".into());
    let context: Vec<String> = got[at.saturating_sub(3)..got.len().min(at + 4)]
        .iter()
        .map(|l| format!("        {l}"))
        .collect();
    Err(format!(
        "first difference at trace line {}:\n    expected: {}\n    got:      {}\n    (got {} lines, expected {}; the kernel's trace around it:)\n{}",
        at + 1,
        show(&expected.lines),
        show(&got),
        got.len(),
        expected.lines.len(),
        context.join("\n")
    ))
}

#[test]
fn scenarios_match_the_specification() {
    let dir = scenarios_dir();
    let filter = std::env::var("SCENARIOS").unwrap_or_default();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("ecu.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no scenarios in {}", dir.display());
    let deviations = known_deviations(&dir);
    for listed in &deviations {
        assert!(
            names.contains(listed),
            "KNOWN_DEVIATIONS.md lists `{listed}`, which is not a scenario directory"
        );
    }
    names.retain(|n| n.contains(&filter));
    assert!(!names.is_empty(), "no scenario matches SCENARIOS={filter}");

    let started = Instant::now();
    let mut failures = Vec::new();
    let mut deviating = Vec::new();
    let mut now_passing = Vec::new();
    let mut areas = std::collections::BTreeMap::<String, usize>::new();
    for name in &names {
        let area = name.split('_').next().unwrap_or(name).to_string();
        *areas.entry(area).or_default() += 1;
        let result = run_scenario(&dir.join(name));
        match (result, deviations.contains(name)) {
            (Ok(()), false) => eprintln!("ok        {name}"),
            (Err(diff), false) => {
                eprintln!("FAILED    {name}");
                failures.push(format!("{name}: {diff}"));
            }
            (Err(diff), true) => {
                eprintln!("deviation {name} (known, see KNOWN_DEVIATIONS.md)");
                deviating.push(format!("{name}: {diff}"));
            }
            (Ok(()), true) => {
                eprintln!("PASSES    {name} (listed as a known deviation)");
                now_passing.push(name.clone());
            }
        }
    }
    let per_area: Vec<String> = areas.iter().map(|(a, n)| format!("{a} {n}")).collect();
    eprintln!(
        "\n{} scenarios run in {:.1}s ({}): {} passed, {} failed, {} known deviations",
        names.len(),
        started.elapsed().as_secs_f64(),
        per_area.join(", "),
        names.len() - failures.len() - deviating.len() - now_passing.len(),
        failures.len(),
        deviating.len()
    );
    for d in &deviating {
        eprintln!("\nknown deviation {d}");
    }
    let mut problems = failures;
    for name in now_passing {
        problems.push(format!(
            "{name}: passes now, but KNOWN_DEVIATIONS.md lists it: take it off the list"
        ));
    }
    assert!(
        problems.is_empty(),
        "{} of {} scenarios failed:\n\n{}",
        problems.len(),
        names.len(),
        problems.join("\n\n")
    );
}
