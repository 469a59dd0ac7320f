//! Host routing throughput: `cargo bench -p ecu-com --bench gateway`.
//!
//! Prints `gateway.route.N: <frames/s> frames/s` for N = 4, 1000, 4096 routes: the median of
//! several runs, each routing a fixed pseudo-random mix of frames (mostly routed ids, some
//! without a route) through a table of N exact routes plus a few mask routes.

use std::hint::black_box;
use std::time::Instant;

use ecu_com::gateway::build::{build, RouteSpec};
use ecu_com::gateway::{Gateway, Verdict};
use ecu_com::{BusId, CanId, IdFilter};

const FRAMES: usize = 2_000_000;
const RUNS: usize = 7;

fn specs(n: usize) -> Vec<RouteSpec> {
    let mut v = Vec::with_capacity(n);
    // two mask routes (diagnostics on each source bus), the rest exact
    for bus in 0..2u8 {
        let mut m = RouteSpec::exact(
            &format!("diag{bus}"),
            BusId(bus),
            CanId::standard(0x700).unwrap(),
            &[BusId(2)],
        );
        m.filter = IdFilter::new(CanId::standard(0x700).unwrap(), 0x700);
        if v.len() < n {
            v.push(m);
        }
    }
    let mut i = 0u32;
    while v.len() < n {
        let bus = BusId((i % 2) as u8);
        let id = if i < 0x600 {
            CanId::standard(i as u16).unwrap()
        } else {
            CanId::extended(0x0800_0000 | i.wrapping_mul(2_654_435_761) & 0x00FF_FFFF).unwrap()
        };
        let s = RouteSpec::exact(&format!("r{i}"), bus, id, &[BusId(2), BusId(3)]);
        if !v
            .iter()
            .any(|o: &RouteSpec| o.source == s.source && o.filter.id == s.filter.id)
            || i < 0x600
        {
            v.push(s);
        }
        i += 1;
    }
    v
}

fn run(n: usize) -> f64 {
    let specs = specs(n);
    let owned = build(&specs).expect("bench routes are valid");
    // the frames: 90 % ids with a route, 10 % without
    let mut x = 0x1234_5678_9ABC_DEF0u64;
    let frames: Vec<(BusId, CanId)> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if x % 100 < 10 {
                (
                    BusId(1),
                    CanId::extended((x >> 8) as u32 & 0x1FFF_FFFF).unwrap(),
                )
            } else {
                let s = &specs[(x >> 16) as usize % specs.len()];
                (s.source, s.filter.id)
            }
        })
        .collect();
    let mut results = Vec::new();
    for _ in 0..RUNS {
        let mut gw: Box<Gateway<'_, 4096>> = Box::new(Gateway::new(owned.table()).unwrap());
        let start = Instant::now();
        let mut forwarded = 0u64;
        for k in 0..FRAMES {
            let (bus, id) = frames[k & 4095];
            if let Verdict::Forward { .. } =
                gw.route(black_box(bus), black_box(id), 8, k as u64 * 100)
            {
                forwarded += 1;
            }
        }
        black_box(forwarded);
        results.push(FRAMES as f64 / start.elapsed().as_secs_f64());
    }
    results.sort_by(|a, b| a.total_cmp(b));
    results[RUNS / 2]
}

fn main() {
    for n in [4, 1000, 4096] {
        println!("gateway.route.{n}: {:.0} frames/s", run(n));
    }
}
