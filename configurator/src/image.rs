//! Images: the generated tables, the task bodies and a port, built into something that runs.
//!
//! An image is a small generated crate under `target/ecuconf/<ecu>-<target>/`, rendered from
//! the files of `templates/<target>/` plus `src/ecu.rs` (the kernel tables). It is built in the
//! workspace's one target directory with the workspace's lock file, so versions match.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde::Serialize;

use crate::generate::{kernel_tables, render_file, repo_root, templates_dir, write_if_changed};
use crate::model::Ecu;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The host simulation (default).
    Sim,
    /// QEMU versatileab with a Cortex-R5F.
    QemuR5,
    /// QEMU mps3-an536 with a Cortex-R52.
    QemuR52,
    /// TI TMS570LC4357 (big-endian Cortex-R5F, LAUNCHXL2-570LC43); builds only, runs on a board.
    Tms570,
    /// TI TMS570LS1224 (big-endian Cortex-R4F, LAUNCHXL2-TMS57012); builds only.
    Tms570Ls1224,
}

impl Target {
    pub const ALL: [Target; 5] = [
        Target::Sim,
        Target::QemuR5,
        Target::QemuR52,
        Target::Tms570,
        Target::Tms570Ls1224,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Target::Sim => "sim",
            Target::QemuR5 => "qemu-r5",
            Target::QemuR52 => "qemu-r52",
            Target::Tms570 => "tms570",
            Target::Tms570Ls1224 => "tms570-ls1224",
        }
    }

    /// The template directory: the TMS570 parts share one, told apart by `tms570_part`.
    pub fn templates(self) -> &'static str {
        match self {
            Target::Tms570Ls1224 => "tms570",
            other => other.name(),
        }
    }

    /// The TMS570 part a board target builds for.
    pub fn tms570_part(self) -> Option<&'static str> {
        match self {
            Target::Tms570 => Some("lc4357"),
            Target::Tms570Ls1224 => Some("ls1224"),
            _ => None,
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The Rust target triple of a cross target; None for the host.
    pub fn triple(self) -> Option<&'static str> {
        match self {
            Target::Sim => None,
            Target::QemuR5 => Some("armv7r-none-eabihf"),
            Target::QemuR52 => Some("armv8r-none-eabihf"),
            Target::Tms570 | Target::Tms570Ls1224 => Some("armebv7r-none-eabihf"),
        }
    }

    /// The board's facts (memory, MPU, interrupt lines); `None` for the simulation.
    pub fn board(self) -> Option<crate::memory::Board> {
        match self {
            Target::QemuR5 => Some(crate::memory::QEMU_R5),
            Target::QemuR52 => Some(crate::memory::QEMU_R52),
            Target::Tms570 => Some(crate::memory::TMS570LC4357),
            Target::Tms570Ls1224 => Some(crate::memory::TMS570LS1224),
            Target::Sim => None,
        }
    }

    /// Code generation flags of a cross target.
    /// - LLVM's Arm global merge pass is off: it merges statics into one anonymous symbol,
    ///   whose section no longer names its crate, so a partition's statics would miss the
    ///   linker script's placement and land in kernel memory (a User-mode task then faults on
    ///   its own data; seen at opt-level "z").
    /// - The QEMU boards' images are T32 (Thumb-2): about 28 % less code than A32 for the same
    ///   instruction counts. The TMS570 stays A32: its BE32 byte order with T32's
    ///   two-halfword instructions is unverified without a board. (Exception entries are A32
    ///   on all of them: `.arm` in the port's assembly.)
    pub fn rustflags(self) -> &'static str {
        match self {
            Target::QemuR5 | Target::QemuR52 => {
                "-Cllvm-args=-arm-global-merge=false -Ctarget-feature=+thumb-mode"
            }
            Target::Tms570 | Target::Tms570Ls1224 => "-Cllvm-args=-arm-global-merge=false",
            Target::Sim => "",
        }
    }
}

#[derive(Debug)]
pub enum ImageError {
    Generate(String),
    /// The cross toolchain or QEMU is missing.
    Toolchain(String),
    Build(String),
    Run(String),
}

