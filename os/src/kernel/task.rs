//! Task management: activation, termination, chaining, Schedule, task states and dispatch.

use super::{Failure, Kernel};
use crate::config::{Level, TaskId};
use crate::error::{Error, ServiceId};
use crate::trace::{Context, Object, TraceEvent};

/// GetTaskState's answer (OSEK TaskStateType).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum TaskState {
    Suspended = 0,
    Ready = 1,
    Waiting = 2,
    Running = 3,
}

impl TaskState {
    pub const fn from_code(code: u64) -> Option<Self> {
        Some(match code {
            0 => TaskState::Suspended,
            1 => TaskState::Ready,
            2 => TaskState::Waiting,
            3 => TaskState::Running,
            _ => return None,
        })
    }
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
    /// ActivateTask (also from alarms and StartOS).
    pub fn activate_task(&mut self, task: TaskId) -> Result<(), Error> {
        self.decided = false;
        let Some(config) = self.config.tasks.get(task.index()) else {
            return Err(self.report(ServiceId::ActivateTask, Error::Id, Object::None));
        };
        let limit = config.activation_limit as usize;
        if self.tasks[task.index()].queued.len() >= limit {
            return Err(self.report(ServiceId::ActivateTask, Error::Limit, Object::Task(task)));
        }
        // The time frame counts from successful activations only (SWS_Os_00469), so this
        // comes after the limit check.
        if !self.arrival_allowed(Context::Task(task)) {
            return Err(Error::ProtectionArrival);
        }
        let stamp = self.next_stamp;
        let control = &mut self.tasks[task.index()];
        let was_suspended = control.queued.is_empty();
        if !control.queued.push(stamp) {
            return Err(self.report(ServiceId::ActivateTask, Error::Limit, Object::Task(task)));
        }
        if was_suspended {
            // OSEK: an extended task's events are cleared when it is activated.
            control.events_set = 0;
            control.events_waited = 0;
        }
        self.next_stamp += 1;
        if was_suspended {
            // Suspended, so neither running nor waiting: ready, last of its level.
            self.file_ready(task.index());
        }
        self.record(TraceEvent::Activate(task));
        Ok(())
    }

    /// ActivateTask by the running task of a suspended task that outranks it, the common
    /// case: the activation and the decision in one go, ending in the same state and trace
    /// as `activate_task` followed by `decide` (the property tests compare them). The next
    /// dispatch switches to it. `false`, with nothing changed, where this does not apply:
    /// the general path then decides, errors included.
    #[inline]
    pub fn activate_preempting(&mut self, task: TaskId) -> bool {
        if !self.activate_switching(task) {
            return false;
        }
        // The next dispatch hands the fresh start to the port.
        self.tasks[task.index()].fresh = true;
        self.prepared = true;
        true
    }

    /// [`Self::activate_preempting`] for a port that switches at once: `true` when the port
    /// must start `task` afresh now (the decision the next dispatch would give: a suspended
    /// task's activation always starts fresh, and the port takes that now), `false`,
    /// nothing changed, where the fast path does not apply. One copy, out of line: the
    /// port's entry reaches it with a jump.
    #[inline(never)]
    pub fn activate_switching(&mut self, task: TaskId) -> bool {
        #[cfg(test)]
        if !self.fast_paths {
            return false;
        }
        // The last decision stands and nothing masks or interrupts: no ISR can be waiting
        // (it would have been accepted), so the decision weighs tasks alone.
        let Some(Context::Task(caller)) = self.current else {
            return false;
        };
        if !self.decided || self.prepared || self.masking.any() {
            return false;
        }
        // A decision that stands was made with no shutdown under way (ShutdownOS clears it)
        // and, with a task current, no ISR accepted (an interrupt request clears it).
        debug_assert!(self.shutdown.is_none() && self.isr_depth == 0);
        let (Some(config), Some(caller_config)) = (
            self.config.tasks.get(task.index()),
            self.config.tasks.get(caller.index()),
        ) else {
            return false;
        };
        let target = &self.tasks[task.index()];
        if !target.queued.is_empty()
            || config.timing.time_frame_ns != 0
            || !self.may_access(caller_config.app, config.app, config.access)
            || target.level <= self.running_level(caller)
        {
            return false;
        }
        self.activate_first(task);
        // activate, preempt and start, in one record.
        self.record(TraceEvent::Preemption {
            activated: task,
            preempted: caller,
        });
        // schedule_tasks: the caller is preempted and resumes first of its level.
        self.rescheduling = false;
        self.leave_running(Some(caller));
        self.start_running(task);
        self.file_preempted(caller);
        if let Some(hook) = self.config.hooks.pre_task {
            hook(task);
        }
        self.current = Some(Context::Task(task));
        // The port starts it now: nothing fresh is left for a dispatch to hand over.
        let fresh = self.take_fresh(task);
        debug_assert!(fresh);
        true
    }

