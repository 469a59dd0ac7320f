//! Trace writers: candump log files and pcap (LINKTYPE_CAN_SOCKETCAN), plus a pcap reader for
//! tests.
//!
//! candump (`candump -L` format): `(1700000000.000000) can0 123#DEADBEEF`, extended ids with 8
//! hex digits, remote frames `123#R` (`123#R4` with a DLC), CAN FD `123##<flags>DATA` (flags
//! hex digit: BRS 1, ESI 2), error frames as SocketCAN error frames (`20000080#...`: bus error).
//!
//! pcap: nanosecond-resolution file header (magic 0xa1b23c4d), link type 227. Every packet
//! starts with the 8-byte SocketCAN header: the id in network byte order with the flags
//! CAN_EFF 0x8000_0000, CAN_RTR 0x4000_0000, CAN_ERR 0x2000_0000; the payload length; a
//! flags byte (CAN FD: CANFD_FDF 0x04 always set, BRS 0x01, ESI 0x02; 0 for classic frames);
//! two reserved bytes. Classic frames carry 8 data bytes (16 bytes in all, CAN_MTU), FD frames
//! 64 (72, CANFD_MTU), zero-padded beyond the length.

use std::io::{self, Write};

use ecu_com::{AnyFrame, CanFrame, CanId, FdFrame};

use super::bus::TraceEntry;

pub const CAN_EFF_FLAG: u32 = 0x8000_0000;
pub const CAN_RTR_FLAG: u32 = 0x4000_0000;
pub const CAN_ERR_FLAG: u32 = 0x2000_0000;
/// `CAN_ERR_BUSERROR`: the error class an injected error frame reports.
pub const CAN_ERR_BUSERROR: u32 = 0x0000_0080;
pub const CANFD_BRS: u8 = 0x01;
pub const CANFD_ESI: u8 = 0x02;
pub const CANFD_FDF: u8 = 0x04;
pub const LINKTYPE_CAN_SOCKETCAN: u32 = 227;
/// Where virtual time 0 lands in the traces (seconds since the Unix epoch).
pub const DEFAULT_EPOCH_S: u64 = 1_700_000_000;

fn hex(out: &mut String, data: &[u8]) {
    for b in data {
        out.push_str(&format!("{b:02X}"));
    }
}

/// One candump line (without newline).
pub fn candump_line(entry: &TraceEntry, bus_name: &str, epoch_s: u64) -> String {
    let secs = epoch_s + entry.time_ns / 1_000_000_000;
    let micros = entry.time_ns % 1_000_000_000 / 1_000;
    let mut s = format!("({secs}.{micros:06}) {bus_name} ");
    if entry.error {
        s.push_str(&format!("{:08X}#", CAN_ERR_FLAG | CAN_ERR_BUSERROR));
        hex(&mut s, &[0; 8]);
        return s;
    }
    let id = entry.frame.can_id();
    if id.is_extended() {
        s.push_str(&format!("{:08X}", id.raw()));
    } else {
        s.push_str(&format!("{:03X}", id.raw()));
    }
    match &entry.frame {
        AnyFrame::Classic(f) => {
            use embedded_can::Frame;
            if f.is_remote_frame() {
                s.push_str("#R");
                if f.dlc() > 0 {
                    s.push_str(&f.dlc().to_string());
                }
            } else {
                s.push('#');
                hex(&mut s, f.data());
            }
        }
        AnyFrame::Fd(f) => {
            let flags = if f.brs { CANFD_BRS } else { 0 } | if f.esi { CANFD_ESI } else { 0 };
            s.push_str(&format!("##{flags:X}"));
            hex(&mut s, f.data());
        }
    }
    s
}

/// Writes a candump log.
pub fn write_candump(
    out: &mut impl Write,
    entries: &[TraceEntry],
    bus_names: &[String],
    epoch_s: u64,
) -> io::Result<()> {
    for e in entries {
        let name = bus_names.get(e.bus.index()).map_or("can?", String::as_str);
        writeln!(out, "{}", candump_line(e, name, epoch_s))?;
    }
    Ok(())
}

/// The SocketCAN bytes of one frame (16 bytes classic or error, 72 bytes FD).
pub fn socketcan_bytes(entry: &TraceEntry) -> Vec<u8> {
    let frame = &entry.frame;
    let id = frame.can_id();
    let mut can_id = id.raw() | if id.is_extended() { CAN_EFF_FLAG } else { 0 };
    if frame.is_remote() {
        can_id |= CAN_RTR_FLAG;
    }
    if entry.error {
        can_id = CAN_ERR_FLAG | CAN_ERR_BUSERROR;
    }
    let (len, flags, size) = match frame {
        _ if entry.error => (8u8, 0u8, 8usize),
        AnyFrame::Classic(_) => (frame.len() as u8, 0, 8),
        AnyFrame::Fd(f) => (
            f.len() as u8,
            CANFD_FDF | if f.brs { CANFD_BRS } else { 0 } | if f.esi { CANFD_ESI } else { 0 },
            64,
        ),
    };
    let mut out = Vec::with_capacity(8 + size);
    out.extend_from_slice(&can_id.to_be_bytes());
    out.push(len);
    out.push(flags);
    out.extend_from_slice(&[0, 0]);
    let mut data = vec![0u8; size];
    if !entry.error {
        data[..frame.data().len()].copy_from_slice(frame.data());
    }
    out.extend_from_slice(&data);
    out
}

