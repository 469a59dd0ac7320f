//! The IPC part of a description: interfaces, servers, clients and the policy file, with
//! located diagnostics for each kind of mistake, the policy matrix in `ecuconf report`, and
//! the generated tables and typed stubs.

use std::path::{Path, PathBuf};
use std::process::Command;

fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/ipc_ecu")
}

/// The example with `from` replaced by `to` in `file` (ecu.toml or ecu.policy), in a temporary
/// copy.
fn mutated(file: &str, from: &str, to: &str) -> (tempfile::TempDir, PathBuf, String) {
    mutated_all(file, &[(from, to)])
}

/// As [`mutated`], with several replacements in the one file, in order.
fn mutated_all(file: &str, changes: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    for name in ["ecu.toml", "ecu.policy", "tasks.rs"] {
        let mut text = std::fs::read_to_string(example_dir().join(name)).unwrap();
        if name == file {
            for (from, to) in changes {
                assert!(text.contains(from), "{name} no longer contains {from:?}");
                text = text.replacen(from, to, 1);
            }
        }
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
    let path = dir.path().join("ecu.toml");
    (dir, path, text)
}

fn line_of(text: &str, needle: &str) -> usize {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in text"));
    text[..offset].matches('\n').count() + 1
}

fn ecuconf(command: &str, path: &Path) -> (Option<i32>, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_ecuconf"))
        .arg(command)
        .arg(path)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// One diagnostic at `file:line:`, with `message` and a hint.
fn assert_diagnostic(stderr: &str, file: &str, line: usize, message: &str) {
    let first = stderr.lines().next().unwrap_or("");
    assert!(
        first.contains(&format!("{file}:{line}:")) && first.contains(message),
        "expected {file}:{line}: ... {message}, got:\n{stderr}"
    );
    assert!(stderr.contains("hint:"), "no hint:\n{stderr}");
}

#[test]
fn the_example_checks_and_reports_its_policy_matrix() {
    let path = example_dir().join("ecu.toml");
    let (code, _, stderr) = ecuconf("check", &path);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stdout, _) = ecuconf("report", &path);
    assert_eq!(code, Some(0));
    for line in [
        "Gateway: 0 = Diagnostics, 1 = Lights, 2 = Flash",
        "Speed(value: u16) [queued 4]",
        "Mode(value: u8) [last is best]",
        "Powertrain call Lights.Set: allow:23",
        "Gateway call Lights.Set: deny:24",
        "Diag call Diagnostics.StartSession: allow:13 allow:14 allow:15",
    ] {
        assert!(stdout.contains(line), "{line:?} missing:\n{stdout}");
    }
}

#[test]
fn a_policy_error_is_located_in_the_policy_file() {
    let (_dir, path, text) = mutated(
        "ecu.policy",
        "allow Diag call Flash.Erase",
        "allow Dig call Flash.Erase",
    );
    let (code, _, stderr) = ecuconf("check", &path);
    assert_ne!(code, Some(0));
    assert_diagnostic(
        &stderr,
        "ecu.policy",
        line_of(&text, "allow Dig"),
        "unknown partition `Dig`",
    );
    assert!(stderr.contains("did you mean `Diag`?"), "{stderr}");
}

#[test]
fn a_policy_naming_an_unknown_operation_is_refused() {
    let (_dir, path, text) = mutated("ecu.policy", "Flash.Erase when", "Flash.Format when");
    let (_, _, stderr) = ecuconf("check", &path);
    assert_diagnostic(
        &stderr,
        "ecu.policy",
        line_of(&text, "Flash.Format"),
        "Format",
    );
}

#[test]
fn a_missing_policy_file_is_located_at_the_reference() {
    let (_dir, path, text) = mutated(
        "ecu.toml",
        "policy = \"ecu.policy\"",
        "policy = \"nope.policy\"",
    );
    let (_, _, stderr) = ecuconf("check", &path);
    assert_diagnostic(
        &stderr,
        "ecu.toml",
        line_of(&text, "nope.policy"),
        "cannot read the policy file",
    );
}

#[test]
fn a_client_of_an_unknown_interface_is_located() {
    let (_dir, path, text) = mutated(
        "ecu.toml",
        "os_application = \"Comfort\"\ninterface = \"Status\"",
        "os_application = \"Comfort\"\ninterface = \"Statsu\"",
    );
    let (_, _, stderr) = ecuconf("check", &path);
    assert_diagnostic(
        &stderr,
        "ecu.toml",
        line_of(&text, "\"Statsu\""),
        "unknown interface `Statsu`",
    );
}

#[test]
fn a_grant_that_disagrees_with_the_clients_is_refused() {
    let (_dir, path, text) = mutated(
        "ecu.policy",
        "grant Diag: Flash, Diagnostics;",
        "grant Diag: Diagnostics, Flash;",
    );
    let _ = text;
    let (_, _, stderr) = ecuconf("check", &path);
    assert!(
        stderr.contains(
            "the policy grants Diag handle 0 = Diagnostics, but its clients give handle 0 = Flash"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("ecu.toml:"),
        "located at the clients: {stderr}"
    );
}

#[test]
fn bad_interface_shapes_are_located() {
    for (from, to, message) in [
        (
            "type = \"u16\", queued = 4",
            "type = \"u17\", queued = 4",
            "unknown argument type `u17`",
        ),
        ("queued = 4", "queued = 0", "queued is 0"),
        (
            "kind = \"sender_receiver\"",
            "kind = \"pub_sub\"",
            "unknown interface kind `pub_sub`",
        ),
        (
            "task = \"FlashServer\"",
            "task = \"FlashSrv\"",
            "unknown task `FlashSrv`",
        ),
        (
            "task = \"FlashServer\"",
            "task = \"Drive\"",
            "task `Drive` belongs to `Powertrain`, not to the server `Diag`",
        ),
        (
            "task = \"FlashServer\"",
            // A comment makes the line unique, to locate it.
            "task = \"DiagnosticsServer\" # also Flash",
            "task `DiagnosticsServer` already serves `Diagnostics`",
        ),
        (
            "task = \"FlashServer\"",
            "handler = \"flash_server\"",
            "a server's handler is its task's `entry`",
        ),
        (
            "os_application = \"Diag\"\ntask = \"DiagnosticsServer\"",
            "os_application = \"Dig\"\ntask = \"DiagnosticsServer\"",
            "unknown OS-Application `Dig`",
        ),
        (
            "result = \"u32\"",
            "result = \"u64\"",
            "result type `u64` is not supported",
        ),
    ] {
        let (_dir, path, text) = mutated("ecu.toml", from, to);
        let (code, _, stderr) = ecuconf("check", &path);
        assert_ne!(code, Some(0), "{to}");
        // The line that changed.
        let needle = to.lines().find(|l| !from.lines().any(|f| f == *l)).unwrap();
        assert_diagnostic(&stderr, "ecu.toml", line_of(&text, needle), message);
    }
}

#[test]
fn the_generated_tables_hold_endpoints_handles_and_typed_stubs() {
    let ecu = ecu_configurator::load(&[example_dir().join("ecu.toml")]).unwrap();
    let rust = ecu_configurator::generate::kernel_tables(&ecu).unwrap();
    for needle in [
        "pub static IPC: IpcConfig",
        "kind: EndpointKind::Server { app: COMFORT, task: LIGHTS_SERVER }",
        // The server task's body is generated around its entry, the handler.
        "entry: lights::serve,",
        "pub fn serve(os: &Os) -> ecu_os::Exit {",
        "let handler: ecu_os::ipc::ServerHandler = crate::app::lights_server;",
        "match os.ipc_accept(1) {",
        "Ok((operation, args)) => os.ipc_reply_and_terminate(handler(os, operation, args)),",
        "&[1, 0, 2], // Gateway: 0 = Diagnostics, 1 = Lights, 2 = Flash",
        "QueueConfig { capacity: 4, first_slot: 0 }",
        "QueueConfig { capacity: 0, first_slot: 4 }",
        "pub fn set(os: &Os, level: u8) -> Result<u32, Error>",
        "os.ipc_call(HANDLE, SET, [level as u32, 0, 0, 0])",
        "const HANDLE: u16 = ecu_os::ipc::BY_INTERFACE | 0;",
        "pub fn start_session(os: &Os, session: Session) -> Result<u32, Error>",
        "pub fn write(os: &Os, addr: u32, len: u16) -> Result<u32, Error>",
        "pub fn send_speed(os: &Os, value: u16) -> Result<(), Error>",
        "pub fn receive_mode(os: &Os) -> Result<u8, Error>",
        "Extended = 2,",
        "pub static TABLES: ::ecu_policy::Tables<'static>",
        "pub fn attach_ipc(kernel: &mut Kernel)",
    ] {
        assert!(rust.contains(needle), "{needle:?} missing");
    }
    // Same description, same bytes.
    assert_eq!(
        rust,
        ecu_configurator::generate::kernel_tables(&ecu).unwrap()
    );
}

/// Port interfaces read from ARXML become endpoints too: a TOML part wires servers and
/// clients to them, and the policy names them.
#[test]
fn arxml_port_interfaces_are_endpoints() {
    let dir = tempfile::tempdir().unwrap();
    let body = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/body_ecu");
    let mut toml = std::fs::read_to_string(body.join("ecu.toml")).unwrap();
    toml = toml.replacen(
        "application = \"tasks.rs\"",
        "application = \"tasks.rs\"\npolicy = \"ecu.policy\"",
        1,
    );
    toml.push_str(
        "\n[[servers]]\ninterface = \"DoorControl\"\nos_application = \"Powertrain\"\ntask = \"DoorServer\"\n\
         \n[[tasks]]\nname = \"DoorServer\"\nos_application = \"Powertrain\"\npriority = 3\nstack_size = 1024\nentry = \"door_server\"\n\
         \n[[clients]]\nos_application = \"Comfort\"\ninterface = \"DoorControl\"\n\
         \n[[clients]]\nos_application = \"Comfort\"\ninterface = \"SpeedInfo\"\n\
         \n[[clients]]\nos_application = \"Powertrain\"\ninterface = \"SpeedInfo\"\n",
    );
    std::fs::write(dir.path().join("ecu.toml"), toml).unwrap();
    std::fs::copy(body.join("tasks.rs"), dir.path().join("tasks.rs")).unwrap();
    std::fs::write(
        dir.path().join("ecu.policy"),
        "allow Comfort call DoorControl.Unlock(door in 0..=3);\n\
         allow Powertrain send SpeedInfo.speed;\nallow Comfort receive SpeedInfo.speed;\n",
    )
    .unwrap();
    let arxml = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/arxml");
    let ecu = ecu_configurator::load(&[
        dir.path().join("ecu.toml"),
        arxml.join("network.arxml"),
        arxml.join("types.arxml"),
    ])
    .unwrap_or_else(|d| panic!("{d}"));
    let names: Vec<&str> = ecu.ipc.interfaces.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["DoorControl", "SpeedInfo"]);
    let door = &ecu.ipc.interfaces[0];
    assert_eq!(door.server_app, Some(0));
    let server_task = door.server_task.expect("DoorControl has its server task");
    assert_eq!(ecu.tasks[server_task].name, "DoorServer");
    assert_eq!(ecu.ipc.task_serves[server_task], Some(0));
    // The OUT argument is the reply, not a word the client sends.
    assert_eq!(door.operations[0].args.len(), 1);
    assert_eq!(door.operations[0].args[0].ty, "u8");
    assert_eq!(ecu.ipc.interfaces[1].operations[0].args[0].ty, "u16");
    let rust = ecu_configurator::generate::kernel_tables(&ecu).unwrap();
    assert!(rust.contains("pub fn unlock(os: &Os, door: u8) -> Result<u32, Error>"));
    assert!(rust.contains("pub fn receive_speed(os: &Os) -> Result<u16, Error>"));
    assert!(ecu
        .ipc
        .policy
        .as_ref()
        .unwrap()
        .report
        .contains("Comfort call DoorControl.Unlock"));
}

#[test]
fn server_calls_that_come_back_round_are_refused_where_the_cycle_closes() {
    let diagnostics_calls_flash = (
        "task = \"DiagnosticsServer\"",
        "task = \"DiagnosticsServer\"\ncalls = [\"Flash\"]",
    );
    // Diagnostics calls Flash: fine, Diag holds a handle for Flash.
    let (_dir, path, _) = mutated_all("ecu.toml", &[diagnostics_calls_flash]);
    let (code, _, stderr) = ecuconf("check", &path);
    assert_eq!(code, Some(0), "{stderr}");

    let flash_calls = |calls: &'static str| ("task = \"FlashServer\"", calls);
    let lights_calls = |calls: &'static str| ("task = \"LightsServer\"", calls);
    for (changes, marker, message) in [
        // ... and Flash calls Diagnostics back: the server task of Diagnostics would wait for
        // itself. Located at the call that closes the cycle, once.
        (
            vec![
                diagnostics_calls_flash,
                flash_calls("task = \"FlashServer\"\ncalls = [\"Diagnostics\"] # mark"),
            ],
            "# mark",
            "server calls come back round: `Diagnostics` -> `Flash` -> `Diagnostics`",
        ),
        // A server that calls its own interface.
        (
            vec![flash_calls(
                "task = \"FlashServer\"\ncalls = [\"Flash\"] # mark",
            )],
            "# mark",
            "server calls come back round: `Flash` -> `Flash`",
        ),
        // A call without a handle, and one of a sender-receiver interface.
        (
            vec![lights_calls(
                "task = \"LightsServer\"\ncalls = [\"Flash\"] # mark",
            )],
            "# mark",
            "`Comfort` holds no handle for `Flash`",
        ),
        (
            vec![lights_calls(
                "task = \"LightsServer\"\ncalls = [\"Status\"] # mark",
            )],
            "# mark",
            "`Status` is a sender-receiver interface",
        ),
    ] {
        let (_dir, path, text) = mutated_all("ecu.toml", &changes);
        let (code, _, stderr) = ecuconf("check", &path);
        assert_ne!(code, Some(0), "{message}");
        assert_diagnostic(&stderr, "ecu.toml", line_of(&text, marker), message);
        assert_eq!(stderr.matches("error:").count(), 1, "{stderr}");
    }
}
