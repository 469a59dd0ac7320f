//! Bus behaviour and traces.

use std::process::Command;

use ecu_com::{AnyFrame, CanFrame, CanId, FdFrame, IdFilter};

use super::bits::classic_exact_bits;
use super::bus::{BusConfig, Event, Network, SimRng};
use super::trace::{candump_line, read_pcap, write_candump, write_pcap, DEFAULT_EPOCH_S};

pub(super) fn std_frame(id: u16, data: &[u8]) -> AnyFrame {
    CanFrame::data(CanId::standard(id).unwrap(), data)
        .unwrap()
        .into()
}

pub(super) fn ext_frame(id: u32, data: &[u8]) -> AnyFrame {
    CanFrame::data(CanId::extended(id).unwrap(), data)
        .unwrap()
        .into()
}

fn frames(net: &mut Network, until: u64) -> Vec<Event> {
    let mut out = Vec::new();
    net.run_until(until, |_, e| out.push(e));
    out
}

#[test]
fn arbitration_lowest_id_wins_and_standard_beats_extended() {
    let mut net = Network::new(1);
    let bus = net.add_bus(BusConfig::classic("can0", 500_000));
    // all queued at t = 0: order on the wire is by arbitration
    net.add_peer_list("a", bus, vec![(0, std_frame(0x200, &[1]))]);
    net.add_peer_list("b", bus, vec![(0, ext_frame(0x100 << 18, &[2]))]);
    net.add_peer_list("c", bus, vec![(0, std_frame(0x100, &[3]))]);
    net.add_peer_list("d", bus, vec![(0, ext_frame(0x0FF << 18 | 0x3FFFF, &[4]))]);
    let rx = net.add_controller("ecu", bus);
    let events = frames(&mut net, 10_000_000);
    let order: Vec<u8> = events
        .iter()
        .filter_map(|e| match e {
            Event::Frame { frame, .. } => Some(frame.data()[0]),
            _ => None,
        })
        .collect();
    assert_eq!(order, [4, 3, 2, 1]);
    // back to back: each starts where the previous ended
    let mut t = 0;
    for e in &events {
        if let Event::Frame {
            start_ns,
            end_ns,
            frame,
            ..
        } = e
        {
            assert_eq!(*start_ns, t);
            let AnyFrame::Classic(f) = frame else {
                panic!()
            };
            assert_eq!(end_ns - start_ns, classic_exact_bits(f) as u64 * 2_000);
            t = *end_ns;
        }
    }
    assert_eq!(net.take_received(rx).len(), 4);
}

#[test]
fn a_frame_queued_during_a_transmission_waits_for_it() {
    let mut net = Network::new(1);
    let bus = net.add_bus(BusConfig::classic("can0", 125_000));
    net.add_peer_list("low", bus, vec![(0, std_frame(0x700, &[0; 8]))]);
    net.add_peer_list("high", bus, vec![(10_000, std_frame(0x001, &[0; 8]))]);
    let ev = frames(&mut net, 100_000_000);
    let Event::Frame {
        end_ns: first_end,
        frame,
        ..
    } = ev[0]
    else {
        panic!()
    };
    assert_eq!(frame.can_id().raw(), 0x700);
    let Event::Frame {
        start_ns,
        queued_ns,
        ..
    } = ev[1]
    else {
        panic!()
    };
    assert_eq!((start_ns, queued_ns), (first_end, 10_000));
}

#[test]
fn acceptance_filters_and_statistics() {
    let mut net = Network::new(1);
    let bus = net.add_bus(BusConfig::classic("can0", 500_000));
    let frames_sent: Vec<_> = (0..100u64)
        .map(|i| {
            (
                i * 1_000_000,
                std_frame(0x100 + (i % 4) as u16, &[i as u8; 8]),
            )
        })
        .collect();
    net.add_peer_list("p", bus, frames_sent);
    let ecu = net.add_controller("ecu", bus);
    net.node_mut(ecu).filters = Some(vec![IdFilter::new(CanId::standard(0x100).unwrap(), 0x7FE)]);
    net.run_until(200_000_000, |_, _| {});
    let rx = net.take_received(ecu);
    assert_eq!(rx.len(), 50);
    assert!(rx.iter().all(|r| r.frame.can_id().raw() <= 0x101));
    assert_eq!(net.node(ecu).stats.filtered, 50);
    let stats = net.bus_stats(bus);
    assert_eq!(stats.frames, 100);
    let load = net.bus_load(bus);
    assert!(load > 0.01 && load < 0.2, "{load}");
}

