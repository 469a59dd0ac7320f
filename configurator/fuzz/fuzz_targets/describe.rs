//! Arbitrary descriptions into the configurator: a TOML file and, after a NUL byte, the policy
//! it may name (`policy = "ecu.policy"`). Loading, the analysis, the reports, the JSON dump,
//! the ARXML export and the code generation must answer with diagnostics, never panic.
//!
//! The application module the descriptions name (`application = "tasks.rs"`) is every
//! example's and fixture's task file in one, so entry names of the seeds resolve.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// A directory of its own per process, with the shared application module.
fn workdir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("ecu-fuzz-describe-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut app = String::new();
        for parent in ["examples", "tests/fixtures"] {
            let Ok(entries) = std::fs::read_dir(root.join(parent)) else {
                continue;
            };
            for entry in entries.flatten() {
                if let Ok(text) = std::fs::read_to_string(entry.path().join("tasks.rs")) {
                    app.push_str(&text);
                    app.push('\n');
                }
            }
        }
        std::fs::write(dir.join("tasks.rs"), app).expect("the application module");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let cut = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (toml, policy) = data.split_at(cut);
    let policy = policy.get(1..).unwrap_or(&[]);
    let dir = workdir();
    let description = dir.join("ecu.toml");
    if std::fs::write(&description, toml).is_err()
        || std::fs::write(dir.join("ecu.policy"), policy).is_err()
    {
        return;
    }
    let Ok(ecu) = ecu_configurator::load(&[description]) else {
        return;
    };
    let analysis = ecu_configurator::analysis::analyse(&ecu);
    let _ = ecu_configurator::report::report(&ecu, &analysis);
    let _ = ecu_configurator::ipc::report(&ecu);
    let _ = analysis.check(&ecu);
    let _ = ecu_configurator::dump::to_json(&ecu);
    let _ = ecu_configurator::export::to_arxml(&ecu);
    let _ = ecu_configurator::generate::generate(&ecu, &dir.join("out"));
});
