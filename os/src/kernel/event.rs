//! Events of extended tasks: SetEvent, ClearEvent, GetEvent, WaitEvent.

use super::{Failure, Kernel};
use crate::config::{EventMask, TaskId};
use crate::error::{Error, ServiceId};
use crate::trace::{Object, TraceEvent};

impl<
        const TASKS: usize,
        const ALARMS: usize,
        const COUNTERS: usize,
        const RESOURCES: usize,
        const ISRS: usize,
        const TABLES: usize,
    > Kernel<TASKS, ALARMS, COUNTERS, RESOURCES, ISRS, TABLES>
{
    /// The task's control if it is an extended task that is not suspended.
    fn extended_active(&self, task: TaskId) -> Result<(), Failure> {
        let config = self
            .config
            .tasks
            .get(task.index())
            .ok_or((Error::Id, Object::None))?;
        if !config.extended {
            return Err((Error::Access, Object::Task(task)));
        }
        if self.tasks[task.index()].queued.is_empty() {
            return Err((Error::State, Object::Task(task)));
        }
        Ok(())
    }

    /// SetEvent (also from alarms): may release the task from waiting.
    pub fn set_event(&mut self, task: TaskId, mask: EventMask) -> Result<(), Error> {
        self.decided = false;
        if let Err((error, object)) = self.extended_active(task) {
            return Err(self.report(ServiceId::SetEvent, error, object));
        }
        let stamp = self.next_stamp;
        let control = &mut self.tasks[task.index()];
        control.events_set |= mask;
        if control.waiting && control.events_set & control.events_waited != 0 {
            control.waiting = false;
            // Back to ready, last of its priority (OSEK).
            control.queued.restamp_oldest(stamp);
            self.next_stamp += 1;
            self.refile(task);
            self.record(TraceEvent::Release(task));
        }
        Ok(())
    }

    pub(super) fn clear_event(&mut self, caller: TaskId, mask: EventMask) -> Result<(), Failure> {
        if !self.config.tasks[caller.index()].extended {
            return Err((Error::Access, Object::Events(mask)));
        }
        self.tasks[caller.index()].events_set &= !mask;
        Ok(())
    }

    pub(super) fn get_event(&self, task: TaskId) -> Result<EventMask, Failure> {
        self.extended_active(task)?;
        Ok(self.tasks[task.index()].events_set)
    }

    /// WaitEvent: returns at once if one of `mask` is set, otherwise blocks the caller; the
    /// port's next dispatch switches away from it.
    pub(super) fn wait_event(&mut self, caller: TaskId, mask: EventMask) -> Result<(), Failure> {
        if !self.config.tasks[caller.index()].extended {
            return Err((Error::Access, Object::Events(mask)));
        }
        let control = &mut self.tasks[caller.index()];
        if control.held.is_some() {
            return Err((Error::Resource, Object::Events(mask)));
        }
        if control.events_set & mask == 0 {
            control.waiting = true;
            control.events_waited = mask;
            self.record(TraceEvent::Wait(caller));
        }
        Ok(())
    }
}
