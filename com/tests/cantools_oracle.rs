//! Signal packing against cantools (PyPI `cantools`), when it is installed: random layouts
//! written as a DBC, values encoded by cantools must equal ours bit for bit, and cantools must
//! decode our bytes to the same raw values. Skips, saying so, without python3 + cantools.

use std::fmt::Write as _;
use std::process::{Command, Stdio};

use ecu_com::signal::{ByteOrder, SignalLayout};

fn cantools_available() -> bool {
    Command::new("python3")
        .args(["-c", "import cantools"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

const SCRIPT: &str = r#"
import sys, cantools
db = cantools.database.load_file(sys.argv[1])
for line in open(sys.argv[2]):
    frame_id, raw, ours = line.split()
    m = db.get_message_by_frame_id(int(frame_id))
    enc = m.encode({'S': int(raw)}, scaling=False, strict=False)
    dec = m.decode(bytes.fromhex(ours), scaling=False, decode_choices=False)['S']
    print(enc.hex(), int(dec))
"#;

#[test]
fn signal_layouts_agree_with_cantools() {
    if !cantools_available() {
        eprintln!("SKIPPED signal_layouts_agree_with_cantools: python3 with cantools is not installed (pip install cantools)");
        return;
    }
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut dbc = String::from("VERSION \"\"\n\nNS_ :\n\nBS_:\n\nBU_: N\n\n");
    let mut cases = Vec::new();
    let mut lines = String::new();
    while cases.len() < 300 {
        let length = 1 + (next() % 64) as u8;
        let start = (next() % 64) as u16;
        let big = next() % 2 == 0;
        let signed = next() % 2 == 0 && length > 1;
        let layout = SignalLayout {
            signed,
            ..SignalLayout::raw(
                start,
                length,
                if big {
                    ByteOrder::BigEndian
                } else {
                    ByteOrder::LittleEndian
                },
            )
        };
        if layout.bytes_needed() > 8
            || (big
                && ecu_com::signal::motorola_msb_from_lsb(
                    ecu_com::signal::motorola_lsb_from_msb(start, length),
                    length,
                ) != Some(start))
        {
            continue;
        }
        let id = 0x100 + cases.len() as u32;
        let (lo, hi) = layout.raw_range();
        let raw = lo + (next() as i128).rem_euclid(hi - lo + 1);
        let mut ours = [0u8; 8];
        layout.pack_int(&mut ours, raw).unwrap();
        let _ = writeln!(
            dbc,
            "BO_ {id} M{id}: 8 N\n SG_ S : {start}|{length}@{}{} (1,0) [0|0] \"\" N\n",
            if big { 0 } else { 1 },
            if signed { '-' } else { '+' }
        );
        let hex: String = ours.iter().map(|b| format!("{b:02x}")).collect();
        let _ = writeln!(lines, "{id} {raw} {hex}");
        cases.push((layout, raw, ours));
    }
    let dir = std::env::temp_dir();
    let tag = std::process::id();
    let dbc_path = dir.join(format!("ecu-com-oracle-{tag}.dbc"));
    let cases_path = dir.join(format!("ecu-com-oracle-{tag}.txt"));
    std::fs::write(&dbc_path, dbc).unwrap();
    std::fs::write(&cases_path, lines).unwrap();
    let out = Command::new("python3")
        .args(["-c", SCRIPT])
        .arg(&dbc_path)
        .arg(&cases_path)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&dbc_path);
    let _ = std::fs::remove_file(&cases_path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let results: Vec<&str> = text.lines().collect();
    assert_eq!(results.len(), cases.len());
    for ((layout, raw, ours), line) in cases.iter().zip(results) {
        let (enc, dec) = line.split_once(' ').unwrap();
        let ours_hex: String = ours.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            enc, ours_hex,
            "{layout:?} raw {raw}: cantools encodes differently"
        );
        assert_eq!(
            dec.parse::<i128>().unwrap(),
            *raw,
            "{layout:?}: cantools decodes ours differently"
        );
        assert_eq!(layout.unpack_int(ours).unwrap(), *raw);
    }
}
