//! Isolation scenarios, library level: simulated buses + the gateway + the permission table.
//!
//! Three buses at 500 kbit/s: `can0` powertrain, `can1` body, `can2` diagnostics. The gateway
//! has a controller on each, with hardware acceptance filters computed from its routes'
//! source ids. Routes:
//!
//! | route | from | id | to | checks |
//! |---|---|---|---|---|
//! | brake | can0 | 0x080 | can1 | exactly 8 bytes |
//! | wheel_speed | can0 | 0x0A0 | can1 | 8 bytes, min cycle 5 ms |
//! | status | can0 | 0x0C0 | can1 | rate 10 per 100 ms |
//! | to_diag | can0 | 0x0E0 | can2 | — |
//! | body_cmd | can1 | 0x300 | can0 as 0x301 | — |
//! | tester | can2 | 0x7E0/0x7F8 | can0 | — |

use ecu_com::filter::compute_filters;
use ecu_com::gateway::build::{build, OwnedRouteTable, RouteSpec};
use ecu_com::gateway::BusMask;
use ecu_com::gateway::{DropReason, Gateway, LengthRule, RateLimit};
use ecu_com::permission::{
    Access, DenyReason, Direction, Grant, PartitionGrants, PermissionTable, Permissions,
};
use ecu_com::{AnyFrame, BusId, CanId, FdFrame, IdFilter};

use super::bits::classic_worst_bits;
use super::bus::{BusConfig, Event, Network, SimRng};
use super::gateway::{GatewayNode, PartitionPort, SendError};
use super::tests::std_frame;

const CAN0: BusId = BusId(0);
const CAN1: BusId = BusId(1);
const CAN2: BusId = BusId(2);
const MS: u64 = 1_000_000;
const BIT_NS: u64 = 2_000;

const fn sid(id: u16) -> CanId {
    match CanId::standard(id) {
        Some(id) => id,
        None => panic!("standard id out of range"),
    }
}

fn route_specs() -> Vec<RouteSpec> {
    let mut brake = RouteSpec::exact("brake", CAN0, sid(0x080), &[CAN1]);
    brake.length = LengthRule::exactly(8);
    let mut wheel = RouteSpec::exact("wheel_speed", CAN0, sid(0x0A0), &[CAN1]);
    wheel.length = LengthRule::exactly(8);
    wheel.min_cycle_ns = 5 * MS;
    let mut status = RouteSpec::exact("status", CAN0, sid(0x0C0), &[CAN1]);
    status.rate = Some(RateLimit {
        frames: 10,
        window_ns: 100 * MS,
    });
    let to_diag = RouteSpec::exact("to_diag", CAN0, sid(0x0E0), &[CAN2]);
    let mut body = RouteSpec::exact("body_cmd", CAN1, sid(0x300), &[CAN0]);
    body.translate = Some(sid(0x301));
    let mut tester = RouteSpec::exact("tester", CAN2, sid(0x7E0), &[CAN0]);
    tester.filter = IdFilter::new(sid(0x7E0), 0x7F8);
    vec![brake, wheel, status, to_diag, body, tester]
}

static BODY_TX: [Grant; 1] = [Grant {
    buses: BusMask(1 << 1),
    filter: IdFilter::new(sid(0x300), 0x7F0),
}];
static BODY_RX: [Grant; 1] = [Grant {
    buses: BusMask(1 << 1),
    filter: IdFilter::all_of_format(sid(0)),
}];
static POWERTRAIN_TX: [Grant; 2] = [
    Grant {
        buses: BusMask(1 << 0),
        filter: IdFilter::exact(sid(0x080)),
    },
    Grant {
        buses: BusMask(1 << 0),
        filter: IdFilter::exact(sid(0x0A0)),
    },
];
static PERMISSIONS: PermissionTable<'static> = PermissionTable {
    partitions: &[
        PartitionGrants {
            name: "Body",
            transmit: &BODY_TX,
            receive: &BODY_RX,
        },
        PartitionGrants {
            name: "Powertrain",
            transmit: &POWERTRAIN_TX,
            receive: &[],
        },
    ],
};

struct Rig<'a> {
    net: Network,
    gw: GatewayNode<'a, 16>,
}

