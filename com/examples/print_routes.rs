//! Prints a small route table as the Rust `static`s the configurator is to emit:
//! `cargo run -p ecu-com --features std --example print_routes`.

use ecu_com::gateway::build::{build, RouteSpec};
use ecu_com::gateway::{LengthRule, RateLimit};
use ecu_com::{BusId, CanId, IdFilter};

fn main() {
    let sid = |id| CanId::standard(id).unwrap();
    let mut brake = RouteSpec::exact("brake", BusId(0), sid(0x080), &[BusId(1)]);
    brake.length = LengthRule::exactly(8);
    brake.min_cycle_ns = 5_000_000;
    brake.rate = Some(RateLimit {
        frames: 10,
        window_ns: 100_000_000,
    });
    let mut body = RouteSpec::exact("body_cmd", BusId(1), sid(0x300), &[BusId(0)]);
    body.translate = Some(CanId::extended(0x18DA_00F1).unwrap());
    let mut tester = RouteSpec::exact("tester", BusId(2), sid(0x7E0), &[BusId(0)]);
    tester.filter = IdFilter::new(sid(0x7E0), 0x7F8);
    let specs = [brake, body, tester];
    match build(&specs) {
        Ok(table) => print!("{}", table.to_rust("GATEWAY")),
        Err(e) => eprintln!("error: {e}"),
    }
}
