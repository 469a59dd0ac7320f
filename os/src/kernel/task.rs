//! Task management: activation, termination, chaining, Schedule, task states and dispatch.

use super::{Dispatch, Failure, Kernel};
use crate::config::TaskId;
use crate::error::{Error, ServiceId};
use crate::ready;
use crate::trace::{Object, TraceEvent};

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

impl<const TASKS: usize, const ALARMS: usize, const COUNTERS: usize, const RESOURCES: usize>
    Kernel<TASKS, ALARMS, COUNTERS, RESOURCES>
{
    /// ActivateTask (also from alarms and StartOS).
    pub fn activate_task(&mut self, task: TaskId) -> Result<(), Error> {
        let Some(config) = self.config.tasks.get(task.index()) else {
            return Err(self.report(ServiceId::ActivateTask, Error::Id, Object::None));
        };
        let limit = config.activation_limit as usize;
        let stamp = self.next_stamp;
        let control = &mut self.tasks[task.index()];
        let was_suspended = control.queued.is_empty();
        if control.queued.len() >= limit || !control.queued.push(stamp) {
            return Err(self.report(ServiceId::ActivateTask, Error::Limit, Object::Task(task)));
        }
        if was_suspended {
            // OSEK: an extended task's events are cleared when it is activated.
            control.events_set = 0;
            control.events_waited = 0;
        }
        self.next_stamp += 1;
        self.record(TraceEvent::Activate(task));
        Ok(())
    }

    /// The running task's body returned `Exit::Terminate` (TerminateTask).
    pub fn terminate_running(&mut self) -> Result<(), Error> {
        let Some(task) = self.running else {
            return Err(self.report(ServiceId::TerminateTask, Error::CallLevel, Object::None));
        };
        self.end_running(ServiceId::TerminateTask, task);
        Ok(())
    }

    /// Ends the running activation. A task that still holds resources had its body return
    /// anyway: as AUTOSAR does for a task that ends wrongly, the kernel reports it and frees
    /// the resources, so nothing stays locked for ever.
    fn end_running(&mut self, service: ServiceId, task: TaskId) {
        if self.tasks[task.index()].held.is_some() {
            self.report(service, Error::Resource, Object::Task(task));
            self.release_all_resources(task);
        }
        let control = &mut self.tasks[task.index()];
        control.queued.pop();
        control.started = false;
        control.waiting = false;
        control.priority = self.config.tasks[task.index()].priority;
        self.running = None;
        self.record(TraceEvent::Terminate(task));
    }

    /// The running task's body returned `Exit::Chain(next)` (ChainTask). The activation limit
    /// is checked before the caller terminates, so chaining oneself always succeeds.
    pub fn chain_running(&mut self, next: TaskId) -> Result<(), Error> {
        let Some(running) = self.running else {
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

    /// The priority the running task defends against preemption: its ready priority raised to
    /// its internal resource's ceiling, which it holds while it runs.
    fn running_priority(&self, task: TaskId) -> u8 {
        let priority = self.tasks[task.index()].priority;
        match self.config.tasks[task.index()].internal_resource {
            Some(internal) if !self.rescheduling => self
                .config
                .resources
                .get(internal.index())
                .map_or(priority, |r| r.ceiling.max(priority)),
            _ => priority,
        }
    }

    /// After any event: which task should run now.
    pub fn dispatch(&mut self) -> Dispatch {
        let running = self
            .running
            .filter(|t| !self.tasks[t.index()].waiting && !self.tasks[t.index()].queued.is_empty());
        let best = ready::highest(self.tasks.iter().enumerate().filter_map(|(index, t)| {
            let stamp = t.queued.oldest()?;
            let candidate = !t.waiting && running.is_none_or(|r| r.index() != index);
            candidate.then_some((index, t.priority, stamp))
        }));
        let keep_priority = running.map(|r| self.running_priority(r));
        self.rescheduling = false;
        let to = match (best, keep_priority) {
            (None, None) => {
                self.running = None;
                return Dispatch::Idle;
            }
            (None, Some(_)) => return Dispatch::Keep,
            (Some((_, priority)), Some(defended)) if priority <= defended => {
                return Dispatch::Keep;
            }
            (Some((index, _)), _) => TaskId::new(index as u8),
        };
        let from = running;
        if let Some(preempted) = from {
            self.record(TraceEvent::Preempt(preempted));
        }
        let control = &mut self.tasks[to.index()];
        let fresh = !control.started;
        control.started = true;
        self.running = Some(to);
        self.record(if fresh {
            TraceEvent::Start(to)
        } else {
            TraceEvent::Resume(to)
        });
        Dispatch::Switch { from, to, fresh }
    }
}
