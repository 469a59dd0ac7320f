//! The generated CAN tables of the gateway fixture (tests/fixtures/can_gateway): a snapshot,
//! so a change to the route table, the permission table or the controllers' acceptance
//! filters shows as a diff (`UPDATE_SNAPSHOTS=1` rewrites it), and the tables agree with
//! what they were generated from.

use std::path::Path;
use std::process::Command;

use ecu_com::filter::IdFilter;

fn fixture() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/can_gateway");
    vec![dir.join("network.toml"), dir.join("isolation.toml")]
}

#[test]
fn snapshot_of_the_can_tables() {
    let out = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_ecuconf"))
        .arg("generate")
        .args(fixture())
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let generated = std::fs::read_to_string(out.path().join("can.rs")).unwrap();
    let snapshot = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/can_gateway.can.rs");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&snapshot, &generated).unwrap();
    }
    let expected =
        std::fs::read_to_string(&snapshot).expect("snapshot exists (UPDATE_SNAPSHOTS=1)");
    assert_eq!(generated, expected, "differs from {}", snapshot.display());
}

#[test]
fn every_controller_accepts_what_its_routes_and_partitions_need() {
    let ecu = ecu_configurator::load(&fixture()).unwrap();
    let model = &ecu.can;
    for (bus, b) in model.buses.iter().enumerate() {
        let filters = ecu_configurator::can::controller_filters(model, bus).unwrap();
        assert!(filters.len() <= b.filter_slots as usize, "{}", b.name);
        let needed: Vec<IdFilter> = model
            .routes
            .iter()
            .filter(|r| r.from == bus)
            .map(|r| r.filter.id_filter())
            .chain(model.permissions.iter().flat_map(|p| {
                p.receive
                    .iter()
                    .filter(move |g| g.bus == bus)
                    .map(|g| g.filter.id_filter())
            }))
            .collect();
        for n in needed {
            assert!(
                filters.iter().any(|f| f.covers(&n)),
                "{}: {n:?} not accepted by {filters:?}",
                b.name
            );
        }
    }
    // The route table the image gets is the one ecu-com builds from the same routes.
    let specs = ecu_configurator::can::route_specs(model);
    let table = ecu_configurator::can::route_table(&specs).unwrap();
    let t = table.table();
    for r in &model.routes {
        let id = r.filter.id_filter().id;
        let found = t.lookup(ecu_com::BusId(r.from as u8), id).unwrap();
        assert_eq!(t.routes[found as usize].name, r.name);
    }
}