fn rig<'a>(seed: u64, table: &'a OwnedRouteTable<'_>) -> Rig<'a> {
    let mut net = Network::new(seed);
    for name in ["can0", "can1", "can2"] {
        net.add_bus(BusConfig::classic(name, 500_000));
    }
    let gw = GatewayNode::attach(&mut net, Gateway::new(table.table()).unwrap());
    // hardware filters from the routes' source ids: 4 slots per controller
    for (bus, &controller) in gw.controllers.iter().enumerate() {
        let wanted: Vec<CanId> = table
            .routes
            .iter()
            .filter(|r| r.source.index() == bus)
            .flat_map(|r| {
                // a mask route stands for every id it accepts
                let f = r.filter;
                (0..=f.id.format_mask().min(0x7FF))
                    .filter_map(|raw| CanId::standard(raw as u16))
                    .filter(move |id| f.matches(*id))
            })
            .collect();
        let mut work = vec![IdFilter::exact(sid(0)); wanted.len().max(1)];
        let n = compute_filters(&wanted, 4, &mut work).unwrap();
        for id in &wanted {
            assert!(work[..n].iter().any(|f| f.matches(*id)));
        }
        net.node_mut(controller).filters = Some(work[..n].to_vec());
    }
    Rig { net, gw }
}

impl Rig<'_> {
    fn run(&mut self, until: u64) -> Vec<Event> {
        let mut events = Vec::new();
        let gw = &mut self.gw;
        self.net.run_until(until, |net, e| {
            gw.on_event(net, e);
            events.push(e);
        });
        events
    }

    fn counters(&self, route: &str) -> ecu_com::gateway::RouteCounters {
        let r = self.gw.gateway.route_index(route).unwrap();
        *self.gw.gateway.counters(r).unwrap()
    }

    /// Frames (end time, frame) that appeared on `bus`.
    fn on_bus(&self, bus: BusId) -> Vec<(u64, AnyFrame)> {
        self.net
            .trace()
            .iter()
            .filter(|e| e.bus == bus && !e.error)
            .map(|e| (e.time_ns, e.frame))
            .collect()
    }
}

fn periodic(
    start: u64,
    period: u64,
    count: u64,
    frame: impl Fn(u64) -> AnyFrame,
) -> Vec<(u64, AnyFrame)> {
    (0..count).map(|i| (start + i * period, frame(i))).collect()
}

#[test]
fn a_partition_cannot_send_an_id_it_was_not_granted() {
    let specs = route_specs();
    let table = build(&specs).unwrap();
    let mut rig = rig(1, &table);
    let mut perms: Permissions<'_, 2> = Permissions::new(PERMISSIONS);
    let controllers = rig.gw.controllers.clone();
    let mut port = PartitionPort {
        permissions: &mut perms,
        controllers: &controllers,
    };
    const BODY: usize = 0;
    // the brake id on the powertrain bus: no grant on that bus
    assert_eq!(
        port.send(&mut rig.net, BODY, CAN0, std_frame(0x080, &[0; 8])),
        Err(SendError::Denied(DenyReason::BusNotGranted))
    );
    // the brake id on its own bus, where it would be routed nowhere but still seen
    assert_eq!(
        port.send(&mut rig.net, BODY, CAN1, std_frame(0x080, &[0; 8])),
        Err(SendError::Denied(DenyReason::IdNotGranted))
    );
    // its own command: allowed (local transmissions are not looped through the gateway)
    port.send(&mut rig.net, BODY, CAN1, std_frame(0x305, &[1]))
        .unwrap();
    rig.run(10 * MS);
    assert!(rig
        .net
        .trace()
        .iter()
        .all(|e| e.frame.can_id() != sid(0x080)));
    assert_eq!(rig.net.trace().len(), 1);
    assert!(rig
        .on_bus(CAN1)
        .iter()
        .any(|(_, f)| f.can_id() == sid(0x305)));
    assert_eq!(perms.denied(BODY, Direction::Transmit), 2);
    assert_eq!(
        perms.last_denial().unwrap().reason,
        DenyReason::IdNotGranted
    );
    // receive side: the Powertrain partition was granted nothing to receive
    assert_eq!(
        PERMISSIONS.check(1, Direction::Receive, CAN0, sid(0x301)),
        Access::Deny(DenyReason::BusNotGranted)
    );
}

