//! VIM: every channel IRQ except the fixed FIQ channels 0 and 1 and those a category 1 ISR
//! takes as a FIQ (FIRQPR), identity mapping, enable and disable per channel, and the pending
//! channel from IRQINDEX or FIQINDEX.
use tock_registers::interfaces::{Readable, Writeable};

use crate::regs::vim::{VimRegisters, INDEX};

/// Channels 0 and 1 are FIQ-only (ESM high level, reserved).
pub const FIQ_ONLY: u32 = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VimError {
    BadChannel,
}

/// Puts the VIM into a known state: all channels mapped to their own request, every channel
/// from 2 on an IRQ and disabled.
pub fn init(vim: &VimRegisters, channels: u32) {
    for i in 0..(channels / 32) as usize {
        vim.reqmaskclr[i].set(if i == 0 { !0b11 } else { !0 });
        vim.firqpr[i].set(if i == 0 { 0b11 } else { 0 });
    }
    for n in 0..channels / 4 {
        vim.chanctrl[n as usize].set(crate::regs::vim::reset::chanctrl(n));
    }
}

/// Routes interrupt request `request` to channel `channel` (the channel is the priority:
/// lower is higher). CHANCTRLn holds channels 4n..4n+3, channel 4n in bits 30:24.
pub fn map(vim: &VimRegisters, channels: u32, channel: u32, request: u32) -> Result<(), VimError> {
    if channel < FIQ_ONLY || channel >= channels || request >= channels {
        return Err(VimError::BadChannel);
    }
    let reg = &vim.chanctrl[(channel / 4) as usize];
    let shift = 24 - 8 * (channel % 4);
    reg.set((reg.get() & !(0x7F << shift)) | request << shift);
    Ok(())
}

pub fn enable(vim: &VimRegisters, channels: u32, channel: u32) -> Result<(), VimError> {
    if channel < FIQ_ONLY || channel >= channels {
        return Err(VimError::BadChannel);
    }
    vim.reqmaskset[(channel / 32) as usize].set(1 << (channel % 32));
    Ok(())
}

pub fn disable(vim: &VimRegisters, channels: u32, channel: u32) -> Result<(), VimError> {
    if channel < FIQ_ONLY || channel >= channels {
        return Err(VimError::BadChannel);
    }
    vim.reqmaskclr[(channel / 32) as usize].set(1 << (channel % 32));
    Ok(())
}

/// Makes `channel` a FIQ (its FIRQPR bit) and enables it: a category 1 ISR's channel. The
/// FIQ-only channels 0 and 1 are the ESM's, not an ISR's.
pub fn route_to_fiq(vim: &VimRegisters, channels: u32, channel: u32) -> Result<(), VimError> {
    if channel < FIQ_ONLY || channel >= channels {
        return Err(VimError::BadChannel);
    }
    let (word, bit) = ((channel / 32) as usize, 1 << (channel % 32));
    vim.firqpr[word].set(vim.firqpr[word].get() | bit);
    vim.reqmaskset[word].set(bit);
    Ok(())
}

/// The highest-priority pending IRQ channel, None for a phantom interrupt.
pub fn pending_irq(vim: &VimRegisters) -> Option<u32> {
    channel_of(vim.irqindex.read(INDEX::INDEX))
}

/// The highest-priority pending FIQ channel, None for a phantom interrupt.
pub fn pending_fiq(vim: &VimRegisters) -> Option<u32> {
    channel_of(vim.fiqindex.read(INDEX::INDEX))
}

