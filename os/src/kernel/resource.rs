//! Resources under the immediate priority ceiling protocol: taking one raises the holder to
//! the resource's ceiling at once, so no task that could contend for it can run meanwhile,
//! which rules out deadlock and bounds blocking to one critical section.

use super::{Failure, Kernel};
use crate::config::{ResourceId, TaskId};
use crate::error::Error;
use crate::trace::{Object, TraceEvent};

impl<const TASKS: usize, const ALARMS: usize, const COUNTERS: usize, const RESOURCES: usize>
    Kernel<TASKS, ALARMS, COUNTERS, RESOURCES>
{
    pub(super) fn get_resource(
        &mut self,
        caller: TaskId,
        resource: ResourceId,
    ) -> Result<(), Failure> {
        let object = Object::Resource(resource);
        let config = self
            .config
            .resources
            .get(resource.index())
            .filter(|r| !r.internal)
            .ok_or((Error::Id, Object::None))?;
        let task = &self.config.tasks[caller.index()];
        let granted = resource.index() < 64 && task.resources & (1 << resource.index()) != 0;
        if !granted
            || self.resources[resource.index()].holder.is_some()
            || task.priority > config.ceiling
        {
            return Err((Error::Access, object));
        }
        let control = &mut self.tasks[caller.index()];
        self.resources[resource.index()] = super::ResourceControl {
            holder: Some(caller),
            below: control.held,
            saved_priority: control.priority,
        };
        control.held = Some(resource);
        control.priority = control.priority.max(config.ceiling);
        self.record(TraceEvent::Lock(caller, resource));
        Ok(())
    }

    pub(super) fn release_resource(
        &mut self,
        caller: TaskId,
        resource: ResourceId,
    ) -> Result<(), Failure> {
        let object = Object::Resource(resource);
        let state = *self
            .resources
            .get(resource.index())
            .filter(|_| !self.config.resources[resource.index()].internal)
            .ok_or((Error::Id, Object::None))?;
        // Not held by the caller, or not the last one it took (LIFO order): E_OS_NOFUNC.
        if state.holder != Some(caller) || self.tasks[caller.index()].held != Some(resource) {
            return Err((Error::NoFunc, object));
        }
        self.unlock(caller, resource);
        Ok(())
    }

    fn unlock(&mut self, task: TaskId, resource: ResourceId) {
        let state = core::mem::take(&mut self.resources[resource.index()]);
        let control = &mut self.tasks[task.index()];
        control.held = state.below;
        control.priority = state.saved_priority;
        self.record(TraceEvent::Unlock(task, resource));
    }

    /// Frees what a task still holds, last taken first.
    pub(super) fn release_all_resources(&mut self, task: TaskId) {
        // Each step pops one resource; a chain never holds more than RESOURCES.
        for _ in 0..RESOURCES {
            let Some(resource) = self.tasks[task.index()].held else {
                break;
            };
            self.unlock(task, resource);
        }
    }
}
