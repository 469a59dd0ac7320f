//! Ready tasks in AUTOSAR order: highest priority first, FIFO by activation among equals.
//!
//! Every pending activation of a task carries a sequence stamp. A new activation, or a task
//! released from waiting, takes the next stamp from the back (last of its priority); a
//! preempted task takes the next stamp from the front (first of its priority, AUTOSAR's
//! "resumes first"). [`ReadyQueue`] keeps the ready tasks in one FIFO per level, ordered by
//! those stamps, and a bitmap of the levels that have any: choosing the next task is two
//! count-leading-zeros and a load, whatever the number of tasks.

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

    /// The first activation of a suspended task (the queue is empty): one store, no checks.
    #[inline(always)]
    pub fn push_first_activation(&mut self, stamp: u64) {
        debug_assert!(self.is_empty());
        let slot = self.head_slot();
        self.stamps[slot] = stamp;
        self.len = 1;
    }

    /// The slot of the oldest activation (the modulo also spares a bounds check).
    fn head_slot(&self) -> usize {
        self.head as usize % MAX_ACTIVATIONS
    }

    pub fn oldest(&self) -> Option<u64> {
        (!self.is_empty()).then(|| self.stamps[self.head_slot()])
    }

    /// Moves the head activation to a new place in its priority's FIFO.
    pub fn restamp_oldest(&mut self, stamp: u64) {
        if !self.is_empty() {
            let slot = self.head_slot();
            self.stamps[slot] = stamp;
        }
    }

    pub fn pop(&mut self) -> Option<u64> {
        let oldest = self.oldest()?;
        self.head = ((self.head_slot() + 1) % MAX_ACTIVATIONS) as u8;
        self.len -= 1;
        Some(oldest)
    }
}

/// The first stamp given to activations (growing) and, one below, to preempted tasks
/// (shrinking): neither side runs out in the life of a system.
pub const FIRST_BACK_STAMP: u64 = 1 << 62;

/// Levels the queue tells apart: a task's priority is a `u8`. A task above them (holding a
/// resource shared with ISRs) cannot be preempted by a task, so it never waits in the queue;
/// were one to, it would share the top level.
const LEVELS: usize = 256;
const WORD_BITS: usize = 32;
const NONE: u8 = u8::MAX;

/// The ready tasks, one doubly linked FIFO per level threaded through per-task links, and a
/// two-tier bitmap of the non-empty levels. The running task is not in it.
///
/// The task filed last by [`ReadyQueue::push_first`] (a preempted task) waits "on deck",
/// not yet linked: it is first of its level by definition, so `highest` weighs it against the
/// linked ones with one comparison, and the usual life of a preempted task (preempted, then
/// resumed once the preempting task ends) costs no linking at all. The next `push_first` links
/// it first; an insertion by stamp never goes before it (it holds the smallest stamp).
#[derive(Clone, Debug)]
pub struct ReadyQueue<const TASKS: usize> {
    /// Bit `w` set when `words[w]` is non-zero.
    summary: u32,
    /// Bit `b` of word `w` set when level `w * 32 + b` has a ready task.
    words: [u32; LEVELS / WORD_BITS],
    /// Each level's first and last task.
    ends: [Ends; LEVELS],
    links: [Link; TASKS],
    /// The preempted task on deck (`NONE`: none); its level is in its link.
    deck: u8,
}

#[derive(Clone, Copy, Debug)]
struct Ends {
    first: u8,
    last: u8,
}

/// A task's place in its level: together, so one bounds check covers them.
#[derive(Clone, Copy, Debug)]
struct Link {
    next: u8,
    previous: u8,
    /// The level it is filed under (valid while `linked`).
    level: u8,
    linked: bool,
}

impl<const TASKS: usize> ReadyQueue<TASKS> {
    /// Task indexes fit the links with one value to spare for "none".
    pub const FITS: bool = TASKS < NONE as usize;

