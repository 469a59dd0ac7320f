//! CAN for task code: transmit and receive through the kernel.
//!
//! A task transmits with `os.can_transmit(bus, frame)`: the kernel asks the policy engine
//! (`ecu_policy::Engine::can_verdict`, the verdict every IPC call gets: the partition's grants
//! as rules, with any rate limits and state conditions of the policy file; bounded by the
//! policy's shape). A kernel without a policy engine (host tests with hand-built tables) checks
//! the static permission table ([`ecu_com::permission::PermissionTable`]) instead. A denied
//! frame is refused with E_OS_ACCESS, traced, counted per partition (and per rule and in the
//! audit ring by the engine), and never reaches a controller. An allowed frame goes into a
//! small transmit queue that the port drains into the controller of that bus.
//!
//! Received frames come the other way: the port hands each frame its controller accepted to
//! [`CanState::deliver`], which queues it for every partition whose receive grants take it
//! (a small fixed queue each; overflow is counted). A task polls with `os.can_receive(bus)`.
//!
//! On the Cortex-R boards a request travels in four registers. A transmit packs everything
//! into them ([`transmit_words`]): service 96 with bus, length and flags in the upper bits of
//! the first word, the id in the second, the eight data bytes in the last two. A receive
//! answers in two replies of 64 bits: the header, then the data.

use ecu_com::fifo::Fifo;
use ecu_com::permission::{Access, Direction, PermissionTable};
use ecu_com::{BusId, CanFrame, CanId};

use crate::request::Request;

/// The service number of CanTransmit (in the low byte of the first request word). The CAN
/// services have their own block (96..=98) apart from the OS services numbered from 1.
pub const TRANSMIT_SERVICE: u32 = 96;
/// CanReceive and CanReceiveData.
pub const RECEIVE_SERVICE: u32 = 97;
pub const RECEIVE_DATA_SERVICE: u32 = 98;
/// Frames the transmit queue holds until the port drains it (it does after every service).
pub const TX_QUEUE: usize = 16;
/// Frames each partition's receive queue holds.
pub const RX_QUEUE: usize = 8;
/// OS-Applications with a receive queue (the others cannot receive).
pub const MAX_PARTITIONS: usize = 8;

const FLAG_EXTENDED: u32 = 1 << 28;
const FLAG_REMOTE: u32 = 1 << 29;

/// The four words of a CanTransmit request.
pub fn transmit_words(bus: BusId, frame: &CanFrame) -> [u32; 4] {
    use ecu_com::embedded_can::Frame;
    let id = frame.can_id();
    let mut data = [0u8; 8];
    data[..frame.data().len()].copy_from_slice(frame.data());
    let flags = if id.is_extended() { FLAG_EXTENDED } else { 0 }
        | if frame.is_remote_frame() {
            FLAG_REMOTE
        } else {
            0
        };
    [
        TRANSMIT_SERVICE | (bus.0 as u32) << 8 | (frame.dlc() as u32 & 0xF) << 16 | flags,
        id.raw(),
        u32::from_le_bytes([data[0], data[1], data[2], data[3]]),
        u32::from_le_bytes([data[4], data[5], data[6], data[7]]),
    ]
}

/// The inverse of [`transmit_words`]; None for a bad id or length.
pub fn transmit_from_words(words: [u32; 4]) -> Option<Request> {
    let [head, raw, lo, hi] = words;
    let bus = BusId((head >> 8) as u8);
    let len = (head >> 16 & 0xF) as u8;
    let id = if head & FLAG_EXTENDED != 0 {
        CanId::extended(raw)?
    } else {
        CanId::standard(u16::try_from(raw).ok()?)?
    };
    let mut data = [0u8; 8];
    data[..4].copy_from_slice(&lo.to_le_bytes());
    data[4..].copy_from_slice(&hi.to_le_bytes());
    let frame = if head & FLAG_REMOTE != 0 {
        CanFrame::remote(id, len)?
    } else {
        CanFrame::data(id, data.get(..len as usize)?)?
    };
    Some(Request::CanTransmit(bus, frame))
}