/// IRQINDEX and FIQINDEX hold the channel plus one; 0 is the phantom vector.
fn channel_of(index: u32) -> Option<u32> {
    index.checked_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::Fake;
    use crate::part::{channel, Part};

    #[test]
    fn init_maps_identity_and_masks() {
        for part in [Part::Lc4357, Part::Ls1224] {
            let fake = Fake::<VimRegisters>::new();
            init(fake.regs(), part.vim_channels());
            assert_eq!(fake.word(0x10), 0b11, "FIRQPR0: only channels 0, 1 on FIQ");
            assert_eq!(fake.word(0x40), !0b11, "REQMASKCLR0");
            assert_eq!(fake.word(0x80), 0x0001_0203);
            assert_eq!(fake.word(0x84), 0x0405_0607);
            let last = 0x80 + 4 * (part.vim_channels() as usize / 4 - 1);
            let c = part.vim_channels() - 4;
            assert_eq!(
                fake.word(last),
                c << 24 | (c + 1) << 16 | (c + 2) << 8 | (c + 3)
            );
            if part == Part::Ls1224 {
                assert_eq!(fake.word(0x80 + 4 * 24), 0, "LS1224 has 24 CHANCTRL words");
                assert_eq!(fake.word(0x4C), 0, "nor a fourth mask word");
            }
        }
    }

    #[test]
    fn map_enable_pending() {
        let fake = Fake::<VimRegisters>::new();
        let vim = fake.regs();
        init(vim, 128);
        map(vim, 128, channel::RTI_COMPARE0, channel::RTI_COMPARE0).unwrap();
        // Channel 2 in bits 14:8 of CHANCTRL0.
        map(vim, 128, 2, 0x55).unwrap();
        assert_eq!(fake.word(0x80), 0x0001_5503);
        map(vim, 128, 127, 3).unwrap();
        assert_eq!(fake.word(0x80 + 31 * 4) & 0x7F, 3);
        enable(vim, 128, channel::RTI_COMPARE0).unwrap();
        assert_eq!(fake.word(0x30), 1 << 2);
        enable(vim, 128, 64 + 5).unwrap();
        assert_eq!(fake.word(0x38), 1 << 5);
        disable(vim, 128, channel::ESM_LOW).unwrap();
        assert_eq!(fake.word(0x40), 1 << 20);
        assert_eq!(enable(vim, 96, 96), Err(VimError::BadChannel));
        assert_eq!(
            enable(vim, 128, 0),
            Err(VimError::BadChannel),
            "channel 0 is FIQ-only"
        );
        assert_eq!(map(vim, 96, 5, 100), Err(VimError::BadChannel));
        assert_eq!(pending_irq(vim), None);
        fake.set_word(0x00, 3);
        assert_eq!(pending_irq(vim), Some(channel::RTI_COMPARE0));
    }

    /// A category 1 ISR's channel: its FIRQPR bit joins the ESM's, it is enabled, and
    /// FIQINDEX names it; the ESM's FIQ-only channels and channels past the part are refused.
    #[test]
    fn route_to_fiq_and_pending() {
        let fake = Fake::<VimRegisters>::new();
        let vim = fake.regs();
        init(vim, 96);
        route_to_fiq(vim, 96, 11).unwrap();
        assert_eq!(fake.word(0x10), 0b11 | 1 << 11, "FIRQPR0");
        assert_eq!(fake.word(0x30), 1 << 11, "REQMASKSET0");
        route_to_fiq(vim, 96, 64 + 7).unwrap();
        assert_eq!(fake.word(0x18), 1 << 7, "FIRQPR2");
        assert_eq!(fake.word(0x10), 0b11 | 1 << 11, "FIRQPR0 kept");
        assert_eq!(route_to_fiq(vim, 96, 0), Err(VimError::BadChannel));
        assert_eq!(route_to_fiq(vim, 96, 1), Err(VimError::BadChannel));
        assert_eq!(route_to_fiq(vim, 96, 96), Err(VimError::BadChannel));
        assert_eq!(pending_fiq(vim), None, "FIQINDEX 0: phantom");
        fake.set_word(0x04, 12);
        assert_eq!(pending_fiq(vim), Some(11));
        assert_eq!(pending_irq(vim), None, "IRQINDEX is another register");
    }
}