    pub const fn new() -> Self {
        Self {
            summary: 0,
            words: [0; LEVELS / WORD_BITS],
            ends: [Ends {
                first: NONE,
                last: NONE,
            }; LEVELS],
            links: [Link {
                next: NONE,
                previous: NONE,
                level: 0,
                linked: false,
            }; TASKS],
            deck: NONE,
        }
    }

    pub fn contains(&self, task: usize) -> bool {
        self.links[task].linked || self.deck as usize == task
    }

    /// The first task of the highest non-empty level (the task on deck leads its level).
    #[inline]
    pub fn highest(&self) -> Option<usize> {
        let deck = self.deck;
        if self.summary == 0 {
            return (deck != NONE).then_some(deck as usize);
        }
        // The modulo (a mask) tells the compiler the index is in range: no check.
        let word = ((WORD_BITS - 1) - self.summary.leading_zeros() as usize) % self.words.len();
        let bit = (WORD_BITS - 1) - self.words[word].leading_zeros() as usize;
        let level = word * WORD_BITS + bit;
        if deck != NONE && self.links[deck as usize % TASKS].level as usize >= level {
            return Some(deck as usize);
        }
        Some(self.ends[level].first as usize)
    }

    /// Links the task on deck, first of its level, as `push_first` would have.
    #[inline(always)]
    fn link_deck(&mut self) {
        let deck = self.deck;
        if deck != NONE {
            self.deck = NONE;
            let task = deck as usize % TASKS;
            self.link(task, self.links[task].level as usize, NONE);
        }
    }

    /// Files `task` at `level` after every task with an older stamp (`stamp_of` gives the
    /// stamps of the queued ones). The usual cases, newest or oldest, take no walk. Out of
    /// line: one copy serves every caller.
    #[inline(never)]
    pub fn insert(
        &mut self,
        task: usize,
        level: crate::config::Level,
        stamp: u64,
        stamp_of: impl Fn(usize) -> u64,
    ) {
        // The task on deck took the newest front stamp, the smallest of all: nothing filed by
        // stamp goes before it, so it can stay on deck.
        debug_assert!(self.deck == NONE || stamp > stamp_of(self.deck as usize));
        let level = Self::bucket(level);
        let ends = self.ends[level];
        // Walk back from the newest to the first older one: none for a new activation.
        let mut after = ends.last;
        if after != NONE && stamp < stamp_of(ends.first as usize) {
            // Older than all: first of its level.
            after = NONE;
        }
        while after != NONE && stamp_of(after as usize) > stamp {
            after = self.links[after as usize].previous;
        }
        self.link(task, level, after);
    }

    /// Files `task` first of `level`: a preempted task, which resumes before the others. It
    /// goes on deck; the one there before (preempted earlier, so behind it if they share a
    /// level) is linked first.
    #[inline(always)]
    pub fn push_first(&mut self, task: usize, level: crate::config::Level) {
        self.link_deck();
        self.links[task].level = Self::bucket(level) as u8;
        self.deck = task as u8;
    }

    fn bucket(level: crate::config::Level) -> usize {
        level.min(LEVELS as crate::config::Level - 1) as usize
    }

    /// Links `task` into `level` behind `after` (first when `NONE`).
    #[inline(always)]
    fn link(&mut self, task: usize, level: usize, after: u8) {
        let before = match after {
            NONE => self.ends[level].first,
            _ => self.links[after as usize].next,
        };
        self.links[task] = Link {
            next: before,
            previous: after,
            level: level as u8,
            linked: true,
        };
        match after {
            NONE => self.ends[level].first = task as u8,
            _ => self.links[after as usize].next = task as u8,
        }
        match before {
            NONE => self.ends[level].last = task as u8,
            _ => self.links[before as usize].previous = task as u8,
        }
        self.words[level / WORD_BITS] |= 1 << (level % WORD_BITS);
        self.summary |= 1 << (level / WORD_BITS);
    }

