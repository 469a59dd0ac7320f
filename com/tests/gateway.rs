//! The route table builder and the run-time gateway.

use ecu_com::gateway::build::{build, RouteError, RouteSpec};
use ecu_com::gateway::{DropReason, Gateway, LengthRule, RateLimit, Verdict};
use ecu_com::{BusId, CanId, IdFilter};

fn std(id: u16) -> CanId {
    CanId::standard(id).unwrap()
}
const A: BusId = BusId(0);
const B: BusId = BusId(1);
const C: BusId = BusId(2);

#[test]
fn exact_and_mask_routes_with_translation() {
    let mut diag = RouteSpec::exact("diag", A, std(0), &[B]);
    diag.filter = IdFilter::new(std(0x700), 0x700);
    let mut speed = RouteSpec::exact("speed", A, std(0x100), &[B, C]);
    speed.translate = Some(CanId::extended(0x18FE_F100).unwrap());
    let specs = vec![speed, diag, RouteSpec::exact("back", B, std(0x200), &[A])];
    let owned = build(&specs).unwrap();
    let mut gw: Gateway<'_, 8> = Gateway::new(owned.table()).unwrap();
    match gw.route(A, std(0x100), 8, 0) {
        Verdict::Forward {
            route,
            id,
            destinations,
        } => {
            assert_eq!(route, 0);
            assert_eq!(id, CanId::extended(0x18FE_F100).unwrap());
            assert!(destinations.contains(B) && destinations.contains(C));
            assert!(!destinations.contains(A));
        }
        v => panic!("{v:?}"),
    }
    assert!(matches!(
        gw.route(A, std(0x7DF), 8, 0),
        Verdict::Forward { route: 1, .. }
    ));
    // same id on the wrong bus: no route
    assert_eq!(
        gw.route(B, std(0x100), 8, 0),
        Verdict::Drop {
            route: None,
            reason: DropReason::NoRoute
        }
    );
    assert_eq!(gw.no_route(B), 1);
    assert_eq!(gw.counters(0).unwrap().forwarded, 1);
    // the generated Rust mentions every route
    let rust = owned.to_rust("GATEWAY");
    assert!(rust.contains("\"speed\"") && rust.contains("pub static GATEWAY:"));
}

#[test]
fn length_cycle_and_rate_are_enforced_and_counted() {
    let mut s = RouteSpec::exact("brake", A, std(0x80), &[B]);
    s.length = LengthRule::exactly(8);
    s.min_cycle_ns = 10_000_000;
    s.rate = Some(RateLimit {
        frames: 2,
        window_ns: 100_000_000,
    });
    let specs = [s];
    let owned = build(&specs).unwrap();
    let mut gw: Gateway<'_, 1> = Gateway::new(owned.table()).unwrap();
    let drop = |reason| Verdict::Drop {
        route: Some(0),
        reason,
    };
    assert_eq!(gw.route(A, std(0x80), 7, 0), drop(DropReason::Length));
    assert!(matches!(
        gw.route(A, std(0x80), 8, 0),
        Verdict::Forward { .. }
    ));
    assert_eq!(
        gw.route(A, std(0x80), 8, 5_000_000),
        drop(DropReason::Cycle)
    );
    assert!(matches!(
        gw.route(A, std(0x80), 8, 10_000_000),
        Verdict::Forward { .. }
    ));
    assert_eq!(
        gw.route(A, std(0x80), 8, 20_000_000),
        drop(DropReason::Rate)
    );
    assert_eq!(
        gw.route(A, std(0x80), 8, 90_000_000),
        drop(DropReason::Rate)
    );
    assert!(matches!(
        gw.route(A, std(0x80), 8, 100_000_000),
        Verdict::Forward { .. }
    ));
    let c = gw.counters(0).unwrap();
    assert_eq!(
        (
            c.forwarded,
            c.dropped_length,
            c.dropped_cycle,
            c.dropped_rate
        ),
        (3, 1, 1, 2)
    );
}

