//! The kernel state and its services: task management, counters and alarms.
//!
//! The port owns one `Kernel`, feeds it events and carries out the [`Dispatch`] it returns.
//! Sizes are const parameters the generated tables fix, so the state is plain arrays.

use crate::config::{AlarmAction, AlarmId, Config, CounterId, TaskId};
use crate::error::{Error, ServiceId};
use crate::ready::{self, Activations};
use crate::trace::{TraceEvent, TraceRecord, TraceRing};

/// What the port must do after a kernel event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dispatch {
    /// The running task (if any) goes on.
    Keep,
    /// Switch to `to`; `fresh` means it starts at its entry, otherwise it resumes where it
    /// was preempted. `from` is the task that was running and stays ready, if any.
    Switch {
        from: Option<TaskId>,
        to: TaskId,
        fresh: bool,
    },
    /// No task is ready: idle until the next interrupt.
    Idle,
}

#[derive(Clone, Copy, Debug, Default)]
struct AlarmState {
    armed: bool,
    expiry: u32,
    cycle: u32,
}

pub struct Kernel<const TASKS: usize, const ALARMS: usize, const COUNTERS: usize> {
    config: &'static Config,
    queued: [Activations; TASKS],
    /// The head activation has begun: the task is running or preempted.
    started: [bool; TASKS],
    running: Option<TaskId>,
    counters: [u32; COUNTERS],
    alarms: [AlarmState; ALARMS],
    ticks: u64,
    next_stamp: u64,
    trace: TraceRing,
}

/// Why a configuration does not fit the kernel it was given to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigMismatch {
    Tasks,
    Alarms,
    Counters,
}