    /// Takes out the task `highest` named (the first of the highest level): the scheduler's
    /// choice, without the general case's links to mend.
    #[inline]
    pub fn remove_highest(&mut self, task: usize) {
        if self.deck as usize == task {
            self.deck = NONE;
            return;
        }
        let link = self.links[task];
        debug_assert!(
            link.linked && link.previous == NONE,
            "not the first of its level"
        );
        let level = link.level as usize;
        self.links[task].linked = false;
        self.ends[level].first = link.next;
        match link.next {
            NONE => {
                self.ends[level].last = NONE;
                self.clear_level(level);
            }
            next => self.links[next as usize].previous = NONE,
        }
    }

    /// The bitmap without `level`, which has emptied.
    fn clear_level(&mut self, level: usize) {
        let word = level / WORD_BITS;
        self.words[word] &= !(1 << (level % WORD_BITS));
        if self.words[word] == 0 {
            self.summary &= !(1 << word);
        }
    }

    /// Takes `task` out, wherever it is in its level.
    pub fn remove(&mut self, task: usize) {
        if self.deck as usize == task {
            self.deck = NONE;
            return;
        }
        let link = self.links[task];
        if !link.linked {
            return;
        }
        let level = link.level as usize;
        match link.previous {
            NONE => self.ends[level].first = link.next,
            previous => self.links[previous as usize].next = link.next,
        }
        match link.next {
            NONE => self.ends[level].last = link.previous,
            next => self.links[next as usize].previous = link.previous,
        }
        self.links[task].linked = false;
        if self.ends[level].first == NONE {
            self.clear_level(level);
        }
    }
}

impl<const TASKS: usize> Default for ReadyQueue<TASKS> {
    fn default() -> Self {
        Self::new()
    }
}

