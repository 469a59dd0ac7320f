//! RTI counter block 0 as the system tick (compare 0) and the timing-protection deadline
//! (compare 1).
use tock_registers::interfaces::{ReadWriteable, Readable, Writeable};

use crate::regs::rti::{RtiRegisters, COMPCTRL, GCTRL, INT};

/// What to program for a tick: FRC0 counts RTICLK / (cpuc + 1), compare 0 every `period`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TickSetup {
    pub cpuc: u32,
    pub period: u32,
}

impl TickSetup {
    /// The smallest prescaler (finest counter, so budgets are precise) that gives exactly
    /// `tick_ns`. CPUC = 0 would divide by 2^32, so the prescaler starts at 2.
    pub fn new(rticlk_hz: u32, tick_ns: u32) -> Option<TickSetup> {
        let cycles = rticlk_hz as u128 * tick_ns as u128;
        (2u128..=4096).find_map(|prescale| {
            let denom = prescale * 1_000_000_000;
            if !cycles.is_multiple_of(denom) {
                return None;
            }
            let period = cycles / denom;
            (1..=u32::MAX as u128).contains(&period).then(|| TickSetup {
                cpuc: (prescale - 1) as u32,
                period: period as u32,
            })
        })
    }

    /// FRC0 counts per second.
    pub fn counter_hz(&self, rticlk_hz: u32) -> u32 {
        rticlk_hz / (self.cpuc + 1)
    }

    /// FRC0 counts for a duration, rounded up (a budget never expires early).
    pub fn counts(&self, rticlk_hz: u32, ns: u64) -> u32 {
        let hz = self.counter_hz(rticlk_hz) as u128;
        (ns as u128 * hz)
            .div_ceil(1_000_000_000)
            .min(u32::MAX as u128) as u32
    }
}

/// Programs counter block 0 and compare 0 and starts the tick.
pub fn start_tick(rti: &RtiRegisters, setup: TickSetup) {
    rti.gctrl.modify(GCTRL::CNT0EN::CLEAR);
    rti.cnt[0].uc.set(0);
    rti.cnt[0].frc.set(0);
    rti.cnt[0].cpuc.set(setup.cpuc);
    rti.compctrl
        .modify(COMPCTRL::COMPSEL0::CLEAR + COMPCTRL::COMPSEL1::CLEAR);
    rti.cmp[0].comp.set(setup.period);
    rti.cmp[0].udcp.set(setup.period);
    rti.intflag.write(INT::INT0::SET);
    rti.setintena.write(INT::INT0::SET);
    rti.gctrl.modify(GCTRL::CNT0EN::SET);
}

/// Stops counter block 0 and the tick interrupt; a pending tick is dropped.
pub fn stop_tick(rti: &RtiRegisters) {
    rti.gctrl.modify(GCTRL::CNT0EN::CLEAR);
    rti.clearintena.write(INT::INT0::SET + INT::INT1::SET);
    rti.intflag.write(INT::INT0::SET + INT::INT1::SET);
}

/// Acknowledges a pending tick (write 1 to clear); false if none was pending.
pub fn ack_tick(rti: &RtiRegisters) -> bool {
    if rti.intflag.is_set(INT::INT0) {
        rti.intflag.write(INT::INT0::SET);
        true
    } else {
        false
    }
}

/// Arms compare 1 to fire `counts` FRC0 counts from now: a task's execution budget.
pub fn arm_budget(rti: &RtiRegisters, counts: u32) {
    let now = rti.cnt[0].frc.get();
    rti.cmp[1].comp.set(now.wrapping_add(counts));
    rti.cmp[1].udcp.set(0);
    rti.intflag.write(INT::INT1::SET);
    rti.setintena.write(INT::INT1::SET);
}

