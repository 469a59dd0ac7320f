//! Signals in a PDU: packing and unpacking by layout.
//!
//! # Bit numbering (the DBC convention)
//!
//! Bit `n` of a PDU is bit `n % 8` (0 = least significant) of byte `n / 8`.
//!
//! * Little endian (Intel, DBC `@1`): `start_bit` is the signal's **least** significant bit;
//!   the following bits climb through the byte and on into the next byte.
//! * Big endian (Motorola, DBC `@0`): `start_bit` is the signal's **most** significant bit
//!   (the DBC "sawtooth" numbering); going towards the least significant bit the position
//!   falls within a byte, and from bit 0 of byte `k` continues at bit 7 of byte `k + 1`.
//!
//! AUTOSAR COM (`ComBitPosition`) names the **least** significant bit for big-endian signals
//! too; [`motorola_msb_from_lsb`] converts such a position to the DBC one this module uses, and
//! [`motorola_lsb_from_msb`] back. The ARXML reader must convert, not copy.
//!
//! Physical value = raw × factor + offset; raw values are two's complement when `signed`.

/// The byte order of a signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    /// Intel; DBC `@1`; AUTOSAR `MOST-SIGNIFICANT-BYTE-LAST`.
    LittleEndian,
    /// Motorola; DBC `@0`; AUTOSAR `MOST-SIGNIFICANT-BYTE-FIRST`.
    BigEndian,
}

/// Where a signal sits in a PDU and how its raw value maps to a physical one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SignalLayout {
    /// DBC numbering: the LSB (little endian) or the MSB (big endian); see the module doc.
    pub start_bit: u16,
    /// 1..=64 bits.
    pub length: u8,
    pub byte_order: ByteOrder,
    pub signed: bool,
    pub factor: f64,
    pub offset: f64,
}

/// Why a signal could not be packed or unpacked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignalError {
    /// Length 0 or above 64.
    BadLength,
    /// The layout reaches past the end of the PDU.
    OutOfPdu,
    /// The physical value does not fit the raw range.
    OutOfRange,
}

/// The position after `pos` going from the MSB towards the LSB of a big-endian signal.
const fn motorola_next(pos: u32) -> u32 {
    if pos & 7 == 0 {
        pos + 15
    } else {
        pos - 1
    }
}

/// Converts the LSB position of a big-endian signal (AUTOSAR `ComBitPosition`) to its MSB
/// position (DBC start bit). `None` if the signal would start before byte 0.
pub const fn motorola_msb_from_lsb(lsb: u16, length: u8) -> Option<u16> {
    let mut pos = lsb as i32;
    let mut i = 1;
    while i < length {
        if pos % 8 == 7 {
            pos -= 15;
        } else {
            pos += 1;
        }
        if pos < 0 {
            return None;
        }
        i += 1;
    }
    Some(pos as u16)
}

/// Converts the MSB position (DBC start bit) of a big-endian signal to its LSB position.
pub const fn motorola_lsb_from_msb(msb: u16, length: u8) -> u16 {
    let mut pos = msb as u32;
    let mut i = 1;
    while i < length {
        pos = motorola_next(pos);
        i += 1;
    }
    pos as u16
}

const fn round_half_away(x: f64) -> f64 {
    if x >= 0.0 {
        ((x + 0.5) as i128) as f64
    } else {
        ((x - 0.5) as i128) as f64
    }
}

impl SignalLayout {
    /// An unscaled unsigned signal (factor 1, offset 0).
    pub const fn raw(start_bit: u16, length: u8, byte_order: ByteOrder) -> Self {
        Self {
            start_bit,
            length,
            byte_order,
            signed: false,
            factor: 1.0,
            offset: 0.0,
        }
    }

    /// The highest byte index the signal touches, plus one: the PDU length it needs.
    pub const fn bytes_needed(&self) -> usize {
        let last = match self.byte_order {
            ByteOrder::LittleEndian => self.start_bit as u32 + self.length as u32 - 1,
            ByteOrder::BigEndian => motorola_lsb_from_msb(self.start_bit, self.length) as u32,
        };
        let first = self.start_bit as u32 / 8;
        let last = last / 8;
        (if last > first { last } else { first }) as usize + 1
    }

    fn check(&self, pdu_len: usize) -> Result<(), SignalError> {
        if self.length == 0 || self.length > 64 {
            return Err(SignalError::BadLength);
        }
        if self.bytes_needed() > pdu_len {
            return Err(SignalError::OutOfPdu);
        }
        Ok(())
    }

    /// Visits the signal's PDU bit positions from its LSB upwards.
    fn for_each_bit(&self, mut f: impl FnMut(u32, usize)) {
        match self.byte_order {
            ByteOrder::LittleEndian => {
                for i in 0..self.length as usize {
                    f(self.start_bit as u32 + i as u32, i);
                }
            }
            ByteOrder::BigEndian => {
                let mut pos = self.start_bit as u32;
                for i in (0..self.length as usize).rev() {
                    f(pos, i);
                    pos = motorola_next(pos);
                }
            }
        }
    }

