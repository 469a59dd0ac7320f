//! Identifiers and frames.
//!
//! [`CanId`] packs an identifier and its format into one `u32` the way SocketCAN does
//! (bit 31 set: extended 29-bit id), so tables can key on it. It converts to and from
//! [`embedded_can::Id`]. [`CanFrame`] is a classic frame (data or remote, 0..=8 bytes) and
//! implements [`embedded_can::Frame`]; [`FdFrame`] is a CAN FD frame (0..=64 bytes, lengths
//! restricted to the DLC steps). [`AnyFrame`] holds either, for buses and traces.

use embedded_can::{ExtendedId, Id, StandardId};

/// A CAN bus (cluster) of the ECU, by its index in the generated tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BusId(pub u8);

impl BusId {
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

/// An identifier with its format: bits 0..=28 the id, bit 31 set for the extended format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CanId(u32);

impl CanId {
    /// Set on extended (29-bit) identifiers, as SocketCAN's `CAN_EFF_FLAG`.
    pub const EXTENDED_FLAG: u32 = 0x8000_0000;
    pub const STANDARD_MAX: u32 = 0x7FF;
    pub const EXTENDED_MAX: u32 = 0x1FFF_FFFF;

    /// A standard 11-bit id; `None` above 0x7FF.
    pub const fn standard(id: u16) -> Option<Self> {
        if id as u32 <= Self::STANDARD_MAX {
            Some(Self(id as u32))
        } else {
            None
        }
    }

    /// An extended 29-bit id; `None` above 0x1FFF_FFFF.
    pub const fn extended(id: u32) -> Option<Self> {
        if id <= Self::EXTENDED_MAX {
            Some(Self(id | Self::EXTENDED_FLAG))
        } else {
            None
        }
    }

    /// For generated tables: the packed form, as [`CanId::to_bits`] returns it.
    /// `None` if bits other than the flag and the id's own bits are set.
    pub const fn from_bits(bits: u32) -> Option<Self> {
        if bits & Self::EXTENDED_FLAG != 0 {
            Self::extended(bits & !Self::EXTENDED_FLAG)
        } else if bits <= Self::STANDARD_MAX {
            Some(Self(bits))
        } else {
            None
        }
    }

    pub const fn to_bits(self) -> u32 {
        self.0
    }

    /// The numeric identifier without the format flag.
    pub const fn raw(self) -> u32 {
        self.0 & !Self::EXTENDED_FLAG
    }

    pub const fn is_extended(self) -> bool {
        self.0 & Self::EXTENDED_FLAG != 0
    }

    /// The 11 bits sent first on the wire (the whole id of a standard frame).
    pub const fn base_id(self) -> u16 {
        if self.is_extended() {
            (self.raw() >> 18) as u16
        } else {
            self.raw() as u16
        }
    }

    /// The mask of the id bits of this format (0x7FF or 0x1FFF_FFFF).
    pub const fn format_mask(self) -> u32 {
        if self.is_extended() {
            Self::EXTENDED_MAX
        } else {
            Self::STANDARD_MAX
        }
    }

    /// The arbitration field as a number: a smaller key wins arbitration.
    ///
    /// The key follows the wire bits: base id (11), then RTR (standard) or SRR (extended,
    /// always recessive), then IDE (dominant for standard), then the 18 id-extension bits and
    /// the extended RTR. So a standard frame beats an extended frame with the same base id,
    /// and a data frame beats a remote frame with the same id.
    pub const fn arbitration_key(self, remote: bool) -> u32 {
        let base = (self.base_id() as u32) << 21;
        if self.is_extended() {
            base | 1 << 20 | 1 << 19 | (self.raw() & 0x3_FFFF) << 1 | remote as u32
        } else {
            base | (remote as u32) << 20
        }
    }
}

impl From<CanId> for Id {
    fn from(id: CanId) -> Self {
        if id.is_extended() {
            // The constructor checked the range.
            Id::Extended(ExtendedId::new(id.raw()).unwrap_or(ExtendedId::ZERO))
        } else {
            Id::Standard(StandardId::new(id.raw() as u16).unwrap_or(StandardId::ZERO))
        }
    }
}

impl From<Id> for CanId {
    fn from(id: Id) -> Self {
        match id {
            Id::Standard(s) => Self(s.as_raw() as u32),
            Id::Extended(e) => Self(e.as_raw() | Self::EXTENDED_FLAG),
        }
    }
}

impl From<StandardId> for CanId {
    fn from(id: StandardId) -> Self {
        Self(id.as_raw() as u32)
    }
}

impl From<ExtendedId> for CanId {
    fn from(id: ExtendedId) -> Self {
        Self(id.as_raw() | Self::EXTENDED_FLAG)
    }
}

/// The payload lengths CAN FD can carry, indexed by DLC (0..=15).
pub const FD_LENGTHS: [u8; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64];

/// The payload length a DLC stands for in CAN FD (classic frames cap it at 8).
pub const fn dlc_to_len(dlc: u8) -> usize {
    FD_LENGTHS[(dlc & 0xF) as usize] as usize
}

/// The smallest DLC whose length holds `len` bytes; `None` above 64.
pub const fn len_to_dlc(len: usize) -> Option<u8> {
    let mut dlc = 0;
    while dlc < 16 {
        if FD_LENGTHS[dlc] as usize >= len {
            return Some(dlc as u8);
        }
        dlc += 1;
    }
    None
}

/// A classic CAN frame: data (0..=8 bytes) or remote (a DLC, no data).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CanFrame {
    id: CanId,
    remote: bool,
    dlc: u8,
    data: [u8; 8],
}

