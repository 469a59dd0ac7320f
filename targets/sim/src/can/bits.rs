//! Frame lengths on the wire: exact bit stuffing from the frame's own bits (classic CAN),
//! worst-case stuffing (classic and FD), and durations from the bit rate.

use ecu_com::{AnyFrame, CanFrame, CanId};

/// CRC delimiter, ACK slot, ACK delimiter, 7 bits end of frame, 3 bits intermission: never
/// stuffed.
pub const TAIL_BITS: u32 = 13;
/// Error flag (6) + error delimiter (8) + intermission (3).
pub const ERROR_FRAME_BITS: u32 = 17;

/// How the simulation sizes frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stuffing {
    /// Stuff bits counted from the frame's actual bits, CRC-15 included (classic frames;
    /// FD frames fall back to the worst case).
    Exact,
    /// The worst case for the frame's format and length.
    WorstCase,
}

/// CRC-15/CAN (polynomial 0x4599) over a bit sequence.
pub fn crc15(bits: &[bool]) -> u16 {
    let mut crc: u16 = 0;
    for &b in bits {
        let next = b ^ (crc >> 14 & 1 == 1);
        crc = (crc << 1) & 0x7FFF;
        if next {
            crc ^= 0x4599;
        }
    }
    crc
}

fn push_bits(out: &mut Vec<bool>, value: u32, n: u32) {
    for i in (0..n).rev() {
        out.push(value >> i & 1 == 1);
    }
}

/// The bits of a classic frame from SOF to the end of the CRC sequence, unstuffed.
pub fn classic_bits(frame: &CanFrame) -> Vec<bool> {
    use embedded_can::Frame;
    let id: CanId = frame.can_id();
    let mut bits = Vec::with_capacity(128);
    bits.push(false); // SOF
    if id.is_extended() {
        push_bits(&mut bits, id.base_id() as u32, 11);
        bits.push(true); // SRR
        bits.push(true); // IDE
        push_bits(&mut bits, id.raw() & 0x3FFFF, 18);
        bits.push(frame.is_remote_frame());
        bits.push(false); // r1
        bits.push(false); // r0
    } else {
        push_bits(&mut bits, id.raw(), 11);
        bits.push(frame.is_remote_frame());
        bits.push(false); // IDE
        bits.push(false); // r0
    }
    push_bits(&mut bits, frame.dlc() as u32, 4);
    for &byte in frame.data() {
        push_bits(&mut bits, byte as u32, 8);
    }
    let crc = crc15(&bits);
    push_bits(&mut bits, crc as u32, 15);
    bits
}

/// How many stuff bits a transmitter inserts into `bits` (after five equal bits, one of the
/// opposite value, which itself starts the next run).
pub fn stuff_count(bits: &[bool]) -> u32 {
    let mut count = 0;
    let mut run = 0;
    let mut last = None;
    for &b in bits {
        if Some(b) == last {
            run += 1;
        } else {
            last = Some(b);
            run = 1;
        }
        if run == 5 {
            count += 1;
            last = Some(!b);
            run = 1;
        }
    }
    count
}

/// Exact bits on the wire of a classic frame, intermission included.
pub fn classic_exact_bits(frame: &CanFrame) -> u32 {
    let bits = classic_bits(frame);
    bits.len() as u32 + stuff_count(&bits) + TAIL_BITS
}

/// Worst-case bits of a classic frame with `len` data bytes (Davis et al.:
/// g + 8n + 13 + ⌊(g + 8n − 1)/4⌋, g = 34 standard, 54 extended).
pub const fn classic_worst_bits(extended: bool, len: usize) -> u32 {
    let g = if extended { 54 } else { 34 };
    let n = 8 * len as u32;
    g + n + TAIL_BITS + (g + n - 1) / 4
}

/// Bits of an FD frame split into (nominal-rate bits, data-rate bits), worst-case stuffing.
pub const fn fd_worst_bits(extended: bool, len: usize, brs: bool) -> (u32, u32) {
    // SOF, id, RRS, IDE, FDF, res, BRS (+ SRR and 18 bits for extended)
    let arbitration: u32 = if extended {
        1 + 11 + 1 + 1 + 18 + 1 + 1 + 1 + 1
    } else {
        1 + 11 + 1 + 1 + 1 + 1 + 1
    };
    let crc: u32 = if len > 16 { 21 } else { 17 };
    // ESI, DLC, data, stuff count (4), CRC, fixed stuff bits (one per 4 CRC bits + 1), CRC delimiter
    let data: u32 = 1 + 4 + 8 * len as u32 + 4 + crc + crc / 4 + 1 + 1;
    let arbitration = arbitration + (arbitration - 1) / 4;
    let dynamic_data = 5 + 8 * len as u32;
    let data = data + (dynamic_data - 1) / 4;
    // ACK slot, ACK delimiter, EOF, intermission
    let tail = 2 + 7 + 3;
    if brs {
        (arbitration + tail, data)
    } else {
        (arbitration + tail + data, 0)
    }
}

