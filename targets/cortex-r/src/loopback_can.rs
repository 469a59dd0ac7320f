//! A CAN controller in software whose transmissions come back as its own receptions on the
//! same bus, as a controller in loopback test mode does (DCAN's TEST.LBACK). The QEMU boards
//! have no CAN device. Test images turn this on (board feature `can-loopback`), so the port's
//! CAN path runs on a real CPU: the kernel's transmit check, the controller, the reception,
//! and the permission check on delivery.

use core::cell::UnsafeCell;

use ecu_os::ecu_com::fifo::Fifo;
use ecu_os::ecu_com::CanFrame;

/// Buses the loopback controller serves.
pub const LOOPBACK_BUSES: u8 = 4;
/// Frames each bus holds between a transmission and the port taking them back: as many as
/// the kernel's transmit queue, so one exchange never finds it full.
const DEPTH: usize = ecu_os::can::TX_QUEUE;

/// Each bus is a wire: frames come off it in the order they went on.
pub struct LoopbackCan {
    wires: UnsafeCell<[Fifo<CanFrame, DEPTH>; LOOPBACK_BUSES as usize]>,
}

// SAFETY: only the port calls a board's CAN methods, in the kernel with IRQs masked, on the one
// core: no two calls ever overlap.
unsafe impl Sync for LoopbackCan {}

impl Default for LoopbackCan {
    fn default() -> Self {
        Self::new()
    }
}

impl LoopbackCan {
    pub const fn new() -> Self {
        LoopbackCan {
            wires: UnsafeCell::new([const { Fifo::new() }; LOOPBACK_BUSES as usize]),
        }
    }

    /// `f` on `bus`'s wire; `None` if there is no such bus.
    fn with_wire<R>(&self, bus: u8, f: impl FnOnce(&mut Fifo<CanFrame, DEPTH>) -> R) -> Option<R> {
        // SAFETY: calls never overlap (see `Sync`), so this is the only reference while `f`
        // runs, and it does not outlive the call.
        let wires = unsafe { &mut *self.wires.get() };
        wires.get_mut(bus as usize).map(f)
    }

    /// Sends `frame` on `bus`, which brings it back as a reception there. `false` when the
    /// bus holds `DEPTH` frames not taken yet, or there is no such bus.
    pub fn transmit(&self, bus: u8, frame: &CanFrame) -> bool {
        self.with_wire(bus, |wire| wire.push(*frame).is_ok())
            .unwrap_or(false)
    }

    /// The oldest frame `bus` received and the port has not taken.
    pub fn receive(&self, bus: u8) -> Option<CanFrame> {
        self.with_wire(bus, |wire| wire.pop()).flatten()
    }
}

/// The three CAN methods of [`crate::Board`] for a board whose test images have a loopback
/// controller: `$can` is its [`LoopbackCan`] static. (The board crate depends on `ecu-os`.)
#[macro_export]
macro_rules! loopback_can_methods {
    ($can:path) => {
        fn can_buses(&self) -> u8 {
            $crate::LOOPBACK_BUSES
        }

        fn can_transmit(&self, bus: u8, frame: &::ecu_os::ecu_com::CanFrame) -> bool {
            $can.transmit(bus, frame)
        }

        fn can_receive(&self, bus: u8) -> Option<::ecu_os::ecu_com::CanFrame> {
            $can.receive(bus)
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecu_os::ecu_com::CanId;

    fn frame(id: u16, byte: u8) -> CanFrame {
        CanFrame::data(CanId::standard(id).unwrap(), &[byte]).unwrap()
    }

    #[test]
    fn frames_come_back_on_their_own_bus_in_order() {
        let can = LoopbackCan::new();
        assert!(can.transmit(0, &frame(0x100, 1)));
        assert!(can.transmit(1, &frame(0x200, 2)));
        assert!(can.transmit(0, &frame(0x101, 3)));
        assert_eq!(can.receive(0), Some(frame(0x100, 1)));
        assert_eq!(can.receive(0), Some(frame(0x101, 3)));
        assert_eq!(can.receive(0), None);
        assert_eq!(can.receive(1), Some(frame(0x200, 2)));
        assert_eq!(can.receive(2), None);
    }

    #[test]
    fn a_full_bus_refuses_and_a_missing_bus_takes_nothing() {
        let can = LoopbackCan::new();
        for i in 0..DEPTH {
            assert!(can.transmit(3, &frame(0x100, i as u8)));
        }
        assert!(!can.transmit(3, &frame(0x100, 0xFF)), "nothing overwritten");
        assert_eq!(can.receive(3), Some(frame(0x100, 0)));
        assert!(can.transmit(3, &frame(0x100, 0xFF)));
        assert!(!can.transmit(LOOPBACK_BUSES, &frame(0x100, 0)));
        assert_eq!(can.receive(LOOPBACK_BUSES), None);
    }
}
