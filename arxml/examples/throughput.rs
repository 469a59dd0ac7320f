//! Throughput on a generated ARXML: `cargo run --release -p ecu-arxml --example throughput [MB]`.
//! Compares the full reader (tree, path index, references) with quick-xml's bare event loop.
//! The file is written to the temp dir and removed afterwards.

use std::fmt::Write as _;
use std::time::Instant;

use quick_xml::events::Event;
use quick_xml::Reader;

fn generate(target_bytes: usize) -> String {
    let mut s = String::with_capacity(target_bytes + 4096);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<AUTOSAR xmlns=\"http://autosar.org/schema/r4.0\">\n  <AR-PACKAGES>\n");
    let mut p = 0;
    while s.len() < target_bytes {
        let _ = write!(
            s,
            "    <AR-PACKAGE>\n      <SHORT-NAME>Pkg{p}</SHORT-NAME>\n      <ELEMENTS>\n"
        );
        for i in 0..100 {
            let _ = write!(
                s,
                "        <I-SIGNAL UUID=\"u-{p}-{i}\">\n          <SHORT-NAME>Sig{i}</SHORT-NAME>\n          <LENGTH>{}</LENGTH>\n        </I-SIGNAL>\n\
                 \x20       <CAN-FRAME>\n          <SHORT-NAME>Frame{i}</SHORT-NAME>\n          <FRAME-LENGTH>8</FRAME-LENGTH>\n          <PDU-TO-FRAME-MAPPINGS>\n            <PDU-TO-FRAME-MAPPING>\n              <SHORT-NAME>M</SHORT-NAME>\n              <PDU-REF DEST=\"I-SIGNAL\">/Pkg{p}/Sig{i}</PDU-REF>\n              <START-POSITION>0x{i:x}</START-POSITION>\n            </PDU-TO-FRAME-MAPPING>\n          </PDU-TO-FRAME-MAPPINGS>\n        </CAN-FRAME>\n",
                i % 64 + 1
            );
        }
        s.push_str("      </ELEMENTS>\n    </AR-PACKAGE>\n");
        p += 1;
    }
    s.push_str("  </AR-PACKAGES>\n</AUTOSAR>\n");
    s
}

fn main() {
    let mb: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50);
    let text = generate(mb << 20);
    let path = std::env::temp_dir().join("ecu-arxml-throughput.arxml");
    std::fs::write(&path, &text).expect("write temp file");
    let size = text.len() as f64 / (1 << 20) as f64;

    let t = Instant::now();
    let mut r = Reader::from_str(&text);
    let mut events = 0u64;
    loop {
        match r.read_event() {
            Ok(Event::Eof) => break,
            Ok(_) => events += 1,
            Err(e) => panic!("{e}"),
        }
    }
    let bare = t.elapsed().as_secs_f64();
    drop(text);

    let t = Instant::now();
    let loaded = ecu_arxml::read_files(&[&path]);
    let full = t.elapsed().as_secs_f64();
    assert!(loaded.diagnostics.is_empty(), "{}", loaded.diagnostics[0]);
    let _ = std::fs::remove_file(&path);

    println!(
        "file: {size:.1} MiB, {} elements, {events} events",
        loaded.arxml.len()
    );
    println!("quick-xml bare loop: {bare:.3} s, {:.0} MiB/s", size / bare);
    println!(
        "ecu-arxml read_files: {full:.3} s, {:.0} MiB/s ({:.2}x bare)",
        size / full,
        full / bare
    );
}
