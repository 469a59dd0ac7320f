//! The transmit queue of a controller: the frame that would win arbitration leaves first.
//!
//! Fixed capacity `N`; pushing into a full queue rejects the new frame, hands it back and counts
//! it (no silent loss, no eviction). Frames with the same arbitration key leave in the order
//! they came (a sequence number breaks ties), so one sender's stream stays in order.
//! Push and pop are O(N) over a small array: bounded by configuration.

use crate::frame::{AnyFrame, CanFrame, FdFrame};

/// What a queue can hold: anything with an arbitration key.
pub trait Arbitrate: Copy {
    fn arbitration_key(&self) -> u32;
}

impl Arbitrate for CanFrame {
    fn arbitration_key(&self) -> u32 {
        CanFrame::arbitration_key(self)
    }
}

impl Arbitrate for FdFrame {
    fn arbitration_key(&self) -> u32 {
        FdFrame::arbitration_key(self)
    }
}

impl Arbitrate for AnyFrame {
    fn arbitration_key(&self) -> u32 {
        AnyFrame::arbitration_key(self)
    }
}

#[derive(Clone, Debug)]
pub struct TxQueue<F: Arbitrate, const N: usize> {
    slots: [Option<(u32, u64, F)>; N],
    len: usize,
    seq: u64,
    overflows: u32,
}

impl<F: Arbitrate, const N: usize> Default for TxQueue<F, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<F: Arbitrate, const N: usize> TxQueue<F, N> {
    pub const fn new() -> Self {
        Self {
            slots: [None; N],
            len: 0,
            seq: 0,
            overflows: 0,
        }
    }

    /// Queues `frame`; a full queue hands it back and counts the overflow.
    pub fn push(&mut self, frame: F) -> Result<(), F> {
        match self.slots.iter_mut().find(|s| s.is_none()) {
            Some(slot) => {
                *slot = Some((frame.arbitration_key(), self.seq, frame));
                self.seq += 1;
                self.len += 1;
                Ok(())
            }
            None => {
                self.overflows = self.overflows.saturating_add(1);
                Err(frame)
            }
        }
    }

    fn best(&self) -> Option<usize> {
        let mut best: Option<(usize, u32, u64)> = None;
        for (i, s) in self.slots.iter().enumerate() {
            if let Some((key, seq, _)) = s {
                if best.is_none_or(|(_, k, q)| (*key, *seq) < (k, q)) {
                    best = Some((i, *key, *seq));
                }
            }
        }
        best.map(|b| b.0)
    }

    /// The frame that would go next, without taking it.
    pub fn peek(&self) -> Option<&F> {
        self.best()
            .and_then(|i| self.slots[i].as_ref().map(|(_, _, f)| f))
    }

    /// Takes the frame with the smallest arbitration key (the oldest among equals).
    pub fn pop(&mut self) -> Option<F> {
        let i = self.best()?;
        self.len -= 1;
        self.slots[i].take().map(|(_, _, f)| f)
    }

    /// Takes the oldest frame `pred` picks (e.g. the one a controller is transmitting, when a
    /// more urgent frame has been queued since it started).
    pub fn take(&mut self, pred: impl Fn(&F) -> bool) -> Option<F> {
        let mut best: Option<(usize, u64)> = None;
        for (i, s) in self.slots.iter().enumerate() {
            if let Some((_, seq, f)) = s {
                if pred(f) && best.is_none_or(|(_, q)| *seq < q) {
                    best = Some((i, *seq));
                }
            }
        }
        let (i, _) = best?;
        self.len -= 1;
        self.slots[i].take().map(|(_, _, f)| f)
    }

    pub const fn len(&self) -> usize {
        self.len
    }

    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub const fn capacity(&self) -> usize {
        N
    }

    /// Frames rejected because the queue was full.
    pub const fn overflows(&self) -> u32 {
        self.overflows
    }

    /// Drops every queued frame (bus-off with "abort on bus-off"); returns how many.
    pub fn clear(&mut self) -> usize {
        let n = self.len;
        self.slots = [None; N];
        self.len = 0;
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::CanId;

    fn f(id: u16, b: u8) -> CanFrame {
        CanFrame::data(CanId::standard(id).unwrap(), &[b]).unwrap()
    }

    #[test]
    fn priority_then_fifo_and_overflow() {
        let mut q: TxQueue<CanFrame, 4> = TxQueue::new();
        q.push(f(0x300, 0)).unwrap();
        q.push(f(0x100, 1)).unwrap();
        q.push(f(0x300, 2)).unwrap();
        q.push(f(0x200, 3)).unwrap();
        assert_eq!(q.push(f(0x001, 4)), Err(f(0x001, 4)));
        assert_eq!(q.overflows(), 1);
        let order: std::vec::Vec<u8> = core::iter::from_fn(|| q.pop())
            .map(|f| embedded_can::Frame::data(&f)[0])
            .collect();
        assert_eq!(order, [1, 3, 0, 2]);
        assert!(q.is_empty());
    }

    #[test]
    fn take_removes_the_frame_on_the_wire_not_the_most_urgent() {
        let mut q: TxQueue<CanFrame, 4> = TxQueue::new();
        q.push(f(0x300, 0)).unwrap();
        // 0x300 is being sent when 0x100 arrives
        q.push(f(0x100, 1)).unwrap();
        let sent = q.take(|x| x.can_id().raw() == 0x300).unwrap();
        assert_eq!(embedded_can::Frame::data(&sent), &[0]);
        assert_eq!(q.pop().map(|x| x.can_id().raw()), Some(0x100));
        assert!(q.take(|_| true).is_none());
        q.push(f(0x5, 2)).unwrap();
        assert_eq!(q.clear(), 1);
    }
}
