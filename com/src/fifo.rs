//! A first-in first-out queue of fixed capacity: what a transmit queue is when the order of
//! sending is the order of release (the kernel's queue of allowed frames), and what a wire is
//! (a loopback controller). Pushing into a full queue hands the value back: no eviction.

#[derive(Clone, Copy, Debug)]
pub struct Fifo<T: Copy, const N: usize> {
    slots: [Option<T>; N],
    head: usize,
    len: usize,
}

impl<T: Copy, const N: usize> Default for Fifo<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Copy, const N: usize> Fifo<T, N> {
    pub const fn new() -> Self {
        Self {
            slots: [None; N],
            head: 0,
            len: 0,
        }
    }

    /// Queues `value` last; a full queue hands it back.
    pub fn push(&mut self, value: T) -> Result<(), T> {
        if self.len == N {
            return Err(value);
        }
        self.slots[(self.head + self.len) % N] = Some(value);
        self.len += 1;
        Ok(())
    }

    /// Takes the oldest value.
    pub fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        let value = self.slots[self.head].take();
        self.head = (self.head + 1) % N;
        self.len -= 1;
        value
    }

    pub const fn len(&self) -> usize {
        self.len
    }

    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_leave_in_order_and_a_full_queue_hands_back() {
        let mut q = Fifo::<u8, 3>::new();
        assert_eq!(q.pop(), None);
        for v in 1..=3 {
            assert_eq!(q.push(v), Ok(()));
        }
        assert_eq!(q.push(4), Err(4), "nothing overwritten");
        assert_eq!(q.pop(), Some(1));
        // Wraps around the end of the slots.
        assert_eq!(q.push(4), Ok(()));
        assert_eq!(q.len(), 3);
        assert_eq!(
            [q.pop(), q.pop(), q.pop(), q.pop()],
            [Some(2), Some(3), Some(4), None]
        );
        assert!(q.is_empty());
    }
}
