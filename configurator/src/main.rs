//! `ecuconf`: check, generate, build and run an ECU description.

use std::path::PathBuf;
use std::process::ExitCode;

use ecu_configurator::analysis::analyse;
use ecu_configurator::generate::generate;
use ecu_configurator::image::{self, parse_duration, Target};
use ecu_configurator::report::report;
use ecu_configurator::{load, Ecu};

const USAGE: &str = "\
usage:
  ecuconf check FILE...
  ecuconf report FILE...
  ecuconf generate FILE... --out DIR
  ecuconf build FILE... [--target sim|qemu-r5|qemu-r52|tms570|tms570-ls1224] [--duration D]
  ecuconf run FILE... [--target sim|qemu-r5|qemu-r52] [--seed N] [--duration D] [--mode M]
              [--pcap DIR] [--candump DIR]   (sim: every CAN bus as DIR/<bus>.pcap, .log)
  ecuconf decode FILE... < CONSOLE_LOG   (a board's console: trace records with their names)
  ecuconf dump FILE... [--format json]
  ecuconf export-arxml FILE... -o OUT

FILE: TOML and/or ARXML (.arxml) descriptions making one ECU (see examples/body_ecu/ecu.toml).
D: 200ms, 2s, 1500us, or a number of ticks (default 100ms).
Exit codes: 0 ok, 1 the description has errors or is unschedulable, 2 usage,
3 build or run failure, otherwise the image's own exit code.";

/// Exit status for a description with errors.
const EXIT_DIAGNOSTICS: u8 = 1;
const EXIT_USAGE: u8 = 2;
const EXIT_FAILURE: u8 = 3;

struct Args {
    command: String,
    files: Vec<PathBuf>,
    out: Option<PathBuf>,
    target: Target,
    seed: u64,
    duration: String,
    format: String,
    run: image::RunOptions,
}

fn parse_args() -> Result<Args, String> {
    let mut raw = std::env::args().skip(1);
    let command = raw.next().ok_or("no command given")?;
    if command == "--help" || command == "-h" || command == "help" {
        return Err(String::new());
    }
    let mut args = Args {
        command,
        files: Vec::new(),
        out: None,
        target: Target::Sim,
        seed: 0,
        duration: "100ms".to_owned(),
        format: "json".to_owned(),
        run: image::RunOptions::default(),
    };
    while let Some(arg) = raw.next() {
        let mut value = |flag: &str| raw.next().ok_or_else(|| format!("{flag} needs a value"));
        match arg.as_str() {
            "--out" | "-o" => args.out = Some(PathBuf::from(value(&arg)?)),
            "--target" => {
                let name = value(&arg)?;
                args.target =
                    Target::parse(&name).ok_or_else(|| format!("unknown target `{name}`"))?;
            }
            "--seed" => {
                let v = value(&arg)?;
                args.seed = v
                    .parse()
                    .map_err(|_| format!("--seed `{v}` is not a number"))?;
            }
            "--duration" => args.duration = value(&arg)?,
            "--mode" => args.run.mode = Some(value(&arg)?),
            "--format" => args.format = value(&arg)?,
            "--pcap" => args.run.pcap = Some(PathBuf::from(value(&arg)?)),
            "--candump" => args.run.candump = Some(PathBuf::from(value(&arg)?)),
            "--help" | "-h" => return Err(String::new()),
            flag if flag.starts_with('-') => return Err(format!("unknown option `{flag}`")),
            file => args.files.push(PathBuf::from(file)),
        }
    }
    if args.files.is_empty() {
        return Err(format!(
            "`{}` needs at least one description file",
            args.command
        ));
    }
    Ok(args)
}

fn load_or_report(files: &[PathBuf]) -> Result<Ecu, ExitCode> {
    load(files).map_err(|diagnostics| {
        eprintln!("{diagnostics}");
        ExitCode::from(EXIT_DIAGNOSTICS)
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) if message.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("ecuconf: {message}\n{USAGE}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let ecu = match load_or_report(&args.files) {
        Ok(ecu) => ecu,
        Err(code) => return code,
    };
    match args.command.as_str() {
        "dump" if args.format != "json" => {
            eprintln!("ecuconf: unknown format `{}` (json)", args.format);
            return ExitCode::from(EXIT_USAGE);
        }
        "dump" => {
            println!("{}", ecu_configurator::dump::to_json(&ecu));
            return ExitCode::SUCCESS;
        }
        "decode" => {
            // Raw bytes: a console log may carry line noise that is not UTF-8.
            let mut console = Vec::new();
            if let Err(e) = std::io::Read::read_to_end(&mut std::io::stdin(), &mut console) {
                eprintln!("ecuconf: cannot read the console log: {e}");
                return ExitCode::from(EXIT_FAILURE);
            }
            let text = String::from_utf8_lossy(&console);
            print!("{}", ecu_configurator::trace::decode(&ecu, &text));
            return ExitCode::SUCCESS;
        }
        "export-arxml" => {
            let Some(out) = &args.out else {
                eprintln!("ecuconf: export-arxml needs -o OUT\n{USAGE}");
                return ExitCode::from(EXIT_USAGE);
            };
            for note in &ecu.network.export_notes {
                eprintln!("{}: warning: {}", note.location, note.message);
            }
            return match std::fs::write(out, ecu_configurator::export::to_arxml(&ecu)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("ecuconf: cannot write {}: {e}", out.display());
                    ExitCode::from(EXIT_FAILURE)
                }
            };
        }
        _ => {}
    }
    let analysis = analyse(&ecu);
    if args.command == "report" {
        print!("{}", report(&ecu, &analysis));
        print!("{}", ecu_configurator::ipc::report(&ecu));
        return ExitCode::SUCCESS;
    }
    // What cannot be proven schedulable is rejected before anything is generated or run.
    if let Err(diagnostics) = analysis.check(&ecu) {
        eprintln!("{diagnostics}");
        return ExitCode::from(EXIT_DIAGNOSTICS);
    }
    let ticks = || {
        parse_duration(&args.duration, ecu.tick_ns).map_err(|m| {
            eprintln!("ecuconf: --duration: {m}");
            ExitCode::from(EXIT_USAGE)
        })
    };
    match args.command.as_str() {
        "check" => {
            println!(
                "{}: ok ({} OS-Applications, {} tasks, {} alarms, {} counters)",
                ecu.name,
                ecu.apps.len(),
                ecu.tasks.len(),
                ecu.alarms.len(),
                ecu.counters.len()
            );
            ExitCode::SUCCESS
        }
        "generate" => {
            let Some(out) = &args.out else {
                eprintln!("ecuconf: generate needs --out DIR\n{USAGE}");
                return ExitCode::from(EXIT_USAGE);
            };
            match generate(&ecu, out) {
                Ok(paths) => {
                    for path in paths {
                        println!("{}", path.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("ecuconf: {e}");
                    ExitCode::from(EXIT_FAILURE)
                }
            }
        }
        "build" => {
            let ticks = match ticks() {
                Ok(t) => t,
                Err(code) => return code,
            };
            match image::build(&ecu, args.target, ticks) {
                Ok(path) => {
                    println!("{}", path.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("ecuconf: {e}");
                    ExitCode::from(EXIT_FAILURE)
                }
            }
        }
        "run" => {
            let ticks = match ticks() {
                Ok(t) => t,
                Err(code) => return code,
            };
            eprintln!(
                "ecuconf: running {} on {} for {ticks} ticks (seed {})",
                ecu.name,
                args.target.name(),
                args.seed
            );
            match image::run_with(&ecu, args.target, ticks, args.seed, &args.run) {
                Ok(output) => {
                    print!("{}", output.stdout);
                    match output.exit_code {
                        Some(0) => ExitCode::SUCCESS,
                        Some(code) => {
                            eprintln!("ecuconf: the image exited with code {code}");
                            ExitCode::from(u8::try_from(code).unwrap_or(EXIT_FAILURE))
                        }
                        None => {
                            eprintln!("ecuconf: the image was killed (timeout or signal)");
                            ExitCode::from(EXIT_FAILURE)
                        }
                    }
                }
                Err(e) => {
                    eprintln!("ecuconf: {e}");
                    ExitCode::from(EXIT_FAILURE)
                }
            }
        }
        other => {
            eprintln!("ecuconf: unknown command `{other}`\n{USAGE}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}