impl<const TASKS: usize, const ALARMS: usize, const COUNTERS: usize>
    Kernel<TASKS, ALARMS, COUNTERS>
{
    pub fn new(config: &'static Config) -> Result<Self, ConfigMismatch> {
        if config.tasks.len() != TASKS {
            return Err(ConfigMismatch::Tasks);
        }
        if config.alarms.len() != ALARMS {
            return Err(ConfigMismatch::Alarms);
        }
        if config.counters.len() != COUNTERS || config.system_counter.index() >= COUNTERS {
            return Err(ConfigMismatch::Counters);
        }
        Ok(Self {
            config,
            queued: [Activations::EMPTY; TASKS],
            started: [false; TASKS],
            running: None,
            counters: [0; COUNTERS],
            alarms: [AlarmState::default(); ALARMS],
            ticks: 0,
            next_stamp: 0,
            trace: TraceRing::new(),
        })
    }

    pub fn config(&self) -> &'static Config {
        self.config
    }

    pub fn running(&self) -> Option<TaskId> {
        self.running
    }

    /// Ticks of the system counter since StartOS.
    pub fn elapsed_ticks(&self) -> u64 {
        self.ticks
    }

    pub fn counter_value(&self, counter: CounterId) -> Option<u32> {
        self.counters.get(counter.index()).copied()
    }

    pub fn trace_pop(&mut self) -> Option<TraceRecord> {
        self.trace.pop()
    }

    pub fn trace_take_lost(&mut self) -> u32 {
        self.trace.take_lost()
    }

    fn record(&mut self, event: TraceEvent) {
        self.trace.push(TraceRecord {
            tick: self.ticks,
            event,
        });
    }

    fn report(&mut self, service: ServiceId, error: Error, task: Option<TaskId>) -> Error {
        self.record(TraceEvent::ServiceError {
            service,
            error,
            task,
        });
        error
    }

    /// StartOS: activates the autostart tasks and arms the autostart alarms, in table order.
    pub fn start_os(&mut self) {
        for index in 0..TASKS {
            if self.config.tasks[index].autostart {
                // An autostart task has an empty queue here, so this cannot exceed its limit.
                let _ = self.activate_task(TaskId::new(index as u8));
            }
        }
        for index in 0..ALARMS {
            let alarm = &self.config.alarms[index];
            if let Some((offset, cycle)) = alarm.autostart {
                let counter = alarm.counter.index();
                let now = self.counters[counter];
                self.alarms[index] = AlarmState {
                    armed: true,
                    expiry: self.counter_add(counter, now, offset),
                    cycle,
                };
            }
        }
    }

    /// ActivateTask.
    pub fn activate_task(&mut self, task: TaskId) -> Result<(), Error> {
        let Some(config) = self.config.tasks.get(task.index()) else {
            return Err(self.report(ServiceId::ActivateTask, Error::Id, None));
        };
        let queue = &mut self.queued[task.index()];
        if queue.len() >= config.activation_limit as usize || !queue.push(self.next_stamp) {
            return Err(self.report(ServiceId::ActivateTask, Error::Limit, Some(task)));
        }
        self.next_stamp += 1;
        self.record(TraceEvent::Activate(task));
        Ok(())
    }

    /// The running task's body returned `Exit::Terminate` (TerminateTask).
    pub fn terminate_running(&mut self) -> Result<(), Error> {
        let Some(task) = self.running.take() else {
            return Err(self.report(ServiceId::TerminateTask, Error::CallLevel, None));
        };
        self.queued[task.index()].pop();
        self.started[task.index()] = false;
        self.record(TraceEvent::Terminate(task));
        Ok(())
    }

    /// The running task's body returned `Exit::Chain(next)` (ChainTask). The activation limit
    /// is checked before the caller terminates, so chaining oneself always succeeds.
    pub fn chain_running(&mut self, next: TaskId) -> Result<(), Error> {
        let Some(running) = self.running else {
            return Err(self.report(ServiceId::ChainTask, Error::CallLevel, None));
        };
        let check = match self.config.tasks.get(next.index()) {
            None => Err(Error::Id),
            Some(config)
                if next != running
                    && self.queued[next.index()].len() >= config.activation_limit as usize =>
            {
                Err(Error::Limit)
            }
            Some(_) => Ok(()),
        };
        if let Err(error) = check {
            // The body has already returned, so the task ends either way; the error is
            // reported as the specification's error hook would see it.
            let task = (error != Error::Id).then_some(next);
            self.report(ServiceId::ChainTask, error, task);
            self.terminate_running()?;
            return Err(error);
        }
        self.terminate_running()?;
        self.activate_task(next)
    }

    /// One tick of the system counter: the port's timer interrupt.
    pub fn tick(&mut self) {
        self.ticks += 1;
        self.increment_counter(self.config.system_counter);
    }

    fn counter_add(&self, counter: usize, value: u32, delta: u32) -> u32 {
        let modulus = self.config.counters[counter].max_allowed_value as u64 + 1;
        ((value as u64 + delta as u64) % modulus) as u32
    }

    fn increment_counter(&mut self, counter: CounterId) {
        let index = counter.index();
        let value = self.counter_add(index, self.counters[index], 1);
        self.counters[index] = value;
        for alarm in 0..ALARMS {
            let state = self.alarms[alarm];
            if !state.armed || self.config.alarms[alarm].counter != counter || state.expiry != value
            {
                continue;
            }
            self.alarms[alarm] = if state.cycle == 0 {
                AlarmState::default()
            } else {
                AlarmState {
                    expiry: self.counter_add(index, value, state.cycle),
                    ..state
                }
            };
            self.record(TraceEvent::AlarmExpired(AlarmId::new(alarm as u8)));
            match self.config.alarms[alarm].action {
                AlarmAction::ActivateTask(task) => {
                    // A refused activation is already reported to the trace.
                    let _ = self.activate_task(task);
                }
            }
        }
    }

    /// After any event: which task should run now.
    pub fn dispatch(&mut self) -> Dispatch {
        let next = ready::highest(self.config.tasks, &self.queued);
        if next == self.running {
            return if next.is_some() {
                Dispatch::Keep
            } else {
                Dispatch::Idle
            };
        }
        let Some(to) = next else {
            // The running task always has its own activation queued, so this is unreachable
            // unless the state is corrupt; idle is the safe answer.
            self.running = None;
            return Dispatch::Idle;
        };
        let from = self.running;
        if let Some(preempted) = from {
            self.record(TraceEvent::Preempt(preempted));
        }
        let fresh = !self.started[to.index()];
        self.started[to.index()] = true;
        self.running = Some(to);
        self.record(if fresh {
            TraceEvent::Start(to)
        } else {
            TraceEvent::Resume(to)
        });
        Dispatch::Switch { from, to, fresh }
    }
}
