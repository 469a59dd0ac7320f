//! The route table as `OwnedRouteTable::to_rust` emits it (output of
//! `cargo run -p ecu-com --features std --example print_routes`, pasted unchanged): it must
//! compile as `static`s and route like the built table. If the emitted form changes, paste
//! the new output here.

use ecu_com::gateway::{DropReason, Gateway, Verdict};
use ecu_com::{BusId, CanId};

pub static GATEWAY_ROUTES: [ecu_com::gateway::Route<'static>; 3] = [
    ecu_com::gateway::Route {
        name: "brake",
        source: ecu_com::BusId(0),
        filter: ecu_com::IdFilter::new(ecu_com::CanId::from_bits(0x080).unwrap(), 0x7ff),
        destinations: ecu_com::gateway::BusMask(0b10),
        translate: None,
        length: ecu_com::gateway::LengthRule { min: 8, max: 8 },
        rate: Some(ecu_com::gateway::RateLimit {
            frames: 10,
            window_ns: 100000000,
        }),
        min_cycle_ns: 5000000,
    },
    ecu_com::gateway::Route {
        name: "body_cmd",
        source: ecu_com::BusId(1),
        filter: ecu_com::IdFilter::new(ecu_com::CanId::from_bits(0x300).unwrap(), 0x7ff),
        destinations: ecu_com::gateway::BusMask(0b1),
        translate: Some(ecu_com::CanId::from_bits(0x98da00f1).unwrap()),
        length: ecu_com::gateway::LengthRule { min: 0, max: 8 },
        rate: None,
        min_cycle_ns: 0,
    },
    ecu_com::gateway::Route {
        name: "tester",
        source: ecu_com::BusId(2),
        filter: ecu_com::IdFilter::new(ecu_com::CanId::from_bits(0x7e0).unwrap(), 0x7f8),
        destinations: ecu_com::gateway::BusMask(0b1),
        translate: None,
        length: ecu_com::gateway::LengthRule { min: 0, max: 8 },
        rate: None,
        min_cycle_ns: 0,
    },
];
pub static GATEWAY_SLOTS: [ecu_com::gateway::Slot; 4] = [
    ecu_com::gateway::Slot {
        key: 0x100000300,
        route: 1,
    },
    ecu_com::gateway::Slot::EMPTY,
    ecu_com::gateway::Slot {
        key: 0x80,
        route: 0,
    },
    ecu_com::gateway::Slot::EMPTY,
];
pub static GATEWAY_MASK_ROUTES: [u16; 1] = [2];
pub static GATEWAY: ecu_com::gateway::RouteTable<'static> = ecu_com::gateway::RouteTable {
    routes: &GATEWAY_ROUTES,
    slots: &GATEWAY_SLOTS,
    slot_bits: 2,
    seed: 0x5eed,
    max_probe: 1,
    mask_routes: &GATEWAY_MASK_ROUTES,
};

#[test]
fn emitted_tables_compile_and_route() {
    let mut gw: Gateway<'static, 3> = Gateway::new(GATEWAY).unwrap();
    let sid = |id| CanId::standard(id).unwrap();
    assert!(matches!(
        gw.route(BusId(0), sid(0x080), 8, 0),
        Verdict::Forward { route: 0, .. }
    ));
    assert_eq!(
        gw.route(BusId(0), sid(0x080), 8, 1),
        Verdict::Drop {
            route: Some(0),
            reason: DropReason::Cycle
        }
    );
    assert_eq!(
        gw.route(BusId(1), sid(0x300), 1, 0),
        Verdict::Forward {
            route: 1,
            id: CanId::extended(0x18DA_00F1).unwrap(),
            destinations: ecu_com::gateway::BusMask(0b1)
        }
    );
    assert!(matches!(
        gw.route(BusId(2), sid(0x7E3), 8, 0),
        Verdict::Forward { route: 2, .. }
    ));
    assert_eq!(
        gw.route(BusId(2), sid(0x7E8), 8, 0),
        Verdict::Drop {
            route: None,
            reason: DropReason::NoRoute
        }
    );
}
