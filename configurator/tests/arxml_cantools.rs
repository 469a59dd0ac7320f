//! Agreement with cantools: every ARXML test file that cantools itself loads is dumped by
//! `ecuconf dump` and compared frame by frame, signal by signal. cantools (and its source
//! distribution, which holds the test files) are installed when missing; a failure to do so
//! fails the test.

mod cantools;

use std::path::Path;
use std::process::Command;

use cantools::{cantools_files, ensure_cantools, python};
use serde_json::Value;

fn ecuconf_dump(file: &Path) -> Result<Value, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_ecuconf"))
        .arg("dump")
        .arg(file)
        .args(["--format", "json"])
        .output()
        .unwrap();
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(serde_json::from_slice(&out.stdout).expect("dump prints JSON"))
}

fn close(a: &Value, b: &Value) -> bool {
    let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn dump_agrees_with_cantools() {
    ensure_cantools();
    let files = cantools_files();
    let oracle = Command::new(python())
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/arxml/cantools_oracle.py"
        ))
        .args(&files)
        .output()
        .unwrap();
    assert!(
        oracle.status.success(),
        "{}",
        String::from_utf8_lossy(&oracle.stderr)
    );
    let oracle: Value = serde_json::from_slice(&oracle.stdout).unwrap();
    let (mut n_files, mut n_frames, mut n_signals) = (0, 0, 0);
    let mut problems = Vec::new();
    for f in &files {
        let want = &oracle[f.to_str().unwrap()];
        let ours = ecuconf_dump(f);
        let Some(frames) = want.get("frames").and_then(Value::as_array) else {
            // cantools rejects it: so must we (the bad-input files).
            assert!(
                ours.is_err(),
                "{}: cantools rejects it ({}), ecuconf accepts it",
                f.display(),
                want["error"]
            );
            continue;
        };
        let ours = match ours {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!(
                    "{}: cantools loads it, ecuconf fails:\n{e}",
                    f.display()
                ));
                continue;
            }
        };
        n_files += 1;
        let got = ours["can_frames"].as_array().unwrap();
        if got.len() != frames.len() {
            problems.push(format!(
                "{}: {} frames, cantools {}",
                f.display(),
                got.len(),
                frames.len()
            ));
        }
        for w in frames {
            n_frames += 1;
            let name = &w["name"];
            let Some(g) = got
                .iter()
                .find(|g| g["name"] == *name && g["id"] == w["id"])
            else {
                problems.push(format!("{}: frame {name} missing", f.display()));
                continue;
            };
            for k in ["id", "extended", "length"] {
                if g[k] != w[k] {
                    problems.push(format!(
                        "{}: frame {name}: {k} {} vs cantools {}",
                        f.display(),
                        g[k],
                        w[k]
                    ));
                }
            }
            let ws = w["signals"].as_array().unwrap();
            let gs = g["signals"].as_array().unwrap();
            if ws.len() != gs.len() {
                problems.push(format!(
                    "{}: frame {name}: {} signals vs cantools {}",
                    f.display(),
                    gs.len(),
                    ws.len()
                ));
            }
            for s in ws {
                n_signals += 1;
                let Some(o) = gs.iter().find(|o| o["name"] == s["name"]) else {
                    problems.push(format!("{}: {name}.{} missing", f.display(), s["name"]));
                    continue;
                };
                for k in ["start_bit", "length", "byte_order", "is_signed"] {
                    if o[k] != s[k] {
                        problems.push(format!(
                            "{}: {name}.{}: {k} {} vs cantools {}",
                            f.display(),
                            s["name"],
                            o[k],
                            s[k]
                        ));
                    }
                }
                for k in ["factor", "offset"] {
                    if !close(&o[k], &s[k]) {
                        problems.push(format!(
                            "{}: {name}.{}: {k} {} vs cantools {}",
                            f.display(),
                            s["name"],
                            o[k],
                            s[k]
                        ));
                    }
                }
            }
        }
    }
    println!(
        "cantools agreement: {n_files} files, {n_frames} frames, {n_signals} signals compared"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        n_files >= 8 && n_frames >= 16,
        "too little compared: {n_files} files, {n_frames} frames"
    );
}