    /// The raw bits, unsigned, right-aligned.
    pub fn unpack_raw(&self, pdu: &[u8]) -> Result<u64, SignalError> {
        self.check(pdu.len())?;
        let mut v = 0u64;
        self.for_each_bit(|pos, i| {
            let bit = (pdu[(pos / 8) as usize] >> (pos % 8)) & 1;
            v |= (bit as u64) << i;
        });
        Ok(v)
    }

    /// The raw value, sign-extended when the signal is signed.
    pub fn unpack_int(&self, pdu: &[u8]) -> Result<i128, SignalError> {
        let raw = self.unpack_raw(pdu)?;
        Ok(
            if self.signed && self.length < 64 && raw >> (self.length - 1) & 1 == 1 {
                raw as i128 - (1i128 << self.length)
            } else if self.signed && self.length == 64 {
                raw as i64 as i128
            } else {
                raw as i128
            },
        )
    }

    /// raw × factor + offset.
    pub fn unpack(&self, pdu: &[u8]) -> Result<f64, SignalError> {
        Ok(self.unpack_int(pdu)? as f64 * self.factor + self.offset)
    }

    /// Writes the low `length` bits of `raw`; the other bits of the PDU stay as they are.
    pub fn pack_raw(&self, pdu: &mut [u8], raw: u64) -> Result<(), SignalError> {
        self.check(pdu.len())?;
        self.for_each_bit(|pos, i| {
            let byte = &mut pdu[(pos / 8) as usize];
            let mask = 1u8 << (pos % 8);
            if (raw >> i) & 1 == 1 {
                *byte |= mask;
            } else {
                *byte &= !mask;
            }
        });
        Ok(())
    }

    /// The raw range: `(min, max)` as integers.
    pub const fn raw_range(&self) -> (i128, i128) {
        let n = self.length as u32;
        if self.signed {
            (-(1i128 << (n - 1)), (1i128 << (n - 1)) - 1)
        } else {
            (0, (1i128 << n) - 1)
        }
    }

    /// Packs an integer raw value; `OutOfRange` if it does not fit.
    pub fn pack_int(&self, pdu: &mut [u8], raw: i128) -> Result<(), SignalError> {
        if self.length == 0 || self.length > 64 {
            return Err(SignalError::BadLength);
        }
        let (lo, hi) = self.raw_range();
        if raw < lo || raw > hi {
            return Err(SignalError::OutOfRange);
        }
        self.pack_raw(pdu, raw as u64)
    }