#[test]
fn conflicts_name_both_routes() {
    let mut m = RouteSpec::exact("all_diag", A, std(0x700), &[B]);
    m.filter = IdFilter::new(std(0x700), 0x700);
    let specs = vec![RouteSpec::exact("tester", A, std(0x7E0), &[C]), m];
    let err = build(&specs).unwrap_err();
    assert!(
        matches!(&err, RouteError::Conflict { first, second, .. } if first == "tester" && second == "all_diag")
    );
    assert!(err.to_string().contains("`tester` and `all_diag`"), "{err}");
    // the same id on different source buses is no conflict
    let specs = vec![
        RouteSpec::exact("x", A, std(0x10), &[C]),
        RouteSpec::exact("y", B, std(0x10), &[C]),
    ];
    build(&specs).unwrap();
    let specs = vec![
        RouteSpec::exact("x", A, std(0x10), &[C]),
        RouteSpec::exact("x", B, std(0x11), &[C]),
    ];
    assert!(matches!(
        build(&specs),
        Err(RouteError::DuplicateName { .. })
    ));
}

#[test]
fn loops_through_translation_chains_are_rejected() {
    // A:0x100 -> B as 0x200; B:0x200 -> C as 0x300; C:0x300 -> A: back on A
    let mut r1 = RouteSpec::exact("a_to_b", A, std(0x100), &[B]);
    r1.translate = Some(std(0x200));
    let mut r2 = RouteSpec::exact("b_to_c", B, std(0x200), &[C]);
    r2.translate = Some(std(0x300));
    let r3 = RouteSpec::exact("c_to_a", C, std(0x300), &[A]);
    let err = build(&[r1.clone(), r2.clone(), r3]).unwrap_err();
    match &err {
        RouteError::Loop { chain, bus } => {
            assert_eq!(chain, &["a_to_b", "b_to_c", "c_to_a"]);
            assert_eq!(*bus, A);
        }
        e => panic!("{e}"),
    }
    assert!(err.to_string().contains("`a_to_b` -> `b_to_c` -> `c_to_a`"));
    // break the chain with a translation that the next route does not take: fine
    let r3 = RouteSpec::exact("c_to_a", C, std(0x301), &[A]);
    build(&[r1.clone(), r2.clone(), r3]).unwrap();
    // a mask route on C that covers 0x300 closes it again
    let mut r3 = RouteSpec::exact("c_mask", C, std(0x300), &[A]);
    r3.filter = IdFilter::new(std(0x300), 0x700);
    assert!(matches!(build(&[r1, r2, r3]), Err(RouteError::Loop { .. })));
    // a route straight back to its source
    assert!(matches!(
        build(&[RouteSpec::exact("self", A, std(1), &[A])]),
        Err(RouteError::Loop { .. })
    ));
    // a two-bus ping-pong without translation
    assert!(matches!(
        build(&[
            RouteSpec::exact("ab", A, std(5), &[B]),
            RouteSpec::exact("ba", B, std(5), &[A])
        ]),
        Err(RouteError::Loop { .. })
    ));
}

#[test]
fn bad_specs_are_rejected() {
    let mut s = RouteSpec::exact("l", A, std(1), &[B]);
    s.length = LengthRule { min: 9, max: 8 };
    assert!(matches!(build(&[s]), Err(RouteError::BadLength { .. })));
    let mut s = RouteSpec::exact("r", A, std(1), &[B]);
    s.rate = Some(RateLimit {
        frames: 0,
        window_ns: 1,
    });
    assert!(matches!(build(&[s]), Err(RouteError::BadRate { .. })));
    assert!(matches!(
        build(&[RouteSpec::exact("n", A, std(1), &[])]),
        Err(RouteError::NoDestination { .. })
    ));
    assert!(matches!(
        build(&[RouteSpec::exact("o", A, std(1), &[BusId(40)])]),
        Err(RouteError::BusOutOfRange { .. })
    ));
}

#[test]
fn large_tables_keep_the_probe_bound_and_find_every_route() {
    let mut specs = Vec::new();
    for i in 0..4096u32 {
        let bus = BusId((i % 3) as u8);
        let id = if i % 2 == 0 {
            CanId::extended(0x0100_0000 + i * 7).unwrap()
        } else {
            std((i % 0x800) as u16)
        };
        specs.push(RouteSpec::exact(&format!("r{i}"), bus, id, &[BusId(3)]));
    }
    // drop conflicting duplicates of the standard ids
    let mut seen = std::collections::HashSet::new();
    specs.retain(|s| seen.insert((s.source, s.filter.id)));
    let owned = build(&specs).unwrap();
    let t = owned.table();
    assert!(t.max_probe <= ecu_com::gateway::MAX_PROBE);
    for (i, s) in specs.iter().enumerate() {
        assert_eq!(t.lookup(s.source, s.filter.id), Some(i as u16));
    }
    assert_eq!(t.lookup(BusId(3), std(1)), None);
}
