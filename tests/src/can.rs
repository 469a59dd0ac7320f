//! CAN scenarios: run a description of `tests/fixtures/can_gateway/` on the simulation with
//! `--pcap` and `--candump`, and read back what every bus carried.

use std::collections::BTreeMap;
use std::path::PathBuf;

use ecu_configurator::image::{run_with, RunOptions, RunOutput, Target};

use crate::repo_root;

/// One line of a candump log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// Microseconds of virtual time (the log's timestamp minus its epoch).
    pub time_us: u64,
    pub id: u32,
    pub data: Vec<u8>,
    /// A SocketCAN error frame.
    pub error: bool,
}

pub struct CanRun {
    pub output: RunOutput,
    /// The directory holding `<bus>.pcap` and `<bus>.log`.
    pub dir: PathBuf,
    /// Frames per bus name, in time order.
    pub buses: BTreeMap<String, Vec<Frame>>,
}

impl CanRun {
    pub fn bus(&self, name: &str) -> &[Frame] {
        self.buses
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or_else(|| panic!("no bus {name}"))
    }

    /// The `can ...` summary lines and kernel trace lines, whitespace-normalised.
    pub fn lines(&self) -> Vec<String> {
        crate::squeezed_trace(&self.output)
    }

    pub fn line_starting(&self, prefix: &str) -> String {
        self.lines()
            .into_iter()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line `{prefix}` in\n{}", self.output.stdout))
    }
}

pub const EPOCH_US: u64 = 1_700_000_000 * 1_000_000;

/// Parses a `candump -L` log.
pub fn read_candump(text: &str) -> Vec<Frame> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let mut parts = line.split_whitespace();
            let stamp = parts.next().expect("timestamp");
            let stamp = stamp.trim_matches(|c| c == '(' || c == ')');
            let (secs, micros) = stamp.split_once('.').expect("seconds.micros");
            let time_us = secs.parse::<u64>().unwrap() * 1_000_000 + micros.parse::<u64>().unwrap()
                - EPOCH_US;
            let _bus = parts.next().expect("interface");
            let frame = parts.next().expect("frame");
            let (id, data) = frame.split_once('#').expect("id#data");
            let id = u32::from_str_radix(id, 16).unwrap();
            let data = (0..data.len() / 2)
                .map(|i| u8::from_str_radix(&data[2 * i..2 * i + 2], 16).unwrap())
                .collect();
            Frame {
                time_us,
                id: id & 0x1FFF_FFFF,
                data,
                error: id & 0x2000_0000 != 0,
            }
        })
        .collect()
}

/// Runs `network.toml` + `scenario` for `ms` milliseconds with `seed`, writing the traces
/// into a fresh directory.
pub fn run_scenario(scenario: &str, ms: u64, seed: u64) -> CanRun {
    let fixtures = repo_root().join("tests/fixtures/can_gateway");
    let ecu = ecu_configurator::load(&[fixtures.join("network.toml"), fixtures.join(scenario)])
        .unwrap_or_else(|d| panic!("{d}"));
    let dir = std::env::temp_dir().join(format!(
        "ecu-can-{}-{}-{seed}-{ms}",
        scenario.trim_end_matches(".toml"),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let traces = RunOptions {
        pcap: Some(dir.clone()),
        candump: Some(dir.clone()),
        ..RunOptions::default()
    };
    let output = run_with(&ecu, Target::Sim, ms, seed, &traces)
        .unwrap_or_else(|e| panic!("{scenario}: {e}"));
    assert_eq!(output.exit_code, Some(0), "{}", output.stdout);
    let mut buses = BTreeMap::new();
    for bus in &ecu.can.buses {
        let log = std::fs::read_to_string(dir.join(format!("{}.log", bus.name)))
            .unwrap_or_else(|e| panic!("{}.log: {e}", bus.name));
        assert!(dir.join(format!("{}.pcap", bus.name)).exists());
        buses.insert(bus.name.clone(), read_candump(&log));
    }
    CanRun { output, dir, buses }
}

/// Worst-case time of a classic data frame with 8 bytes and a standard id on the wire, with
/// worst-case stuffing and the 3-bit intermission, in µs at `bitrate`.
pub fn worst_frame_us(bitrate: u64) -> u64 {
    // 44 + 64 bits, (34 + 64 - 1) / 4 stuff bits, 3 bits intermission
    let bits: u64 = 44 + 64 + (34 + 64 - 1) / 4 + 3;
    (bits * 1_000_000).div_ceil(bitrate)
}
