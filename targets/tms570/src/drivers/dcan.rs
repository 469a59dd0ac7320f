//! DCAN: bit timing, message objects through IF1 (configuration) and IF2 (run time),
//! bus-off detection and recovery.
use ecu_os::ecu_com::embedded_can::Frame as _;
use ecu_os::ecu_com::{CanFrame as Frame, CanId as FrameId};
use tock_registers::interfaces::{ReadWriteable, Readable, Writeable};

use crate::regs::dcan::{
    DcanIf, DcanRegisters, BTR, CTL, ES, IFARB, IFCMD, IFMCTL, IFMSK, MESSAGE_OBJECTS,
};

/// Bit timing in time quanta: sync (1) + tseg1 (prop + phase 1) + tseg2 (phase 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BitTiming {
    /// Prescaler, 1..=1024 (BRPE:BRP + 1).
    pub brp: u32,
    /// 2..=16 tq.
    pub tseg1: u32,
    /// 1..=8 tq.
    pub tseg2: u32,
    /// 1..=4 tq, at most tseg2.
    pub sjw: u32,
}

/// Sample point window: CiA 301 recommends 87.5 %; we accept 80.0..=87.5 %.
pub const SAMPLE_POINT_PERMILLE: (u32, u32) = (800, 875);

impl BitTiming {
    /// The exact timing for `bitrate` from `can_clk_hz`: the most quanta per bit (finest
    /// resynchronisation) whose prescaler divides exactly, the sample point as late as the
    /// window allows. None if no exact timing exists.
    pub fn new(can_clk_hz: u32, bitrate: u32) -> Option<BitTiming> {
        if bitrate == 0 {
            return None;
        }
        for tq in (8..=25u32).rev() {
            let per_bit = bitrate as u64 * tq as u64;
            if !(can_clk_hz as u64).is_multiple_of(per_bit) {
                continue;
            }
            let brp = (can_clk_hz as u64 / per_bit) as u32;
            if !(1..=1024).contains(&brp) {
                continue;
            }
            let best = (1..=8u32)
                .filter_map(|tseg2| {
                    let tseg1 = tq - 1 - tseg2;
                    let sp = (1 + tseg1) * 1000 / tq;
                    ((2..=16).contains(&tseg1)
                        && (SAMPLE_POINT_PERMILLE.0..=SAMPLE_POINT_PERMILLE.1).contains(&sp))
                    .then_some((sp, tseg1, tseg2))
                })
                .max_by_key(|&(sp, ..)| sp);
            if let Some((_, tseg1, tseg2)) = best {
                return Some(BitTiming {
                    brp,
                    tseg1,
                    tseg2,
                    sjw: tseg2.min(4),
                });
            }
        }
        None
    }

    pub fn quanta(&self) -> u32 {
        1 + self.tseg1 + self.tseg2
    }

    pub fn sample_point_permille(&self) -> u32 {
        (1 + self.tseg1) * 1000 / self.quanta()
    }

    /// The bit rate this timing gives, exact (None if it is not a whole number).
    pub fn bitrate(&self, can_clk_hz: u32) -> Option<u32> {
        let div = self.brp * self.quanta();
        can_clk_hz.is_multiple_of(div).then(|| can_clk_hz / div)
    }

    /// The BTR value.
    pub fn btr(&self) -> u32 {
        let brp = self.brp - 1;
        (BTR::BRP.val(brp & 0x3F)
            + BTR::BRPE.val(brp >> 6)
            + BTR::SJW.val(self.sjw - 1)
            + BTR::TSEG1.val(self.tseg1 - 1)
            + BTR::TSEG2.val(self.tseg2 - 1))
        .value
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CanId {
    Standard(u16),
    Extended(u32),
}

impl CanId {
    /// The identifier's fields of the arbitration register: XTD, and the id (standard ids in
    /// bits 28:18).
    fn arb_fields(self) -> u32 {
        let (xtd, id) = match self {
            CanId::Standard(id) => (false, (id as u32 & 0x7FF) << 18),
            CanId::Extended(id) => (true, id & 0x1FFF_FFFF),
        };
        (IFARB::XTD.val(xtd as u32) + IFARB::ID.val(id)).value
    }
}

impl From<FrameId> for CanId {
    fn from(id: FrameId) -> Self {
        if id.is_extended() {
            CanId::Extended(id.raw())
        } else {
            CanId::Standard(id.raw() as u16)
        }
    }
}

/// A hardware acceptance filter: frames whose id matches `id` in the bits set in `mask`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Filter {
    pub id: CanId,
    pub mask: u32,
}

/// The IF register values of one message object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MessageObject {
    /// 1..=64.
    pub number: u8,
    pub msk: u32,
    pub arb: u32,
    pub mctl: u32,
}

