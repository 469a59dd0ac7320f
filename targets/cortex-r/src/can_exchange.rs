//! CAN between the kernel's queues and the board's controllers, the port's part of it:
//! - frames the kernel allowed, and frames the gateway forwards, go to the controllers while
//!   they have free mailboxes;
//! - then what the controllers received goes to the partitions the permission table grants
//!   it, and through the gateway.
//!
//! A reception can lead to a forward, and a loopback controller brings a forward back at
//! once, so the exchange goes round again while receptions come, at most `ROUNDS` times.
//! Each round is bounded by the controllers' mailboxes and the queues' sizes.
//!
//! Host-compiled, so its cases (a busy controller above all) are tested without a CPU.

use ecu_os::ecu_com::{BusId, CanFrame};

use crate::{Board, CanRouter, PortKernel};

/// Rounds of one exchange at most (transmit, then receive and route).
const ROUNDS: usize = 4;

/// The kernel's side: its transmit queue and the partitions' receive queues.
pub(crate) trait CanQueues {
    fn can_take_tx(&mut self) -> Option<(BusId, CanFrame)>;
    fn can_deliver(&mut self, bus: BusId, frame: CanFrame) -> usize;
}

impl<K: PortKernel + ?Sized> CanQueues for K {
    fn can_take_tx(&mut self) -> Option<(BusId, CanFrame)> {
        PortKernel::can_take_tx(self)
    }
    fn can_deliver(&mut self, bus: BusId, frame: CanFrame) -> usize {
        PortKernel::can_deliver(self, bus, frame)
    }
}

pub(crate) struct CanExchange {
    /// A frame the kernel released that no mailbox took yet: it goes first when one frees,
    /// so none is lost and the kernel's order holds.
    pending: Option<(BusId, CanFrame)>,
    /// The image's gateway, if it has routes.
    gateway: Option<&'static mut dyn CanRouter>,
}

impl CanExchange {
    pub(crate) fn new(gateway: Option<&'static mut dyn CanRouter>) -> Self {
        CanExchange {
            pending: None,
            gateway,
        }
    }

    /// The image's gateway, if it has routes.
    pub(crate) fn gateway(&self) -> Option<&dyn CanRouter> {
        self.gateway.as_deref()
    }