/// CanReceive's reply for a frame: bit 40 set (a frame), bits 32..=35 the length, bit 36
/// remote, bits 0..=31 the id as [`CanId::to_bits`] gives it.
pub fn header(frame: &CanFrame) -> u64 {
    use ecu_com::embedded_can::Frame;
    1 << 40
        | (frame.dlc() as u64) << 32
        | (frame.is_remote_frame() as u64) << 36
        | frame.can_id().to_bits() as u64
}

/// The frame a header and its data make; None for "no frame" (0) or a bad header.
pub fn frame_from_reply(header: u64, data: u64) -> Option<CanFrame> {
    if header >> 40 & 1 == 0 {
        return None;
    }
    let id = CanId::from_bits(header as u32)?;
    let len = (header >> 32 & 0xF) as u8;
    if header >> 36 & 1 == 1 {
        return CanFrame::remote(id, len);
    }
    CanFrame::data(id, data.to_le_bytes().get(..len as usize)?)
}

#[derive(Clone, Copy, Debug)]
struct RxQueue {
    frames: [(BusId, CanFrame); RX_QUEUE],
    len: usize,
}

/// The kernel's CAN state: the permission table, the transmit queue, the partitions' receive
/// queues, the frame each task took last (for CanReceiveData) and the counters.
#[derive(Debug)]
pub struct CanState<const TASKS: usize> {
    table: Option<&'static PermissionTable<'static>>,
    tx: Fifo<(BusId, CanFrame), TX_QUEUE>,
    rx: [RxQueue; MAX_PARTITIONS],
    taken: [Option<CanFrame>; TASKS],
    /// Transmissions refused by the permission table, per partition.
    pub denied: [u32; MAX_PARTITIONS],
    /// Frames lost because a partition's receive queue was full.
    pub rx_overflow: [u32; MAX_PARTITIONS],
    /// Transmissions refused because the transmit queue was full.
    pub tx_overflow: u32,
}

fn empty_frame() -> CanFrame {
    // Id 0 and no data always make a frame.
    CanFrame::remote(CanId::from_bits(0).unwrap_or_else(|| unreachable()), 0)
        .unwrap_or_else(|| unreachable())
}

fn unreachable() -> ! {
    unreachable!("id 0 with no data is a valid frame")
}

impl<const TASKS: usize> CanState<TASKS> {
    pub fn new() -> Self {
        let none = (BusId(0), empty_frame());
        Self {
            table: None,
            tx: Fifo::new(),
            rx: [RxQueue {
                frames: [none; RX_QUEUE],
                len: 0,
            }; MAX_PARTITIONS],
            taken: [None; TASKS],
            denied: [0; MAX_PARTITIONS],
            rx_overflow: [0; MAX_PARTITIONS],
            tx_overflow: 0,
        }
    }

    /// The table the checks use; without one every transmission is denied.
    pub fn attach(&mut self, table: &'static PermissionTable<'static>) {
        self.table = Some(table);
    }

    /// Whether `partition` may send `id` on `bus` (bounded: that partition's grants).
    pub fn may(&self, partition: usize, dir: Direction, bus: BusId, id: CanId) -> bool {
        self.table
            .is_some_and(|t| t.check(partition, dir, bus, id) == Access::Allow)
    }

    pub(crate) fn count_denial(&mut self, partition: usize) {
        if let Some(n) = self.denied.get_mut(partition) {
            *n = n.saturating_add(1);
        }
    }

    /// Queues an allowed frame for the port; false when the queue is full.
    pub(crate) fn push_tx(&mut self, bus: BusId, frame: CanFrame) -> bool {
        if self.tx.push((bus, frame)).is_err() {
            self.tx_overflow = self.tx_overflow.saturating_add(1);
            return false;
        }
        true
    }

    /// The next frame for the port to put on its bus.
    pub fn take_tx(&mut self) -> Option<(BusId, CanFrame)> {
        self.tx.pop()
    }

    /// A frame a controller received on `bus`: queued for every partition (of the first
    /// `partitions`) that may receive it. Returns how many took it.
    pub fn deliver(&mut self, partitions: usize, bus: BusId, frame: CanFrame) -> usize {
        let mut taken = 0;
        for p in 0..partitions.min(MAX_PARTITIONS) {
            if !self.may(p, Direction::Receive, bus, frame.can_id()) {
                continue;
            }
            let q = &mut self.rx[p];
            if q.len == RX_QUEUE {
                self.rx_overflow[p] = self.rx_overflow[p].saturating_add(1);
                continue;
            }
            q.frames[q.len] = (bus, frame);
            q.len += 1;
            taken += 1;
        }
        taken
    }

