//! The ECU side of a simulated network: a gateway with one controller per bus, and partitions
//! sending and receiving through the permission table.
//!
//! [`GatewayNode::on_event`] is meant for [`Network::run_until`]: when a frame ends on a bus,
//! the gateway's controller on that bus has received it (if its acceptance filters let it
//! in); the gateway routes it at that instant and queues the result on the destination
//! buses' controllers, where it arbitrates like any other frame. Routing takes no simulated
//! time (the sim has no CPU cost model yet).

use ecu_com::gateway::{DropReason, Gateway, Verdict};
use ecu_com::permission::{Access, DenyReason, Direction, Permissions};
use ecu_com::{AnyFrame, BusId, CanId};

use super::bus::{Event, Network, NodeId, Received};

/// A routed or dropped frame, as the gateway saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GatewayRecord {
    pub time_ns: u64,
    pub from: BusId,
    pub id: CanId,
    pub verdict: Verdict,
}

pub struct GatewayNode<'a, const R: usize> {
    pub gateway: Gateway<'a, R>,
    /// The gateway's controller on each bus, by bus index.
    pub controllers: Vec<NodeId>,
    /// Every decision, in order.
    pub log: Vec<GatewayRecord>,
    /// Routed frames a destination controller refused (queue full or bus-off).
    pub tx_refused: u64,
}

impl<'a, const R: usize> GatewayNode<'a, R> {
    /// Attaches one controller per bus of `net` (named `gw.<bus name>`).
    pub fn attach(net: &mut Network, gateway: Gateway<'a, R>) -> Self {
        let controllers = net
            .bus_names()
            .iter()
            .enumerate()
            .map(|(i, name)| net.add_controller(&format!("gw.{name}"), BusId(i as u8)))
            .collect();
        Self {
            gateway,
            controllers,
            log: Vec::new(),
            tx_refused: 0,
        }
    }

    /// Routes what the gateway's controllers received.
    pub fn on_event(&mut self, net: &mut Network, event: Event) {
        let Event::Frame { bus, .. } = event else {
            return;
        };
        let Some(&controller) = self.controllers.get(bus.index()) else {
            return;
        };
        for received in net.take_received(controller) {
            self.tx_refused += route_received(
                &mut self.gateway,
                &self.controllers,
                &mut self.log,
                net,
                &received,
            );
        }
    }

    /// How many decisions dropped for `reason`.
    pub fn drops(&self, reason: DropReason) -> usize {
        self.log
            .iter()
            .filter(|r| matches!(r.verdict, Verdict::Drop { reason: x, .. } if x == reason))
            .count()
    }
}

/// Routes one frame a gateway controller received, at its reception time: the decision goes
/// to `log`, a forwarded frame is queued on each destination bus's controller. Returns how
/// many destination controllers refused it (queue full or bus-off).
pub(super) fn route_received<const R: usize>(
    gateway: &mut Gateway<'_, R>,
    controllers: &[NodeId],
    log: &mut Vec<GatewayRecord>,
    net: &mut Network,
    received: &Received,
) -> u64 {
    let &Received {
        time_ns,
        bus,
        frame,
        ..
    } = received;
    let verdict = gateway.route(bus, frame.can_id(), frame.len(), time_ns);
    log.push(GatewayRecord {
        time_ns,
        from: bus,
        id: frame.can_id(),
        verdict,
    });
    let mut refused = 0;
    if let Verdict::Forward {
        id, destinations, ..
    } = verdict
    {
        for dest in destinations.iter() {
            match controllers.get(dest.index()) {
                Some(&c) if net.send(c, frame.with_id(id)).is_ok() => {}
                _ => refused += 1,
            }
        }
    }
    refused
}

/// A partition's access to the ECU's controllers, checked against the permission table.
pub struct PartitionPort<'p, 'a, const P: usize> {
    pub permissions: &'p mut Permissions<'a, P>,
    /// The ECU controller on each bus, by bus index.
    pub controllers: &'p [NodeId],
}

impl<const P: usize> PartitionPort<'_, '_, P> {
    /// Sends for `partition` if it may transmit this id on this bus; a denied frame never
    /// reaches the controller.
    pub fn send(
        &mut self,
        net: &mut Network,
        partition: usize,
        bus: BusId,
        frame: AnyFrame,
    ) -> Result<(), SendError> {
        match self
            .permissions
            .check(partition, Direction::Transmit, bus, frame.can_id())
        {
            Access::Deny(reason) => Err(SendError::Denied(reason)),
            Access::Allow => {
                let c = *self
                    .controllers
                    .get(bus.index())
                    .ok_or(SendError::NoController)?;
                net.send(c, frame).map_err(|_| SendError::Refused)
            }
        }
    }

    /// The frames `partition` may see out of what the controllers received; the rest are
    /// counted as denials.
    pub fn receive(&mut self, partition: usize, frames: &[Received]) -> Vec<Received> {
        frames
            .iter()
            .copied()
            .filter(|r| {
                self.permissions
                    .check(partition, Direction::Receive, r.bus, r.frame.can_id())
                    == Access::Allow
            })
            .collect()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendError {
    Denied(DenyReason),
    NoController,
    /// The controller's queue was full or it is bus-off.
    Refused,
}
