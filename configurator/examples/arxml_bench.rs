//! ARXML ingest benchmark (not a test): `cargo run --release -p ecu-configurator --example
//! arxml_bench [MB] [CANTOOLS_MB]`. Generates a CAN system description of MB megabytes (default
//! 100) in the temp dir, and prints
//! `arxml.ingest` (file to resolved model, MB/s), `arxml.vs_event_loop` (ours / quick-xml's bare
//! event loop), `arxml.peak_memory_vs_file` and `arxml.vs_cantools` (cantools' load time / ours;
//! measured on a CANTOOLS_MB file, default 10, because cantools needs minutes and gigabytes for
//! the large one; both rates are per MB). Files are removed afterwards.

#![allow(clippy::write_with_newline)]

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

fn generate(target: usize) -> String {
    let mut s = String::with_capacity(target + 8192);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<AUTOSAR xmlns=\"http://autosar.org/schema/r4.0\">\n<AR-PACKAGES>\n");
    let mut p = 0;
    while s.len() < target {
        let _ = write!(s, "<AR-PACKAGE><SHORT-NAME>P{p}</SHORT-NAME><ELEMENTS>\n<CAN-CLUSTER><SHORT-NAME>C</SHORT-NAME><CAN-CLUSTER-VARIANTS><CAN-CLUSTER-CONDITIONAL><BAUDRATE>500000</BAUDRATE><PHYSICAL-CHANNELS><CAN-PHYSICAL-CHANNEL><SHORT-NAME>Ch</SHORT-NAME><FRAME-TRIGGERINGS>\n");
        for i in 0..100 {
            let _ = write!(s, "  <CAN-FRAME-TRIGGERING><SHORT-NAME>T{i}</SHORT-NAME><FRAME-REF DEST=\"CAN-FRAME\">/P{p}/F{i}</FRAME-REF><CAN-ADDRESSING-MODE>STANDARD</CAN-ADDRESSING-MODE><IDENTIFIER>{}</IDENTIFIER></CAN-FRAME-TRIGGERING>\n", i + 1);
        }
        s.push_str("</FRAME-TRIGGERINGS></CAN-PHYSICAL-CHANNEL></PHYSICAL-CHANNELS></CAN-CLUSTER-CONDITIONAL></CAN-CLUSTER-VARIANTS></CAN-CLUSTER>\n");
        for i in 0..100 {
            let _ = write!(s, "<CAN-FRAME><SHORT-NAME>F{i}</SHORT-NAME><FRAME-LENGTH>8</FRAME-LENGTH><PDU-TO-FRAME-MAPPINGS><PDU-TO-FRAME-MAPPING><SHORT-NAME>M</SHORT-NAME><PDU-REF DEST=\"I-SIGNAL-I-PDU\">/P{p}/Pdu{i}</PDU-REF><START-POSITION>0</START-POSITION></PDU-TO-FRAME-MAPPING></PDU-TO-FRAME-MAPPINGS></CAN-FRAME>\n<I-SIGNAL-I-PDU><SHORT-NAME>Pdu{i}</SHORT-NAME><LENGTH>8</LENGTH><I-SIGNAL-TO-PDU-MAPPINGS>");
            for k in 0..4 {
                let _ = write!(s, "<I-SIGNAL-TO-I-PDU-MAPPING><SHORT-NAME>M{k}</SHORT-NAME><I-SIGNAL-REF DEST=\"I-SIGNAL\">/P{p}/S{i}_{k}</I-SIGNAL-REF><PACKING-BYTE-ORDER>MOST-SIGNIFICANT-BYTE-LAST</PACKING-BYTE-ORDER><START-POSITION>{}</START-POSITION></I-SIGNAL-TO-I-PDU-MAPPING>", k * 16);
            }
            s.push_str("</I-SIGNAL-TO-PDU-MAPPINGS></I-SIGNAL-I-PDU>\n");
            for k in 0..4 {
                let _ = write!(
                    s,
                    "<I-SIGNAL><SHORT-NAME>S{i}_{k}</SHORT-NAME><LENGTH>16</LENGTH></I-SIGNAL>\n"
                );
            }
        }
        s.push_str("</ELEMENTS></AR-PACKAGE>\n");
        p += 1;
    }
    s.push_str("</AR-PACKAGES>\n</AUTOSAR>\n");
    s
}

fn peak_rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim_heap() {
    extern "C" {
        fn malloc_trim(pad: usize) -> i32;
    }
    // SAFETY: glibc's malloc_trim only returns free heap memory to the kernel.
    unsafe {
        malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim_heap() {}

fn ours(path: &Path) -> f64 {
    let t = Instant::now();
    let ecu = ecu_configurator::load(&[path.to_path_buf()]).unwrap_or_else(|d| panic!("{d}"));
    let s = t.elapsed().as_secs_f64();
    assert!(!ecu.network.frames.is_empty());
    s
}

fn cantools(path: &Path) -> Option<f64> {
    let out = std::process::Command::new("python3")
        .args(["-c", "import sys,time,cantools\nt=time.perf_counter()\ncantools.database.load_file(sys.argv[1])\nprint(time.perf_counter()-t)"])
        .arg(path)
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>().ok());
    let mb = args.next().flatten().unwrap_or(100);
    let cmb = args.next().flatten().unwrap_or(10);
    let dir = std::env::temp_dir();

    // Small file first (cantools comparison), so the big one's peak memory is ours alone.
    let small = dir.join("ecuconf-bench-small.arxml");
    let text = generate(cmb << 20);
    std::fs::write(&small, &text).unwrap();
    let small_mb = text.len() as f64 / 1e6;
    drop(text);
    let ours_small = (0..3).map(|_| ours(&small)).fold(f64::MAX, f64::min);
    let ct = cantools(&small);
    let _ = std::fs::remove_file(&small);

    let big = dir.join("ecuconf-bench.arxml");
    let text = generate(mb << 20);
    std::fs::write(&big, &text).unwrap();
    let size = text.len() as f64;
    let mut bare = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let mut r = quick_xml::Reader::from_str(&text);
        loop {
            match r.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("{e}"),
            }
        }
        bare = bare.min(t.elapsed().as_secs_f64());
    }
    drop(text);
    // Give the harness's freed heap (generator, small-file runs) back to the system, then reset
    // the high-water mark: the peak is then the reader's alone, not the harness's copy.
    trim_heap();
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let base_rss = peak_rss_bytes();
    let full = ours(&big);
    let peak = peak_rss_bytes();
    let full = full.min(ours(&big));
    let _ = std::fs::remove_file(&big);

    println!("arxml.file: {:.1} MB", size / 1e6);
    println!("arxml.ingest: {:.0} MB/s", size / 1e6 / full);
    println!("arxml.vs_event_loop: {:.2} ×", full / bare);
    println!(
        "arxml.peak_memory_vs_file: {:.2} ×",
        peak.max(base_rss) as f64 / size
    );
    match ct {
        Some(c) => println!(
            "arxml.vs_cantools: {:.0} × (on {small_mb:.1} MB: cantools {c:.2} s, ours {ours_small:.3} s)",
            c / ours_small
        ),
        None => println!("arxml.vs_cantools: n/a (cantools did not run)"),
    }
}
