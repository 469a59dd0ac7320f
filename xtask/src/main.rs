//! The project's one entry point for what is more than one cargo command.
//!
//! `cargo xtask test`  installs what is missing (cross toolchain, QEMU), then runs every test:
//!                     host unit and behaviour tests, the generated images on the simulation
//!                     and on QEMU, and the cross builds for every board.
//! `cargo xtask bench` prints one `figure.name: value unit` line per figure (shared/BENCH.md).
//! `cargo xtask setup` only installs.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("repository root")
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn run(what: &str, command: &mut Command) -> Result<(), String> {
    eprintln!("xtask: {what}");
    let status = command
        .current_dir(repo_root())
        .status()
        .map_err(|e| format!("{what}: cannot start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what}: failed ({status})"))
    }
}

fn setup() -> Result<(), String> {
    run(
        "install the cross toolchain and QEMU if missing",
        Command::new("bash").arg(repo_root().join("scripts/setup-toolchain.sh")),
    )
}

fn test() -> Result<(), String> {
    setup()?;
    run(
        "check formatting",
        cargo().args(["fmt", "--all", "--", "--check"]),
    )?;
    run(
        "lint",
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--quiet",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    run(
        "run the test suite",
        cargo().args(["test", "--workspace", "--no-fail-fast"]),
    )
}