#[test]
fn a_spoofed_protected_id_on_the_wrong_bus_is_not_routed() {
    let specs = route_specs();
    let table = build(&specs).unwrap();
    let mut rig = rig(1, &table);
    // an intruder on the body bus sends the brake and wheel-speed ids
    rig.net.add_peer_list(
        "intruder",
        CAN1,
        periodic(0, MS, 20, |i| {
            std_frame(if i % 2 == 0 { 0x080 } else { 0x0A0 }, &[0xFF; 8])
        }),
    );
    rig.run(50 * MS);
    assert_eq!(rig.on_bus(CAN1).len(), 20);
    assert!(rig.on_bus(CAN0).is_empty());
    assert!(rig.on_bus(CAN2).is_empty());
    // the gateway's can1 controller filters them in hardware: never even reach the table
    let c1 = rig.gw.controllers[1];
    assert_eq!(rig.net.node(c1).stats.filtered, 20);
    // without the hardware filter they reach the table and are counted as unrouted
    let mut rig = self::rig(1, &table);
    rig.net.node_mut(rig.gw.controllers[1]).filters = None;
    rig.net.add_peer_list(
        "intruder",
        CAN1,
        periodic(0, MS, 20, |_| std_frame(0x080, &[0xFF; 8])),
    );
    rig.run(50 * MS);
    assert!(rig.on_bus(CAN0).is_empty());
    assert_eq!(rig.gw.gateway.no_route(CAN1), 20);
    assert_eq!(rig.gw.drops(DropReason::NoRoute), 20);
}

/// Worst-case response of the highest-priority frame over `hops` buses: on each, one
/// lower-priority frame in progress (an 8-byte extended frame, the longest) plus `ahead`
/// higher-priority 8-byte frames plus itself.
fn latency_bound(hops: u64, ahead: u64) -> u64 {
    let blocking = classic_worst_bits(true, 8) as u64;
    let own = classic_worst_bits(false, 8) as u64;
    hops * (blocking + (ahead + 1) * own) * BIT_NS
}

#[test]
fn a_flood_on_an_allowed_id_is_rate_limited_and_the_brake_keeps_its_latency() {
    let specs = route_specs();
    let table = build(&specs).unwrap();
    let mut rig = rig(2, &table);
    // the flood: the allowed status id every 0.3 ms for one second
    rig.net.add_peer_list(
        "flooder",
        CAN0,
        periodic(0, 300_000, 3_334, |i| std_frame(0x0C0, &i.to_le_bytes())),
    );
    let brake = periodic(MS, 10 * MS, 100, |i| std_frame(0x080, &i.to_be_bytes()));
    rig.net.add_peer_list("brake_ecu", CAN0, brake.clone());
    rig.run(1_100 * MS);
    let status = rig.counters("status");
    assert!(status.forwarded <= 10 * 11, "{status:?}");
    assert!(status.dropped_rate > 3_000, "{status:?}");
    // no 100 ms interval sees more than 2 × 10 status frames on can1
    let times: Vec<u64> = rig
        .on_bus(CAN1)
        .iter()
        .filter(|(_, f)| f.can_id() == sid(0x0C0))
        .map(|(t, _)| *t)
        .collect();
    for (i, t) in times.iter().enumerate() {
        assert!(times[i..].iter().take_while(|u| **u < t + 100 * MS).count() <= 20);
    }
    // every brake frame arrived, in order, within the bound
    let arrived: Vec<(u64, AnyFrame)> = rig
        .on_bus(CAN1)
        .into_iter()
        .filter(|(_, f)| f.can_id() == sid(0x080))
        .collect();
    assert_eq!(arrived.len(), brake.len());
    let bound = latency_bound(2, 0);
    for ((sent, f), (at, g)) in brake.iter().zip(&arrived) {
        assert_eq!(f, g);
        assert!(at - sent <= bound, "latency {} > bound {bound}", at - sent);
    }
}

