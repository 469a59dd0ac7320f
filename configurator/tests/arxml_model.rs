//! ARXML into the one model: a mixed description (TOML for the OS, ARXML for the network),
//! cross-file references, export and read back, and ARXML errors in the common diagnostics.

use std::path::PathBuf;

use ecu_configurator::export::to_arxml;
use ecu_configurator::load;
use ecu_configurator::network::ByteOrder;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/arxml")
        .join(name)
}

fn body_toml() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/body_ecu/ecu.toml")
}

fn network_files() -> Vec<PathBuf> {
    vec![fixture("network.arxml"), fixture("types.arxml")]
}

#[test]
fn network_from_two_files() {
    let ecu = load(&network_files()).unwrap_or_else(|d| panic!("{d}"));
    let net = &ecu.network;
    assert_eq!(net.clusters.len(), 1);
    assert_eq!(net.clusters[0].baudrate, Some(500_000));
    assert_eq!(net.frames.len(), 2);
    let door = &net.frames[0];
    assert_eq!(
        (door.name.as_str(), door.id, door.extended, door.length),
        ("DoorStatus", 0x120, false, 2)
    );
    assert_eq!(door.senders, ["BodyEcu"]);
    let temp = door.signals.iter().find(|s| s.name == "DoorTemp").unwrap();
    assert_eq!(
        (temp.start_bit, temp.length, temp.byte_order, temp.is_signed),
        (15, 8, ByteOrder::BigEndian, true)
    );
    assert_eq!((temp.factor.0, temp.offset.0), (0.5, -20.0));
    let speed = &net.frames[1];
    assert!(speed.extended);
    assert_eq!(speed.id, 0x18FE_F100);
    assert_eq!(speed.receivers, ["BodyEcu"]);
    assert_eq!(speed.signals[0].factor.0, 0.01);
    assert_eq!(ecu.interfaces.len(), 2);
    assert_eq!(ecu.interfaces[0].operations[0].arguments.len(), 2);
    assert_eq!(ecu.interfaces[1].data_elements[0].name, "speed");
    assert!(ecu.tasks.is_empty());
}

#[test]
fn mixed_toml_and_arxml_is_one_model() {
    let toml_only = load(&[body_toml()]).unwrap_or_else(|d| panic!("{d}"));
    let mut files = vec![body_toml()];
    files.extend(network_files());
    let mixed = load(&files).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(mixed.tasks, toml_only.tasks);
    assert_eq!(mixed.alarms, toml_only.alarms);
    assert_eq!(mixed.apps, toml_only.apps);
    assert_eq!(mixed.network, load(&network_files()).unwrap().network);
    assert_eq!(mixed.interfaces.len(), 2);
}

#[test]
fn os_part_round_trips_through_arxml() {
    let toml_only = load(&[body_toml()]).unwrap_or_else(|d| panic!("{d}"));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("os.arxml");
    std::fs::write(&out, to_arxml(&toml_only)).unwrap();
    // The [ecu] section (name, application file) has no ECUC counterpart: TOML gives it.
    let app = body_toml().parent().unwrap().join("tasks.rs");
    let ecu_toml = dir.path().join("ecu.toml");
    std::fs::write(
        &ecu_toml,
        format!(
            "[ecu]\nname = \"BodyEcu\"\napplication = {:?}\n",
            app.display().to_string()
        ),
    )
    .unwrap();
    let back = load(&[ecu_toml, out]).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(back.apps, toml_only.apps);
    assert_eq!(back.counters, toml_only.counters);
    assert_eq!(back.events, toml_only.events);
    assert_eq!(back.alarms, toml_only.alarms);
    assert_eq!(back.tick_ns, toml_only.tick_ns);
    for (b, t) in back.tasks.iter().zip(&toml_only.tasks) {
        assert_eq!(
            (
                &b.name,
                b.priority,
                b.app,
                b.stack_size,
                b.activation_limit,
                b.autostart,
                b.event_mask,
                b.resource_mask
            ),
            (
                &t.name,
                t.priority,
                t.app,
                t.stack_size,
                t.activation_limit,
                t.autostart,
                t.event_mask,
                t.resource_mask
            )
        );
    }
    assert_eq!(back.tasks.len(), toml_only.tasks.len());
}

#[test]
fn network_round_trips_through_arxml() {
    let ecu = load(&network_files()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export.arxml");
    std::fs::write(&out, to_arxml(&ecu)).unwrap();
    let back = load(&[out]).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(back.interfaces, ecu.interfaces);
    assert_eq!(back.network.clusters, ecu.network.clusters);
    for (b, e) in back.network.frames.iter().zip(&ecu.network.frames) {
        assert_eq!(
            (&b.name, b.id, b.extended, b.length, &b.cluster),
            (&e.name, e.id, e.extended, e.length, &e.cluster)
        );
        assert_eq!(b.signals, e.signals);
        assert_eq!((&b.senders, &b.receivers), (&e.senders, &e.receivers));
    }
}

#[test]
fn arxml_errors_are_located_in_the_common_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.arxml");
    let text = std::fs::read_to_string(fixture("network.arxml"))
        .unwrap()
        .replace(
            "<IDENTIFIER>0x120</IDENTIFIER>",
            "<IDENTIFIER>0x920</IDENTIFIER>",
        );
    std::fs::write(&bad, text).unwrap();
    let err = load(&[body_toml(), bad, fixture("types.arxml")]).unwrap_err();
    let d = &err.0[0];
    assert!(d.message.contains("does not fit a 11-bit frame"), "{err}");
    assert!(d.location.file.ends_with("bad.arxml"));
    assert_eq!(d.location.line, 19);
    assert_eq!(d.element.as_deref(), Some("/Net/BodyCan/Ch/DoorStatusTrig"));
}

fn dump_json(files: &[PathBuf]) -> serde_json::Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ecuconf"))
        .arg("dump")
        .args(files)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn pdur_routing_paths_from_ecuc_values() {
    let files = vec![fixture("pdur.arxml")];
    let ecu = load(&files).unwrap_or_else(|d| panic!("{d}"));
    let routes = &ecu.network.pdu_routes;
    assert_eq!(routes.len(), 1);
    assert_eq!(routes[0].name, "DoorStatusGateway");
    assert_eq!(routes[0].source, "DoorStatus_Can1");
    assert_eq!(
        routes[0].destinations,
        ["DoorStatus_Can2", "DoorStatus_Com"]
    );

    let json = dump_json(&files);
    assert_eq!(
        json["pdu_routes"],
        serde_json::json!([{
            "name": "DoorStatusGateway",
            "source": "DoorStatus_Can1",
            "destinations": ["DoorStatus_Can2", "DoorStatus_Com"],
        }])
    );

    // Export and read back: the same routes.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export.arxml");
    std::fs::write(&out, to_arxml(&ecu)).unwrap();
    let back = load(&[out]).unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(back.network.pdu_routes, *routes);
}

#[test]
fn pdur_routing_path_without_source_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("pdur.arxml");
    let text = std::fs::read_to_string(fixture("pdur.arxml"))
        .unwrap()
        .replace("PduRSrcPdu/PduRSrcPduRef", "PduRSrcPdu/Other");
    std::fs::write(&bad, text).unwrap();
    let err = load(&[bad]).unwrap_err();
    let d = &err.0[0];
    assert!(
        d.message.contains("`DoorStatusGateway` has no source PDU"),
        "{err}"
    );
    assert!(d.location.file.ends_with("pdur.arxml"));
    assert_eq!(d.location.line, 39);
}
