//! The two parts and their LaunchPads: memory, clocks, interrupt channels, pins.
//!
//! Memory sizes: SPNS195C (TMS570LC4357: 4 MiB flash, 512 KiB RAM with ECC at 0x0800_0000)
//! and SPNS192 (TMS570LS1224: 1.25 MiB flash, 192 KiB RAM with ECC at 0x0800_0000).
//! VIM request numbers: the data sheets' "Interrupt Request Assignments" tables (SPNS192
//! Table 6-xx, SPNS195C Table 6-xx); HALCoGen uses the same numbers in its `sys_vim.c` tables.

use crate::clock::{ClockPlan, PllConfig};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// TMS570LC4357, Cortex-R5F, LAUNCHXL2-570LC43.
    Lc4357,
    /// TMS570LS1224, Cortex-R4F, LAUNCHXL2-TMS57012.
    Ls1224,
}

/// A GIO pin: port (0 = A, 1 = B) and bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pin {
    pub port: u8,
    pub bit: u8,
}

/// The OSCIN crystal on both LaunchPads.
pub const OSCIN_HZ: u32 = 16_000_000;

impl Part {
    /// The part this crate is built for (feature `ls1224`, else the LC4357).
    pub const SELECTED: Part = if cfg!(feature = "ls1224") {
        Part::Ls1224
    } else {
        Part::Lc4357
    };

    pub const fn name(self) -> &'static str {
        match self {
            Part::Lc4357 => "TMS570LC4357",
            Part::Ls1224 => "TMS570LS1224",
        }
    }

    pub const FLASH_BASE: u32 = 0x0000_0000;
    pub const RAM_BASE: u32 = 0x0800_0000;

    pub const fn flash_bytes(self) -> u32 {
        match self {
            Part::Lc4357 => 4 * 1024 * 1024,
            Part::Ls1224 => 1280 * 1024,
        }
    }

    pub const fn ram_bytes(self) -> u32 {
        match self {
            Part::Lc4357 => 512 * 1024,
            Part::Ls1224 => 192 * 1024,
        }
    }

    /// MPU data regions (MPUIR.DREGION): the Cortex-R5F of the LC43x has 16, the Cortex-R4F of
    /// the LS12x 12 (Arm Cortex-R5 TRM, DDI0460, and Cortex-R4 TRM, DDI0363, "MPU Type
    /// Register"; TI configures the 16- and 12-region options on these parts). The
    /// configurator's boards (configurator/src/memory.rs) use the same counts.
    pub const fn mpu_regions(self) -> u32 {
        match self {
            Part::Lc4357 => 16,
            Part::Ls1224 => 12,
        }
    }

    /// VIM channels (SPNU563A: 128; SPNU515C: 96).
    pub const fn vim_channels(self) -> u32 {
        match self {
            Part::Lc4357 => 128,
            Part::Ls1224 => 96,
        }
    }

    /// DCAN modules (LC43x: DCAN1-4; LS12x: DCAN1-3).
    pub const fn dcan_count(self) -> usize {
        match self {
            Part::Lc4357 => 4,
            Part::Ls1224 => 3,
        }
    }

    /// The SCI wired to the XDS110 virtual COM port: LIN1/SCI1 (LC43x `sciREG1`) and the
    /// LIN/SCI module of the LS12x (`scilinREG`), both at 0xFFF7_E400.
    pub const fn console_sci_base(self) -> usize {
        0xFFF7_E400
    }

    /// PCR frames whose peripherals the OS powers up.
    pub const fn pcr_bases(self) -> &'static [usize] {
        match self {
            Part::Lc4357 => &[0xFFFF_1000, 0xFCFF_1000, 0xFFF7_8000],
            Part::Ls1224 => &[0xFFFF_E000],
        }
    }

    /// The user LEDs of the LaunchPad (LC43: GIOB[6], GIOB[7]; LS12: GIOB[1], GIOB[2]).
    pub const fn leds(self) -> [Pin; 2] {
        match self {
            Part::Lc4357 => [Pin { port: 1, bit: 6 }, Pin { port: 1, bit: 7 }],
            Part::Ls1224 => [Pin { port: 1, bit: 1 }, Pin { port: 1, bit: 2 }],
        }
    }

    /// The LaunchPad clock plan (HALCoGen's LaunchPad defaults).
    pub const fn clock_plan(self) -> ClockPlan {
        match self {
            // 16 MHz / 8 * 150 / 1 / 1 = 300 MHz GCLK; HCLK = GCLK / 2 = 150 MHz;
            // VCLK = HCLK / 2 = 75 MHz; RTICLK = VCLK / 2 = 37.5 MHz.
            Part::Lc4357 => ClockPlan {
                oscin_hz: OSCIN_HZ,
                pll: PllConfig {
                    nr: 8,
                    nf: 150,
                    od: 1,
                    r: 1,
                },
                hclk_div: 2,
                vclk_div: 2,
                rti_div_log2: 1,
                flash_rwait: 3,
            },
            // 16 MHz / 6 * 120 / 2 / 1 = 160 MHz GCLK = HCLK; VCLK = 80 MHz; RTICLK = 40 MHz.
            Part::Ls1224 => ClockPlan {
                oscin_hz: OSCIN_HZ,
                pll: PllConfig {
                    nr: 6,
                    nf: 120,
                    od: 2,
                    r: 1,
                },
                hclk_div: 1,
                vclk_div: 2,
                rti_div_log2: 1,
                flash_rwait: 3,
            },
        }
    }
}

/// VIM request (channel) numbers the OS uses; the same on both parts.
pub mod channel {
    /// ESM high-level interrupt (group 1 high, group 2): FIQ, fixed.
    pub const ESM_HIGH: u32 = 0;
    /// RTI compare 0: the system tick.
    pub const RTI_COMPARE0: u32 = 2;
    /// RTI compare 1: timing protection (execution budget).
    pub const RTI_COMPARE1: u32 = 3;
    /// LIN/SCI1 level 0.
    pub const SCI1_LEVEL0: u32 = 13;
    /// DCAN1 level 0.
    pub const DCAN1_LEVEL0: u32 = 16;
    /// ESM low-level interrupt (group 1 channels set to low level).
    pub const ESM_LOW: u32 = 20;
    /// DCAN1 level 1.
    pub const DCAN1_LEVEL1: u32 = 29;
    /// DCAN2 level 0.
    pub const DCAN2_LEVEL0: u32 = 35;
    /// DCAN3 level 0.
    pub const DCAN3_LEVEL0: u32 = 45;
}