    /// One exchange at `now_ns` (the gateway's clock for rates and cycles).
    pub(crate) fn run<K: CanQueues + ?Sized>(
        &mut self,
        kernel: &mut K,
        board: &dyn Board,
        now_ns: u64,
    ) {
        for _ in 0..ROUNDS {
            while let Some((bus, frame)) = self.pending.take().or_else(|| kernel.can_take_tx()) {
                if !board.can_transmit(bus.0, &frame) {
                    self.pending = Some((bus, frame));
                    break;
                }
            }
            if let Some(gateway) = self.gateway.as_deref_mut() {
                for bus in 0..board.can_buses() {
                    while let Some(frame) = gateway.next(bus) {
                        if !board.can_transmit(bus, &frame) {
                            break;
                        }
                        gateway.sent(bus);
                    }
                }
            }
            let mut received = false;
            for bus in 0..board.can_buses() {
                while let Some(frame) = board.can_receive(bus) {
                    received = true;
                    kernel.can_deliver(BusId(bus), frame);
                    if let Some(gateway) = self.gateway.as_deref_mut() {
                        gateway.received(BusId(bus), &frame, now_ns);
                    }
                }
            }
            if !received {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use std::boxed::Box;
    use std::sync::Mutex;
    use std::vec::Vec;

    use super::*;
    use crate::{BoardGateway, Irq, LoopbackCan};
    use ecu_os::ecu_com::gateway::{BusMask, LengthRule, Route, RouteTable};
    use ecu_os::ecu_com::{CanId, IdFilter};

    fn frame(id: u16) -> CanFrame {
        CanFrame::data(CanId::standard(id).unwrap(), &[id as u8]).unwrap()
    }

    /// The kernel's queues: what it releases, in order, and what it was given.
    #[derive(Default)]
    struct Queues {
        tx: Vec<(BusId, CanFrame)>,
        delivered: Vec<(BusId, CanFrame)>,
    }

    impl CanQueues for Queues {
        fn can_take_tx(&mut self) -> Option<(BusId, CanFrame)> {
            (!self.tx.is_empty()).then(|| self.tx.remove(0))
        }
        fn can_deliver(&mut self, bus: BusId, frame: CanFrame) -> usize {
            self.delivered.push((bus, frame));
            1
        }
    }

    /// Two buses; `free` mailboxes on each before it refuses; `loopback` brings frames back.
    struct Controllers {
        free: Mutex<[usize; 2]>,
        sent: Mutex<Vec<(u8, CanFrame)>>,
        loopback: Option<LoopbackCan>,
    }

    impl Controllers {
        fn new(free: usize, loopback: bool) -> Self {
            Controllers {
                free: Mutex::new([free; 2]),
                sent: Mutex::new(Vec::new()),
                loopback: loopback.then(LoopbackCan::new),
            }
        }
    }

    impl Board for Controllers {
        fn start_tick(&self, _: u32) {}
        fn stop_tick(&self) {}
        fn claim_irq(&self) -> Irq {
            Irq::Spurious
        }
        fn write_str(&self, _: &str) {}
        fn can_buses(&self) -> u8 {
            2
        }
        fn can_transmit(&self, bus: u8, frame: &CanFrame) -> bool {
            let mut free = self.free.lock().unwrap();
            if free[bus as usize] == 0 {
                return false;
            }
            free[bus as usize] -= 1;
            self.sent.lock().unwrap().push((bus, *frame));
            if let Some(wire) = &self.loopback {
                assert!(wire.transmit(bus, frame));
            }
            true
        }
        fn can_receive(&self, bus: u8) -> Option<CanFrame> {
            self.loopback.as_ref()?.receive(bus)
        }
        fn exit(&self, _: u32) -> ! {
            panic!("exit")
        }
    }

    #[test]
    fn a_frame_no_mailbox_takes_waits_first_in_line() {
        let mut kernel = Queues {
            tx: [0x10, 0x11, 0x12].map(|id| (BusId(0), frame(id))).to_vec(),
            ..Queues::default()
        };
        let board = Controllers::new(1, false);
        let mut can = CanExchange::new(None);
        can.run(&mut kernel, &board, 0);
        // One mailbox: 0x10 went, 0x11 waits in the port, 0x12 is still the kernel's.
        assert_eq!(*board.sent.lock().unwrap(), [(0, frame(0x10))]);
        assert_eq!(kernel.tx, [(BusId(0), frame(0x12))]);
        // A mailbox frees (the controller's interrupt): the waiting frame goes first.
        board.free.lock().unwrap()[0] = 2;
        can.run(&mut kernel, &board, 0);
        let sent: Vec<u16> = board
            .sent
            .lock()
            .unwrap()
            .iter()
            .map(|(_, f)| f.can_id().raw() as u16)
            .collect();
        assert_eq!(sent, [0x10, 0x11, 0x12], "none lost, none reordered");
        assert!(kernel.tx.is_empty());
    }

    static ROUTES: [Route<'static>; 1] = [Route {
        name: "zero_to_one",
        source: BusId(0),
        filter: IdFilter::new(CanId::from_bits(0x100).unwrap(), 0x7FF),
        destinations: BusMask(0b10),
        translate: Some(CanId::from_bits(0x101).unwrap()),
        length: LengthRule { min: 0, max: 8 },
        rate: None,
        min_cycle_ns: 0,
    }];
    const TABLE: RouteTable<'static> = crate::gateway::mask_table(&ROUTES);

    /// The kernel with 0x100 to send on bus 0, controllers in loopback with `free` mailboxes
    /// each, and an exchange with the gateway of `TABLE`.
    fn routed_setup(free: usize) -> (Queues, Controllers, CanExchange) {
        let gateway: &'static mut BoardGateway<1> = Box::leak(Box::new(BoardGateway::new(TABLE)));
        let kernel = Queues {
            tx: std::vec![(BusId(0), frame(0x100))],
            ..Queues::default()
        };
        (
            kernel,
            Controllers::new(free, true),
            CanExchange::new(Some(gateway)),
        )
    }

    #[test]
    fn receptions_reach_the_kernel_and_the_gateway_whose_forwards_go_out() {
        let (mut kernel, board, mut can) = routed_setup(8);
        can.run(&mut kernel, &board, 0);
        // Sent on bus 0, back on bus 0, routed to bus 1 as 0x101, back on bus 1: all in one
        // exchange, each reception given to the kernel.
        let routed = frame(0x100).with_id(CanId::standard(0x101).unwrap());
        assert_eq!(
            *board.sent.lock().unwrap(),
            [(0, frame(0x100)), (1, routed)]
        );
        assert_eq!(
            kernel.delivered,
            [(BusId(0), frame(0x100)), (BusId(1), routed)]
        );
    }

    #[test]
    fn a_busy_destination_keeps_the_forward_for_the_next_exchange() {
        let (mut kernel, board, mut can) = routed_setup(1);
        board.free.lock().unwrap()[1] = 0;
        can.run(&mut kernel, &board, 0);
        assert_eq!(
            board.sent.lock().unwrap().len(),
            1,
            "only bus 0 had a mailbox"
        );
        board.free.lock().unwrap()[1] = 1;
        can.run(&mut kernel, &board, 0);
        let routed = frame(0x100).with_id(CanId::standard(0x101).unwrap());
        assert_eq!(board.sent.lock().unwrap()[1], (1, routed));
    }
}
