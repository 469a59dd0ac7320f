//! Resources under the immediate priority ceiling protocol: taking one raises the holder to
//! the resource's ceiling at once, so no task or ISR that could contend for it can run
//! meanwhile, which rules out deadlock and bounds blocking to one critical section. A ceiling
//! above the task levels masks the ISRs that share the resource.

use super::{Failure, Kernel, ResourceControl};
use crate::config::{Level, ResourceId};
use crate::error::Error;
use crate::trace::{Context, Object, TraceEvent};

impl<
        const TASKS: usize,
        const ALARMS: usize,
        const COUNTERS: usize,
        const RESOURCES: usize,
        const ISRS: usize,
        const TABLES: usize,
    > Kernel<TASKS, ALARMS, COUNTERS, RESOURCES, ISRS, TABLES>
{
    /// The held-chain top and level of a task or ISR.
    fn holder_state(&mut self, who: Context) -> (&mut Option<ResourceId>, &mut Level) {
        match who {
            Context::Task(t) => {
                let control = &mut self.tasks[t.index()];
                (&mut control.held, &mut control.level)
            }
            Context::Isr(i) => {
                let control = &mut self.isrs[i.index()];
                (&mut control.held, &mut control.level)
            }
        }
    }

    pub(super) fn get_resource(
        &mut self,
        who: Context,
        resource: ResourceId,
    ) -> Result<(), Failure> {
        let object = Object::Resource(resource);
        let config = self
            .config
            .resources
            .get(resource.index())
            .filter(|r| !r.internal)
            .ok_or((Error::Id, Object::None))?;
        let (granted_mask, base_level) = match who {
            Context::Task(t) => {
                let task = &self.config.tasks[t.index()];
                (task.resources, task.priority as Level)
            }
            Context::Isr(i) => {
                let isr = &self.config.isrs[i.index()];
                (isr.resources, isr.level())
            }
        };
        let granted = resource.index() < 64 && granted_mask & (1 << resource.index()) != 0;
        if !granted
            || self.resources[resource.index()].holder.is_some()
            || base_level > config.ceiling
        {
            return Err((Error::Access, object));
        }
        let ceiling = config.ceiling;
        let used_at_lock_ns = self.used_ns(who);
        let (held, level) = self.holder_state(who);
        let below = *held;
        let saved_level = *level;
        *held = Some(resource);
        *level = saved_level.max(ceiling);
        self.resources[resource.index()] = ResourceControl {
            holder: Some(who),
            below,
            saved_level,
            used_at_lock_ns,
        };
        self.record(TraceEvent::Lock(who, resource));
        Ok(())
    }

    pub(super) fn release_resource(
        &mut self,
        who: Context,
        resource: ResourceId,
    ) -> Result<(), Failure> {
        let object = Object::Resource(resource);
        let state = *self
            .resources
            .get(resource.index())
            .filter(|_| !self.config.resources[resource.index()].internal)
            .ok_or((Error::Id, Object::None))?;
        // Not held by the caller, or not the last one it took (LIFO order): E_OS_NOFUNC.
        if state.holder != Some(who) || *self.holder_state(who).0 != Some(resource) {
            return Err((Error::NoFunc, object));
        }
        self.unlock(who, resource);
        Ok(())
    }

    fn unlock(&mut self, who: Context, resource: ResourceId) {
        let state = core::mem::take(&mut self.resources[resource.index()]);
        let (held, level) = self.holder_state(who);
        *held = state.below;
        *level = state.saved_level;
        self.record(TraceEvent::Unlock(who, resource));
    }

    /// Frees what a task or ISR still holds, last taken first.
    pub(super) fn release_all_resources(&mut self, who: Context) {
        // Each step pops one resource; a chain never holds more than RESOURCES.
        for _ in 0..RESOURCES {
            let Some(resource) = *self.holder_state(who).0 else {
                break;
            };
            self.unlock(who, resource);
        }
    }
}
