//! The description's CAN buses on the DCAN modules: bus 0 on DCAN1, bus 1 on DCAN2, and so
//! on. Each controller's message objects are laid out the same way:
//! - objects 1..=`TX_OBJECTS` transmit; each transmission writes the identifier with the
//!   data, so any of them carries any frame the kernel allowed;
//! - the next objects receive, one per acceptance filter the configurator computed for that
//!   controller (`can::FILTERS` of the image).
//!
//! A controller whose filters do not fit its objects gets one object that accepts every
//! frame. The kernel's permission table still decides which partition gets what, so
//! widening the hardware filter loses nothing and lets nothing through.
//!
//! Everything here takes the register block, so host tests run it on a fake register file.

use ecu_os::ecu_com::{CanFrame, IdFilter};

use crate::drivers::dcan::{self, BitTiming, CanError, CanId, Filter, MessageObject};
use crate::part::channel;
use crate::regs::dcan::{DcanRegisters, MESSAGE_OBJECTS};

/// A DCAN module a bus runs on: its register block and its level-0 interrupt channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Module {
    pub base: usize,
    pub channel: u32,
}

/// Bus 0 on DCAN1, bus 1 on DCAN2, bus 2 on DCAN3: the same on both parts (`regs::dcan` cites
/// the bases, `part::channel` the channels). DCAN4 of the LC43x is left out.
pub const MODULES: [Module; 3] = [
    Module {
        base: 0xFFF7_DC00,
        channel: channel::DCAN1_LEVEL0,
    },
    Module {
        base: 0xFFF7_DE00,
        channel: channel::DCAN2_LEVEL0,
    },
    Module {
        base: 0xFFF7_E000,
        channel: channel::DCAN3_LEVEL0,
    },
];

/// Transmit objects per controller: a transmission waits only when all of them are busy.
pub const TX_OBJECTS: u8 = 8;

/// A controller's objects: how many receive, after the transmit ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    pub rx_objects: u8,
}

/// The message objects for a controller with these acceptance filters, into `out`; the
/// layout they make.
pub fn objects(
    filters: &[IdFilter],
    out: &mut [MessageObject; MESSAGE_OBJECTS as usize],
) -> Layout {
    for number in 1..=TX_OBJECTS {
        // The identifier is written with each transmission (`dcan::send`).
        out[number as usize - 1] = MessageObject::transmit(number, CanId::Standard(0), 0);
    }
    let room = (MESSAGE_OBJECTS - TX_OBJECTS) as usize;
    let accept_all = [Filter {
        id: CanId::Standard(0),
        mask: 0,
    }];
    let mut converted = [accept_all[0]; (MESSAGE_OBJECTS - TX_OBJECTS) as usize];
    let filters: &[Filter] = if filters.len() <= room {
        for (slot, f) in converted.iter_mut().zip(filters) {
            *slot = convert(f);
        }
        &converted[..filters.len()]
    } else {
        &accept_all
    };
    // With no receive grant on a bus there is nothing to receive there, and no object is
    // set up for it.
    for (at, filter) in filters.iter().enumerate() {
        let number = TX_OBJECTS + 1 + at as u8;
        // One object per filter: identifier type, identifier and mask must all match, so
        // frames of the other format never pass.
        let mut object = MessageObject::receive(number, *filter);
        if filter.mask == 0 {
            // Accept both formats: MXTD off.
            object.msk &= !(1 << 31);
        }
        out[number as usize - 1] = object;
    }
    Layout {
        rx_objects: filters.len() as u8,
    }
}

fn convert(filter: &IdFilter) -> Filter {
    Filter {
        id: filter.id.into(),
        mask: filter.mask & filter.id.format_mask(),
    }
}

