//! cantools and the ARXML test files of its source distribution, installed into the temp dir
//! when missing (shared by the agreement test and the schema check of our export).

// Each test crate that includes this module uses only some of it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

const CANTOOLS: &str = "45.1.0";

pub fn python() -> &'static str {
    "python3"
}

pub fn ensure_cantools() {
    let ok = Command::new(python())
        .args(["-c", "import cantools"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        let st = Command::new(python())
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                &format!("cantools=={CANTOOLS}"),
            ])
            .status()
            .expect("run pip");
        assert!(st.success(), "cannot install cantools");
    }
}

/// The sdist's tests/files/arxml directory, downloaded and unpacked once into the temp dir.
pub fn cantools_files() -> Vec<PathBuf> {
    let root = std::env::temp_dir().join(format!("ecuconf-cantools-{CANTOOLS}"));
    let dir = root.join(format!("cantools-{CANTOOLS}/tests/files/arxml"));
    if !dir.is_dir() {
        std::fs::create_dir_all(&root).unwrap();
        let st = Command::new(python())
            .args([
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-binary",
                ":all:",
                "--no-deps",
            ])
            .arg(format!("cantools=={CANTOOLS}"))
            .arg("-d")
            .arg(&root)
            .status()
            .expect("run pip download");
        assert!(st.success(), "cannot download the cantools sdist");
        let st = Command::new("tar")
            .arg("xzf")
            .arg(root.join(format!("cantools-{CANTOOLS}.tar.gz")))
            .arg("-C")
            .arg(&root)
            .status()
            .expect("run tar");
        assert!(
            st.success() && dir.is_dir(),
            "cannot unpack the cantools sdist"
        );
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "arxml"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 10,
        "expected cantools' ARXML test files in {}",
        dir.display()
    );
    files
}