fn random_traffic(seed: u64) -> Network {
    let mut net = Network::new(seed);
    let bus = net.add_bus(BusConfig::classic("can0", 500_000));
    let bus1 = net.add_bus(BusConfig {
        data_bitrate: Some(2_000_000),
        ..BusConfig::classic("can1", 500_000)
    });
    for (i, b) in [(0, bus), (1, bus), (2, bus1)] {
        net.add_peer_generator(
            &format!("rand{i}"),
            b,
            Box::new(move |rng: &mut SimRng, last| {
                if last > 50_000_000 {
                    return None;
                }
                let t = last + 100_000 + rng.below(900_000);
                let len = rng.below(9) as usize;
                let data = rng.next_u64().to_le_bytes();
                let frame = if i == 2 {
                    FdFrame::padded(
                        CanId::standard(rng.below(0x800) as u16).unwrap(),
                        &data[..len],
                        0,
                        true,
                    )
                    .unwrap()
                    .into()
                } else if rng.below(2) == 0 {
                    std_frame(rng.below(0x800) as u16, &data[..len])
                } else {
                    ext_frame(rng.below(0x2000_0000) as u32, &data[..len])
                };
                Some((t, frame))
            }),
        );
    }
    net.add_controller("ecu", bus);
    net.run_until(100_000_000, |_, _| {});
    net
}

#[test]
fn deterministic_for_a_seed() {
    let a = random_traffic(7);
    let b = random_traffic(7);
    let c = random_traffic(8);
    assert!(a.trace().len() > 100);
    assert_eq!(a.trace(), b.trace());
    assert_ne!(a.trace(), c.trace());
    // the trace is in time order
    assert!(a.trace().windows(2).all(|w| w[0].time_ns <= w[1].time_ns));
}

#[test]
fn error_frames_retransmit_and_bus_off_recovers() {
    let mut net = Network::new(3);
    let bus = net.add_bus(BusConfig::classic("can0", 500_000));
    let ecu = net.add_controller("ecu", bus);
    let peer = net.add_peer_list("p", bus, vec![]);
    net.inject_errors(ecu, 2);
    net.send(ecu, std_frame(0x123, &[1, 2])).unwrap();
    let ev = frames(&mut net, 1_000_000);
    assert!(matches!(ev[0], Event::ErrorFrame { .. }));
    assert!(matches!(ev[1], Event::ErrorFrame { .. }));
    assert!(matches!(ev[2], Event::Frame { .. }));
    assert_eq!(net.node(ecu).errors.tec(), 15);
    assert_eq!(net.node(peer).errors.rec(), 1);
    assert_eq!(net.bus_stats(bus).error_frames, 2);
    // 32 errors in a row: bus-off
    net.inject_errors(ecu, 40);
    net.send(ecu, std_frame(0x124, &[])).unwrap();
    let ev = frames(&mut net, 5_000_000);
    let off = ev
        .iter()
        .find_map(|e| match e {
            Event::BusOff { node, time_ns } => Some((*node, *time_ns)),
            _ => None,
        })
        .expect("bus-off");
    assert_eq!(off.0, ecu);
    assert!(net.send(ecu, std_frame(0x125, &[])).is_err());
    // idle bus: 128 × 11 bits = 2.816 ms at 500 kbit/s
    let ev = frames(&mut net, 20_000_000);
    let rec = ev
        .iter()
        .find_map(|e| match e {
            Event::Recovered { node, time_ns } => Some((*node, *time_ns)),
            _ => None,
        })
        .expect("recovery");
    assert_eq!(rec.0, ecu);
    assert_eq!(rec.1 - off.1, 128 * 11 * 2_000);
    net.send(ecu, std_frame(0x125, &[])).unwrap();
}

