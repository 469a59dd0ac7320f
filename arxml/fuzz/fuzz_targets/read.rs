//! Arbitrary bytes into the reader: it must return diagnostics, never panic or overflow.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // A NUL byte splits the input into two files, so cross-file paths and references get
    // exercised too (NUL never appears in XML text).
    let cut = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (a, b) = data.split_at(cut);
    let b = b.get(1..).unwrap_or(&[]);
    let loaded = ecu_arxml::read_sources([("a.arxml", a), ("b.arxml", b)]);
    for d in &loaded.diagnostics {
        let _ = d.to_string();
    }
    // Every query on every element must be total.
    let m = &loaded.arxml;
    for r in m.roots() {
        for n in m.descendants(r) {
            let _ = m.location(n);
            let _ = m.element_path(n);
            let _ = m.path(n);
            let _ = m.reference_target(n);
            let _ = m.text_as_u64(n);
            let _ = m.child_text(n, "SHORT-NAME");
        }
    }
});