/// Runs `ecuconf` with `args` from the repository root; a failure carries its output.
/// Returns what it printed on stdout and stderr.
fn ecuconf(args: &[&std::ffi::OsStr]) -> Result<(String, String), String> {
    let output = cargo()
        .args([
            "run",
            "--quiet",
            "-p",
            "ecu-configurator",
            "--bin",
            "ecuconf",
            "--",
        ])
        .args(args)
        .current_dir(repo_root())
        .output()
        .map_err(|e| format!("ecuconf: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if !output.status.success() {
        return Err(format!("ecuconf {args:?}: {stderr}{stdout}"));
    }
    Ok((stdout, stderr))
}

/// Builds the image of a description (relative to the repository) for a target; its path.
fn build_image(description: &str, target: &str) -> Result<PathBuf, String> {
    let path = repo_root().join(description);
    let (stdout, _) = ecuconf(&[
        "build".as_ref(),
        path.as_os_str(),
        "--target".as_ref(),
        target.as_ref(),
    ])?;
    Ok(PathBuf::from(stdout.trim()))
}

/// Runs a QEMU R5F benchmark fixture (tests/fixtures/<fixture>) that times itself with the
/// cycle counter under `-icount shift=0` and prints `<line>: N` and, when its results were
/// right, `<check>`; prints the figure as `qemu-r5.<line>: N instructions`.
fn qemu_r5_fixture_figure(fixture: &str, line: &str, check: &str) -> Result<(), String> {
    let path = repo_root()
        .join("tests/fixtures")
        .join(fixture)
        .join("ecu.toml");
    let (stdout, _) = ecuconf(&[
        "run".as_ref(),
        path.as_os_str(),
        "--target".as_ref(),
        "qemu-r5".as_ref(),
        "--duration".as_ref(),
        "3ms".as_ref(),
    ])?;
    if !stdout.contains(check) {
        return Err(format!(
            "{fixture} on qemu-r5 did not print `{check}`:\n{stdout}"
        ));
    }
    let prefix = format!("{line}: ");
    let value = stdout
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .ok_or_else(|| format!("{fixture} printed no `{line}` line"))?;
    println!("qemu-r5.{line}: {} instructions", value.trim());
    Ok(())
}

fn bench(filter: Option<&str>) -> Result<(), String> {
    setup()?;
    let wanted = |name: &str| filter.is_none_or(|prefix| name.starts_with(prefix));
    for (board, target) in [
        ("qemu-r5", "qemu-r5"),
        ("qemu-r52", "qemu-r52"),
        ("tms570", "tms570"),
        ("tms570-ls1224", "tms570-ls1224"),
    ] {
        let names =
            [".text", ".data", ".bss"].map(|s| format!("{board}.image{}", s.replace('.', "_")));
        let kernel_text_name = format!("{board}.kernel_text");
        let qemu = board.starts_with("qemu-");
        // Some figure of this board's kernel images is wanted: they are worth running.
        let kernel_images =
            qemu && filter.is_none_or(|f| board.starts_with(f) || f.starts_with(board));
        if kernel_images {
            for line in qemu_kernel_figures(board, "bench", "")? {
                if wanted(&line) {
                    println!("{line}");
                }
            }
        }
        // The same paths with timing protection in force (execution budgets: every kernel
        // entry reads the clock and charges the running task).
        if kernel_images && board == "qemu-r5" {
            for line in qemu_kernel_figures(board, "bench_timed", "_timed")? {
                if wanted(&line) && !line.contains("calibration") && !line.contains("irq_vector") {
                    println!("{line}");
                }
            }
        }
        // The preemption figure split into the service and the task switch, by probes that
        // would cost the figures above instructions: an image of their own.
        if kernel_images {
            for line in qemu_kernel_figures(board, "bench_switch", "")? {
                let split =
                    line.contains(".context_switch:") || line.contains(".activate_service:");
                if split && wanted(&line) {
                    println!("{line}");
                }
            }
        }
        let sizes_wanted = names.iter().any(|n| wanted(n)) || qemu && wanted(&kernel_text_name);
        if !sizes_wanted {
            continue;
        }
        let elf = build_image("examples/body_ecu/ecu.toml", target)?;
        let bytes = std::fs::read(&elf).map_err(|e| format!("{}: {e}", elf.display()))?;
        if qemu && wanted(&kernel_text_name) {
            let size = kernel_text(&bytes).map_err(|e| format!("{}: {e}", elf.display()))?;
            println!("{kernel_text_name}: {size} bytes");
        }
        let sections = elf::section_sizes(&bytes).map_err(|e| format!("{}: {e}", elf.display()))?;
        for (name, section) in names.iter().zip([".text", ".data", ".bss"]) {
            if wanted(name) {
                let size: u64 = sections
                    .iter()
                    .filter(|(n, _)| n.starts_with(section))
                    .map(|(_, s)| s)
                    .sum();
                println!("{name}: {size} bytes");
            }
        }
    }
    if ["host.kernel"]
        .iter()
        .any(|n| wanted(n) || filter.is_some_and(|f| n.starts_with(f)))
    {
        kernel_service_costs(&wanted)?;
    }
    if wanted("sim.speed") {
        sim_speed()?;
    }
    if wanted("policy.verdict") {
        run(
            "policy verdict cost (callgrind)",
            Command::new("sh").arg("policy/bench.sh"),
        )?;
    }
    if wanted("qemu-r5.ipc_roundtrip") {
        // One IPC call and reply between two partitions, verdict included.
        qemu_r5_fixture_figure("ipc_bench", "ipc_roundtrip", "replies: ok")?;
    }
    if wanted("qemu-r5.gateway_frame") {
        // One routing decision of the generated route table.
        qemu_r5_fixture_figure("gateway_bench", "gateway_frame", "verdicts: ok")?;
    }
    if wanted("arxml") {
        run(
            "ARXML ingest (generated 100 MB file: quick-xml event loop, autosar-data; cantools on 10 MB)",
            cargo().args([
                "run",
                "--quiet",
                "--release",
                "-p",
                "ecu-configurator",
                "--example",
                "arxml_bench",
            ]),
        )?;
    }
    if wanted("gateway.route") {
        run(
            "gateway routing throughput",
            cargo().args(["bench", "--quiet", "-p", "ecu-com", "--bench", "gateway"]),
        )?;
    }
    Ok(())
}

/// Instructions the program executes, from callgrind (repeatable, unlike time).
fn callgrind(program: &Path, args: &[&str]) -> Result<u64, String> {
    let out = std::env::temp_dir().join(format!("xtask-callgrind-{}", std::process::id()));
    let status = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("valgrind: {e}"))?;
    if !status.success() {
        return Err(format!("valgrind {} {args:?}: {status}", program.display()));
    }
    let text = std::fs::read_to_string(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let _ = std::fs::remove_file(&out);
    text.lines()
        .find_map(|l| l.strip_prefix("summary: "))
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| "no summary in the callgrind output".to_owned())
}

