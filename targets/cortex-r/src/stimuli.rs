//! Interrupt stimuli on the boards: the description's `[[stimuli]]` (an ISR, a first arrival,
//! a period) raised by the board's stimulus timer at the times the simulation raises them, so a
//! scenario with ISRs gives the same trace on QEMU as on the simulation.
//!
//! No per-stimulus state: the port remembers up to which time arrivals were delivered, and the
//! next arrival of each stimulus after that time follows from its offset and period.

use ecu_os::IsrId;

/// What raises the image's ISRs on a board: the description's stimuli and device lines.
#[derive(Clone, Copy, Debug)]
pub struct Interrupts {
    pub stimuli: &'static [Stimulus],
    /// Lines of ISRs the kernel runs (category 2, and category 1 where the board has no FIQ).
    pub lines: &'static [IsrLine],
    /// Lines of category 1 ISRs on FIQ: run at once in FIQ mode, outside the kernel.
    pub fiq_lines: &'static [FiqLine],
}

impl Interrupts {
    pub const NONE: Interrupts = Interrupts {
        stimuli: &[],
        lines: &[],
        fiq_lines: &[],
    };
}

/// A category 1 ISR on a fast interrupt line: its body runs in FIQ mode, privileged, on the
/// FIQ stack, with no OS service (each answers E_OS_CALLEVEL).
#[derive(Clone, Copy, Debug)]
pub struct FiqLine {
    pub line: u32,
    pub entry: ecu_os::IsrEntry,
}

/// An ISR raised by a device's interrupt request line (`[[isrs]] irq`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IsrLine {
    pub isr: IsrId,
    pub line: u32,
}

/// One stimulus, times relative to StartOS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stimulus {
    pub isr: IsrId,
    pub offset_ns: u64,
    /// 0: once.
    pub period_ns: u64,
}

impl Stimulus {
    /// The first arrival strictly after `after_ns`, if any.
    pub fn next_after(&self, after_ns: Option<u64>) -> Option<u64> {
        let Some(after) = after_ns else {
            return Some(self.offset_ns);
        };
        if self.offset_ns > after {
            return Some(self.offset_ns);
        }
        if self.period_ns == 0 {
            return None;
        }
        let periods = (after - self.offset_ns) / self.period_ns + 1;
        Some(self.offset_ns + periods * self.period_ns)
    }

    /// How many arrivals fall in `(after_ns, until_ns]` (`after_ns` None: from the start).
    pub fn arrivals_until(&self, after_ns: Option<u64>, until_ns: u64) -> u64 {
        match self.next_after(after_ns) {
            Some(first) if first <= until_ns => match self.period_ns {
                0 => 1,
                period => (until_ns - first) / period + 1,
            },
            _ => 0,
        }
    }
}

/// The earliest arrival of any stimulus after `after_ns`.
// Used by the port, which only the Arm build has; the host build tests it.
#[cfg_attr(not(target_arch = "arm"), allow(dead_code))]
pub fn next_arrival(stimuli: &[Stimulus], after_ns: Option<u64>) -> Option<u64> {
    stimuli.iter().filter_map(|s| s.next_after(after_ns)).min()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONCE: Stimulus = Stimulus {
        isr: IsrId::new(0),
        offset_ns: 500,
        period_ns: 0,
    };
    const EVERY_300: Stimulus = Stimulus {
        isr: IsrId::new(1),
        offset_ns: 100,
        period_ns: 300,
    };

    #[test]
    fn a_single_arrival_comes_once() {
        assert_eq!(ONCE.next_after(None), Some(500));
        assert_eq!(ONCE.next_after(Some(499)), Some(500));
        assert_eq!(ONCE.next_after(Some(500)), None);
        assert_eq!(ONCE.arrivals_until(None, 499), 0);
        assert_eq!(ONCE.arrivals_until(None, 500), 1);
        assert_eq!(ONCE.arrivals_until(Some(500), 10_000), 0);
    }

    #[test]
    fn periodic_arrivals_follow_offset_and_period() {
        assert_eq!(EVERY_300.next_after(None), Some(100));
        assert_eq!(EVERY_300.next_after(Some(100)), Some(400));
        assert_eq!(EVERY_300.next_after(Some(401)), Some(700));
        // A late timer delivers every arrival it missed.
        assert_eq!(EVERY_300.arrivals_until(Some(100), 1000), 3);
        assert_eq!(next_arrival(&[ONCE, EVERY_300], Some(400)), Some(500));
        assert_eq!(next_arrival(&[ONCE], Some(500)), None);
    }
}
