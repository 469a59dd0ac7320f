//! examples/ipc_ecu on the simulation: the generated image with its policy, typed stubs and
//! server handlers; what the kernel allowed and denied, as the trace shows it.

use ecu_configurator::image::Target;
use ecu_tests::{example, run};

fn trace(seed: u64) -> Vec<String> {
    let ecu = example("ipc_ecu");
    let out = run(&ecu, Target::Sim, 30, seed);
    assert_eq!(out.exit_code, Some(0), "{}", out.stdout);
    out.trace()
        .iter()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn at(trace: &[String], tick: u64) -> Vec<&str> {
    trace
        .iter()
        .filter(|l| l.split(' ').next() == Some(&tick.to_string()))
        .map(|l| l.split_once(' ').unwrap().1)
        .collect()
}

#[test]
fn the_tester_reaches_the_flash_only_through_the_session_and_in_order() {
    let t = trace(0);
    assert_eq!(
        at(&t, 0),
        [
            "activate Tester",
            "start Tester",
            "ipc-call Diag Diagnostics.StartSession",
            "ipc-call Diag Diagnostics.StartSession",
            "ipc-deny Diag call Flash.Write OutOfOrder",
            "error IpcCall(-) E_OS_ACCESS",
            "ipc-call Diag Flash.Erase",
            "ipc-call Diag Flash.Write",
            "ipc-call Diag Diagnostics.StartSession",
            "terminate Tester",
        ]
    );
}

#[test]
fn the_intruder_is_denied_counted_and_the_others_keep_their_schedule() {
    let t = trace(0);
    assert_eq!(
        at(&t, 7),
        [
            "alarm IntruderAlarm",
            "activate Intruder",
            "start Intruder",
            "ipc-deny Gateway call Lights.Set Denied",
            "error IpcCall(-) E_OS_ACCESS",
            "ipc-deny Gateway call Flash.Erase NoRule",
            "error IpcCall(-) E_OS_ACCESS",
            "ipc-call Gateway Diagnostics.ReadDtc",
            "ipc-call Gateway Diagnostics.ReadDtc",
            "ipc-call Gateway Diagnostics.ReadDtc",
            "ipc-deny Gateway call Diagnostics.ReadDtc RateLimited",
            "error IpcCall(-) E_OS_ACCESS",
            "ipc-deny Gateway call ?.? Malformed",
            "error IpcCall(-) E_OS_ACCESS",
            "ipc-deny Gateway call Lights.Set Malformed",
            "error IpcCall(-) E_OS_ACCESS",
            "terminate Intruder",
        ]
    );
    // Drive and Dash run every 10 ms whatever the intruder does.
    for tick in [2, 12, 22] {
        assert_eq!(
            at(&t, tick),
            [
                "alarm DriveAlarm",
                "activate Drive",
                "start Drive",
                "ipc-call Powertrain Lights.Set",
                "ipc-send Powertrain Status.Speed",
                "ipc-send Powertrain Status.Mode",
                "terminate Drive",
            ],
            "tick {tick}"
        );
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
