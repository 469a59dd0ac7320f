//! The CAN gateway on a board. Each frame a controller receives is routed by the generated
//! route table: the same `ecu_com::gateway::Gateway` decisions as the simulation's gateway,
//! covering length, minimum cycle, rate and identifier translation. A forwarded frame waits
//! in its destination bus's queue until that controller has a free mailbox. The queue sends
//! the frame that would win arbitration first. A full queue refuses the frame and counts it;
//! it never overwrites.

use ecu_os::ecu_com::gateway::{Gateway, RouteTable, Verdict};
use ecu_os::ecu_com::txqueue::TxQueue;
use ecu_os::ecu_com::{BusId, CanFrame};

/// Buses a board gateway serves (the DCAN modules the TMS570 drives, the loopback's buses).
pub const GATEWAY_BUSES: usize = 4;
/// Forwarded frames each destination bus holds while its controller is busy.
pub const GATEWAY_QUEUE: usize = 16;

/// What the port needs from the image's gateway, whatever its route count.
pub trait CanRouter {
    /// Routes a frame received on `bus` at `now_ns`; a forwarded frame is queued for each of
    /// its destinations.
    fn received(&mut self, bus: BusId, frame: &CanFrame, now_ns: u64);
    /// The frame that goes next on `bus`, left in its queue (`sent` takes it).
    fn next(&self, bus: u8) -> Option<CanFrame>;
    /// The controller of `bus` took the frame `next` gave.
    fn sent(&mut self, bus: u8);
    /// Its counters, one `can route` line per route as the simulation prints them, and the
    /// forwards refused if any.
    fn write_counters(&self, out: &mut dyn core::fmt::Write) -> core::fmt::Result;
}

pub struct BoardGateway<const R: usize> {
    gateway: Gateway<'static, R>,
    queues: [TxQueue<CanFrame, GATEWAY_QUEUE>; GATEWAY_BUSES],
    /// Forwarded frames refused: a destination queue full, or a bus beyond `GATEWAY_BUSES`.
    refused: u32,
}

impl<const R: usize> BoardGateway<R> {
    /// The gateway of `table`, which has at most `R` routes (the generated image makes `R`
    /// its route count, so a mismatch fails the build).
    pub const fn new(table: RouteTable<'static>) -> Self {
        let gateway = match Gateway::new(table) {
            Ok(gateway) => gateway,
            Err(_) => panic!("the route table has more routes than the gateway counts"),
        };
        BoardGateway {
            gateway,
            queues: [const { TxQueue::new() }; GATEWAY_BUSES],
            refused: 0,
        }
    }

    /// The decisions' counters, per route and per bus (`ecu_com::gateway::Gateway`).
    pub fn gateway(&self) -> &Gateway<'static, R> {
        &self.gateway
    }

    pub fn refused(&self) -> u32 {
        self.refused
    }
}

impl<const R: usize> CanRouter for BoardGateway<R> {
    fn received(&mut self, bus: BusId, frame: &CanFrame, now_ns: u64) {
        use ecu_os::ecu_com::embedded_can::Frame as _;
        let verdict = self
            .gateway
            .route(bus, frame.can_id(), frame.data().len(), now_ns);
        if let Verdict::Forward {
            id, destinations, ..
        } = verdict
        {
            for destination in destinations.iter() {
                let queued = self
                    .queues
                    .get_mut(destination.index())
                    .is_some_and(|queue| queue.push(frame.with_id(id)).is_ok());
                if !queued {
                    self.refused = self.refused.saturating_add(1);
                }
            }
        }
    }

    fn next(&self, bus: u8) -> Option<CanFrame> {
        self.queues.get(bus as usize)?.peek().copied()
    }

    fn sent(&mut self, bus: u8) {
        if let Some(queue) = self.queues.get_mut(bus as usize) {
            queue.pop();
        }
    }

    fn write_counters(&self, out: &mut dyn core::fmt::Write) -> core::fmt::Result {
        for (index, route) in self.gateway.table().routes.iter().enumerate() {
            if let Some(c) = self.gateway.counters(index as u16) {
                writeln!(
                    out,
                    "can route {} forwarded {} length {} rate {} cycle {}",
                    route.name, c.forwarded, c.dropped_length, c.dropped_rate, c.dropped_cycle
                )?;
            }
        }
        if self.refused > 0 {
            writeln!(out, "can gateway refused {}", self.refused)?;
        }
        Ok(())
    }
}