    /// `activate_task` where a fast path checked that it is the task's first activation,
    /// within every limit and with no time frame (so no arrival time to keep:
    /// `arrival_allowed`): the stamp, events cleared.
    #[inline(always)]
    pub(super) fn activate_first(&mut self, task: TaskId) {
        let stamp = self.next_stamp;
        self.next_stamp += 1;
        let target = &mut self.tasks[task.index()];
        target.queued.push_first_activation(stamp);
        target.events_set = 0;
        target.events_waited = 0;
    }

    /// The running task's body returned `Exit::Terminate` (TerminateTask).
    pub fn terminate_running(&mut self) -> Result<(), Error> {
        self.decided = false;
        let Some(Context::Task(task)) = self.current() else {
            return Err(self.report(ServiceId::TerminateTask, Error::CallLevel, Object::None));
        };
        self.end_running(ServiceId::TerminateTask, task);
        Ok(())
    }

    /// Ends the running activation. A task that still holds resources had its body return
    /// anyway: as AUTOSAR does for a task that ends wrongly, the kernel reports it and frees
    /// the resources, so nothing stays locked for ever.
    fn end_running(&mut self, service: ServiceId, task: TaskId) {
        let context = Context::Task(task);
        if self.masking.owner == Some(context) {
            self.report(service, Error::DisabledInt, Object::Task(task));
            self.masking = Default::default();
        }
        if self.tasks[task.index()].held.is_some() {
            self.report(service, Error::Resource, Object::Task(task));
            self.release_all_resources(context);
        }
        let control = &mut self.tasks[task.index()];
        control.queued.pop();
        control.started = false;
        control.waiting = false;
        control.level = self.config.tasks[task.index()].priority as Level;
        self.running = None;
        // The port no longer runs this activation: whatever comes next is a switch, even to
        // a new activation of the same task.
        self.current = None;
        // A further activation queues behind those activated before it.
        self.refile(task);
        self.record(TraceEvent::Terminate(task));
        // A server task that ends without answering fails its caller (ipc.rs); an image
        // without IPC has none.
        if cfg!(feature = "ipc") {
            self.ipc_task_ended(task, false);
        }
        if let Some(hook) = self.config.hooks.post_task {
            hook(task);
        }
    }

    /// The running task's body returned `Exit::Chain(next)` (ChainTask). The activation limit
    /// is checked before the caller terminates, so chaining oneself always succeeds.
    pub fn chain_running(&mut self, next: TaskId) -> Result<(), Error> {
        self.decided = false;
        let Some(Context::Task(running)) = self.current() else {
            return Err(self.report(ServiceId::ChainTask, Error::CallLevel, Object::None));
        };
        let check = match self.config.tasks.get(next.index()) {
            None => Err(Error::Id),
            Some(config)
                if next != running
                    && self.tasks[next.index()].queued.len()
                        >= config.activation_limit as usize =>
            {
                Err(Error::Limit)
            }
            Some(_) => Ok(()),
        };
        if let Err(error) = check {
            // The body has already returned, so the task ends either way; the error is
            // reported as the specification's error hook would see it.
            let object = if error == Error::Id {
                Object::None
            } else {
                Object::Task(next)
            };
            self.report(ServiceId::ChainTask, error, object);
            self.end_running(ServiceId::ChainTask, running);
            return Err(error);
        }
        self.end_running(ServiceId::ChainTask, running);
        self.activate_task(next)
    }

    /// GetTaskState.
    pub(super) fn task_state(&self, task: TaskId) -> Result<TaskState, Failure> {
        let control = self
            .tasks
            .get(task.index())
            .ok_or((Error::Id, Object::None))?;
        Ok(if self.running == Some(task) {
            TaskState::Running
        } else if control.queued.is_empty() {
            TaskState::Suspended
        } else if control.waiting {
            TaskState::Waiting
        } else {
            TaskState::Ready
        })
    }