/// Writes a pcap file (nanosecond timestamps, link type 227).
pub fn write_pcap(out: &mut impl Write, entries: &[TraceEntry], epoch_s: u64) -> io::Result<()> {
    out.write_all(&0xA1B2_3C4Du32.to_le_bytes())?;
    out.write_all(&2u16.to_le_bytes())?;
    out.write_all(&4u16.to_le_bytes())?;
    out.write_all(&0i32.to_le_bytes())?; // thiszone
    out.write_all(&0u32.to_le_bytes())?; // sigfigs
    out.write_all(&65535u32.to_le_bytes())?; // snaplen
    out.write_all(&LINKTYPE_CAN_SOCKETCAN.to_le_bytes())?;
    for e in entries {
        let bytes = socketcan_bytes(e);
        let secs = epoch_s + e.time_ns / 1_000_000_000;
        out.write_all(&(secs as u32).to_le_bytes())?;
        out.write_all(&((e.time_ns % 1_000_000_000) as u32).to_le_bytes())?;
        out.write_all(&(bytes.len() as u32).to_le_bytes())?;
        out.write_all(&(bytes.len() as u32).to_le_bytes())?;
        out.write_all(&bytes)?;
    }
    Ok(())
}

/// A packet read back from a pcap file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PcapPacket {
    pub time_ns: u64,
    pub frame: Option<AnyFrame>,
    pub error: bool,
}

/// Reads a pcap written by [`write_pcap`] (or any little-endian LINKTYPE_CAN_SOCKETCAN file).
pub fn read_pcap(bytes: &[u8]) -> Result<Vec<PcapPacket>, String> {
    let u32le = |b: &[u8], at: usize| -> Result<u32, String> {
        b.get(at..at + 4)
            .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
            .ok_or_else(|| format!("truncated at byte {at}"))
    };
    let magic = u32le(bytes, 0)?;
    let nanos = match magic {
        0xA1B2_3C4D => true,
        0xA1B2_C3D4 => false,
        m => return Err(format!("not a little-endian pcap (magic {m:#x})")),
    };
    if u32le(bytes, 20)? != LINKTYPE_CAN_SOCKETCAN {
        return Err("link type is not 227".into());
    }
    let mut at = 24;
    let mut out = Vec::new();
    while at < bytes.len() {
        let secs = u32le(bytes, at)? as u64;
        let frac = u32le(bytes, at + 4)? as u64;
        let len = u32le(bytes, at + 8)? as usize;
        let data = bytes
            .get(at + 16..at + 16 + len)
            .ok_or_else(|| format!("packet at {at} truncated"))?;
        at += 16 + len;
        let time_ns = secs * 1_000_000_000 + if nanos { frac } else { frac * 1000 };
        if data.len() < 8 {
            return Err("packet shorter than the SocketCAN header".into());
        }
        let can_id = u32::from_be_bytes([data[0], data[1], data[2], data[3]]);
        let plen = data[4] as usize;
        let flags = data[5];
        if can_id & CAN_ERR_FLAG != 0 {
            out.push(PcapPacket {
                time_ns,
                frame: None,
                error: true,
            });
            continue;
        }
        let id = if can_id & CAN_EFF_FLAG != 0 {
            CanId::extended(can_id & 0x1FFF_FFFF)
        } else {
            CanId::standard((can_id & 0x7FF) as u16)
        }
        .ok_or("bad id")?;
        let payload = data.get(8..8 + plen).ok_or("payload truncated")?;
        let frame = if flags & CANFD_FDF != 0 || data.len() == 72 {
            let mut f = FdFrame::new(id, payload, flags & CANFD_BRS != 0).ok_or("bad FD length")?;
            f.esi = flags & CANFD_ESI != 0;
            AnyFrame::Fd(f)
        } else if can_id & CAN_RTR_FLAG != 0 {
            AnyFrame::Classic(CanFrame::remote(id, plen as u8).ok_or("bad DLC")?)
        } else {
            AnyFrame::Classic(CanFrame::data(id, payload).ok_or("bad length")?)
        };
        out.push(PcapPacket {
            time_ns,
            frame: Some(frame),
            error: false,
        });
    }
    Ok(out)
}