/// The nanoseconds a frame occupies the bus, intermission included.
pub fn frame_duration_ns(
    frame: &AnyFrame,
    bitrate: u32,
    data_bitrate: u32,
    stuffing: Stuffing,
) -> u64 {
    let bit_ns = |bits: u32, rate: u32| (bits as u64 * 1_000_000_000).div_ceil(rate as u64);
    match frame {
        AnyFrame::Classic(f) => {
            let bits = match stuffing {
                Stuffing::Exact => classic_exact_bits(f),
                Stuffing::WorstCase => {
                    use embedded_can::Frame;
                    let len = if f.is_remote_frame() { 0 } else { f.dlc() };
                    classic_worst_bits(f.can_id().is_extended(), len)
                }
            };
            bit_ns(bits, bitrate)
        }
        AnyFrame::Fd(f) => {
            let (nominal, data) = fd_worst_bits(f.can_id().is_extended(), f.len(), f.brs);
            bit_ns(nominal, bitrate) + bit_ns(data, data_bitrate.max(1))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_can::Frame;

    fn std(id: u16, data: &[u8]) -> CanFrame {
        CanFrame::data(CanId::standard(id).unwrap(), data).unwrap()
    }

    #[test]
    fn crc15_of_a_known_frame() {
        // Standard id 0x000, DLC 0: SOF + 11×0 + RTR 0 + IDE 0 + r0 0 + DLC 0000 = 19 zeros.
        // CRC-15 of 19 zero bits is 0 (the register starts at 0).
        let f = std(0, &[]);
        let bits = classic_bits(&f);
        assert_eq!(bits.len(), 19 + 15);
        assert_eq!(crc15(&bits[..19]), 0);
        // 34 zero bits: a stuff bit (a one) after every five zeros → 6 stuff bits
        assert_eq!(stuff_count(&bits), 6);
        assert_eq!(classic_exact_bits(&f), 34 + 6 + 13);
        // CRC-15/CAN check value: the ASCII string "123456789" gives 0x059E
        let ascii: Vec<bool> = b"123456789"
            .iter()
            .flat_map(|b| (0..8).rev().map(move |i| b >> i & 1 == 1))
            .collect();
        assert_eq!(crc15(&ascii), 0x059E);
    }

    #[test]
    fn stuffing_rule() {
        assert_eq!(stuff_count(&[true; 5]), 1);
        assert_eq!(stuff_count(&[true; 4]), 0);
        // 11111 0(stuff) then 0000 → the stuff bit starts a run of five zeros → another
        let mut v = vec![true; 5];
        v.extend([false; 4]);
        assert_eq!(stuff_count(&v), 2);
        assert_eq!(stuff_count(&[true, false, true, false, true, false]), 0);
    }

    #[test]
    fn exact_never_exceeds_worst_case() {
        let mut x = 7u64;
        for _ in 0..5000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 9) as usize;
            let data = x.to_le_bytes();
            let ext = x & 1 << 40 != 0;
            let id = if ext {
                CanId::extended((x >> 20) as u32 & 0x1FFF_FFFF).unwrap()
            } else {
                CanId::standard((x >> 20) as u16 & 0x7FF).unwrap()
            };
            let f = CanFrame::data(id, &data[..len]).unwrap();
            let exact = classic_exact_bits(&f);
            let worst = classic_worst_bits(ext, len);
            let plain = classic_bits(&f).len() as u32 + TAIL_BITS;
            assert!(
                plain <= exact && exact <= worst,
                "{f:?}: {plain} {exact} {worst}"
            );
        }
        // the textbook figures: 8-byte standard frame at most 135 bits, extended 160
        assert_eq!(classic_worst_bits(false, 8), 135);
        assert_eq!(classic_worst_bits(true, 8), 160);
        assert_eq!(classic_worst_bits(false, 0), 55);
        let _ = std(1, &[1]).dlc();
    }

    #[test]
    fn durations() {
        let f: AnyFrame = std(0x123, &[0xAA; 8]).into();
        // 500 kbit/s: 2 µs a bit
        let d = frame_duration_ns(&f, 500_000, 0, Stuffing::WorstCase);
        assert_eq!(d, 135 * 2_000);
        let fd: AnyFrame = ecu_com::FdFrame::new(CanId::standard(1).unwrap(), &[0; 64], true)
            .unwrap()
            .into();
        let slow = frame_duration_ns(&fd, 500_000, 500_000, Stuffing::Exact);
        let fast = frame_duration_ns(&fd, 500_000, 2_000_000, Stuffing::Exact);
        assert!(fast < slow);
    }
}