impl std::fmt::Display for ImageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImageError::Generate(m) => write!(f, "generation failed: {m}"),
            ImageError::Toolchain(m) => write!(f, "{m}"),
            ImageError::Build(m) => write!(f, "image build failed: {m}"),
            ImageError::Run(m) => write!(f, "run failed: {m}"),
        }
    }
}

impl std::error::Error for ImageError {}

impl From<crate::generate::GenerateError> for ImageError {
    fn from(e: crate::generate::GenerateError) -> Self {
        ImageError::Generate(e.0)
    }
}

#[derive(Serialize)]
struct ImageContext<'a> {
    ecu: &'a Ecu,
    ecu_name: &'a str,
    repo_root: String,
    app_module: String,
    run_ticks: u64,
    package_name: String,
    /// The kernel's optional services the description uses (`ecu-os` features).
    os_features: Vec<&'static str>,
    /// `lc4357` or `ls1224` for the TMS570 targets.
    tms570_part: Option<&'static str>,
    /// The partition layout of the Cortex-R boards (MPU regions, linker sections).
    memory: Option<crate::memory::Layout>,
    /// Category 1 ISRs on device lines take FIQs, outside the kernel (the QEMU boards; the
    /// TMS570 keeps them on the kernel's IRQ path for now).
    fiq_category_1: bool,
    /// Glob patterns of the application module's mangled symbols (legacy `_ZN<len><crate>3app`
    /// and v0 `_R...<len><crate>3app`): the linker script puts its statics that name no
    /// partition into the common block.
    app_symbol_patterns: Vec<String>,
}

/// The image crate's name. Board images have the run length built in, so it is part of the
/// name: two runs of different lengths never overwrite each other's image. So is the source
/// tree the image builds from (a hash of its path): two checkouts sharing one target
/// directory never build, run or measure each other's image.
pub fn package_name(ecu: &Ecu, target: Target, run_ticks: u64) -> String {
    let ecu = ecu.name.to_ascii_lowercase();
    let tree = source_tree_tag();
    match target {
        Target::Sim => format!("ecu-image-{ecu}-sim-{tree}"),
        _ => format!("ecu-image-{ecu}-{}-{run_ticks}t-{tree}", target.name()),
    }
}

/// Six hex digits of the FNV-1a hash of the repository's path: stable for a checkout.
fn source_tree_tag() -> String {
    let path = repo_root();
    let hash = path
        .as_os_str()
        .as_encoded_bytes()
        .iter()
        .fold(0x811c_9dc5u32, |hash, &byte| {
            (hash ^ byte as u32).wrapping_mul(0x0100_0193)
        });
    format!("{:06x}", hash & 0xFF_FFFF)
}

/// The `ecu-os` features a board image needs: IPC when the description has a policy (the image
/// attaches its tables), CAN when it has buses. The rest of the kernel is always there.
pub fn os_features(ecu: &Ecu) -> Vec<&'static str> {
    let mut features = Vec::new();
    if ecu.ipc.policy.is_some() {
        features.push("ipc");
    }
    if !ecu.can.is_empty() {
        features.push("can");
    }
    features
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"))
}