/// A route table whose every route is found by its filter (no hash slots), for tests: at most
/// 4 routes.
#[cfg(test)]
pub(crate) const fn mask_table(
    routes: &'static [ecu_os::ecu_com::gateway::Route<'static>],
) -> RouteTable<'static> {
    use ecu_os::ecu_com::gateway::Slot;
    static SLOTS: [Slot; 1] = [Slot::EMPTY];
    static ALL: [u16; 4] = [0, 1, 2, 3];
    assert!(routes.len() <= ALL.len());
    RouteTable {
        routes,
        slots: &SLOTS,
        slot_bits: 0,
        seed: 0,
        max_probe: 0,
        mask_routes: ALL.split_at(routes.len()).0,
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use ecu_os::ecu_com::gateway::{BusMask, LengthRule, Route};
    use ecu_os::ecu_com::{CanId, IdFilter};

    fn id(raw: u16) -> CanId {
        CanId::standard(raw).unwrap()
    }

    fn frame(raw: u16, len: usize) -> CanFrame {
        CanFrame::data(id(raw), &[0xAA; 8][..len]).unwrap()
    }

    /// Bus 0 id 0x100 to buses 1 and 2 as 0x101, 8 bytes only; bus 1 id 0x200 to bus 7,
    /// beyond the gateway's buses. The lookup is by mask routes (no hash slots).
    static ROUTES: [Route<'static>; 2] = [
        Route {
            name: "fan_out",
            source: BusId(0),
            filter: IdFilter::new(CanId::from_bits(0x100).unwrap(), 0x7FF),
            destinations: BusMask(0b110),
            translate: Some(CanId::from_bits(0x101).unwrap()),
            length: LengthRule { min: 8, max: 8 },
            rate: None,
            min_cycle_ns: 0,
        },
        Route {
            name: "nowhere",
            source: BusId(1),
            filter: IdFilter::new(CanId::from_bits(0x200).unwrap(), 0x7FF),
            destinations: BusMask(1 << 7),
            translate: None,
            length: LengthRule { min: 0, max: 8 },
            rate: None,
            min_cycle_ns: 0,
        },
    ];
    const TABLE: RouteTable<'static> = mask_table(&ROUTES);

    #[test]
    fn a_routed_frame_waits_translated_on_each_destination_until_sent() {
        let mut gateway = BoardGateway::<2>::new(TABLE);
        gateway.received(BusId(0), &frame(0x100, 8), 0);
        for bus in [1, 2] {
            let queued = gateway.next(bus).expect("queued");
            assert_eq!(queued.can_id(), id(0x101), "translated");
            assert_eq!(gateway.next(bus), Some(queued), "left until sent");
            gateway.sent(bus);
            assert_eq!(gateway.next(bus), None);
        }
        assert_eq!(gateway.next(0), None, "nothing back to the source");
        assert_eq!(gateway.gateway().counters(0).unwrap().forwarded, 1);
        let mut text = std::string::String::new();
        gateway.write_counters(&mut text).unwrap();
        assert_eq!(
            text,
            "can route fan_out forwarded 1 length 0 rate 0 cycle 0\n\
             can route nowhere forwarded 0 length 0 rate 0 cycle 0\n"
        );
    }

    #[test]
    fn refused_frames_are_counted_never_queued() {
        let mut gateway = BoardGateway::<2>::new(TABLE);
        // The wrong length and an unrouted id: dropped by the route table's rules.
        gateway.received(BusId(0), &frame(0x100, 2), 0);
        gateway.received(BusId(0), &frame(0x300, 8), 0);
        assert_eq!(gateway.next(1), None);
        assert_eq!(gateway.gateway().counters(0).unwrap().dropped_length, 1);
        assert_eq!(gateway.gateway().no_route(BusId(0)), 1);
        // A destination beyond the gateway's buses.
        gateway.received(BusId(1), &frame(0x200, 1), 0);
        assert_eq!(gateway.refused(), 1);
        // A full destination queue refuses the next frame and keeps what it holds.
        for _ in 0..=GATEWAY_QUEUE {
            gateway.received(BusId(0), &frame(0x100, 8), 0);
        }
        assert_eq!(gateway.refused(), 1 + 2, "one more per destination");
        let mut sent = 0;
        while gateway.next(1).is_some() {
            gateway.sent(1);
            sent += 1;
        }
        assert_eq!(sent, GATEWAY_QUEUE);
    }
}
