//! examples/ipc_ecu on the simulation: the generated image with its policy, typed stubs and
//! server tasks; what the kernel allowed and denied, as the trace shows it. Every allowed call
//! runs its handler in the server task (activated for it, in the server's partition) while the
//! caller waits; the example's clients check each reply (a wrong one shows as a `?.?` call).

use ecu_configurator::image::Target;
use ecu_tests::{at, example, run, squeezed_trace};

fn trace(seed: u64) -> Vec<String> {
    let ecu = example("ipc_ecu");
    let out = run(&ecu, Target::Sim, 30, seed);
    assert_eq!(out.exit_code, Some(0), "{}", out.stdout);
    squeezed_trace(&out)
}

/// An allowed call, as the trace shows it: the verdict, the server task's activation, the
/// caller waiting, the server running and releasing it, the caller resuming.
fn served(caller_app: &str, call: &str, caller: &str, server: &str) -> Vec<String> {
    vec![
        format!("ipc-call {caller_app} {call}"),
        format!("activate {server}"),
        format!("wait {caller}"),
        format!("start {server}"),
        format!("release {caller}"),
        format!("terminate {server}"),
        format!("resume {caller}"),
    ]
}

fn strings(lines: &[&str]) -> Vec<String> {
    lines.iter().map(|l| l.to_string()).collect()
}

#[test]
fn the_tester_reaches_the_flash_only_through_the_session_and_in_order() {
    let t = trace(0);
    let diag = |op: &str| {
        served(
            "Diag",
            &format!("Diagnostics.{op}"),
            "Tester",
            "DiagnosticsServer",
        )
    };
    let flash = |op: &str| served("Diag", &format!("Flash.{op}"), "Tester", "FlashServer");
    let mut expected = strings(&["activate Tester", "start Tester"]);
    expected.extend(diag("StartSession"));
    expected.extend(diag("StartSession"));
    expected.extend(strings(&[
        "ipc-deny Diag call Flash.Write OutOfOrder",
        "error IpcCall(-) E_OS_ACCESS",
    ]));
    expected.extend(flash("Erase"));
    expected.extend(flash("Write"));
    expected.extend(diag("StartSession"));
    expected.push("terminate Tester".into());
    assert_eq!(at(&t, 0), expected);
}

#[test]
fn the_intruder_is_denied_counted_and_the_others_keep_their_schedule() {
    let t = trace(0);
    let read_dtc = served(
        "Gateway",
        "Diagnostics.ReadDtc",
        "Intruder",
        "DiagnosticsServer",
    );
    let mut expected = strings(&[
        "alarm IntruderAlarm",
        "activate Intruder",
        "start Intruder",
        "ipc-deny Gateway call Lights.Set Denied",
        "error IpcCall(-) E_OS_ACCESS",
        "ipc-deny Gateway call Flash.Erase NoRule",
        "error IpcCall(-) E_OS_ACCESS",
    ]);
    for _ in 0..3 {
        expected.extend(read_dtc.clone());
    }
    expected.extend(strings(&[
        "ipc-deny Gateway call Diagnostics.ReadDtc RateLimited",
        "error IpcCall(-) E_OS_ACCESS",
        "ipc-deny Gateway call ?.? Malformed",
        "error IpcCall(-) E_OS_ACCESS",
        "ipc-deny Gateway call Lights.Set Malformed",
        "error IpcCall(-) E_OS_ACCESS",
        "terminate Intruder",
    ]));
    assert_eq!(at(&t, 7), expected);
    // Drive and Dash run every 10 ms whatever the intruder does.
    for tick in [2, 12, 22] {
        let mut drive = strings(&["alarm DriveAlarm", "activate Drive", "start Drive"]);
        drive.extend(served("Powertrain", "Lights.Set", "Drive", "LightsServer"));
        drive.extend(strings(&[
            "ipc-send Powertrain Status.Speed",
            "ipc-send Powertrain Status.Mode",
            "terminate Drive",
        ]));
        assert_eq!(at(&t, tick), drive, "tick {tick}");
        assert_eq!(
            at(&t, tick + 3)[..4],
            [
                "alarm DashAlarm",
                "activate Dash",
                "start Dash",
                "ipc-recv Comfort Status.Speed"
            ],
        );
    }
    // The trusted auditor reads the ring without an error.
    assert_eq!(
        at(&t, 9),
        [
            "alarm AuditAlarm",
            "activate Auditor",
            "start Auditor",
            "terminate Auditor"
        ]
    );
}

#[test]
fn the_ipc_trace_does_not_depend_on_the_seed() {
    assert_eq!(trace(0), trace(3));
}

/// The same kernel on the Cortex-R boards: IPC requests travel in six registers (argument
/// words 2 and 3 in r4-r5, which the intruder's malformed fourth word proves).
#[test]
fn the_ipc_example_traces_identically_on_sim_and_qemu() {
    let ecu = example("ipc_ecu");
    let sim = run(&ecu, Target::Sim, 30, 0);
    assert!(sim
        .trace()
        .iter()
        .any(|l| l.ends_with("Lights.Set Malformed")));
    for target in [Target::QemuR5, Target::QemuR52] {
        let qemu = run(&ecu, target, 30, 0);
        assert_eq!(qemu.exit_code, Some(0), "{}", qemu.stdout);
        assert_eq!(
            sim.trace(),
            qemu.trace(),
            "sim and {} differ",
            target.name()
        );
    }
}