#[test]
fn bus_off_recovery_on_a_busy_bus_counts_frame_ends() {
    let mut net = Network::new(3);
    let bus = net.add_bus(BusConfig::classic("can0", 500_000));
    let ecu = net.add_controller("ecu", bus);
    // back-to-back traffic: 300 frames queued at once
    net.add_peer_list(
        "busy",
        bus,
        (0..300).map(|i| (i, std_frame(0x10, &[0; 8]))).collect(),
    );
    net.force_bus_off(ecu);
    let mut frames_before = 0;
    let mut recovered = false;
    net.run_until(100_000_000, |_, e| match e {
        Event::Frame { .. } if !recovered => frames_before += 1,
        Event::Recovered { .. } => recovered = true,
        _ => {}
    });
    assert!(recovered);
    // the peer's queue holds 64; with the rest refused, 64 back-to-back frames then idle
    assert!(frames_before <= 128, "{frames_before}");
}

fn sample_trace() -> Network {
    let mut net = Network::new(1);
    let bus = net.add_bus(BusConfig::classic("can0", 500_000));
    let fd = net.add_bus(BusConfig {
        data_bitrate: Some(2_000_000),
        ..BusConfig::classic("can1", 500_000)
    });
    let mut fd_frame = FdFrame::new(CanId::standard(0x456).unwrap(), &[0x11; 12], true).unwrap();
    fd_frame.esi = true;
    net.add_peer_list(
        "p",
        bus,
        vec![
            (0, std_frame(0x123, &[0xDE, 0xAD, 0xBE, 0xEF])),
            (1_000_000, ext_frame(0x1234_5678, &[])),
            (
                2_000_000,
                CanFrame::remote(CanId::standard(0x7FF).unwrap(), 4)
                    .unwrap()
                    .into(),
            ),
        ],
    );
    net.add_peer_list("q", fd, vec![(500_000, fd_frame.into())]);
    let ecu = net.add_controller("ecu", bus);
    net.inject_errors(ecu, 1);
    net.send(ecu, std_frame(0x001, &[1])).unwrap();
    net.run_until(10_000_000, |_, _| {});
    net
}

#[test]
fn candump_format() {
    let net = sample_trace();
    let mut out = Vec::new();
    write_candump(&mut out, net.trace(), &net.bus_names(), DEFAULT_EPOCH_S).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    assert!(
        lines[0].starts_with("(1700000000.0000")
            && lines[0].ends_with(" can0 20000080#0000000000000000"),
        "{text}"
    );
    assert!(lines.iter().any(|l| l.ends_with(" can0 001#01")));
    assert!(lines.iter().any(|l| l.ends_with(" can0 123#DEADBEEF")));
    assert!(lines.iter().any(|l| l.ends_with(" can0 12345678#")));
    assert!(lines.iter().any(|l| l.ends_with(" can0 7FF#R4")));
    assert!(lines
        .iter()
        .any(|l| l.ends_with(" can1 456##3111111111111111111111111")));
    let e = net.trace()[0];
    let line = candump_line(&e, "can0", 1_700_000_000);
    let (ts, _) = line[1..].split_once(')').unwrap();
    let micros: u64 = ts.replace('.', "").parse().unwrap();
    assert_eq!(micros, 1_700_000_000_000_000 + e.time_ns / 1000);
}

#[test]
fn pcap_reads_back() {
    let net = sample_trace();
    let mut out = Vec::new();
    write_pcap(&mut out, net.trace(), DEFAULT_EPOCH_S).unwrap();
    assert_eq!(&out[20..24], &227u32.to_le_bytes());
    let packets = read_pcap(&out).unwrap();
    assert_eq!(packets.len(), net.trace().len());
    for (p, e) in packets.iter().zip(net.trace()) {
        assert_eq!(p.time_ns, DEFAULT_EPOCH_S * 1_000_000_000 + e.time_ns);
        assert_eq!(p.error, e.error);
        if !e.error {
            assert_eq!(p.frame, Some(e.frame));
        }
    }
}