/// Writes the image crate for `target` and returns its directory.
pub fn write_image(ecu: &Ecu, target: Target, run_ticks: u64) -> Result<PathBuf, ImageError> {
    if let Some(board) = target.board() {
        for isr in &ecu.isrs {
            if let Some(line) = isr.irq.filter(|&line| !board.free_line(line)) {
                return Err(ImageError::Generate(format!(
                    "{}: ISR {}: interrupt line {line} is not one the {} board gives to ISRs \
                     ({})",
                    ecu.name,
                    isr.name,
                    target.name(),
                    board.lines_described
                )));
            }
        }
    }
    if let Some(part) = target.tms570_part() {
        crate::can::check_tms570(ecu, part).map_err(ImageError::Generate)?;
    }
    let fiq_category_1 = target.board().is_some_and(|board| board.fiq_category_1);
    let untrusted_fiq = ecu.isrs.iter().find(|isr| {
        fiq_category_1
            && isr.category == 1
            && isr.irq.is_some()
            && isr.app.is_some_and(|app| !ecu.apps[app].trusted)
    });
    if let Some(isr) = untrusted_fiq {
        return Err(ImageError::Generate(format!(
            "{}: ISR {}: a category 1 ISR on a device line runs as a FIQ on the {} board, \
             privileged and outside the OS (no MPU partition, no timing protection): it must \
             belong to a trusted OS-Application",
            ecu.name,
            isr.name,
            target.name()
        )));
    }
    if target.tms570_part().is_some() && !ecu.stimuli.is_empty() {
        return Err(ImageError::Generate(format!(
            "{}: stimuli are raised by the simulation and the QEMU boards; on a {} the ISRs' \
             devices raise them (`[[isrs]] irq`)",
            ecu.name,
            target.name()
        )));
    }
    if target != Target::Sim {
        if let Some(s) = ecu.stimuli.iter().find(|s| s.jitter_us > 0) {
            return Err(ImageError::Generate(format!(
                "{}: the stimulus of ISR {} has jitter, which only the simulation draws (its \
                 seed); the {} board raises stimuli at their nominal times",
                ecu.name,
                ecu.isrs[s.isr].name,
                target.name()
            )));
        }
    }
    let package = package_name(ecu, target, run_ticks);
    let dir = target_dir().join("ecuconf").join(&package);
    let root = repo_root();
    let context = ImageContext {
        ecu,
        ecu_name: &ecu.name,
        repo_root: root.display().to_string(),
        app_module: ecu.application.display().to_string(),
        run_ticks,
        fiq_category_1,
        app_symbol_patterns: {
            let krate = package.replace('-', "_");
            let path = format!("{}{krate}3app", krate.len());
            vec![format!("_ZN{path}*"), format!("_R*{path}*")]
        },
        package_name: package,
        os_features: os_features(ecu),
        tms570_part: target.tms570_part(),
        memory: memory_layout(ecu, target)?,
    };
    let templates = templates_dir().join(target.templates());
    let mut files = Vec::new();
    collect_templates(&templates, &mut files)
        .map_err(|e| ImageError::Generate(format!("{}: {e}", templates.display())))?;
    if files.is_empty() {
        return Err(ImageError::Generate(format!(
            "no templates for target {} in {}",
            target.name(),
            templates.display()
        )));
    }
    files.sort();
    for template in files {
        let relative = template
            .strip_prefix(&templates)
            .expect("collected below it");
        let relative = relative.with_extension(""); // drops `.j2`
        write_if_changed(&dir.join(relative), &render_file(&template, &context)?)?;
    }
    write_if_changed(&dir.join("src").join("ecu.rs"), &kernel_tables(ecu)?)?;
    if !ecu.can.is_empty() {
        let tables = crate::can::can_tables(ecu).map_err(ImageError::Generate)?;
        write_if_changed(&dir.join("src").join("can.rs"), &tables)?;
    }
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).unwrap_or_default();
    if !dir.join("Cargo.lock").exists() && !lock.is_empty() {
        write_if_changed(&dir.join("Cargo.lock"), &lock)?;
    }
    Ok(dir)
}

/// The partition layout for the boards that enforce one.
pub fn memory_layout(
    ecu: &Ecu,
    target: Target,
) -> Result<Option<crate::memory::Layout>, ImageError> {
    let Some(board) = target.board() else {
        return Ok(None);
    };
    crate::memory::layout(ecu, board)
        .map(Some)
        .map_err(ImageError::Generate)
}

fn collect_templates(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_templates(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "j2") {
            out.push(path);
        }
    }
    Ok(())
}

/// Debian's rustc-web knows the bare-metal Arm targets; rustup's toolchain here does not.
const CROSS_RUSTC: &str = "/usr/bin/rustc";
const CROSS_CARGO: &str = "/usr/bin/cargo";

pub fn cross_toolchain_present() -> bool {
    Path::new(CROSS_RUSTC).exists()
        && Path::new(CROSS_CARGO).exists()
        && Path::new("/usr/lib/rustlib/src/rust/library").is_dir()
}

fn missing_toolchain() -> ImageError {
    ImageError::Toolchain(format!(
        "the cross toolchain is not installed ({CROSS_RUSTC} with the library sources): run {}",
        repo_root().join("scripts/setup-toolchain.sh").display()
    ))
}