/// Of `(index, priority, stamp)` candidates: highest priority, then oldest stamp. The plain
/// scan [`ReadyQueue`] must agree with (the property tests compare them).
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

    #[test]
    fn ready_queue_is_fifo_per_level_and_highest_first() {
        let stamps = [10u64, 11, 12, 5, 13];
        let stamp_of = |t: usize| stamps[t];
        let mut q = ReadyQueue::<5>::new();
        assert_eq!(q.highest(), None);
        q.insert(0, 3, stamps[0], stamp_of);
        q.insert(1, 3, stamps[1], stamp_of);
        q.insert(2, 200, stamps[2], stamp_of);
        assert_eq!(
            q.highest(),
            Some(2),
            "level 200 (another bitmap word) first"
        );
        q.remove(2);
        assert_eq!(q.highest(), Some(0), "oldest of level 3");
        // An older stamp (a preempted task, or an earlier activation) goes in front.
        q.insert(3, 3, stamps[3], stamp_of);
        assert_eq!(q.highest(), Some(3));
        q.remove(3);
        q.remove(0);
        assert_eq!(q.highest(), Some(1));
        // Above the levels a priority can name: the top level.
        q.insert(4, 300, stamps[4], stamp_of);
        assert_eq!(q.highest(), Some(4));
        q.remove(4);
        q.remove(1);
        assert_eq!(q.highest(), None);
        assert!(!q.contains(1));
    }

    /// A preempted task waits on deck, ahead of its level; the next one preempted goes ahead
    /// of it at the same level, and a lower-level deck task yields to a higher linked one.
    #[test]
    fn the_task_on_deck_leads_its_level() {
        let stamps = [FIRST_BACK_STAMP, FIRST_BACK_STAMP + 1, 7, 6, 0];
        let stamp_of = |t: usize| stamps[t];
        let mut q = ReadyQueue::<5>::new();
        q.insert(0, 3, stamps[0], stamp_of);
        q.push_first(2, 3);
        assert!(q.contains(2));
        assert_eq!(q.highest(), Some(2), "on deck, first of level 3");
        q.push_first(3, 3);
        assert_eq!(q.highest(), Some(3), "preempted later: ahead of 2");
        q.remove_highest(3);
        assert_eq!(q.highest(), Some(2), "2 was linked first of its level");
        q.remove_highest(2);
        q.insert(1, 5, stamps[1], stamp_of);
        q.push_first(2, 3);
        assert_eq!(q.highest(), Some(1), "level 5 outranks the deck's 3");
        q.remove(1);
        assert_eq!(q.highest(), Some(2));
        q.remove(2);
        assert!(!q.contains(2));
        assert_eq!(q.highest(), Some(0));
    }

    mod model {
        extern crate std;
        use super::super::*;
        use proptest::prelude::*;
        use std::vec::Vec;

        const TASKS: usize = 6;

        #[derive(Clone, Debug)]
        enum Op {
            /// File a task (if it is not filed) at a level, newest or (a preempted task) oldest.
            File {
                task: usize,
                level: u16,
                first: bool,
            },
            /// File a task with a stamp older than the newest ones (a further activation, queued
            /// since before others): it goes in between.
            FileOlder {
                task: usize,
                level: u16,
                age: u64,
            },
            Remove(usize),
        }

        fn op() -> impl Strategy<Value = Op> {
            prop_oneof![
                // Levels across bitmap words and beyond the top one.
                (
                    0..TASKS,
                    prop_oneof![0u16..4, 30u16..34, 250u16..300],
                    any::<bool>()
                )
                    .prop_map(|(task, level, first)| Op::File {
                        task,
                        level,
                        first
                    }),
                (0..TASKS, 0u16..3, 1u64..8).prop_map(|(task, level, age)| Op::FileOlder {
                    task,
                    level,
                    age
                }),
                (0..TASKS).prop_map(Op::Remove),
            ]
        }

        proptest! {
            #[test]
            fn the_queue_chooses_what_a_scan_chooses(ops in proptest::collection::vec(op(), 1..60)) {
                let mut queue = ReadyQueue::<TASKS>::new();
                // The reference: the filed tasks with their level and stamp, scanned.
                let mut filed: Vec<(usize, u16, u64)> = Vec::new();
                let mut stamps = [0u64; TASKS];
                // New stamps even, older ones odd, front ones below both.
                let (mut back, mut front) = (FIRST_BACK_STAMP, FIRST_BACK_STAMP - 1);
                for op in ops {
                    match op {
                        Op::File { task, level, first } => {
                            if queue.contains(task) {
                                continue;
                            }
                            // The queue folds levels above its top into the top one.
                            let level = level.min(255);
                            if first {
                                stamps[task] = front;
                                front -= 1;
                                queue.push_first(task, level);
                            } else {
                                stamps[task] = back * 2;
                                back += 1;
                                queue.insert(task, level, stamps[task], |t| stamps[t]);
                            }
                            filed.push((task, level, stamps[task]));
                        }
                        Op::FileOlder { task, level, age } => {
                            // Odd stamps between the even new ones, each used once.
                            let stamp = (back - age) * 2 + 1;
                            if queue.contains(task) || stamps.contains(&stamp) {
                                continue;
                            }
                            stamps[task] = stamp;
                            queue.insert(task, level, stamp, |t| stamps[t]);
                            filed.push((task, level, stamp));
                        }
                        Op::Remove(task) if queue.highest() == Some(task) => {
                            queue.remove_highest(task);
                            filed.retain(|&(t, _, _)| t != task);
                        }
                        Op::Remove(task) => {
                            queue.remove(task);
                            filed.retain(|&(t, _, _)| t != task);
                        }
                    }
                    let scanned = highest(filed.iter().copied());
                    prop_assert_eq!(queue.highest(), scanned.map(|(task, _)| task));
                    for task in 0..TASKS {
                        prop_assert_eq!(queue.contains(task), filed.iter().any(|&(t, _, _)| t == task));
                    }
                }
            }
        }
    }
}