/// Decodes the pcap with tshark when it is installed (Debian package `tshark`).
#[test]
fn tshark_decodes_the_pcap() {
    if Command::new("tshark").arg("--version").output().is_err() {
        eprintln!(
            "SKIPPED tshark_decodes_the_pcap: tshark is not installed (apt-get install tshark)"
        );
        return;
    }
    let net = sample_trace();
    let path = std::env::temp_dir().join(format!("ecu-sim-can-{}.pcap", std::process::id()));
    let mut out = Vec::new();
    write_pcap(&mut out, net.trace(), DEFAULT_EPOCH_S).unwrap();
    std::fs::write(&path, &out).unwrap();
    let output = Command::new("tshark")
        .arg("-r")
        .arg(&path)
        .args(["-T", "fields"])
        .args([
            "-e",
            "can.id",
            "-e",
            "can.flags.xtd",
            "-e",
            "can.len",
            "-e",
            "data.data",
        ])
        .args([
            "-e",
            "canfd.flags.brs",
            "-e",
            "canfd.flags.esi",
            "-e",
            "can.flags.rtr",
        ])
        .output()
        .unwrap();
    if std::env::var_os("KEEP_PCAP").is_none() {
        let _ = std::fs::remove_file(&path);
    }
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(lines.len(), net.trace().len(), "{text}");
    // tshark prints can.id in decimal (4.0) or hex (other versions): compare numbers
    let number = |s: &str| match s.strip_prefix("0x") {
        Some(h) => u32::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    };
    let find = |id: u32| {
        lines
            .iter()
            .find(|l| number(l[0]) == Some(id))
            .unwrap_or_else(|| panic!("id {id:#x} missing in\n{text}"))
    };
    let truthy = |s: &str| s == "1" || s == "True";
    assert_eq!(find(0x123)[3], "deadbeef");
    assert_eq!(find(0x123)[2], "4");
    assert_eq!(find(0x001)[3], "01");
    let ext = find(0x1234_5678);
    assert!(truthy(ext[1]), "{text}");
    assert_eq!(ext[2], "0");
    let fd = find(0x456);
    assert_eq!(fd[2], "12");
    assert_eq!(fd[3], "111111111111111111111111");
    assert!(
        truthy(fd[4]) && truthy(fd[5]),
        "FD flags BRS and ESI: {text}"
    );
    assert!(truthy(find(0x7FF)[6]), "remote flag: {text}");
    // the error frame: no id field
    assert_eq!(
        lines.iter().filter(|l| l[0].is_empty()).count(),
        1,
        "{text}"
    );
}

/// python-can (PyPI `python-can`) reads our candump log back, when it is installed.
#[test]
fn python_can_reads_the_candump_log() {
    let available = Command::new("python3")
        .args(["-c", "import can"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        eprintln!("SKIPPED python_can_reads_the_candump_log: python3 with python-can is not installed (pip install python-can)");
        return;
    }
    let net = sample_trace();
    let mut out = Vec::new();
    write_candump(&mut out, net.trace(), &net.bus_names(), DEFAULT_EPOCH_S).unwrap();
    let path = std::env::temp_dir().join(format!("ecu-sim-can-{}.log", std::process::id()));
    std::fs::write(&path, &out).unwrap();
    let script = r#"
import sys, can
for m in can.CanutilsLogReader(sys.argv[1]):
    print('%.6f %s %x %d %d %d %d %s' % (m.timestamp, m.channel, m.arbitration_id, m.is_extended_id,
          m.is_remote_frame, m.is_fd, m.is_error_frame, bytes(m.data).hex()))
"#;
    let output = Command::new("python3")
        .args(["-c", script])
        .arg(&path)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), net.trace().len(), "{text}");
    for (line, e) in lines.iter().zip(net.trace()) {
        let f: Vec<&str> = line.split(' ').collect();
        let micros: u64 = f[0].replace('.', "").parse().unwrap();
        assert_eq!(
            micros,
            DEFAULT_EPOCH_S * 1_000_000 + e.time_ns / 1000,
            "{line}"
        );
        if e.error {
            // python-can keeps no channel for error frames
            assert_eq!(f[6], "1", "{line}");
            continue;
        }
        assert_eq!(f[1], net.bus_names()[e.bus.index()]);
        let id = e.frame.can_id();
        assert_eq!(u32::from_str_radix(f[2], 16).unwrap(), id.raw(), "{line}");
        assert_eq!(f[3] == "1", id.is_extended(), "{line}");
        assert_eq!(f[4] == "1", e.frame.is_remote(), "{line}");
        assert_eq!(f[5] == "1", e.frame.is_fd(), "{line}");
        if !e.frame.is_remote() {
            let hex: String = e.frame.data().iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(f.get(7).copied().unwrap_or(""), hex, "{line}");
        }
    }
}