/// Builds the image; returns the executable (host binary or ELF).
pub fn build(ecu: &Ecu, target: Target, run_ticks: u64) -> Result<PathBuf, ImageError> {
    let dir = write_image(ecu, target, run_ticks)?;
    let package = package_name(ecu, target, run_ticks);
    let mut command = match target.triple() {
        None => {
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let mut c = Command::new(cargo);
            c.args(["build", "--release", "--quiet"]);
            c
        }
        Some(triple) => {
            if !cross_toolchain_present() {
                return Err(missing_toolchain());
            }
            let mut c = Command::new(CROSS_CARGO);
            c.args([
                "build",
                "--release",
                "--quiet",
                "-Zbuild-std=core",
                "--target",
                triple,
            ])
            .env("RUSTC", CROSS_RUSTC)
            // build-std is unstable; this is the only place it is switched on.
            .env("RUSTC_BOOTSTRAP", "1")
            .env("RUSTFLAGS", target.rustflags())
            .env_remove("RUSTUP_TOOLCHAIN")
            .env_remove("RUSTC_WRAPPER")
            .env_remove("RUSTC_WORKSPACE_WRAPPER")
            .env_remove("CARGO_ENCODED_RUSTFLAGS");
            c
        }
    };
    command
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped());
    let output = command
        .output()
        .map_err(|e| ImageError::Build(format!("cannot start cargo: {e}")))?;
    if !output.status.success() {
        return Err(ImageError::Build(format!(
            "cargo build in {} failed:\n{}",
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    let mut path = target_dir();
    if let Some(triple) = target.triple() {
        path.push(triple);
    }
    path.push("release");
    path.push(&package);
    Ok(path)
}

/// What a run printed and how it ended.
#[derive(Debug, Clone)]
pub struct RunOutput {
    pub stdout: String,
    pub exit_code: Option<i32>,
}

impl RunOutput {
    /// The kernel trace lines, without the closing `end` line.
    pub fn trace(&self) -> Vec<&str> {
        self.stdout
            .lines()
            .filter(|l| !l.starts_with("end ") && !l.trim().is_empty())
            .collect()
    }
}

/// QEMU command line of a target that QEMU emulates.
pub fn qemu_command(target: Target, elf: &Path) -> Option<Command> {
    let machine: &[&str] = match target {
        Target::QemuR5 => &["-machine", "versatileab", "-cpu", "cortex-r5f"],
        Target::QemuR52 => &["-machine", "mps3-an536"],
        Target::Sim | Target::Tms570 | Target::Tms570Ls1224 => return None,
    };
    let mut c = Command::new("timeout");
    c.arg("--kill-after=5")
        .arg(QEMU_TIMEOUT.as_secs().to_string())
        .arg("qemu-system-arm")
        .args(machine)
        .args([
            "-nographic",
            "-audio",
            "none",
            "-monitor",
            "none",
            "-serial",
            "stdio",
        ])
        .args(["-semihosting-config", "enable=on,target=native"])
        // Guest time follows executed instructions: the same image gives the same run.
        // sleep=off: idle time is skipped, not waited for.
        .args(["-icount", "shift=0,sleep=off"])
        .arg("-kernel")
        .arg(elf);
    Some(c)
}

/// Upper bound of one QEMU run; the image ends itself through semihosting well before.
pub const QEMU_TIMEOUT: Duration = Duration::from_secs(120);

/// Builds and runs `ecu` on `target` for `run_ticks` ticks, in the default application mode.
pub fn run(ecu: &Ecu, target: Target, run_ticks: u64, seed: u64) -> Result<RunOutput, ImageError> {
    run_with(ecu, target, run_ticks, seed, &RunOptions::default())
}

/// What a run may ask beyond the defaults; all of it is the simulation's only.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// StartOS in this application mode (board images start in the default one).
    pub mode: Option<String>,
    /// Where the CAN bus traces go (`<bus>.pcap`, `<bus>.log`).
    pub pcap: Option<PathBuf>,
    pub candump: Option<PathBuf>,
    /// Each trace line starts with its virtual time in nanoseconds (for measurements).
    pub timestamps: bool,
}

/// As [`run`], with `options`.
pub fn run_with(
    ecu: &Ecu,
    target: Target,
    run_ticks: u64,
    seed: u64,
    options: &RunOptions,
) -> Result<RunOutput, ImageError> {
    if (options.pcap.is_some() || options.candump.is_some()) && target != Target::Sim {
        return Err(ImageError::Run(
            "--pcap and --candump need the simulation (--target sim)".into(),
        ));
    }
    if options.timestamps && target != Target::Sim {
        return Err(ImageError::Run(
            "timestamps need the simulation (--target sim)".into(),
        ));
    }
    let mode_index = match &options.mode {
        None => 0,
        Some(name) => ecu
            .app_modes
            .iter()
            .position(|m| m == name)
            .ok_or_else(|| {
                ImageError::Run(format!(
                    "no application mode `{name}` (the description has: {})",
                    ecu.app_modes.join(", ")
                ))
            })?,
    };
    if mode_index != 0 && target != Target::Sim {
        return Err(ImageError::Run(format!(
            "{} images start in the default mode `{}`; other modes run on the simulation",
            target.name(),
            ecu.app_modes[0]
        )));
    }
    let executable = build(ecu, target, run_ticks)?;
    let mut command = match target {
        Target::Sim => {
            let mut c = Command::new(&executable);
            c.args([
                "--ticks",
                &run_ticks.to_string(),
                "--seed",
                &seed.to_string(),
            ]);
            c.args(["--mode", &mode_index.to_string()]);
            if let Some(dir) = &options.pcap {
                c.arg("--pcap").arg(dir);
            }
            if let Some(dir) = &options.candump {
                c.arg("--candump").arg(dir);
            }
            if options.timestamps {
                c.arg("--timestamps");
            }
            c
        }
        Target::Tms570 | Target::Tms570Ls1224 => {
            return Err(ImageError::Run(format!(
                "the tms570 image runs on a board, not here: {} (see targets/tms570)",
                executable.display()
            )))
        }
        _ => {
            if Command::new("qemu-system-arm")
                .arg("--version")
                .output()
                .is_err()
            {
                return Err(ImageError::Toolchain(format!(
                    "qemu-system-arm is not installed: run {}",
                    repo_root().join("scripts/setup-toolchain.sh").display()
                )));
            }
            qemu_command(target, &executable).expect("a QEMU target")
        }
    };
    let output = command
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| ImageError::Run(format!("cannot start {}: {e}", executable.display())))?;
    let stdout = String::from_utf8_lossy(&output.stdout).replace('\r', "");
    Ok(RunOutput {
        // The boards print trace records as numbers; the simulation names them itself.
        stdout: match target {
            Target::Sim => stdout,
            _ => crate::trace::decode(ecu, &stdout),
        },
        exit_code: output.status.code(),
    })
}

/// `200ms`, `2s`, `1500us` or a bare number of ticks, in ticks of `tick_ns`.
pub fn parse_duration(text: &str, tick_ns: u32) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (e.g. 200ms, 2s, 1500us, 50)"))?;
    let ns_per_unit: u64 = match unit {
        "" => return Ok(value),
        "ns" => 1,
        "us" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        _ => return Err(format!("`{unit}` is not a time unit (ns, us, ms, s)")),
    };
    let ns = value
        .checked_mul(ns_per_unit)
        .ok_or_else(|| format!("`{text}` is too long"))?;
    if tick_ns == 0 {
        return Err("the description has no system tick".into());
    }
    if ns % tick_ns as u64 != 0 {
        return Err(format!(
            "`{text}` is not a whole number of {tick_ns} ns ticks"
        ));
    }
    Ok(ns / tick_ns as u64)
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("200ms", 1_000_000), Ok(200));
        assert_eq!(parse_duration("2s", 1_000_000), Ok(2000));
        assert_eq!(parse_duration("1500us", 500_000), Ok(3));
        assert_eq!(parse_duration("42", 1_000_000), Ok(42));
        assert!(parse_duration("1500us", 1_000_000).is_err());
        assert!(parse_duration("5 parsecs", 1_000_000).is_err());
        assert!(parse_duration("ms", 1_000_000).is_err());
    }
}