/// Instructions per kernel service path on the host (os/examples/service_cost.rs): two runs
/// of different lengths, the difference per iteration, less the loop's own cost.
fn kernel_service_costs(wanted: &dyn Fn(&str) -> bool) -> Result<(), String> {
    run(
        "build the kernel service benchmark",
        cargo().args([
            "build",
            "--quiet",
            "--release",
            "-p",
            "ecu-os",
            "--example",
            "service_cost",
        ]),
    )?;
    let program = target_dir().join("release/examples/service_cost");
    let (short, long) = (1_000u64, 21_000u64);
    let per_iteration = |path: &str| -> Result<u64, String> {
        let a = callgrind(&program, &[path, &short.to_string()])?;
        let b = callgrind(&program, &[path, &long.to_string()])?;
        Ok((b.saturating_sub(a)) / (long - short))
    };
    let loop_cost = per_iteration("baseline")?;
    for (path, figure) in [
        ("null_service", "host.kernel.null_service"),
        ("activate_preempt", "host.kernel.activate_preempt_terminate"),
        ("get_release_resource", "host.kernel.get_release_resource"),
        ("tick", "host.kernel.tick_10_alarms"),
    ] {
        if wanted(figure) {
            let cost = per_iteration(path)?.saturating_sub(loop_cost);
            println!("{figure}: {cost} instructions");
        }
    }
    Ok(())
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"))
}

/// Simulated seconds per wall second for the ten-task benchmark ECU, median of five runs.
fn sim_speed() -> Result<(), String> {
    let image = build_image("examples/ten_tasks/ecu.toml", "sim")?;
    let simulated_s = 10.0;
    let mut walls = Vec::new();
    for _ in 0..5 {
        let start = std::time::Instant::now();
        let status = Command::new(&image)
            .args(["--ticks", "10000"])
            .stdout(std::process::Stdio::null())
            .status()
            .map_err(|e| format!("{}: {e}", image.display()))?;
        if !status.success() {
            return Err(format!("{}: {status}", image.display()));
        }
        walls.push(start.elapsed().as_secs_f64());
    }
    walls.sort_by(f64::total_cmp);
    println!(
        "sim.speed: {:.2} × real time",
        simulated_s / walls[walls.len() / 2]
    );
    Ok(())
}