impl MessageObject {
    /// Object 0 (none), every field clear: the filler of a table of objects.
    pub const EMPTY: MessageObject = MessageObject {
        number: 0,
        msk: 0,
        arb: 0,
        mctl: 0,
    };

    /// A receive object for `filter`: the identifier type must match too (MXTD), remote
    /// frames are not accepted (MDIR), interrupt on reception, single object (EoB).
    pub fn receive(number: u8, filter: Filter) -> MessageObject {
        let mask = match filter.id {
            CanId::Standard(_) => (filter.mask & 0x7FF) << 18,
            CanId::Extended(_) => filter.mask & 0x1FFF_FFFF,
        };
        MessageObject {
            number,
            msk: (IFMSK::MXTD::SET + IFMSK::MDIR::SET + IFMSK::MSK.val(mask)).value,
            arb: IFARB::MSGVAL::SET.value | filter.id.arb_fields(),
            mctl: (IFMCTL::UMASK::SET + IFMCTL::RXIE::SET + IFMCTL::EOB::SET + IFMCTL::DLC.val(8))
                .value,
        }
    }

    /// A transmit object for `id`; [`send`] writes the identifier, data and request of each
    /// frame.
    pub fn transmit(number: u8, id: CanId, dlc: u8) -> MessageObject {
        MessageObject {
            number,
            msk: 0,
            arb: (IFARB::MSGVAL::SET + IFARB::DIR::SET).value | id.arb_fields(),
            mctl: (IFMCTL::EOB::SET + IFMCTL::DLC.val(dlc.min(8) as u32)).value,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CanError {
    /// An interface register set stayed busy beyond the bound.
    Busy,
    /// INIT did not clear (the controller is not on the bus).
    InitStuck,
    /// Message object number out of 1..=64.
    BadObject,
    /// More objects than the controller has.
    TooManyObjects,
}

fn wait_idle(iface: &DcanIf) -> Result<(), CanError> {
    if super::wait(|| !iface.cmd.is_set(IFCMD::BUSY)) {
        Ok(())
    } else {
        Err(CanError::Busy)
    }
}

/// Writes one message object through IF1: IF registers first, then the command word with the
/// object number (which starts the transfer), waiting for Busy before and after.
pub fn write_object(can: &DcanRegisters, object: &MessageObject) -> Result<(), CanError> {
    if !(1..=MESSAGE_OBJECTS).contains(&object.number) {
        return Err(CanError::BadObject);
    }
    let iface = &can.if1;
    wait_idle(iface)?;
    iface.msk.set(object.msk);
    iface.arb.set(object.arb);
    iface.mctl.set(object.mctl);
    iface.data.set(0);
    iface.datb.set(0);
    iface.cmd.write(
        IFCMD::WR_RD::SET
            + IFCMD::MASK::SET
            + IFCMD::ARB::SET
            + IFCMD::CONTROL::SET
            + IFCMD::CLRINTPND::SET
            + IFCMD::DATA_A::SET
            + IFCMD::DATA_B::SET
            + IFCMD::MESSAGE_NUMBER.val(object.number as u32),
    );
    wait_idle(iface)
}

/// Initialises the controller: INIT + CCE, every object invalid, the given objects, the bit
/// timing, then leaves INIT (parity/ECC off: PMD = 0x5, as after reset).
pub fn init(
    can: &DcanRegisters,
    timing: BitTiming,
    objects: &[MessageObject],
) -> Result<(), CanError> {
    if objects.len() > MESSAGE_OBJECTS as usize {
        return Err(CanError::TooManyObjects);
    }
    can.ctl
        .write(CTL::INIT::SET + CTL::CCE::SET + CTL::PMD.val(0x5) + CTL::IE0::SET + CTL::EIE::SET);
    for number in 1..=MESSAGE_OBJECTS {
        write_object(
            can,
            &MessageObject {
                number,
                ..MessageObject::EMPTY
            },
        )?;
    }
    for object in objects {
        write_object(can, object)?;
    }
    can.btr.set(timing.btr());
    can.ctl.modify(CTL::CCE::CLEAR + CTL::INIT::CLEAR);
    if super::wait(|| !can.ctl.is_set(CTL::INIT)) {
        Ok(())
    } else {
        Err(CanError::InitStuck)
    }
}

/// Data bytes as the big-endian DCAN holds them: Data 0 at the lowest address (bits 31:24).
pub fn pack(data: &[u8]) -> (u32, u32) {
    let mut bytes = [0u8; 8];
    let n = data.len().min(8);
    bytes[..n].copy_from_slice(&data[..n]);
    (
        u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
        u32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]),
    )
}

/// IF2, idle, for object `number`: the run-time interface (IF1 stays for configuration).
fn if2_for(can: &DcanRegisters, number: u8) -> Result<&DcanIf, CanError> {
    if !(1..=MESSAGE_OBJECTS).contains(&number) {
        return Err(CanError::BadObject);
    }
    wait_idle(&can.if2)?;
    Ok(&can.if2)
}

/// The bit of object `number` (1..=64) in the 32-bit words of TXRQ, NWDAT, INTPND and MSGVAL.
fn object_bit(words: &[tock_registers::registers::ReadOnly<u32>; 4], number: u8) -> bool {
    let index = (number as usize).wrapping_sub(1);
    words
        .get(index / 32)
        .is_some_and(|word| word.get() & (1 << (index % 32)) != 0)
}

/// Whether object `number` still has a transmission requested (TXRQ).
pub fn tx_pending(can: &DcanRegisters, number: u8) -> bool {
    object_bit(&can.txrq, number)
}

/// Whether object `number` holds data not read yet (NWDAT).
pub fn has_new_data(can: &DcanRegisters, number: u8) -> bool {
    object_bit(&can.nwdat, number)
}

/// Whether object `number` has its interrupt pending (INTPND).
pub fn interrupt_pending(can: &DcanRegisters, number: u8) -> bool {
    object_bit(&can.intpnd, number)
}

/// Sends `frame` from transmit object `number` through IF2: identifier, DLC and data in one
/// transfer with the request, so any transmit object carries any frame the kernel allowed.
/// A remote frame is sent by an object in the receive direction with TxRqst (the C_CAN way).
pub fn send(can: &DcanRegisters, number: u8, frame: &Frame) -> Result<(), CanError> {
    let iface = if2_for(can, number)?;
    let remote = frame.is_remote_frame();
    let (a, b) = pack(frame.data());
    iface.data.set(a);
    iface.datb.set(b);
    iface.arb.set(
        (IFARB::MSGVAL::SET + IFARB::DIR.val(!remote as u32)).value
            | CanId::from(frame.can_id()).arb_fields(),
    );
    // IntPnd written 0: a finished transmission's interrupt on this object is cleared too.
    iface.mctl.write(
        IFMCTL::NEWDAT::SET
            + IFMCTL::TXRQST::SET
            + IFMCTL::TXIE::SET
            + IFMCTL::EOB::SET
            + IFMCTL::DLC.val(frame.dlc().min(8) as u32),
    );
    iface.cmd.write(
        IFCMD::WR_RD::SET
            + IFCMD::ARB::SET
            + IFCMD::CONTROL::SET
            + IFCMD::TXRQST::SET
            + IFCMD::DATA_A::SET
            + IFCMD::DATA_B::SET
            + IFCMD::MESSAGE_NUMBER.val(number as u32),
    );
    wait_idle(iface)
}

/// Reads receive object `number` through IF2, clearing its NewDat and interrupt: the frame
/// it holds. `Ok(None)` if its identifier is not one a frame can have.
pub fn read_frame(can: &DcanRegisters, number: u8) -> Result<Option<Frame>, CanError> {
    let iface = if2_for(can, number)?;
    // Read direction (WR_RD = 0); TxRqst/NewDat clears NewDat as the object is read.
    iface.cmd.write(
        IFCMD::ARB::SET
            + IFCMD::CONTROL::SET
            + IFCMD::CLRINTPND::SET
            + IFCMD::TXRQST::SET
            + IFCMD::DATA_A::SET
            + IFCMD::DATA_B::SET
            + IFCMD::MESSAGE_NUMBER.val(number as u32),
    );
    wait_idle(iface)?;
    let arb = iface.arb.extract();
    let id = arb.read(IFARB::ID);
    let id = if arb.is_set(IFARB::XTD) {
        FrameId::extended(id)
    } else {
        FrameId::standard((id >> 18) as u16)
    };
    let dlc = (iface.mctl.read(IFMCTL::DLC) as u8).min(8);
    let mut bytes = [0u8; 8];
    bytes[..4].copy_from_slice(&iface.data.get().to_be_bytes());
    bytes[4..].copy_from_slice(&iface.datb.get().to_be_bytes());
    Ok(id.and_then(|id| Frame::data(id, &bytes[..dlc as usize])))
}

/// Clears object `number`'s pending interrupt (a finished transmission) through IF2.
pub fn clear_interrupt(can: &DcanRegisters, number: u8) -> Result<(), CanError> {
    let iface = if2_for(can, number)?;
    iface
        .cmd
        .write(IFCMD::CLRINTPND::SET + IFCMD::MESSAGE_NUMBER.val(number as u32));
    wait_idle(iface)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BusState {
    ErrorActive,
    Warning,
    Passive,
    BusOff,
}

pub fn bus_state(can: &DcanRegisters) -> BusState {
    let es = can.es.extract();
    if es.is_set(ES::BOFF) {
        BusState::BusOff
    } else if es.is_set(ES::EPASS) {
        BusState::Passive
    } else if es.is_set(ES::EWARN) {
        BusState::Warning
    } else {
        BusState::ErrorActive
    }
}

/// Bus-off recovery: the controller set INIT on bus-off; clearing it starts the recovery
/// sequence (128 occurrences of 11 recessive bits, then error-active). True if started.
pub fn recover_bus_off(can: &DcanRegisters) -> bool {
    if bus_state(can) == BusState::BusOff && can.ctl.is_set(CTL::INIT) {
        can.ctl.modify(CTL::INIT::CLEAR);
        true
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::Fake;
    use crate::part::Part;

    #[test]
    fn bit_timing_launchpads() {
        for part in [Part::Lc4357, Part::Ls1224] {
            let clk = part.clock_plan().can_clk_hz();
            for rate in [500_000, 1_000_000] {
                let t = BitTiming::new(clk, rate).unwrap();
                assert_eq!(t.bitrate(clk), Some(rate), "{part:?} {rate}: {t:?}");
                let sp = t.sample_point_permille();
                assert!((800..=875).contains(&sp), "{part:?} {rate}: {sp}");
                assert!((2..=16).contains(&t.tseg1) && (1..=8).contains(&t.tseg2));
                assert!(t.sjw <= t.tseg2 && t.sjw <= 4);
            }
        }
        // LC4357, CAN clock = VCLK = 75 MHz: 15 tq (1 + 12 + 2), 86.6 %.
        assert_eq!(
            BitTiming::new(75_000_000, 500_000),
            Some(BitTiming {
                brp: 10,
                tseg1: 12,
                tseg2: 2,
                sjw: 2
            })
        );
        assert_eq!(
            BitTiming::new(75_000_000, 1_000_000),
            Some(BitTiming {
                brp: 5,
                tseg1: 12,
                tseg2: 2,
                sjw: 2
            })
        );
        // LS1224, 80 MHz: 20 tq (1 + 16 + 3), 85 %.
        assert_eq!(
            BitTiming::new(80_000_000, 500_000),
            Some(BitTiming {
                brp: 8,
                tseg1: 16,
                tseg2: 3,
                sjw: 3
            })
        );
        assert_eq!(
            BitTiming::new(80_000_000, 1_000_000),
            Some(BitTiming {
                brp: 4,
                tseg1: 16,
                tseg2: 3,
                sjw: 3
            })
        );
        // BTR: BRP-1 | SJW-1 << 6 | TSEG1-1 << 8 | TSEG2-1 << 12.
        assert_eq!(
            BitTiming {
                brp: 10,
                tseg1: 12,
                tseg2: 2,
                sjw: 2
            }
            .btr(),
            0x1B49
        );
        assert_eq!(
            BitTiming {
                brp: 8,
                tseg1: 16,
                tseg2: 3,
                sjw: 3
            }
            .btr(),
            0x2F87
        );
        // Prescalers above 64 go to BRPE.
        assert_eq!(
            BitTiming {
                brp: 100,
                tseg1: 4,
                tseg2: 3,
                sjw: 1
            }
            .btr(),
            0x0001_2323
        );
        assert_eq!(BitTiming::new(75_000_000, 0), None);
        assert_eq!(BitTiming::new(75_000_000, 333_333), None);
    }

    #[test]
    fn message_objects_for_filters() {
        let std = MessageObject::receive(
            1,
            Filter {
                id: CanId::Standard(0x123),
                mask: 0x7F0,
            },
        );
        assert_eq!(std.arb, 0x8000_0000 | 0x123 << 18);
        assert_eq!(std.msk, 0xC000_0000 | 0x7F0 << 18);
        assert_eq!(std.mctl, 1 << 12 | 1 << 10 | 1 << 7 | 8);
        let ext = MessageObject::receive(
            2,
            Filter {
                id: CanId::Extended(0x18DA_F110),
                mask: 0x1FFF_FF00,
            },
        );
        assert_eq!(ext.arb, 0xC000_0000 | 0x18DA_F110);
        assert_eq!(ext.msk, 0xC000_0000 | 0x1FFF_FF00);
        let tx = MessageObject::transmit(3, CanId::Standard(0x7FF), 8);
        assert_eq!(tx.arb, 0xA000_0000 | 0x7FF << 18);
        assert_eq!(tx.mctl, 0x88);
        let txe = MessageObject::transmit(4, CanId::Extended(0x1FFF_FFFF), 9);
        assert_eq!(txe.arb, 0xFFFF_FFFF);
        assert_eq!(txe.mctl & 0xF, 8, "DLC clamped");
    }

    #[test]
    fn if1_command_sequence() {
        let fake = Fake::<DcanRegisters>::new();
        let obj = MessageObject::receive(
            5,
            Filter {
                id: CanId::Standard(0x100),
                mask: 0x7FF,
            },
        );
        write_object(fake.regs(), &obj).unwrap();
        assert_eq!(fake.word(0x104), obj.msk);
        assert_eq!(fake.word(0x108), obj.arb);
        assert_eq!(fake.word(0x10C), obj.mctl);
        // WR | Mask | Arb | Control | ClrIntPnd | DataA | DataB = 0xFB, object 5.
        assert_eq!(fake.word(0x100), 0x00FB_0005);
        assert_eq!(
            write_object(fake.regs(), &MessageObject { number: 0, ..obj }),
            Err(CanError::BadObject)
        );
        assert_eq!(
            write_object(fake.regs(), &MessageObject { number: 65, ..obj }),
            Err(CanError::BadObject)
        );
        // A stuck Busy bit ends in an error, not a hang.
        fake.set_word(0x100, 1 << 15);
        assert_eq!(write_object(fake.regs(), &obj), Err(CanError::Busy));
    }

    #[test]
    fn init_and_transmit() {
        let fake = Fake::<DcanRegisters>::new();
        let timing = BitTiming::new(75_000_000, 500_000).unwrap();
        let objects = [
            MessageObject::receive(
                1,
                Filter {
                    id: CanId::Standard(0x100),
                    mask: 0x700,
                },
            ),
            MessageObject::transmit(2, CanId::Extended(0x1234), 8),
        ];
        init(fake.regs(), timing, &objects).unwrap();
        assert_eq!(fake.word(0x0C), timing.btr());
        assert_eq!(fake.word(0x00) & 0x41, 0, "INIT and CCE cleared");
        assert_eq!(fake.word(0x00) >> 10 & 0xF, 0x5, "PMD kept at 5");
        // The last object written through IF1 is object 2.
        assert_eq!(fake.word(0x100) & 0xFF, 2);
        assert_eq!(fake.word(0x108), objects[1].arb);

        let frame = Frame::data(FrameId::extended(0x1234).unwrap(), &[1, 2, 3, 4, 5]).unwrap();
        send(fake.regs(), 2, &frame).unwrap();
        assert_eq!(fake.word(0x130), 0x0102_0304);
        assert_eq!(fake.word(0x134), 0x0500_0000);
        // NewDat | TxIE | TxRqst | EoB | DLC 5.
        assert_eq!(fake.word(0x12C), 1 << 15 | 1 << 11 | 1 << 8 | 1 << 7 | 5);
        assert_eq!(
            fake.word(0x128),
            objects[1].arb,
            "the frame's identifier, as object 2's"
        );
        // WR | Arb | Control | TxRqst | DataA | DataB = 0xB7, object 2.
        assert_eq!(fake.word(0x120), 0x00B7_0002);
        assert_eq!(send(fake.regs(), 65, &frame), Err(CanError::BadObject));
        assert_eq!(
            init(fake.regs(), timing, &[objects[0]; 65]),
            Err(CanError::TooManyObjects)
        );
    }

    #[test]
    fn bus_off_recovery() {
        let fake = Fake::<DcanRegisters>::new();
        let can = fake.regs();
        assert_eq!(bus_state(can), BusState::ErrorActive);
        assert!(!recover_bus_off(can));
        fake.set_word(0x04, 1 << 6);
        assert_eq!(bus_state(can), BusState::Warning);
        fake.set_word(0x04, 1 << 5 | 1 << 6);
        assert_eq!(bus_state(can), BusState::Passive);
        // Bus-off: the controller has set INIT itself.
        fake.set_word(0x04, 1 << 7 | 1 << 5 | 1 << 6);
        fake.set_word(0x00, 0x1401 | 1 << 1);
        assert_eq!(bus_state(can), BusState::BusOff);
        assert!(recover_bus_off(can));
        assert_eq!(fake.word(0x00), 0x1400 | 1 << 1, "only INIT cleared");
    }
}