    /// Packs a physical value: raw = round((value − offset) / factor), half away from zero.
    pub fn pack(&self, pdu: &mut [u8], value: f64) -> Result<(), SignalError> {
        let scaled = (value - self.offset) / self.factor;
        if !scaled.is_finite() {
            return Err(SignalError::OutOfRange);
        }
        let raw = round_half_away(scaled);
        if raw.is_nan() {
            return Err(SignalError::OutOfRange);
        }
        self.pack_int(pdu, raw as i128)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// cantools' `motohawk.dbc` ExampleMessage, whose README shows
    /// `{'Temperature': 250.55, 'AverageRadius': 3.2, 'Enable': 1}` encoding to
    /// `c0 06 e0 00 00 00 00 00`:
    /// `SG_ Enable : 7|1@0+ (1,0)`, `SG_ AverageRadius : 6|6@0+ (0.1,0)`,
    /// `SG_ Temperature : 0|12@0- (0.01,250)`.
    const ENABLE: SignalLayout = SignalLayout::raw(7, 1, ByteOrder::BigEndian);
    const AVERAGE_RADIUS: SignalLayout = SignalLayout {
        factor: 0.1,
        ..SignalLayout::raw(6, 6, ByteOrder::BigEndian)
    };
    const TEMPERATURE: SignalLayout = SignalLayout {
        signed: true,
        factor: 0.01,
        offset: 250.0,
        ..SignalLayout::raw(0, 12, ByteOrder::BigEndian)
    };

    #[test]
    fn motohawk_example_message() {
        let mut pdu = [0u8; 8];
        ENABLE.pack(&mut pdu, 1.0).unwrap();
        AVERAGE_RADIUS.pack(&mut pdu, 3.2).unwrap();
        TEMPERATURE.pack(&mut pdu, 250.55).unwrap();
        assert_eq!(pdu, [0xC0, 0x06, 0xE0, 0, 0, 0, 0, 0]);
        assert_eq!(ENABLE.unpack(&pdu).unwrap(), 1.0);
        assert!((AVERAGE_RADIUS.unpack(&pdu).unwrap() - 3.2).abs() < 1e-9);
        assert!((TEMPERATURE.unpack(&pdu).unwrap() - 250.55).abs() < 1e-9);
        // a negative temperature raw value
        TEMPERATURE.pack(&mut pdu, 229.52).unwrap();
        assert_eq!(TEMPERATURE.unpack_int(&pdu).unwrap(), -2048);
        assert_eq!(pdu[0] & 1, 1);
    }

    #[test]
    fn intel_example() {
        // DBC `SG_ S : 12|16@1+ (1,0)`: LSB at byte 1 bit 4, 16 bits up to byte 3 bit 3.
        let s = SignalLayout::raw(12, 16, ByteOrder::LittleEndian);
        let mut pdu = [0u8; 4];
        s.pack_raw(&mut pdu, 0xABCD).unwrap();
        assert_eq!(pdu, [0x00, 0xD0, 0xBC, 0x0A]);
        assert_eq!(s.unpack_raw(&pdu).unwrap(), 0xABCD);
        assert_eq!(s.bytes_needed(), 4);
    }

    #[test]
    fn motorola_whole_bytes_are_big_endian_bytes() {
        // DBC `SG_ S : 7|32@0+`: bytes 0..4 as a big-endian u32.
        let s = SignalLayout::raw(7, 32, ByteOrder::BigEndian);
        let mut pdu = [0u8; 8];
        s.pack_raw(&mut pdu, 0x1234_5678).unwrap();
        assert_eq!(&pdu[..4], &[0x12, 0x34, 0x56, 0x78]);
        assert_eq!(motorola_lsb_from_msb(7, 32), 24);
        assert_eq!(motorola_msb_from_lsb(24, 32), Some(7));
        assert_eq!(s.bytes_needed(), 4);
        // the AUTOSAR LSB position of motohawk's Temperature
        assert_eq!(motorola_lsb_from_msb(0, 12), 21);
        assert_eq!(motorola_msb_from_lsb(21, 12), Some(0));
        assert_eq!(motorola_msb_from_lsb(0, 2), Some(1));
        assert_eq!(motorola_msb_from_lsb(7, 2), None);
    }

    #[test]
    fn errors() {
        let s = SignalLayout::raw(60, 8, ByteOrder::LittleEndian);
        assert_eq!(s.unpack_raw(&[0; 8]), Err(SignalError::OutOfPdu));
        let s = SignalLayout::raw(0, 0, ByteOrder::LittleEndian);
        assert_eq!(s.unpack_raw(&[0; 8]), Err(SignalError::BadLength));
        let s = SignalLayout::raw(0, 4, ByteOrder::LittleEndian);
        assert_eq!(s.pack(&mut [0; 8], 16.0), Err(SignalError::OutOfRange));
        assert_eq!(s.pack(&mut [0; 8], -1.0), Err(SignalError::OutOfRange));
        assert_eq!(s.pack(&mut [0; 8], f64::NAN), Err(SignalError::OutOfRange));
    }

    fn layout() -> impl Strategy<Value = (SignalLayout, usize)> {
        (1u8..=64, any::<bool>(), any::<bool>(), 0u16..512).prop_filter_map(
            "fits in 64 bytes",
            |(length, big, signed, start)| {
                let l = SignalLayout {
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
                let n = l.bytes_needed();
                // a big-endian signal must not wrap past byte 0
                let ok = !big
                    || motorola_msb_from_lsb(motorola_lsb_from_msb(start, length), length)
                        == Some(start);
                (n <= 64 && ok).then_some((l, n))
            },
        )
    }

    proptest! {
        #[test]
        fn raw_round_trip((l, n) in layout(), raw in any::<u64>(), noise in any::<[u8; 64]>()) {
            let raw = if l.length == 64 { raw } else { raw & ((1 << l.length) - 1) };
            let mut pdu = noise;
            let before = pdu;
            l.pack_raw(&mut pdu[..n], raw).unwrap();
            prop_assert_eq!(l.unpack_raw(&pdu[..n]).unwrap(), raw);
            // exactly `length` bits may change
            let changed: u32 = pdu.iter().zip(before.iter()).map(|(a, b)| (a ^ b).count_ones()).sum();
            prop_assert!(changed <= l.length as u32);
            let mut ones = [0u8; 64];
            l.pack_raw(&mut ones[..n], u64::MAX).unwrap();
            let set: u32 = ones.iter().map(|b| b.count_ones()).sum();
            prop_assert_eq!(set, l.length as u32);
        }

        #[test]
        fn physical_round_trip((l, n) in layout(), raw in any::<i64>(), factor in prop::sample::select(vec![1.0, 0.5, 0.1, 0.01, 2.0]), offset in -1000i32..1000) {
            let l = SignalLayout { factor, offset: offset as f64, ..l };
            prop_assume!(l.length <= 40);
            let (lo, hi) = l.raw_range();
            let raw = lo + (raw as i128).rem_euclid(hi - lo + 1);
            let mut pdu = [0u8; 64];
            let value = raw as f64 * l.factor + l.offset;
            l.pack(&mut pdu[..n], value).unwrap();
            prop_assert_eq!(l.unpack_int(&pdu[..n]).unwrap(), raw);
        }

        #[test]
        fn lsb_msb_conversion_inverts(length in 1u8..=64, msb in 0u16..512) {
            let lsb = motorola_lsb_from_msb(msb, length);
            if let Some(back) = motorola_msb_from_lsb(lsb, length) {
                prop_assert_eq!(back, msb);
            }
        }
    }
}
