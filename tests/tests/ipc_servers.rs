//! IPC server tasks under protection (tests/fixtures/ipc_servers): calls queue FIFO per
//! server task, a server killed by its budget or by the MPU fails its caller's call with
//! E_OS_STATE instead of leaving it blocked, and a caller killed while queued or while served
//! leaves nothing behind. The same on the simulation and both QEMU boards, except the hostile
//! read, which only the boards' MPU stops.

use ecu_configurator::image::Target;
use ecu_tests::{at, repo_root, run, squeezed_trace};

fn trace(target: Target) -> Vec<String> {
    let path = repo_root().join("tests/fixtures/ipc_servers/ecu.toml");
    let ecu = ecu_configurator::load(&[path]).unwrap_or_else(|d| panic!("{d}"));
    let out = run(&ecu, target, 14, 0);
    assert_eq!(out.exit_code, Some(0), "{}", out.stdout);
    // Every client checked its replies: a wrong one would show as a call to `?.?`.
    assert!(
        !out.stdout.contains("?.?"),
        "a wrong reply:\n{}",
        out.stdout
    );
    squeezed_trace(&out)
}

/// The lines of `trace` that contain `what`, in order.
fn matching<'a>(lines: &[&'a str], what: &str) -> Vec<&'a str> {
    lines.iter().copied().filter(|l| l.contains(what)).collect()
}

fn check_common(t: &[String]) {
    check_killed_while_served(t);
    // Priority inheritance: the server runs at its waiting caller's priority, above Middle.
    assert_eq!(
        at(t, 12),
        [
            "alarm MiddleAlarm",
            "activate Middle",
            "alarm HighAlarm",
            "activate High",
            "start High",
            "ipc-call Client Echo.Ping",
            "activate EchoServer",
            "wait High",
            "start EchoServer",
            "release High",
            "terminate EchoServer",
            "resume High",
            "terminate High",
            "start Middle",
            "terminate Middle",
        ]
    );
    // FIFO: Second has the higher priority but called second, so it is released second.
    let fifo = at(t, 2);
    assert_eq!(
        matching(&fifo, "release"),
        ["release First", "release Second"],
        "{fifo:#?}"
    );
    assert_eq!(
        matching(&fifo, "Echo.Ping"),
        ["ipc-call Client Echo.Ping", "ipc-call Client Echo.Ping"]
    );
    // The server task is activated once per call: the second time by the kernel when the
    // first activation ended with a call still queued.
    assert_eq!(matching(&fifo, "activate EchoServer").len(), 2, "{fifo:#?}");

    // Budget: the spinning server is killed, its caller's call fails, the system serves on.
    assert_eq!(
        at(t, 4),
        [
            "alarm SpinAlarm",
            "activate Spinner",
            "start Spinner",
            "ipc-call Client Slow.Spin",
            "activate SpinServer",
            "wait Spinner",
            "start SpinServer",
            "protect E_OS_PROTECTION_TIME SpinServer",
            "kill SpinServer",
            "release Spinner",
            "resume Spinner",
            "error IpcCall(-) E_OS_STATE",
            "ipc-call Client Echo.Ping",
            "activate EchoServer",
            "wait Spinner",
            "start EchoServer",
            "release Spinner",
            // The answer ends the server's activation in the same kernel entry.
            "terminate EchoServer",
            "resume Spinner",
            "terminate Spinner",
        ]
    );

    // A caller killed while queued: its call leaves the queue, the server finds nothing.
    assert_eq!(
        at(t, 6),
        [
            "alarm VictimAlarm",
            "activate Victim",
            "start Victim",
            "activate Bomber",
            "ipc-call Fragile Echo.Ping",
            "activate EchoServer",
            "wait Victim",
            "start Bomber",
            "protect E_OS_PROTECTION_TIME Bomber",
            "kill Victim",
            "kill Bomber",
            "terminate-app Fragile",
            "start EchoServer",
            "error IpcAccept(-) E_OS_NOFUNC",
            "terminate EchoServer",
        ]
    );
}

/// A caller killed while its call is served: the server finishes, its answer has no taker.
fn check_killed_while_served(t: &[String]) {
    let mut lines = at(t, 10);
    lines.extend(at(t, 11));
    assert_eq!(
        lines,
        [
            "alarm WaitAlarm",
            "activate Waiter",
            "start Waiter",
            "ipc-call Doomed Work.Run",
            "activate WorkServer",
            "wait Waiter",
            "start WorkServer",
            "alarm KillAlarm",
            "activate Killer",
            "preempt WorkServer",
            "start Killer",
            "protect E_OS_PROTECTION_TIME Killer",
            "kill Waiter",
            "kill Killer",
            "terminate-app Doomed",
            "resume WorkServer",
            "error IpcReply(-) E_OS_NOFUNC",
            "terminate WorkServer",
        ]
    );
}

#[test]
fn server_tasks_on_the_simulation() {
    let t = trace(Target::Sim);
    check_common(&t);
    // No MPU on the host: the hostile server's read succeeds (Asker expects that there).
    assert!(!t.iter().any(|l| l.contains("PROTECTION_MEMORY")));
}

fn check_board(target: Target) {
    let t = trace(target);
    check_common(&t);
    // The hostile server reads the client's partition: the MPU stops it, the server task is
    // killed, the caller's call fails and the caller goes on (its own secret intact).
    let hostile = at(&t, 8);
    let after_fault: Vec<&str> = hostile
        .iter()
        .copied()
        .skip_while(|l| !l.starts_with("protect"))
        .collect();
    assert_eq!(
        after_fault[..5],
        [
            "protect E_OS_PROTECTION_MEMORY PeekServer",
            "kill PeekServer",
            "release Asker",
            "resume Asker",
            "error IpcCall(-) E_OS_STATE",
        ],
        "{} {hostile:#?}",
        target.name()
    );
    // Asker's next call is served as usual.
    assert_eq!(
        hostile[hostile.len() - 8..hostile.len() - 1],
        [
            "ipc-call Client Echo.Ping",
            "activate EchoServer",
            "wait Asker",
            "start EchoServer",
            "release Asker",
            "terminate EchoServer",
            "resume Asker",
        ][..],
        "{hostile:#?}"
    );
    assert_eq!(hostile.last(), Some(&"terminate Asker"));
}

#[test]
fn server_tasks_on_qemu_r5() {
    check_board(Target::QemuR5);
}

#[test]
fn server_tasks_on_qemu_r52() {
    check_board(Target::QemuR52);
}