/// Disarms the budget; true if it had already expired.
pub fn disarm_budget(rti: &RtiRegisters) -> bool {
    rti.clearintena.write(INT::INT1::SET);
    let expired = rti.intflag.is_set(INT::INT1);
    rti.intflag.write(INT::INT1::SET);
    expired
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::Fake;
    use crate::part::Part;

    #[test]
    fn tick_setup_for_the_launchpads() {
        // LC4357: RTICLK = 37.5 MHz; 1 ms = 37,500 cycles = 2 x 18,750.
        let lc = Part::Lc4357.clock_plan().rticlk_hz();
        assert_eq!(lc, 37_500_000);
        let s = TickSetup::new(lc, 1_000_000).unwrap();
        assert_eq!(
            s,
            TickSetup {
                cpuc: 1,
                period: 18_750
            }
        );
        assert_eq!(s.counter_hz(lc), 18_750_000);
        // LS1224: RTICLK = 40 MHz.
        let ls = Part::Ls1224.clock_plan().rticlk_hz();
        assert_eq!(ls, 40_000_000);
        assert_eq!(
            TickSetup::new(ls, 1_000_000),
            Some(TickSetup {
                cpuc: 1,
                period: 20_000
            })
        );
        // 10 ms and 250 us.
        assert_eq!(
            TickSetup::new(ls, 10_000_000),
            Some(TickSetup {
                cpuc: 1,
                period: 200_000
            })
        );
        // 250 us at 37.5 MHz = 9,375 cycles: not even, so the prescaler is 3.
        assert_eq!(
            TickSetup::new(lc, 250_000),
            Some(TickSetup {
                cpuc: 2,
                period: 3_125
            })
        );
    }

    #[test]
    fn tick_period_is_exact() {
        for (hz, ns) in [
            (37_500_000u32, 1_000_000u32),
            (37_500_000, 250_000),
            (40_000_000, 500_000),
            (40_000_000, 1_000_000),
        ] {
            let s = TickSetup::new(hz, ns).unwrap();
            // period * (cpuc+1) / hz == ns exactly.
            assert_eq!(
                s.period as u128 * (s.cpuc as u128 + 1) * 1_000_000_000,
                hz as u128 * ns as u128
            );
        }
        // 1 ns at 37.5 MHz cannot be made.
        assert_eq!(TickSetup::new(37_500_000, 1), None);
    }

    #[test]
    fn start_stop_and_ack() {
        let fake = Fake::<RtiRegisters>::new();
        let rti = fake.regs();
        start_tick(
            rti,
            TickSetup {
                cpuc: 1,
                period: 18_750,
            },
        );
        assert_eq!(fake.word(0x00) & 1, 1, "counter 0 running");
        assert_eq!(fake.word(0x18), 1, "CPUC0");
        assert_eq!(fake.word(0x50), 18_750, "COMP0");
        assert_eq!(fake.word(0x54), 18_750, "UDCP0");
        assert_eq!(fake.word(0x80), 1, "SETINTENA INT0");
        fake.set_word(0x88, 0);
        assert!(!ack_tick(rti));
        fake.set_word(0x88, 1);
        assert!(ack_tick(rti));
        stop_tick(rti);
        assert_eq!(fake.word(0x00) & 1, 0);
        assert_eq!(fake.word(0x84), 3, "CLEARINTENA INT0|INT1");
    }

    #[test]
    fn budget_compare_1() {
        let fake = Fake::<RtiRegisters>::new();
        let rti = fake.regs();
        fake.set_word(0x10, 0xFFFF_FF00); // FRC0 near wrap
        arm_budget(rti, 0x200);
        assert_eq!(fake.word(0x58), 0x100, "COMP1 wraps");
        assert_eq!(fake.word(0x80), 2);
        fake.set_word(0x88, 2);
        assert!(disarm_budget(rti));
        let s = TickSetup {
            cpuc: 1,
            period: 18_750,
        };
        assert_eq!(
            s.counts(37_500_000, 1_000),
            19,
            "1 us = 18.75 counts, rounded up"
        );
    }
}
