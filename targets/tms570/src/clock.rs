//! PLL and clock tree: what to program for a target frequency, and the programming sequence.
//!
//! fPLL = OSCIN / NR * NF / OD / R (SPNU515C §2.4.2 / SPNU563A §2.4.2 "PLL"): NR in 1..=64,
//! NF in 1..=256 (integer mode), OD in 1..=8, R in 1..=32; the data sheets (SPNS192 and
//! SPNS195C "PLL timing") bound the reference after NR (fINTCLK, 1..=20 MHz) and the VCO
//! (fVCO = fINTCLK * NF, 150..=550 MHz).
use tock_registers::interfaces::{ReadWriteable, Readable, Writeable};

use crate::regs::flash::{FlashRegisters, FRDCNTL};
use crate::regs::pcr::PcrRegisters;
use crate::regs::system::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PllConfig {
    pub nr: u32,
    pub nf: u32,
    pub od: u32,
    pub r: u32,
}

pub const FINTCLK_HZ: (u32, u32) = (1_000_000, 20_000_000);
pub const FVCO_HZ: (u32, u32) = (150_000_000, 550_000_000);

impl PllConfig {
    /// The VCO frequency, if the reference and VCO are in range.
    pub fn vco_hz(&self, oscin_hz: u32) -> Option<u64> {
        if !(1..=64).contains(&self.nr)
            || !(1..=256).contains(&self.nf)
            || !(1..=8).contains(&self.od)
            || !(1..=32).contains(&self.r)
        {
            return None;
        }
        let fint = oscin_hz as u64 * 1_000 / self.nr as u64; // mHz, avoids losing fractions
        if fint < FINTCLK_HZ.0 as u64 * 1_000 || fint > FINTCLK_HZ.1 as u64 * 1_000 {
            return None;
        }
        let vco = oscin_hz as u64 * self.nf as u64;
        if !vco.is_multiple_of(self.nr as u64) {
            return None;
        }
        let vco = vco / self.nr as u64;
        (FVCO_HZ.0 as u64..=FVCO_HZ.1 as u64)
            .contains(&vco)
            .then_some(vco)
    }

    /// The PLL output (GCLK when GCLK runs from PLL1), exact or None.
    pub fn output_hz(&self, oscin_hz: u32) -> Option<u32> {
        let vco = self.vco_hz(oscin_hz)?;
        let div = (self.od * self.r) as u64;
        vco.is_multiple_of(div).then(|| (vco / div) as u32)
    }

    /// A configuration giving exactly `target_hz`: R = 1, the VCO as high as the range allows
    /// (lower jitter), and then the smallest NR.
    pub fn solve(oscin_hz: u32, target_hz: u32) -> Option<PllConfig> {
        let mut best: Option<(u64, PllConfig)> = None;
        for od in 1..=8 {
            for nr in 1..=64 {
                for nf in 1..=256 {
                    let c = PllConfig { nr, nf, od, r: 1 };
                    if c.output_hz(oscin_hz) != Some(target_hz) {
                        continue;
                    }
                    let vco = c.vco_hz(oscin_hz).unwrap_or(0);
                    if best.is_none_or(|(v, _)| vco > v) {
                        best = Some((vco, c));
                    }
                }
            }
        }
        best.map(|(_, c)| c)
    }

    /// PLLCTL1 as HALCoGen writes it first: bypass on slip, R = 32 while locking, NR, NF.
    pub fn pllctl1_locking(&self) -> u32 {
        0x2000_0000 | 0x1F << 24 | (self.nr - 1) << 16 | (self.nf - 1) << 8
    }

    /// PLLCTL1 once locked: the final R.
    pub fn pllctl1_final(&self) -> u32 {
        (self.pllctl1_locking() & 0xE0FF_FFFF) | (self.r - 1) << 24
    }

    /// PLLCTL2: modulation off, spreading rate 255, MULMOD 7, OD, spreading amount 61
    /// (HALCoGen's values).
    pub fn pllctl2(&self) -> u32 {
        255 << 22 | 7 << 12 | (self.od - 1) << 9 | 61
    }
}

/// The whole clock tree of a board.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClockPlan {
    pub oscin_hz: u32,
    pub pll: PllConfig,
    /// HCLK = GCLK / hclk_div (LC43x HCLKCNTL; 1 on the LS12x).
    pub hclk_div: u32,
    /// VCLK = HCLK / vclk_div.
    pub vclk_div: u32,
    /// RTICLK = VCLK / 2^rti_div_log2.
    pub rti_div_log2: u32,
    /// Flash random-read wait states.
    pub flash_rwait: u32,
}