    /// Schedule: a point where a task that holds its internal resource (a non-preemptive task,
    /// say) lets higher-priority tasks run.
    pub(super) fn schedule(&mut self, caller: TaskId) -> Result<(), Failure> {
        if self.tasks[caller.index()].held.is_some() {
            return Err((Error::Resource, Object::Task(caller)));
        }
        self.rescheduling = true;
        Ok(())
    }

    /// The level the running task defends against preemption: its ready level raised to its
    /// internal resource's ceiling, which it holds while it runs.
    #[inline(always)]
    pub(super) fn running_level(&self, task: TaskId) -> Level {
        let control = &self.tasks[task.index()];
        if self.rescheduling {
            control.level
        } else {
            control.level.max(control.internal_ceiling)
        }
    }

    /// The task to run at task level (no ISR is active); records the switch if it changes.
    pub(super) fn schedule_tasks(&mut self) -> Option<TaskId> {
        let previous = self.running;
        let running = previous.filter(|t| {
            let control = &self.tasks[t.index()];
            !control.waiting && !control.queued.is_empty()
        });
        let best = self.ready.highest();
        let defended = running.map(|r| self.running_level(r));
        self.rescheduling = false;
        let to = match (best, defended) {
            (None, None) => {
                self.leave_running(previous);
                self.running = None;
                return None;
            }
            (None, Some(_)) => return running,
            (Some(index), Some(defended)) if self.tasks[index].level <= defended => return running,
            (Some(index), _) => TaskId::new(index as u8),
        };
        self.ready.remove_highest(to.index());
        if let Some(preempted) = running {
            self.record(TraceEvent::Preempt(preempted));
        }
        self.leave_running(previous);
        let fresh = self.start_running(to);
        if let Some(preempted) = running {
            self.file_preempted(preempted);
        }
        self.record(if fresh {
            TraceEvent::Start(to)
        } else {
            TraceEvent::Resume(to)
        });
        if let Some(hook) = self.config.hooks.pre_task {
            hook(to);
        }
        Some(to)
    }

    /// `to` becomes the running task: a new activation (`true`) starts with a fresh budget
    /// and incarnation, and the port must start it at its entry.
    #[inline(always)]
    pub(super) fn start_running(&mut self, to: TaskId) -> bool {
        let control = &mut self.tasks[to.index()];
        let fresh = !control.started;
        control.started = true;
        control.fresh = fresh;
        if fresh {
            control.used_ns = 0;
            control.incarnation = control.incarnation.wrapping_add(1);
        }
        self.running = Some(to);
        fresh
    }

    /// A preempted task resumes first of its level (AUTOSAR): the newest front stamp.
    #[inline(always)]
    fn file_preempted(&mut self, preempted: TaskId) {
        let stamp = self.next_front_stamp;
        self.next_front_stamp -= 1;
        let control = &mut self.tasks[preempted.index()];
        control.queued.restamp_oldest(stamp);
        self.ready.push_first(preempted.index(), control.level);
    }

    /// Puts `task` into the ready queue or takes it out, as its state now says: it is in it
    /// when it has an activation, does not wait and is not the running task. Every change of
    /// those three ends here.
    pub(super) fn refile(&mut self, task: TaskId) {
        let index = task.index();
        let control = &self.tasks[index];
        let ready = !control.queued.is_empty() && !control.waiting && self.running != Some(task);
        if !ready {
            self.ready.remove(index);
        } else if !self.ready.contains(index) {
            self.file_ready(index);
        }
    }

    /// Files a ready task by its level and the stamp of its oldest activation.
    #[inline]
    fn file_ready(&mut self, index: usize) {
        let tasks = &self.tasks;
        let control = &tasks[index];
        let stamp = control.queued.oldest().unwrap_or(0);
        self.ready.insert(index, control.level, stamp, |t| {
            tasks[t].queued.oldest().unwrap_or(0)
        });
    }

    /// PostTaskHook for a task that leaves the running state by preemption or waiting
    /// (termination calls it itself).
    #[inline]
    pub(super) fn leave_running(&mut self, previous: Option<TaskId>) {
        if let (Some(task), Some(hook)) = (previous, self.config.hooks.post_task) {
            if self.tasks[task.index()].started {
                hook(task);
            }
        }
    }

    /// Whether the port must start `task` at its entry (once per activation).
    pub(super) fn take_fresh(&mut self, task: TaskId) -> bool {
        core::mem::take(&mut self.tasks[task.index()].fresh)
    }
}
