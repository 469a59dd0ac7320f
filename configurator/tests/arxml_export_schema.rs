//! `ecuconf export-arxml` output checked by an independent reader: the `autosar-data` crate
//! validates every element, attribute and value against the AUTOSAR schema while it parses
//! (strict mode turns each finding into an error). Checked for the example ECUs and for every
//! cantools ARXML test file that ecuconf reads.

mod cantools;

use std::path::{Path, PathBuf};
use std::process::Command;

use autosar_data::{AutosarModel, ElementName};

/// Runs `ecuconf export-arxml` on `inputs`: the ARXML and the warnings, or None when ecuconf
/// rejects the inputs.
fn export(inputs: &[PathBuf], out: &Path) -> Option<(String, String)> {
    let run = Command::new(env!("CARGO_BIN_EXE_ecuconf"))
        .arg("export-arxml")
        .args(inputs)
        .arg("-o")
        .arg(out)
        .output()
        .unwrap();
    run.status.success().then(|| {
        (
            std::fs::read_to_string(out).unwrap(),
            String::from_utf8_lossy(&run.stderr).into_owned(),
        )
    })
}

/// Problems autosar-data finds in `text`: parse errors, schema findings, and references to
/// elements the export itself should contain (ECUC definition references point into the
/// standard definitions, which are not part of the export).
fn schema_problems(name: &str, text: &str) -> Vec<String> {
    let model = AutosarModel::new();
    let warnings = match model.load_buffer(text.as_bytes(), name, true) {
        Ok((_, warnings)) => warnings,
        Err(e) => return vec![e.to_string()],
    };
    let mut problems: Vec<String> = warnings.iter().map(ToString::to_string).collect();
    for weak in model.check_references() {
        let Some(r) = weak.upgrade() else { continue };
        if r.element_name() != ElementName::DefinitionRef {
            problems.push(format!(
                "dangling {} {}",
                r.element_name(),
                r.character_data()
                    .map(|c| c.to_string())
                    .unwrap_or_default()
            ));
        }
    }
    problems
}

#[test]
fn example_ecus_export_schema_valid_arxml() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for e in std::fs::read_dir(&examples).unwrap() {
        let example = e.unwrap().path();
        let toml = example.join("ecu.toml");
        if !toml.is_file() {
            continue;
        }
        // An example may take its network from ARXML beside the TOML (examples/can_ecu).
        let mut files = vec![toml.clone()];
        let mut arxml: Vec<_> = std::fs::read_dir(&example)
            .unwrap()
            .map(|f| f.unwrap().path())
            .filter(|f| f.extension().is_some_and(|x| x == "arxml"))
            .collect();
        arxml.sort();
        files.extend(arxml);
        let out = dir.path().join("export.arxml");
        let (text, _) =
            export(&files, &out).unwrap_or_else(|| panic!("ecuconf rejects {}", toml.display()));
        let problems = schema_problems("export.arxml", &text);
        assert!(problems.is_empty(), "{}: {problems:#?}", toml.display());
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} example ECUs found");
}

#[test]
fn cantools_files_export_schema_valid_arxml() {
    let dir = tempfile::tempdir().unwrap();
    let (mut checked, mut problems, mut flattened) = (0, Vec::new(), 0);
    for f in cantools::cantools_files() {
        let out = dir.path().join("export.arxml");
        // The files ecuconf rejects are the bad-input ones (the agreement test checks that
        // cantools rejects them too).
        let Some((text, warnings)) = export(std::slice::from_ref(&f), &out) else {
            continue;
        };
        // Multiplexed, container and secured PDUs are written flat, and each is reported
        // at its place in the input.
        for w in warnings.lines().filter(|w| w.contains("warning:")) {
            let at = format!("{}:", f.display());
            assert!(w.starts_with(&at), "{w}");
            assert!(w.contains("PDU") && w.contains("flat"), "{w}");
            flattened += 1;
        }
        for p in schema_problems("export.arxml", &text) {
            problems.push(format!("{}: {p}", f.display()));
        }
        checked += 1;
    }
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(checked >= 8, "only {checked} cantools files exported");
    assert!(
        flattened > 0,
        "no multiplexed/container/secured PDU reported"
    );
    eprintln!(
        "{checked} cantools files exported, each schema-valid; {flattened} PDUs written flat"
    );
}

#[test]
fn pdur_routes_export_schema_valid_arxml() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/arxml/pdur.arxml");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export.arxml");
    let (text, _) = export(&[fixture], &out).expect("ecuconf reads the PduR fixture");
    assert!(text.contains("PduRRoutingPath"), "no routing path exported");
    let problems = schema_problems("export.arxml", &text);
    assert!(problems.is_empty(), "{problems:#?}");
}
