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

/// A TMS570 image refuses, before building, what its DCAN modules cannot run: a rate the
/// part's CAN clock cannot make exactly, more buses than DCAN1-3, an ISR on a controller's
/// interrupt channel. The same description at a usual rate passes on both parts.
#[test]
fn tms570_images_refuse_buses_their_dcan_modules_cannot_run() {
    use ecu_configurator::can::check_tms570;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let good = ecu_configurator::load(&[root.join("tests/fixtures/can_loopback/ecu.toml")])
        .unwrap_or_else(|d| panic!("{d}"));
    for part in ["lc4357", "ls1224"] {
        assert_eq!(check_tms570(&good, part), Ok(()), "{part}");
    }

    let mut odd_rate = good.clone();
    odd_rate.can.buses[0].bitrate = 333_333;
    let error = check_tms570(&odd_rate, "lc4357").unwrap_err();
    assert!(
        error.contains("CAN bus `body` (DCAN1): 333333 bit/s"),
        "{error}"
    );
    assert!(error.contains("75000000 Hz"), "{error}");
    assert!(
        error.contains("500000"),
        "the rates it makes are listed: {error}"
    );

    let mut four = good.clone();
    assert_eq!(four.can.buses.len(), 2);
    for name in ["c", "d"] {
        let mut bus = four.can.buses[0].clone();
        bus.name = name.into();
        four.can.buses.push(bus);
    }
    let error = check_tms570(&four, "ls1224").unwrap_err();
    assert!(error.contains("4 CAN buses"), "{error}");
    assert!(error.contains("bus `d` has none"), "{error}");

    // An ISR on VIM channel 16 (DCAN1) while bus 0 is in use.
    let mut clash = ecu_configurator::load(&[root.join("tests/fixtures/device_irq/ecu.toml")])
        .unwrap_or_else(|d| panic!("{d}"));
    clash.can.buses = good.can.buses.clone();
    clash.isrs[0].irq = Some(16);
    let error = check_tms570(&clash, "lc4357").unwrap_err();
    assert!(
        error.contains("VIM channel 16 is DCAN1's interrupt"),
        "{error}"
    );
    clash.isrs[0].irq = Some(17);
    assert_eq!(check_tms570(&clash, "lc4357"), Ok(()));
}
