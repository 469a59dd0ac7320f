//! Ready tasks in AUTOSAR order: highest priority first, FIFO by activation among equals.
//!
//! Every pending activation of a task carries a sequence stamp; a preempted task keeps the
//! stamp of its running activation, so it stays first of its priority, and a task released
//! from waiting gets a fresh one, so it goes last. Choosing the next task is one pass over the
//! task table: bounded by the configuration, not by run-time state.

use crate::config::MAX_ACTIVATIONS;

#[derive(Clone, Copy, Debug, Default)]
pub struct Activations {
    stamps: [u64; MAX_ACTIVATIONS],
    head: u8,
    len: u8,
}

impl Activations {
    pub const EMPTY: Self = Self {
        stamps: [0; MAX_ACTIVATIONS],
        head: 0,
        len: 0,
    };

    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The caller checks the activation limit first; a full queue is refused, not overwritten.
    pub fn push(&mut self, stamp: u64) -> bool {
        if self.len() == MAX_ACTIVATIONS {
            return false;
        }
        let slot = (self.head as usize + self.len()) % MAX_ACTIVATIONS;
        self.stamps[slot] = stamp;
        self.len += 1;
        true
    }

    pub fn oldest(&self) -> Option<u64> {
        (!self.is_empty()).then(|| self.stamps[self.head as usize])
    }

    /// Moves the head activation to a new place in its priority's FIFO.
    pub fn restamp_oldest(&mut self, stamp: u64) {
        if !self.is_empty() {
            self.stamps[self.head as usize] = stamp;
        }
    }

    pub fn pop(&mut self) -> Option<u64> {
        let oldest = self.oldest()?;
        self.head = ((self.head as usize + 1) % MAX_ACTIVATIONS) as u8;
        self.len -= 1;
        Some(oldest)
    }
}

/// Of `(index, priority, stamp)` candidates: highest priority, then oldest stamp.
pub fn highest(
    candidates: impl Iterator<Item = (usize, crate::config::Level, u64)>,
) -> Option<(usize, crate::config::Level)> {
    let mut best: Option<(usize, crate::config::Level, u64)> = None;
    for (index, priority, stamp) in candidates {
        let better = match best {
            None => true,
            Some((_, best_priority, best_stamp)) => {
                priority > best_priority || (priority == best_priority && stamp < best_stamp)
            }
        };
        if better {
            best = Some((index, priority, stamp));
        }
    }
    best.map(|(index, priority, _)| (index, priority))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activations_are_fifo_and_bounded() {
        let mut a = Activations::EMPTY;
        for stamp in 0..MAX_ACTIVATIONS as u64 {
            assert!(a.push(stamp));
        }
        assert!(!a.push(99), "a full queue refuses");
        assert_eq!(a.pop(), Some(0));
        assert!(a.push(100));
        let drained: [u64; MAX_ACTIVATIONS] = core::array::from_fn(|_| a.pop().unwrap());
        assert_eq!(drained, [1, 2, 3, 4, 5, 6, 7, 100]);
        assert!(a.is_empty());
    }

    #[test]
    fn highest_priority_then_oldest() {
        let picked = highest([(0, 3, 5), (1, 7, 9), (2, 7, 4), (3, 1, 0)].into_iter());
        assert_eq!(picked, Some((2, 7)));
        assert_eq!(highest(core::iter::empty()), None);
    }
}