    /// The oldest frame of `bus` in `partition`'s queue, kept as `task`'s last taken frame.
    pub(crate) fn receive(
        &mut self,
        partition: usize,
        task: usize,
        bus: BusId,
    ) -> Option<CanFrame> {
        let q = self.rx.get_mut(partition)?;
        let at = q.frames[..q.len].iter().position(|(b, _)| *b == bus)?;
        let (_, frame) = q.frames[at];
        q.frames.copy_within(at + 1..q.len, at);
        q.len -= 1;
        if let Some(slot) = self.taken.get_mut(task) {
            *slot = Some(frame);
        }
        Some(frame)
    }

    pub(crate) fn taken(&self, task: usize) -> Option<CanFrame> {
        self.taken.get(task).copied().flatten()
    }
}

impl<const TASKS: usize> Default for CanState<TASKS> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use ecu_com::gateway::BusMask;
    use ecu_com::permission::{Grant, PartitionGrants};
    use ecu_com::IdFilter;

    use super::*;

    fn sid(id: u16) -> CanId {
        CanId::standard(id).unwrap()
    }

    static A_TX: [Grant; 1] = [Grant {
        buses: BusMask(0b1),
        filter: IdFilter::new(
            match CanId::standard(0x100) {
                Some(id) => id,
                None => panic!(),
            },
            0x7F0,
        ),
    }];
    static A_RX: [Grant; 1] = [Grant {
        buses: BusMask(0b10),
        filter: IdFilter::new(
            match CanId::standard(0x200) {
                Some(id) => id,
                None => panic!(),
            },
            0x7FF,
        ),
    }];
    static TABLE: PermissionTable<'static> = PermissionTable {
        partitions: &[
            PartitionGrants {
                name: "A",
                transmit: &A_TX,
                receive: &A_RX,
            },
            PartitionGrants {
                name: "B",
                transmit: &[],
                receive: &[],
            },
        ],
    };

    #[test]
    fn transmit_is_checked_by_partition_bus_and_id() {
        let mut can: CanState<2> = CanState::new();
        assert!(
            !can.may(0, Direction::Transmit, BusId(0), sid(0x105)),
            "no table: deny"
        );
        can.attach(&TABLE);
        assert!(can.may(0, Direction::Transmit, BusId(0), sid(0x10F)));
        assert!(!can.may(0, Direction::Transmit, BusId(0), sid(0x110)));
        assert!(!can.may(0, Direction::Transmit, BusId(1), sid(0x100)));
        assert!(!can.may(1, Direction::Transmit, BusId(0), sid(0x100)));
        assert!(!can.may(5, Direction::Transmit, BusId(0), sid(0x100)));
    }

    #[test]
    fn queues_are_bounded_and_counted() {
        let mut can: CanState<2> = CanState::new();
        can.attach(&TABLE);
        let f = CanFrame::data(sid(0x200), &[1, 2]).unwrap();
        for _ in 0..TX_QUEUE {
            assert!(can.push_tx(BusId(0), f));
        }
        assert!(!can.push_tx(BusId(0), f));
        assert_eq!(can.tx_overflow, 1);
        assert_eq!(can.take_tx(), Some((BusId(0), f)));
        // Only A may receive 0x200 on bus 1; B gets nothing; the wrong bus reaches no one.
        assert_eq!(can.deliver(2, BusId(1), f), 1);
        assert_eq!(can.deliver(2, BusId(0), f), 0);
        for _ in 1..RX_QUEUE + 3 {
            can.deliver(2, BusId(1), f);
        }
        assert_eq!(can.rx_overflow[0], 3);
        assert_eq!(can.receive(1, 1, BusId(1)), None);
        assert_eq!(can.receive(0, 0, BusId(0)), None, "by bus");
        assert_eq!(can.receive(0, 0, BusId(1)), Some(f));
        assert_eq!(can.taken(0), Some(f));
        let reply = header(&f);
        assert_eq!(frame_from_reply(reply, 0x0201), Some(f));
        assert_eq!(frame_from_reply(0, 0), None);
    }
}