impl ClockPlan {
    pub fn gclk_hz(&self) -> u32 {
        self.pll.output_hz(self.oscin_hz).unwrap_or(0)
    }
    pub fn hclk_hz(&self) -> u32 {
        self.gclk_hz() / self.hclk_div
    }
    pub fn vclk_hz(&self) -> u32 {
        self.hclk_hz() / self.vclk_div
    }
    pub fn rticlk_hz(&self) -> u32 {
        self.vclk_hz() >> self.rti_div_log2
    }
    /// The DCAN clock: VCLKA1 from VCLK (VCLKASRC = 9).
    pub fn can_clk_hz(&self) -> u32 {
        self.vclk_hz()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockError {
    /// The PLL did not disable or lock within the bounded wait.
    PllTimeout,
}

/// Bound of every busy-wait on the clock registers (the PLL locks in 127 + 1024 * NR OSCIN
/// cycles, < 10,000 cycles; reads run at OSCIN speed at worst).
pub const WAIT_LIMIT: u32 = 1_000_000;

/// Starts PLL1 (and PLL2 with the same settings on the LC43x, as HALCoGen) with R = 32.
pub fn start_pll(
    sys1: &System1Registers,
    sys2: &System2Registers,
    plan: &ClockPlan,
    two_plls: bool,
) -> Result<(), ClockError> {
    let plls = CSDIS_PLL1 | if two_plls { CSDIS_PLL2 } else { 0 };
    sys1.csdisset.set(plls);
    wait(|| sys1.csdis.get() & plls == plls)?;
    sys1.glbstat.set(0x301);
    sys1.pllctl1.set(plan.pll.pllctl1_locking());
    sys1.pllctl2.set(plan.pll.pllctl2());
    if two_plls {
        sys2.pllctl3
            .set(0x1F << 24 | (plan.pll.nr - 1) << 16 | (plan.pll.nf - 1) << 8);
    }
    sys1.csdisclr.set(plls);
    Ok(())
}

/// Powers every peripheral up and releases them from reset (HALCoGen `periphInit`).
pub fn power_up_peripherals(sys1: &System1Registers, pcrs: &[&PcrRegisters]) {
    sys1.clkcntl.modify(CLKCNTL::PENA::CLEAR);
    for pcr in pcrs {
        for r in pcr.pspwrdwnclr.iter() {
            r.set(0xFFFF_FFFF);
        }
    }
    sys1.clkcntl.modify(CLKCNTL::PENA::SET);
}

/// Flash wait states for the target clock, before switching to it.
pub fn set_flash_wait_states(flash: &FlashRegisters, plan: &ClockPlan) {
    flash
        .frdcntl
        .write(FRDCNTL::RWAIT.val(plan.flash_rwait) + FRDCNTL::ENPIPE.val(1));
}

/// Waits for the PLL lock, sets R, switches GCLK/HCLK/VCLK to PLL1 and sets the dividers.
pub fn map_clocks(
    sys1: &System1Registers,
    sys2: &System2Registers,
    plan: &ClockPlan,
    lc43: bool,
) -> Result<(), ClockError> {
    if lc43 {
        sys2.hclkcntl.set(plan.hclk_div - 1);
    }
    // SYS#46 errata: wait until every enabled source is valid before switching.
    wait(|| {
        let enabled = !sys1.csdis.get() & 0xFF;
        sys1.csvstat.get() & enabled == enabled
    })?;
    sys1.pllctl1.set(plan.pll.pllctl1_final());
    sys1.ghvsrc.write(
        GHVSRC::GHVWAKE.val(SRC_PLL1) + GHVSRC::HVLPM.val(SRC_PLL1) + GHVSRC::GHVSRC.val(SRC_PLL1),
    );
    sys1.clkcntl
        .modify(CLKCNTL::VCLKR.val(plan.vclk_div - 1) + CLKCNTL::VCLK2R.val(plan.vclk_div - 1));
    if lc43 {
        sys2.clk2cntrl
            .set((sys2.clk2cntrl.get() & !0xF) | (plan.vclk_div - 1));
    }
    sys1.rclksrc
        .write(RCLKSRC::RTI1SRC.val(SRC_VCLK) + RCLKSRC::RTI1DIV.val(plan.rti_div_log2));
    sys1.vclkasrc.set(SRC_VCLK << 8 | SRC_VCLK);
    Ok(())
}

fn wait(mut done: impl FnMut() -> bool) -> Result<(), ClockError> {
    for _ in 0..WAIT_LIMIT {
        if done() {
            return Ok(());
        }
    }
    Err(ClockError::PllTimeout)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::Fake;
    use crate::part::{Part, OSCIN_HZ};

    #[test]
    fn launchpad_plans() {
        // LC4357: HALCoGen HL_system.c setupPLL: NR = 8, NF = 150, OD = 1, R = 1 -> 300 MHz.
        let lc = Part::Lc4357.clock_plan();
        assert_eq!(lc.gclk_hz(), 300_000_000);
        assert_eq!(lc.hclk_hz(), 150_000_000);
        assert_eq!(lc.vclk_hz(), 75_000_000);
        assert_eq!(lc.pll.vco_hz(OSCIN_HZ), Some(300_000_000));
        assert_eq!(lc.pll.pllctl1_locking(), 0x3F07_9500);
        assert_eq!(lc.pll.pllctl1_final(), 0x2007_9500);
        assert_eq!(lc.pll.pllctl2(), 0x3FC0_703D);
        // LS1224: NR = 6, NF = 120, OD = 2, R = 1 -> 160 MHz (HALCoGen system.c, R = 1).
        let ls = Part::Ls1224.clock_plan();
        assert_eq!(ls.gclk_hz(), 160_000_000);
        assert_eq!(ls.hclk_hz(), 160_000_000);
        assert_eq!(ls.vclk_hz(), 80_000_000);
        assert_eq!(ls.pll.vco_hz(OSCIN_HZ), Some(320_000_000));
        assert_eq!(ls.pll.pllctl1_locking(), 0x3F05_7700);
        assert_eq!(ls.pll.pllctl2(), 0x3FC0_723D);
    }

    #[test]
    fn solver_hits_targets_exactly() {
        for target in [300_000_000, 160_000_000, 220_000_000, 80_000_000] {
            let c = PllConfig::solve(OSCIN_HZ, target).unwrap();
            assert_eq!(c.output_hz(OSCIN_HZ), Some(target), "{c:?}");
            let vco = c.vco_hz(OSCIN_HZ).unwrap();
            assert!((150_000_000..=550_000_000).contains(&vco));
        }
        assert_eq!(PllConfig::solve(OSCIN_HZ, 300_000_000).unwrap().od, 1);
        // 160 MHz: VCO 480 MHz / OD 3 is the highest exact VCO.
        assert_eq!(
            PllConfig::solve(OSCIN_HZ, 160_000_000)
                .unwrap()
                .vco_hz(OSCIN_HZ),
            Some(480_000_000)
        );
        // Out of range: VCO limits and reference limits.
        assert_eq!(
            PllConfig {
                nr: 1,
                nf: 50,
                od: 1,
                r: 1
            }
            .vco_hz(OSCIN_HZ),
            None,
            "800 MHz VCO"
        );
        assert_eq!(
            PllConfig {
                nr: 32,
                nf: 150,
                od: 1,
                r: 1
            }
            .vco_hz(OSCIN_HZ),
            None,
            "0.5 MHz ref"
        );
        assert_eq!(PllConfig::solve(OSCIN_HZ, 1_000_000_000), None);
    }

    #[test]
    fn programming_sequence() {
        let s1 = Fake::<System1Registers>::new();
        let s2 = Fake::<System2Registers>::new();
        let plan = Part::Lc4357.clock_plan();
        // CSDIS never shows the PLLs disabled: bounded wait fails.
        assert_eq!(
            start_pll(s1.regs(), s2.regs(), &plan, true),
            Err(ClockError::PllTimeout)
        );
        s1.set_word(0x30, 0x42);
        start_pll(s1.regs(), s2.regs(), &plan, true).unwrap();
        assert_eq!(s1.word(0x70), 0x3F07_9500);
        assert_eq!(s1.word(0x74), 0x3FC0_703D);
        assert_eq!(s2.word(0x00), 0x1F07_9500, "PLLCTL3 as HALCoGen");
        assert_eq!(s1.word(0x38), 0x42, "CSDISCLR");
        // Sources enabled (CSDIS = 0) but none valid yet: bounded.
        s1.set_word(0x30, 0);
        assert_eq!(
            map_clocks(s1.regs(), s2.regs(), &plan, true),
            Err(ClockError::PllTimeout)
        );
        s1.set_word(0x54, 0xFF);
        s1.set_word(0xD0, 0x0101_0000);
        map_clocks(s1.regs(), s2.regs(), &plan, true).unwrap();
        assert_eq!(s2.word(0x54), 1, "HCLKCNTL: /2");
        assert_eq!(s1.word(0x70), 0x2007_9500, "R = 1");
        assert_eq!(s1.word(0x48), 0x0101_0001, "GHVSRC: PLL1");
        assert_eq!(s1.word(0xD0), 0x0101_0000, "VCLK = VCLK2 = HCLK / 2");
        assert_eq!(
            s1.word(0x50),
            0x0000_0109,
            "RTICLK = VCLK / 2 (HALCoGen RCLKSRC)"
        );
        assert_eq!(s2.word(0x3C), 1, "VCLK3 = HCLK / 2");
        let pcr = Fake::<PcrRegisters>::new();
        power_up_peripherals(s1.regs(), &[pcr.regs()]);
        assert_eq!(pcr.word(0xAC), 0xFFFF_FFFF);
        assert_eq!(s1.word(0xD0) & 0x100, 0x100, "PENA");
        let fl = Fake::<FlashRegisters>::new();
        set_flash_wait_states(fl.regs(), &plan);
        assert_eq!(fl.word(0), 0x301);
    }
}