#[test]
fn a_replay_faster_than_the_minimum_cycle_is_dropped() {
    let specs = route_specs();
    let table = build(&specs).unwrap();
    let mut rig = rig(3, &table);
    // a captured wheel-speed frame replayed every millisecond for 100 ms
    rig.net.add_peer_list(
        "replayer",
        CAN0,
        periodic(0, MS, 100, |_| std_frame(0x0A0, &[0x12; 8])),
    );
    rig.run(120 * MS);
    let c = rig.counters("wheel_speed");
    assert_eq!(c.forwarded + c.dropped_cycle, 100);
    assert_eq!(c.forwarded, 20, "{c:?}");
    let forwarded_at: Vec<u64> = rig
        .gw
        .log
        .iter()
        .filter(|r| {
            matches!(r.verdict, ecu_com::gateway::Verdict::Forward { .. }) && r.id == sid(0x0A0)
        })
        .map(|r| r.time_ns)
        .collect();
    assert!(forwarded_at.windows(2).all(|w| w[1] - w[0] >= 5 * MS));
    assert_eq!(rig.gw.drops(DropReason::Cycle), 80);
}

#[test]
fn wrong_length_frames_are_dropped_and_counted() {
    let specs = route_specs();
    let table = build(&specs).unwrap();
    let mut rig = rig(4, &table);
    let fd = FdFrame::new(sid(0x080), &[0; 12], false).unwrap();
    rig.net.add_peer_list(
        "bad_lengths",
        CAN0,
        vec![
            (0, std_frame(0x080, &[0; 4])),
            (MS, std_frame(0x080, &[])),
            (2 * MS, fd.into()),
            (3 * MS, std_frame(0x0A0, &[0; 7])),
            (4 * MS, std_frame(0x080, &[0; 8])),
        ],
    );
    rig.run(20 * MS);
    assert_eq!(rig.counters("brake").dropped_length, 3);
    assert_eq!(rig.counters("wheel_speed").dropped_length, 1);
    assert_eq!(rig.gw.drops(DropReason::Length), 4);
    let on_can1 = rig.on_bus(CAN1);
    assert_eq!(on_can1.len(), 1);
    assert_eq!(on_can1[0].1.len(), 8);
}

fn bus_off_run(fault: bool) -> (Rig<'static>, Vec<Event>) {
    let table: &'static OwnedRouteTable<'static> =
        Box::leak(Box::new(build(Box::leak(Box::new(route_specs()))).unwrap()));
    let mut rig = rig(5, table);
    rig.net.add_peer_list(
        "pt",
        CAN0,
        periodic(0, MS, 100, |i| {
            std_frame(if i % 2 == 0 { 0x0E0 } else { 0x080 }, &[i as u8; 8])
        }),
    );
    rig.net.add_peer_list(
        "body",
        CAN1,
        periodic(500_000, 2 * MS, 50, |i| std_frame(0x300, &[i as u8])),
    );
    rig.net.add_peer_list("diag_peer", CAN2, vec![]);
    if fault {
        // the gateway's diagnostics controller fails every transmission from 10 ms on
        let c2 = rig.gw.controllers[2];
        let mut events = rig.run(10 * MS);
        rig.net.inject_errors(c2, 32);
        events.extend(rig.run(150 * MS));
        return (rig, events);
    }
    let events = rig.run(150 * MS);
    (rig, events)
}

#[test]
fn a_controller_driven_to_bus_off_recovers_and_other_buses_are_unaffected() {
    let (clean, _) = bus_off_run(false);
    let (faulty, events) = bus_off_run(true);
    let c2 = faulty.gw.controllers[2];
    let off = events
        .iter()
        .position(|e| matches!(e, Event::BusOff { node, .. } if *node == c2));
    let back = events
        .iter()
        .position(|e| matches!(e, Event::Recovered { node, .. } if *node == c2));
    let (off, back) = (off.expect("bus-off"), back.expect("recovery"));
    assert!(off < back);
    assert_eq!(faulty.net.bus_stats(CAN2).error_frames, 32);
    assert_eq!(faulty.net.node(c2).errors.bus_off_count(), 1);
    // frames routed to can2 after recovery arrive again
    let Event::Recovered {
        time_ns: t_back, ..
    } = events[back]
    else {
        unreachable!()
    };
    assert!(faulty.on_bus(CAN2).iter().any(|(t, _)| *t > t_back));
    // some routed frames were refused while bus-off, and counted
    assert!(faulty.gw.tx_refused > 0 || faulty.net.node(c2).stats.dropped_bus_off > 0);
    // can0 and can1 saw exactly what they saw without the fault
    for bus in [CAN0, CAN1] {
        assert_eq!(clean.on_bus(bus), faulty.on_bus(bus), "bus {bus:?} changed");
    }
}

