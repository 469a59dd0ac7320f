//! Per-partition CAN permissions: which ids a partition may send, and receive, on which bus.
//!
//! The configurator emits one [`PartitionGrants`] per OS-Application (indexed like the
//! kernel's `AppId`), each a short list of [`Grant`]s (buses × id/mask). A check walks the
//! partition's own list only: bounded by its length, which the configurator reports. Default
//! deny; every denial is counted per partition and direction, and the last one is kept.

use crate::filter::IdFilter;
use crate::frame::{BusId, CanId};
use crate::gateway::BusMask;

/// The ids `filter` accepts, on the buses of `buses`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grant {
    pub buses: BusMask,
    pub filter: IdFilter,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartitionGrants<'a> {
    pub name: &'a str,
    pub transmit: &'a [Grant],
    pub receive: &'a [Grant],
}

/// The static permission table: `partitions[app]`.
#[derive(Clone, Copy, Debug)]
pub struct PermissionTable<'a> {
    pub partitions: &'a [PartitionGrants<'a>],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    Transmit,
    Receive,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DenyReason {
    /// No such partition in the table.
    UnknownPartition,
    /// The partition has no grant on this bus in this direction.
    BusNotGranted,
    /// It has grants on this bus, none for this id.
    IdNotGranted,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Allow,
    Deny(DenyReason),
}

impl PermissionTable<'_> {
    /// Pure check, no counting.
    pub fn check(&self, partition: usize, dir: Direction, bus: BusId, id: CanId) -> Access {
        let Some(p) = self.partitions.get(partition) else {
            return Access::Deny(DenyReason::UnknownPartition);
        };
        let grants = match dir {
            Direction::Transmit => p.transmit,
            Direction::Receive => p.receive,
        };
        let mut bus_granted = false;
        for g in grants {
            if g.buses.contains(bus) {
                bus_granted = true;
                if g.filter.matches(id) {
                    return Access::Allow;
                }
            }
        }
        Access::Deny(if bus_granted {
            DenyReason::IdNotGranted
        } else {
            DenyReason::BusNotGranted
        })
    }
}

/// A denial as recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Denial {
    pub partition: usize,
    pub direction: Direction,
    pub bus: BusId,
    pub id: CanId,
    pub reason: DenyReason,
}

/// The table with denial counters for up to `P` partitions (unknown partitions count apart).
#[derive(Clone, Debug)]
pub struct Permissions<'a, const P: usize> {
    table: PermissionTable<'a>,
    denied_transmit: [u32; P],
    denied_receive: [u32; P],
    denied_unknown: u32,
    last: Option<Denial>,
}

impl<'a, const P: usize> Permissions<'a, P> {
    pub const fn new(table: PermissionTable<'a>) -> Self {
        Self {
            table,
            denied_transmit: [0; P],
            denied_receive: [0; P],
            denied_unknown: 0,
            last: None,
        }
    }

    /// Checks and counts a denial.
    pub fn check(&mut self, partition: usize, dir: Direction, bus: BusId, id: CanId) -> Access {
        let access = self.table.check(partition, dir, bus, id);
        if let Access::Deny(reason) = access {
            let counter = match (dir, partition < P) {
                (_, false) => &mut self.denied_unknown,
                (Direction::Transmit, true) => &mut self.denied_transmit[partition],
                (Direction::Receive, true) => &mut self.denied_receive[partition],
            };
            *counter = counter.saturating_add(1);
            self.last = Some(Denial {
                partition,
                direction: dir,
                bus,
                id,
                reason,
            });
        }
        access
    }

    pub fn denied(&self, partition: usize, dir: Direction) -> u32 {
        if partition >= P {
            return 0;
        }
        match dir {
            Direction::Transmit => self.denied_transmit[partition],
            Direction::Receive => self.denied_receive[partition],
        }
    }

    pub const fn denied_unknown(&self) -> u32 {
        self.denied_unknown
    }

    pub const fn last_denial(&self) -> Option<Denial> {
        self.last
    }

    pub const fn table(&self) -> &PermissionTable<'a> {
        &self.table
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn std(id: u16) -> CanId {
        match CanId::standard(id) {
            Some(id) => id,
            None => panic!(),
        }
    }

    static BODY_TX: [Grant; 2] = [
        Grant {
            buses: BusMask(0b01),
            filter: IdFilter::exact(std(0x200)),
        },
        Grant {
            buses: BusMask(0b11),
            filter: IdFilter::new(std(0x300), 0x7F0),
        },
    ];
    static BODY_RX: [Grant; 1] = [Grant {
        buses: BusMask(0b10),
        filter: IdFilter::all_of_format(std(0)),
    }];
    static TABLE: PermissionTable<'static> = PermissionTable {
        partitions: &[PartitionGrants {
            name: "Body",
            transmit: &BODY_TX,
            receive: &BODY_RX,
        }],
    };

    #[test]
    fn allow_and_deny_with_reasons() {
        let mut p: Permissions<'_, 1> = Permissions::new(TABLE);
        use Direction::*;
        assert_eq!(p.check(0, Transmit, BusId(0), std(0x200)), Access::Allow);
        assert_eq!(p.check(0, Transmit, BusId(1), std(0x30F)), Access::Allow);
        assert_eq!(
            p.check(0, Transmit, BusId(1), std(0x200)),
            Access::Deny(DenyReason::IdNotGranted)
        );
        assert_eq!(
            p.check(0, Transmit, BusId(2), std(0x300)),
            Access::Deny(DenyReason::BusNotGranted)
        );
        assert_eq!(p.check(0, Receive, BusId(1), std(0x7FF)), Access::Allow);
        assert_eq!(
            p.check(0, Receive, BusId(1), CanId::extended(5).unwrap()),
            Access::Deny(DenyReason::IdNotGranted)
        );
        assert_eq!(
            p.check(3, Receive, BusId(1), std(1)),
            Access::Deny(DenyReason::UnknownPartition)
        );
        assert_eq!(p.denied(0, Transmit), 2);
        assert_eq!(p.denied(0, Receive), 1);
        assert_eq!(p.denied_unknown(), 1);
        assert_eq!(p.last_denial().unwrap().partition, 3);
    }
}