/// Sets up a controller for a bus: bit timing, transmit objects, receive objects per filter.
/// `Err` with what failed: a bit rate the CAN clock cannot make exactly, or the controller
/// not leaving INIT.
pub fn init(
    can: &DcanRegisters,
    can_clk_hz: u32,
    bitrate: u32,
    filters: &[IdFilter],
) -> Result<Layout, InitError> {
    let timing = BitTiming::new(can_clk_hz, bitrate).ok_or(InitError::BitRate)?;
    let mut objects_of = [MessageObject::EMPTY; MESSAGE_OBJECTS as usize];
    let layout = objects(filters, &mut objects_of);
    let used = (TX_OBJECTS + layout.rx_objects) as usize;
    dcan::init(can, timing, &objects_of[..used]).map_err(InitError::Controller)?;
    Ok(layout)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitError {
    /// No exact bit timing for the bus's rate from the CAN clock.
    BitRate,
    Controller(CanError),
}

/// Hands `frame` to the first free transmit object; `false` when all are busy (or the
/// interface is stuck, which the next interrupt retries).
pub fn transmit(can: &DcanRegisters, frame: &CanFrame) -> bool {
    (1..=TX_OBJECTS)
        .find(|&number| !dcan::tx_pending(can, number))
        .is_some_and(|number| dcan::send(can, number, frame).is_ok())
}

/// The frame in the lowest receive object with new data, read and released.
pub fn receive(can: &DcanRegisters, layout: Layout) -> Option<CanFrame> {
    let first = TX_OBJECTS + 1;
    for number in first..first + layout.rx_objects {
        if dcan::has_new_data(can, number) {
            // An identifier no frame can have is dropped (the object is released either way).
            if let Ok(Some(frame)) = dcan::read_frame(can, number) {
                return Some(frame);
            }
        }
    }
    None
}

/// The controller's interrupt: finished transmissions' interrupts cleared, and the status
/// read (which clears a status interrupt). A controller gone bus-off is sent into recovery
/// at once (128 × 11 recessive bits, then error-active). Received frames stay pending until
/// `receive` takes them. `true` when it was bus-off.
pub fn service(can: &DcanRegisters) -> bool {
    for number in 1..=TX_OBJECTS {
        if dcan::interrupt_pending(can, number) && !dcan::tx_pending(can, number) {
            let _ = dcan::clear_interrupt(can, number);
        }
    }
    dcan::recover_bus_off(can)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::Fake;
    use ecu_os::ecu_com::embedded_can::Frame as _;
    use ecu_os::ecu_com::CanId as Id;

    fn std(id: u16, mask: u32) -> IdFilter {
        IdFilter::new(Id::standard(id).unwrap(), mask)
    }

    #[test]
    fn transmit_objects_first_then_one_receive_object_per_filter() {
        let mut out = [MessageObject::EMPTY; 64];
        let ext = IdFilter::new(Id::extended(0x18DA_F110).unwrap(), 0x1FFF_FF00);
        let layout = objects(&[std(0x080, 0x7FF), ext], &mut out);
        assert_eq!(layout, Layout { rx_objects: 2 });
        for number in 1..=TX_OBJECTS {
            let object = out[number as usize - 1];
            assert_eq!(object.number, number);
            assert_ne!(object.arb & 1 << 29, 0, "DIR: transmit");
        }
        let first = out[TX_OBJECTS as usize];
        assert_eq!(first.number, 9);
        assert_eq!(first.arb, 0x8000_0000 | 0x080 << 18);
        assert_eq!(first.msk, 0xC000_0000 | 0x7FF << 18);
        assert_ne!(first.mctl & 1 << 10, 0, "RXIE");
        let second = out[TX_OBJECTS as usize + 1];
        assert_eq!(second.number, 10);
        assert_eq!(second.arb, 0xC000_0000 | 0x18DA_F110);
        assert_eq!(second.msk, 0xC000_0000 | 0x1FFF_FF00);
        // No receive grant on a bus: transmit objects only.
        assert_eq!(objects(&[], &mut out), Layout { rx_objects: 0 });
    }

    #[test]
    fn filters_that_do_not_fit_become_one_object_that_accepts_all() {
        let mut out = [MessageObject::EMPTY; 64];
        let many: [IdFilter; 57] = core::array::from_fn(|i| std(i as u16, 0x7FF));
        assert_eq!(objects(&many, &mut out), Layout { rx_objects: 1 });
        let all = out[TX_OBJECTS as usize];
        assert_eq!(all.msk & !(1 << 30), 0, "no id bit and no format compared");
        // 56 still fit, one each.
        assert_eq!(objects(&many[..56], &mut out), Layout { rx_objects: 56 });
        assert_eq!(out[63].number, 64);
    }

    #[test]
    fn a_frame_goes_to_the_first_free_transmit_object_with_its_identifier() {
        let fake = Fake::<DcanRegisters>::new();
        let frame = CanFrame::data(Id::extended(0x1234_5678).unwrap(), &[1, 2, 3]).unwrap();
        // Objects 1 and 2 still transmitting (TXRQ12 bits 0 and 1).
        fake.set_word(0x088, 0b11);
        assert!(transmit(fake.regs(), &frame));
        // WR | Arb | Control | TxRqst | DataA | DataB, object 3.
        assert_eq!(fake.word(0x120), 0x00B7_0003);
        assert_eq!(
            fake.word(0x128),
            0xE000_0000 | 0x1234_5678,
            "MsgVal, Xtd, Dir, id"
        );
        assert_eq!(fake.word(0x12C), 1 << 15 | 1 << 11 | 1 << 8 | 1 << 7 | 3);
        assert_eq!(fake.word(0x130), 0x0102_0300);
        let standard = CanFrame::data(Id::standard(0x7FF).unwrap(), &[]).unwrap();
        assert!(transmit(fake.regs(), &standard));
        assert_eq!(fake.word(0x128), 0xA000_0000 | 0x7FF << 18);
        // All eight busy: the frame waits (the port keeps it).
        fake.set_word(0x088, 0xFF);
        assert!(!transmit(fake.regs(), &standard));
    }

    #[test]
    fn a_received_frame_is_read_from_the_lowest_object_with_new_data() {
        let fake = Fake::<DcanRegisters>::new();
        let layout = Layout { rx_objects: 4 };
        assert_eq!(receive(fake.regs(), layout), None);
        // Object 11 (the third receive object) has new data; the fake's IF2 shows what the
        // transfer would have brought: standard id 0x123, DLC 2, data 0xAB 0xCD.
        fake.set_word(0x09C, 1 << 10);
        fake.set_word(0x128, 0x8000_0000 | 0x123 << 18);
        fake.set_word(0x12C, 1 << 15 | 2);
        fake.set_word(0x130, 0xABCD_0000);
        let frame = receive(fake.regs(), layout).unwrap();
        assert_eq!(frame.can_id(), Id::standard(0x123).unwrap());
        assert_eq!(frame.data(), &[0xAB, 0xCD]);
        // Read direction: Arb | Control | ClrIntPnd | NewDat | DataA | DataB, object 11.
        assert_eq!(fake.word(0x120), 0x003F_000B);
        // An extended frame, and a DLC above 8 clamped.
        fake.set_word(0x128, 0xC000_0000 | 0x1ABC_DEF0);
        fake.set_word(0x12C, 15);
        let frame = receive(fake.regs(), layout).unwrap();
        assert_eq!(frame.can_id(), Id::extended(0x1ABC_DEF0).unwrap());
        assert_eq!(frame.dlc(), 8);
        // New data on a transmit object or beyond the receive objects is not a reception.
        fake.set_word(0x09C, 1 << 0 | 1 << 12);
        assert_eq!(receive(fake.regs(), layout), None);
    }

    #[test]
    fn the_interrupt_clears_finished_transmissions_and_recovers_from_bus_off() {
        let fake = Fake::<DcanRegisters>::new();
        // Object 2 finished (interrupt pending, no request left); object 3 still sending.
        fake.set_word(0x0B0, 0b110);
        fake.set_word(0x088, 0b100);
        assert!(!service(fake.regs()));
        // ClrIntPnd for object 2 only (read direction, no other field).
        assert_eq!(fake.word(0x120), 0x0008_0002);
        // Bus-off: the controller set INIT; the service starts the recovery.
        fake.set_word(0x0B0, 0);
        fake.set_word(0x004, 1 << 7);
        fake.set_word(0x000, 0x1401);
        assert!(service(fake.regs()));
        assert_eq!(fake.word(0x000) & 1, 0, "INIT cleared: recovery under way");
    }

    #[test]
    fn a_bus_gets_its_bit_timing_or_a_clear_error() {
        let fake = Fake::<DcanRegisters>::new();
        let layout = init(fake.regs(), 75_000_000, 500_000, &[std(0x80, 0x7FF)]).unwrap();
        assert_eq!(layout, Layout { rx_objects: 1 });
        assert_eq!(
            fake.word(0x0C),
            BitTiming::new(75_000_000, 500_000).unwrap().btr()
        );
        assert_eq!(
            init(fake.regs(), 75_000_000, 333_333, &[]),
            Err(InitError::BitRate)
        );
    }
}
