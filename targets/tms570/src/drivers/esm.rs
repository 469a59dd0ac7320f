//! ESM: which error is pending, clearing it, and what the OS does about it.
use tock_registers::interfaces::{Readable, Writeable};

use crate::regs::esm::EsmRegisters;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EsmError {
    /// 1, 2 or 3.
    pub group: u8,
    /// 0..=63 in group 1, 0..=31 in groups 2 and 3.
    pub channel: u8,
}

/// What the OS does with an ESM error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reaction {
    /// Group 1 (configurable, e.g. a correctable ECC error counted over a threshold, a
    /// peripheral RAM parity error): report through the protection hook, which decides
    /// (terminate the partition, restart it, or shut down).
    ProtectionHook,
    /// Group 2 and 3 (CPU lockstep compare, uncorrectable RAM/flash ECC, ...): the hardware
    /// already drives nERROR; the OS shuts down.
    Shutdown,
}

impl EsmError {
    pub fn reaction(self) -> Reaction {
        match self.group {
            1 => Reaction::ProtectionHook,
            _ => Reaction::Shutdown,
        }
    }
}

/// The most severe pending error: group 2, then 3, then group 1 by channel.
pub fn pending(esm: &EsmRegisters) -> Option<EsmError> {
    let first = |bits: u32| (bits != 0).then(|| bits.trailing_zeros() as u8);
    if let Some(channel) = first(esm.sr1[1].get()) {
        return Some(EsmError { group: 2, channel });
    }
    if let Some(channel) = first(esm.sr1[2].get()) {
        return Some(EsmError { group: 3, channel });
    }
    if let Some(channel) = first(esm.sr1[0].get()) {
        return Some(EsmError { group: 1, channel });
    }
    first(esm.sr4[0].get()).map(|c| EsmError {
        group: 1,
        channel: 32 + c,
    })
}

/// Clears the status flag of `error` (write 1 to clear).
pub fn clear(esm: &EsmRegisters, error: EsmError) {
    let bit = 1 << (error.channel % 32);
    match (error.group, error.channel) {
        (1, 0..=31) => esm.sr1[0].set(bit),
        (1, _) => esm.sr4[0].set(bit),
        (2, _) => esm.sr1[1].set(bit),
        _ => esm.sr1[2].set(bit),
    }
}

/// Takes the most severe pending error, clears it and says what to do.
pub fn handle(esm: &EsmRegisters) -> Option<(EsmError, Reaction)> {
    let error = pending(esm)?;
    clear(esm, error);
    Some((error, error.reaction()))
}

/// Group 1 channels in `mask` (0..=31) raise the low-level interrupt and drive nERROR.
pub fn enable_group1(esm: &EsmRegisters, mask: u32) {
    esm.ilcr1.set(mask);
    esm.iesr1.set(mask);
    esm.eepapr1.set(mask);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::Fake;

    #[test]
    fn severity_order_and_clear() {
        let fake = Fake::<EsmRegisters>::new();
        let esm = fake.regs();
        assert_eq!(handle(esm), None);
        fake.set_word(0x5C - 4, 1 << 3); // SR4[0]: group 1 channel 35
        assert_eq!(
            pending(esm),
            Some(EsmError {
                group: 1,
                channel: 35
            })
        );
        fake.set_word(0x18, 1 << 26); // SR1: group 1 channel 26
        assert_eq!(
            pending(esm),
            Some(EsmError {
                group: 1,
                channel: 26
            })
        );
        fake.set_word(0x20, 1 << 7); // SR3: group 3
        assert_eq!(
            pending(esm),
            Some(EsmError {
                group: 3,
                channel: 7
            })
        );
        fake.set_word(0x1C, 1 << 2); // SR2: group 2 channel 2 (CCM compare)
        let (error, reaction) = handle(esm).unwrap();
        assert_eq!(
            error,
            EsmError {
                group: 2,
                channel: 2
            }
        );
        assert_eq!(reaction, Reaction::Shutdown);
        assert_eq!(fake.word(0x1C), 1 << 2, "write-1-to-clear of the same bit");
        assert_eq!(
            EsmError {
                group: 1,
                channel: 26
            }
            .reaction(),
            Reaction::ProtectionHook
        );
        clear(
            esm,
            EsmError {
                group: 1,
                channel: 35,
            },
        );
        assert_eq!(fake.word(0x58), 1 << 3);
    }

    #[test]
    fn enable_group1_channels() {
        let fake = Fake::<EsmRegisters>::new();
        enable_group1(fake.regs(), 0x0400_0001);
        assert_eq!(fake.word(0x08), 0x0400_0001, "IESR1");
        assert_eq!(fake.word(0x14), 0x0400_0001, "ILCR1: low level");
        assert_eq!(fake.word(0x00), 0x0400_0001, "EEPAPR1: nERROR");
    }
}
