//! Schedule tables: a round of expiry points at fixed offsets on a counter, repeating or
//! single-shot, chained with NextScheduleTable. Each expiry point activates tasks and sets
//! events; after the last one the final delay runs up to the round's duration.

use super::{Failure, Kernel};
use crate::config::{CounterId, ExpiryAction, ScheduleTableId, ScheduleTableStart};
use crate::error::Error;
use crate::request::Reply;
use crate::trace::{Object, TraceEvent};

/// ScheduleTableStatusType.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(u8)]
pub enum ScheduleTableStatus {
    #[default]
    Stopped = 0,
    /// Queued by NextScheduleTable behind a running table.
    Next = 1,
    Running = 2,
}

impl ScheduleTableStatus {
    pub const fn from_code(code: u64) -> Option<Self> {
        Some(match code {
            0 => ScheduleTableStatus::Stopped,
            1 => ScheduleTableStatus::Next,
            2 => ScheduleTableStatus::Running,
            _ => return None,
        })
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub(super) struct TableControl {
    status: ScheduleTableStatus,
    /// Counter value at which the current round started.
    start: u32,
    /// The expiry point due next; `len` means the round's end.
    next_point: usize,
    next_table: Option<ScheduleTableId>,
}

impl<
        const TASKS: usize,
        const ALARMS: usize,
        const COUNTERS: usize,
        const RESOURCES: usize,
        const ISRS: usize,
        const TABLES: usize,
    > Kernel<TASKS, ALARMS, COUNTERS, RESOURCES, ISRS, TABLES>
{
    fn table_checked(
        &self,
        table: ScheduleTableId,
    ) -> Result<&'static crate::config::ScheduleTableConfig, Failure> {
        self.config
            .schedule_tables
            .get(table.index())
            .ok_or((Error::Id, Object::None))
    }

    fn counter_max(&self, counter: CounterId) -> u32 {
        self.config.counters[counter.index()].max_allowed_value
    }

    fn wrap(&self, counter: CounterId, value: u64) -> u32 {
        (value % (self.counter_max(counter) as u64 + 1)) as u32
    }

    pub(super) fn start_autostart_tables(&mut self) {
        for index in 0..TABLES {
            let config = &self.config.schedule_tables[index];
            if !self.in_mode(config.autostart_modes) {
                continue;
            }
            if let Some(start) = config.autostart {
                // The configurator checked the start values; a bad one stays stopped.
                let _ = self.start_schedule_table(ScheduleTableId::new(index as u8), start);
            }
        }
    }

    /// StartScheduleTableRel/Abs: the round starts `offset` ticks from now, or when the
    /// counter reads `start`.
    pub(super) fn start_schedule_table(
        &mut self,
        table: ScheduleTableId,
        start: ScheduleTableStart,
    ) -> Result<Reply, Failure> {
        let config = self.table_checked(table)?;
        let object = Object::ScheduleTable(table);
        let max = self.counter_max(config.counter);
        let now = self.counters[config.counter.index()];
        let first = config.expiry_points.first().map_or(0, |p| p.offset);
        let round_start = match start {
            ScheduleTableStart::Relative(offset) => {
                if offset == 0 || offset as u64 + first as u64 > max as u64 {
                    return Err((Error::Value, object));
                }
                self.wrap(config.counter, now as u64 + offset as u64)
            }
            ScheduleTableStart::Absolute(at) => {
                if at > max {
                    return Err((Error::Value, object));
                }
                at
            }
        };
        if self.tables[table.index()].status != ScheduleTableStatus::Stopped {
            return Err((Error::State, object));
        }
        self.tables[table.index()] = TableControl {
            status: ScheduleTableStatus::Running,
            start: round_start,
            next_point: 0,
            next_table: None,
        };
        Ok(0)
    }

    pub(super) fn stop_schedule_table(&mut self, table: ScheduleTableId) -> Result<Reply, Failure> {
        self.table_checked(table)?;
        let control = self.tables[table.index()];
        if control.status == ScheduleTableStatus::Stopped {
            return Err((Error::NoFunc, Object::ScheduleTable(table)));
        }
        if let Some(next) = control.next_table {
            self.tables[next.index()] = TableControl::default();
        }
        self.tables[table.index()] = TableControl::default();
        Ok(0)
    }

    /// NextScheduleTable: `to` starts when `from`'s current round ends.
    pub(super) fn next_schedule_table(
        &mut self,
        from: ScheduleTableId,
        to: ScheduleTableId,
    ) -> Result<Reply, Failure> {
        let (from_config, to_config) = (self.table_checked(from)?, self.table_checked(to)?);
        if from_config.counter != to_config.counter {
            return Err((Error::Id, Object::ScheduleTable(to)));
        }
        if self.tables[from.index()].status != ScheduleTableStatus::Running {
            return Err((Error::NoFunc, Object::ScheduleTable(from)));
        }
        if self.tables[to.index()].status != ScheduleTableStatus::Stopped {
            return Err((Error::State, Object::ScheduleTable(to)));
        }
        if let Some(previous) = self.tables[from.index()].next_table {
            self.tables[previous.index()] = TableControl::default();
        }
        self.tables[from.index()].next_table = Some(to);
        self.tables[to.index()].status = ScheduleTableStatus::Next;
        Ok(0)
    }

    pub(super) fn schedule_table_status(
        &self,
        table: ScheduleTableId,
    ) -> Result<ScheduleTableStatus, Failure> {
        self.table_checked(table)?;
        Ok(self.tables[table.index()].status)
    }

    /// The counter reads `value`: every running table on it acts on what is due.
    pub(super) fn process_schedule_tables(&mut self, counter: CounterId, value: u32) {
        for index in 0..TABLES {
            // A round end may start another table whose first point is due at once; each
            // step moves one point forward, so this ends within the table's points plus one.
            let mut table = ScheduleTableId::new(index as u8);
            let mut budget = TABLES + self.config.schedule_tables[index].expiry_points.len() + 2;
            while budget > 0 {
                budget -= 1;
                let config = &self.config.schedule_tables[table.index()];
                let control = self.tables[table.index()];
                if config.counter != counter || control.status != ScheduleTableStatus::Running {
                    break;
                }
                let offset = match config.expiry_points.get(control.next_point) {
                    Some(point) => point.offset,
                    None => config.duration,
                };
                if self.wrap(counter, control.start as u64 + offset as u64) != value {
                    break;
                }
                match config.expiry_points.get(control.next_point) {
                    Some(point) => {
                        self.tables[table.index()].next_point += 1;
                        self.record(TraceEvent::ExpiryPoint(table, control.next_point as u8));
                        for action in point.actions {
                            // Refusals are reported by the services themselves.
                            match *action {
                                ExpiryAction::ActivateTask(task) => {
                                    let _ = self.activate_task(task);
                                }
                                ExpiryAction::SetEvent(task, mask) => {
                                    let _ = self.set_event(task, mask);
                                }
                            }
                        }
                    }
                    None => {
                        // The round is over: the next table, a new round, or the end.
                        if let Some(next) = control.next_table {
                            self.tables[table.index()] = TableControl::default();
                            self.tables[next.index()] = TableControl {
                                status: ScheduleTableStatus::Running,
                                start: value,
                                next_point: 0,
                                next_table: None,
                            };
                            table = next;
                        } else if config.repeating {
                            self.tables[table.index()].start = value;
                            self.tables[table.index()].next_point = 0;
                        } else {
                            self.tables[table.index()] = TableControl::default();
                        }
                    }
                }
            }
        }
    }
}
