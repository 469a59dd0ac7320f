//! The CAN services: transmit ruled on by the policy engine (the same verdict as every IPC
//! call: rate limits, state conditions, audit), receive from the partition's queue, filled by
//! the permission table's receive grants. The port drains the transmit queue and feeds received frames (`can_*` below).

use ecu_com::permission::{Direction, PermissionTable};
use ecu_com::{BusId, CanFrame};
use ecu_policy::Action;

use super::{Failure, Kernel};
use crate::config::TaskId;
use crate::error::Error;
use crate::request::Reply;
use crate::trace::{Context, Object};

impl<
        const TASKS: usize,
        const ALARMS: usize,
        const COUNTERS: usize,
        const RESOURCES: usize,
        const ISRS: usize,
        const TABLES: usize,
    > Kernel<TASKS, ALARMS, COUNTERS, RESOURCES, ISRS, TABLES>
{
    /// CanTransmit: E_OS_ACCESS (counted, traced, nothing sent) unless the policy engine
    /// allows the caller's OS-Application to transmit this id on this bus (its rules may
    /// limit the rate or need a state; a denial is counted per rule and audited); E_OS_LIMIT
    /// when the transmit queue is full. A kernel without a policy engine (host tests with
    /// hand-built tables) asks the permission table instead.
    pub(super) fn can_transmit(
        &mut self,
        caller: Context,
        bus: BusId,
        frame: CanFrame,
    ) -> Result<Reply, Failure> {
        let app = self.app_of(caller).index();
        let bits = frame.can_id().to_bits();
        let object = Object::CanFrame(bus.0, bits);
        let now = self.ticks;
        let allowed = match self.ipc.as_mut() {
            Some(ipc) => ipc
                .engine
                .can_verdict(app as u8, Action::Transmit, bus.0, bits, now)
                .is_allow(),
            None => self.can.may(app, Direction::Transmit, bus, frame.can_id()),
        };
        if !allowed {
            self.can.count_denial(app);
            return Err((Error::Access, object));
        }
        if !self.can.push_tx(bus, frame) {
            return Err((Error::Limit, object));
        }
        Ok(0)
    }

    pub(super) fn can_receive(&mut self, task: TaskId, bus: BusId) -> Reply {
        let app = self.config.tasks[task.index()].app.index();
        self.can
            .receive(app, task.index(), bus)
            .map_or(0, |f| crate::can::header(&f))
    }

    pub(super) fn can_receive_data(&mut self, task: TaskId) -> Reply {
        self.can.taken(task.index()).map_or(0, |f| {
            let mut data = [0u8; 8];
            let bytes = ecu_com::embedded_can::Frame::data(&f);
            data[..bytes.len()].copy_from_slice(bytes);
            u64::from_le_bytes(data)
        })
    }

    /// The port: the permission table transmissions and receptions are checked against.
    pub fn can_attach(&mut self, table: &'static PermissionTable<'static>) {
        self.can.attach(table);
    }

    /// The port: the next allowed frame to put on a bus.
    pub fn can_take_tx(&mut self) -> Option<(BusId, CanFrame)> {
        self.can.take_tx()
    }

    /// The port: a frame a controller received; queued for the partitions that may have it.
    pub fn can_deliver(&mut self, bus: BusId, frame: CanFrame) -> usize {
        let partitions = self.config.apps.len();
        self.can.deliver(partitions, bus, frame)
    }

    /// Transmissions the policy (or the permission table) refused, per OS-Application.
    pub fn can_denied(&self, app: usize) -> u32 {
        self.can.denied.get(app).copied().unwrap_or(0)
    }

    /// Received frames lost to a full receive queue, per OS-Application.
    pub fn can_rx_overflow(&self, app: usize) -> u32 {
        self.can.rx_overflow.get(app).copied().unwrap_or(0)
    }
}