/// Every legitimate routed frame arrives, in order, within its bound, while hostile
/// low-priority floods hold both buses at 100 % load.
#[test]
fn zero_loss_under_full_hostile_load() {
    let specs = route_specs();
    let table = build(&specs).unwrap();
    for seed in 1..=5u64 {
        let mut rig = rig(seed, &table);
        for (name, bus) in [("flood0", CAN0), ("flood0b", CAN0), ("flood1", CAN1)] {
            rig.net.add_peer_generator(
                name,
                bus,
                Box::new(|rng: &mut SimRng, last| {
                    if last > 1_000 * MS {
                        return None;
                    }
                    let id = 0x400 + rng.below(0x400) as u16;
                    let data = rng.next_u64().to_le_bytes();
                    Some((last + 20_000 + rng.below(40_000), std_frame(id, &data)))
                }),
            );
        }
        // legitimate senders with seeded jitter
        let mut rng = SimRng::new(seed);
        let brake: Vec<(u64, AnyFrame)> = (0..100u64)
            .map(|i| {
                (
                    i * 10 * MS + rng.below(MS),
                    std_frame(0x080, &i.to_be_bytes()),
                )
            })
            .collect();
        let wheel: Vec<(u64, AnyFrame)> = (0..100u64)
            .map(|i| {
                (
                    i * 10 * MS + rng.below(MS),
                    std_frame(0x0A0, &i.to_be_bytes()),
                )
            })
            .collect();
        rig.net.add_peer_list("brake_ecu", CAN0, brake.clone());
        rig.net.add_peer_list("wheel_ecu", CAN0, wheel.clone());
        rig.run(1_010 * MS);
        assert!(
            rig.net.bus_load(CAN0) > 0.99,
            "seed {seed}: can0 load {}",
            rig.net.bus_load(CAN0)
        );
        assert!(
            rig.net.bus_load(CAN1) > 0.99,
            "seed {seed}: can1 load {}",
            rig.net.bus_load(CAN1)
        );
        for (id, sent, bound) in [
            (0x080, &brake, latency_bound(2, 0)),
            (0x0A0, &wheel, latency_bound(2, 1)),
        ] {
            let arrived: Vec<(u64, AnyFrame)> = rig
                .on_bus(CAN1)
                .into_iter()
                .filter(|(_, f)| f.can_id() == sid(id))
                .collect();
            let on_can0 = rig
                .on_bus(CAN0)
                .iter()
                .filter(|(_, f)| f.can_id() == sid(id))
                .count();
            let route = if id == 0x080 { "brake" } else { "wheel_speed" };
            assert_eq!(
                arrived.len(),
                sent.len(),
                "seed {seed}: id {id:#x} lost frames; {on_can0} on can0, route {:?}, refused {}, gw.can1 {:?} queued {}",
                rig.counters(route),
                rig.gw.tx_refused,
                rig.net.node(rig.gw.controllers[1]).stats,
                rig.net.node(rig.gw.controllers[1]).queued(),
            );
            for ((t_sent, f), (t_arr, g)) in sent.iter().zip(&arrived) {
                assert_eq!(f, g, "seed {seed}: id {id:#x} out of order");
                assert!(
                    t_arr - t_sent <= bound,
                    "seed {seed}: id {id:#x} latency {} ns > bound {bound} ns",
                    t_arr - t_sent
                );
            }
        }
        // the flood was seen, not routed, and dropped in hardware by the filters
        assert!(rig.net.node(rig.gw.controllers[0]).stats.filtered > 3_000);
    }
}