impl CanFrame {
    /// A data frame; `None` if `data` is longer than 8 bytes.
    pub fn data(id: CanId, data: &[u8]) -> Option<Self> {
        if data.len() > 8 {
            return None;
        }
        let mut buf = [0; 8];
        buf[..data.len()].copy_from_slice(data);
        Some(Self {
            id,
            remote: false,
            dlc: data.len() as u8,
            data: buf,
        })
    }

    /// A remote frame requesting `dlc` bytes; `None` if `dlc > 8`.
    pub fn remote(id: CanId, dlc: u8) -> Option<Self> {
        if dlc > 8 {
            return None;
        }
        Some(Self {
            id,
            remote: true,
            dlc,
            data: [0; 8],
        })
    }

    pub const fn can_id(&self) -> CanId {
        self.id
    }

    /// The same frame under another identifier (gateway translation).
    pub const fn with_id(mut self, id: CanId) -> Self {
        self.id = id;
        self
    }

    pub const fn arbitration_key(&self) -> u32 {
        self.id.arbitration_key(self.remote)
    }
}

impl embedded_can::Frame for CanFrame {
    fn new(id: impl Into<Id>, data: &[u8]) -> Option<Self> {
        Self::data(CanId::from(id.into()), data)
    }

    fn new_remote(id: impl Into<Id>, dlc: usize) -> Option<Self> {
        if dlc > 8 {
            return None;
        }
        Self::remote(CanId::from(id.into()), dlc as u8)
    }

    fn is_extended(&self) -> bool {
        self.id.is_extended()
    }

    fn is_remote_frame(&self) -> bool {
        self.remote
    }

    fn id(&self) -> Id {
        self.id.into()
    }

    fn dlc(&self) -> usize {
        self.dlc as usize
    }

    fn data(&self) -> &[u8] {
        if self.remote {
            &[]
        } else {
            &self.data[..self.dlc as usize]
        }
    }
}

/// A CAN FD frame: 0..=64 bytes in the DLC steps (0-8, 12, 16, 20, 24, 32, 48, 64); no remote
/// frames in FD. `brs` switches to the data bit rate for the data phase; `esi` is the
/// transmitter's error-state indicator (set when error passive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FdFrame {
    id: CanId,
    pub brs: bool,
    pub esi: bool,
    len: u8,
    data: [u8; 64],
}

impl FdFrame {
    /// `None` unless `data.len()` is one of the FD lengths.
    pub fn new(id: CanId, data: &[u8], brs: bool) -> Option<Self> {
        let dlc = len_to_dlc(data.len())?;
        if dlc_to_len(dlc) != data.len() {
            return None;
        }
        let mut buf = [0; 64];
        buf[..data.len()].copy_from_slice(data);
        Some(Self {
            id,
            brs,
            esi: false,
            len: data.len() as u8,
            data: buf,
        })
    }

    /// Pads `data` with `pad` up to the next FD length (what a controller does); `None` > 64.
    pub fn padded(id: CanId, data: &[u8], pad: u8, brs: bool) -> Option<Self> {
        let len = dlc_to_len(len_to_dlc(data.len())?);
        let mut buf = [pad; 64];
        buf[..data.len()].copy_from_slice(data);
        Self::new(id, &buf[..len], brs)
    }

    pub const fn can_id(&self) -> CanId {
        self.id
    }

    pub const fn with_id(mut self, id: CanId) -> Self {
        self.id = id;
        self
    }

    pub fn data(&self) -> &[u8] {
        &self.data[..self.len as usize]
    }

    pub const fn len(&self) -> usize {
        self.len as usize
    }

    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn dlc(&self) -> u8 {
        // `new` only admits FD lengths.
        len_to_dlc(self.len as usize).unwrap_or(15)
    }

    pub const fn arbitration_key(&self) -> u32 {
        self.id.arbitration_key(false)
    }
}

/// A classic or an FD frame: what a bus carries and a trace records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AnyFrame {
    Classic(CanFrame),
    Fd(FdFrame),
}

impl AnyFrame {
    pub const fn can_id(&self) -> CanId {
        match self {
            AnyFrame::Classic(f) => f.id,
            AnyFrame::Fd(f) => f.id,
        }
    }

    pub fn data(&self) -> &[u8] {
        match self {
            AnyFrame::Classic(f) => embedded_can::Frame::data(f),
            AnyFrame::Fd(f) => f.data(),
        }
    }

