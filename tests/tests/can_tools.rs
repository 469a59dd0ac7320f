//! Real clients read the traces a CAN run writes: tshark decodes the pcap (SocketCAN link
//! type), python-can reads the candump log, cantools decodes a signal from it with the
//! fixture's DBC. The tools are installed by scripts/setup-toolchain.sh.

use std::process::Command;
use std::sync::OnceLock;

use ecu_tests::can::{run_scenario, CanRun};
use ecu_tests::repo_root;

fn run() -> &'static CanRun {
    static RUN: OnceLock<CanRun> = OnceLock::new();
    RUN.get_or_init(|| run_scenario("busoff.toml", 120, 7))
}

fn output(command: &mut Command) -> String {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e} (run scripts/setup-toolchain.sh)"));
    assert!(
        out.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn tshark_decodes_ids_and_payloads_of_the_pcap() {
    let run = run();
    let text = output(
        Command::new("tshark")
            .arg("-r")
            .arg(run.dir.join("powertrain.pcap"))
            .args(["-T", "fields", "-e", "can.id", "-e", "data.data"]),
    );
    let rows: Vec<(u32, String)> = text
        .lines()
        .map(|l| {
            let mut f = l.split('\t');
            let id = f.next().unwrap();
            let id = id.strip_prefix("0x").map_or_else(
                || id.parse().unwrap(),
                |h| u32::from_str_radix(h, 16).unwrap(),
            );
            (id, f.next().unwrap_or("").replace(':', ""))
        })
        .collect();
    assert_eq!(rows.len(), run.bus("powertrain").len());
    assert!(rows.contains(&(0x080, "1020304050607080".into())), "{text}");
    assert!(rows.contains(&(0x7E8, "025001".into())), "{text}");
    // Same ids and payloads, in the same order, as the candump log of the same run.
    for ((id, data), f) in rows.iter().zip(run.bus("powertrain")) {
        assert_eq!(*id, f.id);
        let hex: String = f.data.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(*data, hex);
    }
}

#[test]
fn python_can_reads_the_candump_log_and_cantools_decodes_a_signal() {
    let run = run();
    let script = r#"
import sys, can, cantools
db = cantools.database.load_file(sys.argv[2])
n = errors = 0
speeds = []
for m in can.LogReader(sys.argv[1]):
    n += 1
    if m.is_error_frame:
        errors += 1
        continue
    if m.arbitration_id == 0x300:
        speeds.append(db.decode_message(m.arbitration_id, m.data)["VehicleSpeed"])
print(n, errors, len(speeds), speeds[0] if speeds else None)
"#;
    let body = output(
        Command::new("python3")
            .args(["-c", script])
            .arg(run.dir.join("body.log"))
            .arg(repo_root().join("tests/fixtures/can_gateway/speed.dbc")),
    );
    let fields: Vec<&str> = body.split_whitespace().collect();
    assert_eq!(fields[0].parse::<usize>().unwrap(), run.bus("body").len());
    assert_eq!(fields[1], "0");
    assert!(fields[2].parse::<usize>().unwrap() >= 5, "{body}");
    assert_eq!(fields[3], "46.6", "0x1234 × 0.01 km/h");
    let diag = output(
        Command::new("python3")
            .args(["-c", script])
            .arg(run.dir.join("diag.log"))
            .arg(repo_root().join("tests/fixtures/can_gateway/speed.dbc")),
    );
    let fields: Vec<&str> = diag.split_whitespace().collect();
    assert_eq!(fields[1], "32", "the injected error frames: {diag}");
}
