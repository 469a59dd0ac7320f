//! The CAN sections of a description are checked where they are written: unknown buses and
//! OS-Applications, overlapping routes and loops (ecu-com's route builder's verdicts), bad
//! ids and payloads, each reported at file:line:col with the element and a hint.

use std::path::PathBuf;

use ecu_tests::repo_root;

/// network.toml with `extra` appended, plus an [ecu] section, loaded from a temporary file.
fn load_with(name: &str, extra: &str) -> Result<ecu_configurator::Ecu, String> {
    let fixtures = repo_root().join("tests/fixtures/can_gateway");
    let base = std::fs::read_to_string(fixtures.join("network.toml")).unwrap();
    let dir = std::env::temp_dir().join(format!("ecu-can-desc-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(fixtures.join("tasks.rs"), dir.join("tasks.rs")).unwrap();
    let path: PathBuf = dir.join("ecu.toml");
    let text = format!("[ecu]\nname = \"Check\"\napplication = \"tasks.rs\"\n{base}\n{extra}");
    std::fs::write(&path, text).unwrap();
    ecu_configurator::load(&[path]).map_err(|d| d.to_string())
}

/// The line of `needle` in the file load_with writes.
fn line_of(extra: &str, needle: &str) -> usize {
    let base = std::fs::read_to_string(repo_root().join("tests/fixtures/can_gateway/network.toml"))
        .unwrap();
    let text = format!("[ecu]\nname = \"Check\"\napplication = \"tasks.rs\"\n{base}\n{extra}");
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn the_fixture_is_valid() {
    let ecu = load_with("ok", "").unwrap();
    assert_eq!(ecu.can.buses.len(), 3);
    assert_eq!(ecu.can.routes.len(), 6);
    assert_eq!(ecu.can.permissions.len(), 2);
}

#[test]
fn an_overlapping_route_is_reported_at_both_routes() {
    let extra = "[[can_routes]]\nname = \"brake_copy\"\nfrom = \"powertrain\"\nid = 0x080\nmask = 0x7F0\nto = [\"diag\"]\n";
    let error = load_with("overlap", extra).unwrap_err();
    assert!(
        error.contains("routes `brake` and `brake_copy` both take frames from bus 0"),
        "{error}"
    );
    assert!(error.contains("element: can_routes[brake]"), "{error}");
    assert!(
        error.contains("note: route `brake_copy` is here"),
        "{error}"
    );
    let at = format!("ecu.toml:{}:", line_of(extra, "brake_copy"));
    assert!(error.contains(&at), "{at} in {error}");
}

#[test]
fn a_route_loop_is_reported() {
    let extra =
        "[[can_routes]]\nname = \"back\"\nfrom = \"body\"\nid = 0x0A0\nto = [\"powertrain\"]\n";
    let error = load_with("loop", extra).unwrap_err();
    assert!(error.contains("route loop"), "{error}");
    assert!(error.contains("`wheel_speed` -> `back`"), "{error}");
    assert!(error.contains("hint:"), "{error}");
}

#[test]
fn unknown_buses_and_applications_are_named_with_their_position() {
    let extra = "[[can_routes]]\nname = \"lost\"\nfrom = \"chassis\"\nid = 0x123\nto = [\"body\"]\n\n[[can_permissions]]\nos_application = \"Radio\"\ntransmit = [{ bus = \"body\", id = 0x500 }]\n";
    let error = load_with("unknown", extra).unwrap_err();
    let bus_line = line_of(extra, "from = \"chassis\"");
    assert!(
        error.contains(&format!(
            "ecu.toml:{bus_line}:8: error: unknown bus `chassis`"
        )),
        "{error}"
    );
    assert!(
        error.contains("known buses: `body`, `diag`, `powertrain`"),
        "{error}"
    );
    assert!(error.contains("unknown os_application `Radio`"), "{error}");
    assert!(
        error.contains("known OS-Applications: `Chassis`, `Infotainment`"),
        "{error}"
    );
}

#[test]
fn bad_ids_lengths_and_payloads_are_refused() {
    let extra = "[[can_routes]]\nname = \"wide\"\nfrom = \"body\"\nid = 0x800\nto = [\"powertrain\"]\n\n[[can_peers]]\nname = \"chatty\"\nbus = \"body\"\nframes = [{ at_us = 0, id = 0x123, data = [1, 2, 3, 4, 5, 6, 7, 8, 9] }]\n\n[[can_peers]]\nname = \"odd\"\nbus = \"body\"\ngenerators = [{ kind = \"storm\", id = 1, period_us = 10 }]\n";
    let error = load_with("bad", extra).unwrap_err();
    assert!(
        error.contains("the id is 2048, outside 0..=2047"),
        "{error}"
    );
    assert!(error.contains("data must be at most 8 bytes"), "{error}");
    assert!(error.contains("unknown generator kind `storm`"), "{error}");
    assert!(error.contains("3 errors"), "{error}");
}

#[test]
fn can_sections_need_buses() {
    let fixtures = repo_root().join("tests/fixtures/modes/ecu.toml");
    let text = std::fs::read_to_string(&fixtures).unwrap();
    let dir = std::env::temp_dir().join(format!("ecu-can-desc-{}-nobus", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(fixtures.parent().unwrap()).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    let path = dir.join("ecu.toml");
    std::fs::write(
        &path,
        format!("{text}\n[[can_routes]]\nname = \"r\"\nfrom = \"a\"\nid = 1\nto = [\"b\"]\n"),
    )
    .unwrap();
    let error = ecu_configurator::load(&[path]).unwrap_err().to_string();
    assert!(
        error.contains("[[can_routes]] without any [[can_buses]]"),
        "{error}"
    );
}

#[test]
fn routes_and_grants_may_name_frames_of_the_arxml_network() {
    let extra = "[[can_routes]]\nname = \"door\"\nfrom = \"body\"\nframe = \"DoorStatus\"\nto = [\"diag\"]\n\n[[can_permissions]]\nos_application = \"Chassis\"\ntransmit = [{ bus = \"body\", frame = \"VehicleSpeed\" }]\n";
    let fixtures = repo_root().join("tests/fixtures/can_gateway");
    let base = std::fs::read_to_string(fixtures.join("network.toml")).unwrap();
    let dir = std::env::temp_dir().join(format!("ecu-can-desc-{}-arxml", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(fixtures.join("tasks.rs"), dir.join("tasks.rs")).unwrap();
    let path = dir.join("ecu.toml");
    std::fs::write(
        &path,
        format!("[ecu]\nname = \"Check\"\napplication = \"tasks.rs\"\n{base}\n{extra}"),
    )
    .unwrap();
    let arxml = repo_root().join("configurator/tests/arxml/network.arxml");
    let ecu =
        ecu_configurator::load(&[path.clone(), arxml.clone()]).unwrap_or_else(|d| panic!("{d}"));
    let door = ecu.can.routes.iter().find(|r| r.name == "door").unwrap();
    assert_eq!(door.filter.id_bits, 0x120);
    assert_eq!(
        (door.min_length, door.max_length),
        (2, 2),
        "the frame's length"
    );
    let grant = &ecu.can.permissions[0].transmit[1];
    assert_eq!(grant.filter.id_bits, 0x8000_0000 | 0x18FE_F100, "extended");
    // A name the network does not have.
    std::fs::write(
        &path,
        format!(
            "[ecu]\nname = \"Check\"\napplication = \"tasks.rs\"\n{base}\n{}",
            extra.replace("DoorStatus", "DoorStatos")
        ),
    )
    .unwrap();
    let error = ecu_configurator::load(&[path, arxml])
        .unwrap_err()
        .to_string();
    assert!(error.contains("unknown frame `DoorStatos`"), "{error}");
    assert!(error.contains("`DoorStatus`, `VehicleSpeed`"), "{error}");
}

#[test]
fn hostile_generators_default_to_the_published_attack_parameters() {
    let extra = "[[can_peers]]\nname = \"attacker\"\nbus = \"body\"\ngenerators = [{ kind = \"flood\" }, { kind = \"random_id\" }, { kind = \"spoof\", id = 0x080 }]\n";
    let ecu = load_with("hostile", extra).unwrap();
    let periods: Vec<(u32, u64)> = ecu
        .can
        .peers
        .iter()
        .filter(|p| p.name.starts_with("attacker."))
        .map(|p| match &p.kind {
            ecu_configurator::can::PeerKind::Periodic {
                id_bits, period_us, ..
            } => (*id_bits, *period_us),
            ecu_configurator::can::PeerKind::RandomId { period_us, .. } => (u32::MAX, *period_us),
            other => panic!("{other:?}"),
        })
        .collect();
    // A flood of id 0x000 every 0.3 ms, random ids every 0.5 ms, spoofing every 1 ms.
    assert_eq!(periods, [(0, 300), (u32::MAX, 500), (0x080, 1000)]);
}

#[test]
fn the_report_shows_routes_permissions_and_filters() {
    let ecu = load_with("report", "").unwrap();
    let analysis = ecu_configurator::analysis::analyse(&ecu);
    let text = ecu_configurator::report::report(&ecu, &analysis);
    assert!(text.contains("CAN routes"), "{text}");
    assert!(
        text.contains("one lookup: at most 1 probes + 1 masked routes"),
        "{text}"
    );
    assert!(
        text.contains("diag        500000  -         1 of 4   0x7e0/0x7f8"),
        "{text}"
    );
    assert!(text.contains("Infotainment    body:0x410"), "{text}");
}