    /// The length a length check sees: the payload length, or the DLC of a remote frame.
    pub fn len(&self) -> usize {
        match self {
            AnyFrame::Classic(f) => f.dlc as usize,
            AnyFrame::Fd(f) => f.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub const fn is_remote(&self) -> bool {
        match self {
            AnyFrame::Classic(f) => f.remote,
            AnyFrame::Fd(_) => false,
        }
    }

    pub const fn is_fd(&self) -> bool {
        matches!(self, AnyFrame::Fd(_))
    }

    pub const fn with_id(self, id: CanId) -> Self {
        match self {
            AnyFrame::Classic(f) => AnyFrame::Classic(f.with_id(id)),
            AnyFrame::Fd(f) => AnyFrame::Fd(f.with_id(id)),
        }
    }

    pub const fn arbitration_key(&self) -> u32 {
        match self {
            AnyFrame::Classic(f) => f.arbitration_key(),
            AnyFrame::Fd(f) => f.arbitration_key(),
        }
    }
}

impl From<CanFrame> for AnyFrame {
    fn from(f: CanFrame) -> Self {
        AnyFrame::Classic(f)
    }
}

impl From<FdFrame> for AnyFrame {
    fn from(f: FdFrame) -> Self {
        AnyFrame::Fd(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use embedded_can::Frame;

    fn std(id: u16) -> CanId {
        CanId::standard(id).unwrap()
    }
    fn ext(id: u32) -> CanId {
        CanId::extended(id).unwrap()
    }

    #[test]
    fn ids_round_trip_through_embedded_can() {
        for id in [std(0), std(0x7FF), ext(0), ext(0x1FFF_FFFF), ext(0x123)] {
            let e: Id = id.into();
            assert_eq!(CanId::from(e), id);
            assert_eq!(CanId::from_bits(id.to_bits()), Some(id));
        }
        assert!(CanId::standard(0x800).is_none());
        assert!(CanId::extended(0x2000_0000).is_none());
        assert!(CanId::from_bits(0x800).is_none());
    }

    #[test]
    fn frames_through_the_embedded_can_trait() {
        let f = CanFrame::new(StandardId::new(0x123).unwrap(), &[1, 2, 3]).unwrap();
        assert_eq!(f.data(), &[1, 2, 3]);
        assert_eq!(f.dlc(), 3);
        assert!(!f.is_extended() && f.is_data_frame());
        let r = CanFrame::new_remote(ExtendedId::new(0x1234_5678).unwrap(), 4).unwrap();
        assert!(r.is_remote_frame() && r.is_extended());
        assert_eq!(r.dlc(), 4);
        assert!(r.data().is_empty());
        assert!(CanFrame::new(StandardId::ZERO, &[0; 9]).is_none());
        assert!(CanFrame::new_remote(StandardId::ZERO, 9).is_none());
    }

    #[test]
    fn fd_dlc_mapping() {
        let expect = [
            (0, 0),
            (8, 8),
            (9, 9),
            (12, 9),
            (13, 10),
            (16, 10),
            (20, 11),
            (24, 12),
            (32, 13),
            (33, 14),
            (48, 14),
            (64, 15),
        ];
        for (len, dlc) in expect {
            assert_eq!(len_to_dlc(len), Some(dlc), "len {len}");
        }
        assert_eq!(len_to_dlc(65), None);
        for dlc in 0..16u8 {
            assert_eq!(len_to_dlc(dlc_to_len(dlc)), Some(dlc));
        }
        assert!(FdFrame::new(std(1), &[0; 12], true).is_some());
        assert!(FdFrame::new(std(1), &[0; 13], true).is_none());
        let p = FdFrame::padded(std(1), &[1; 13], 0xCC, false).unwrap();
        assert_eq!(p.len(), 16);
        assert_eq!(p.dlc(), 10);
        assert_eq!(&p.data()[12..], &[1, 0xCC, 0xCC, 0xCC]);
    }

    #[test]
    fn arbitration_order() {
        // lower id wins
        assert!(std(0x100).arbitration_key(false) < std(0x101).arbitration_key(false));
        // standard beats extended with the same base id
        let e = ext(0x100 << 18);
        assert!(std(0x100).arbitration_key(false) < e.arbitration_key(false));
        // even a standard remote frame beats it (RTR vs SRR tie, IDE decides)
        assert!(std(0x100).arbitration_key(true) < e.arbitration_key(false));
        // data beats remote
        assert!(std(0x100).arbitration_key(false) < std(0x100).arbitration_key(true));
        assert!(e.arbitration_key(false) < e.arbitration_key(true));
        // an extended frame with a lower base id beats a standard one
        assert!(
            ext(0x0FF << 18 | 0x3FFFF).arbitration_key(true) < std(0x100).arbitration_key(false)
        );
        // extension bits order extended frames with the same base
        assert!(
            ext(0x100 << 18 | 1).arbitration_key(false)
                < ext(0x100 << 18 | 2).arbitration_key(false)
        );
    }
}