/// Just enough ELF32 reading to size sections and functions, in either byte order (the
/// TMS570 is big-endian).
mod elf {
    struct Elf<'a> {
        bytes: &'a [u8],
        big: bool,
        shoff: usize,
        shentsize: usize,
        shnum: usize,
    }

    impl<'a> Elf<'a> {
        fn parse(bytes: &'a [u8]) -> Result<Self, String> {
            if bytes.len() < 52 || &bytes[..4] != b"\x7fELF" || bytes[4] != 1 {
                return Err("not a 32-bit ELF file".into());
            }
            let mut elf = Elf {
                bytes,
                big: bytes[5] == 2,
                shoff: 0,
                shentsize: 0,
                shnum: 0,
            };
            elf.shoff = elf.u32_at(32)? as usize;
            elf.shentsize = elf.u16_at(46)? as usize;
            elf.shnum = elf.u16_at(48)? as usize;
            Ok(elf)
        }

        fn u16_at(&self, at: usize) -> Result<u64, String> {
            let b: [u8; 2] = self
                .bytes
                .get(at..at + 2)
                .ok_or("truncated")?
                .try_into()
                .unwrap();
            Ok(if self.big {
                u16::from_be_bytes(b)
            } else {
                u16::from_le_bytes(b)
            } as u64)
        }

        fn u32_at(&self, at: usize) -> Result<u64, String> {
            let b: [u8; 4] = self
                .bytes
                .get(at..at + 4)
                .ok_or("truncated")?
                .try_into()
                .unwrap();
            Ok(if self.big {
                u32::from_be_bytes(b)
            } else {
                u32::from_le_bytes(b)
            } as u64)
        }

        /// Offset of section header `index`.
        fn header(&self, index: usize) -> usize {
            self.shoff + index * self.shentsize
        }

        /// The NUL-terminated name at `offset` of the string table at `strtab`.
        fn name(&self, strtab: usize, offset: u64) -> Result<String, String> {
            let name: Vec<u8> = self
                .bytes
                .get(strtab + offset as usize..)
                .ok_or("bad name")?
                .iter()
                .take_while(|&&c| c != 0)
                .copied()
                .collect();
            Ok(String::from_utf8_lossy(&name).into_owned())
        }
    }

    /// `(name, size)` of every section that takes memory (SHF_ALLOC).
    pub fn section_sizes(bytes: &[u8]) -> Result<Vec<(String, u64)>, String> {
        const SHF_ALLOC: u64 = 2;
        let elf = Elf::parse(bytes)?;
        let strtab = elf.u32_at(elf.header(elf.u16_at(50)? as usize) + 16)? as usize;
        let mut out = Vec::new();
        for i in 0..elf.shnum {
            if elf.u32_at(elf.header(i) + 8)? & SHF_ALLOC != 0 {
                let name = elf.name(strtab, elf.u32_at(elf.header(i))?)?;
                out.push((name, elf.u32_at(elf.header(i) + 20)?));
            }
        }
        Ok(out)
    }

    /// `(name, size)` of every function symbol (STT_FUNC) of the symbol table.
    pub fn function_sizes(bytes: &[u8]) -> Result<Vec<(String, u64)>, String> {
        const SHT_SYMTAB: u64 = 2;
        const STT_FUNC: u8 = 2;
        let elf = Elf::parse(bytes)?;
        let mut out = Vec::new();
        for i in 0..elf.shnum {
            if elf.u32_at(elf.header(i) + 4)? != SHT_SYMTAB {
                continue;
            }
            let offset = elf.u32_at(elf.header(i) + 16)? as usize;
            let size = elf.u32_at(elf.header(i) + 20)? as usize;
            let strtab_index = elf.u32_at(elf.header(i) + 24)? as usize;
            let strtab = elf.u32_at(elf.header(strtab_index) + 16)? as usize;
            for symbol in (offset..offset + size).step_by(16) {
                let info = *bytes.get(symbol + 12).ok_or("truncated")?;
                if info & 0xF == STT_FUNC {
                    let name = elf.name(strtab, elf.u32_at(symbol)?)?;
                    out.push((name, elf.u32_at(symbol + 8)?));
                }
            }
        }
        Ok(out)
    }
}

/// Kernel and port code of a board image: the functions whose (mangled) names carry the
/// `ecu_os` or `ecu_cortex_r` crate, plus the port's assembly entries. What LTO inlined into
/// the image's own functions is not counted.
fn kernel_text(elf_bytes: &[u8]) -> Result<u64, String> {
    let functions = elf::function_sizes(elf_bytes)?;
    Ok(functions
        .iter()
        .filter(|(name, _)| {
            name.contains("6ecu_os") || name.contains("ecu_cortex_r") || name.starts_with("_asm_")
        })
        .map(|(_, size)| size)
        .sum())
}

/// Instruction counts of the kernel's paths on the QEMU boards (tests/fixtures/`fixture`):
/// the image prints `<board>.<figure>: N instructions` lines itself; `suffix` goes after the
/// figure's name.
fn qemu_kernel_figures(board: &str, fixture: &str, suffix: &str) -> Result<Vec<String>, String> {
    let path = repo_root().join(format!("tests/fixtures/{fixture}/ecu.toml"));
    let (stdout, stderr) = ecuconf(&[
        "run".as_ref(),
        path.as_os_str(),
        "--target".as_ref(),
        board.as_ref(),
        "--duration".as_ref(),
        "8".as_ref(),
    ])?;
    // The image prints them through semihosting, which QEMU writes to its stderr.
    Ok(stdout
        .lines()
        .chain(stderr.lines())
        .map(str::trim_end)
        .filter(|l| l.starts_with(&format!("{board}.")) && l.ends_with(" instructions"))
        .map(|l| l.replacen(':', &format!("{suffix}:"), 1))
        .collect())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(),
        Some("setup") => setup(),
        Some("bench") => {
            let filter = args
                .iter()
                .position(|a| a == "--filter")
                .and_then(|i| args.get(i + 1));
            bench(filter.map(String::as_str))
        }
        _ => {
            eprintln!("usage: cargo xtask test | bench [--filter PREFIX] | setup");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}
