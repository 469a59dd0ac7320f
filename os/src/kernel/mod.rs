//! The kernel state and its services.
//!
//! The port owns one `Kernel`, feeds it events (StartOS, ticks, service requests, task exits)
//! and carries out the [`Dispatch`] it returns. Sizes are const parameters the generated
//! tables fix, so the state is plain arrays. The services live by concern: `task.rs`
//! (activation, termination, scheduling), `event.rs`, `resource.rs` (priority ceiling
//! protocol), `alarm.rs` (counters and alarms).

mod alarm;
mod event;
mod resource;
mod task;

use crate::config::{Config, EventMask, ResourceId, TaskId};
use crate::error::{Error, ServiceId};
use crate::ready::Activations;
use crate::request::{Reply, Request};
use crate::trace::{Object, TraceEvent, TraceRecord, TraceRing};

pub use task::TaskState;

/// What the port must do after a kernel event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dispatch {
    /// The running task (if any) goes on.
    Keep,
    /// Switch to `to`; `fresh` means it starts at its entry, otherwise it resumes where it
    /// was preempted or blocked. `from` is a preempted task that stays ready, if any.
    Switch {
        from: Option<TaskId>,
        to: TaskId,
        fresh: bool,
    },
    /// No task is ready: idle until the next interrupt.
    Idle,
}

/// Why a configuration does not fit the kernel it was given to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigMismatch {
    Tasks,
    Alarms,
    Counters,
    Resources,
}

#[derive(Clone, Copy, Debug)]
struct TaskControl {
    queued: Activations,
    /// The head activation has begun: the task is running, preempted or waiting.
    started: bool,
    waiting: bool,
    events_set: EventMask,
    events_waited: EventMask,
    /// Priority while ready or preempted: the static one raised by held resources' ceilings.
    priority: u8,
    /// Top of the LIFO chain of standard resources the task holds.
    held: Option<ResourceId>,
}

#[derive(Clone, Copy, Debug, Default)]
struct ResourceControl {
    holder: Option<TaskId>,
    /// The resource the holder took before this one (LIFO chain).
    below: Option<ResourceId>,
    /// The holder's priority before it took this one.
    saved_priority: u8,
}

#[derive(Clone, Copy, Debug, Default)]
struct AlarmControl {
    armed: bool,
    expiry: u32,
    cycle: u32,
}

pub struct Kernel<
    const TASKS: usize,
    const ALARMS: usize,
    const COUNTERS: usize,
    const RESOURCES: usize,
> {
    config: &'static Config,
    tasks: [TaskControl; TASKS],
    resources: [ResourceControl; RESOURCES],
    running: Option<TaskId>,
    /// Set by Schedule(): the next dispatch weighs the running task without its internal
    /// resource.
    rescheduling: bool,
    counters: [u32; COUNTERS],
    alarms: [AlarmControl; ALARMS],
    ticks: u64,
    next_stamp: u64,
    trace: TraceRing,
}

impl<const TASKS: usize, const ALARMS: usize, const COUNTERS: usize, const RESOURCES: usize>
    Kernel<TASKS, ALARMS, COUNTERS, RESOURCES>
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
        if config.resources.len() != RESOURCES {
            return Err(ConfigMismatch::Resources);
        }
        Ok(Self {
            config,
            tasks: core::array::from_fn(|i| TaskControl {
                queued: Activations::EMPTY,
                started: false,
                waiting: false,
                events_set: 0,
                events_waited: 0,
                priority: config.tasks[i].priority,
                held: None,
            }),
            resources: [ResourceControl::default(); RESOURCES],
            running: None,
            rescheduling: false,
            counters: [0; COUNTERS],
            alarms: [AlarmControl::default(); ALARMS],
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

    fn report(&mut self, service: ServiceId, error: Error, object: Object) -> Error {
        self.record(TraceEvent::ServiceError {
            service,
            error,
            object,
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
        self.arm_autostart_alarms();
    }

    /// One service request of the running task. Errors are traced as the error hook sees
    /// them (service, object, code) and returned to the caller.
    pub fn service(&mut self, request: Request) -> Result<Reply, Error> {
        let service = ServiceId::of(&request);
        let Some(caller) = self.running else {
            return Err(self.report(service, Error::CallLevel, Object::None));
        };
        let result = match request {
            Request::ActivateTask(task) => return self.activate_task(task).map(|()| 0),
            Request::GetTaskId => Ok(caller.index() as Reply),
            Request::GetTaskState(task) => self.task_state(task).map(|s| s as Reply),
            Request::Schedule => self.schedule(caller).map(|()| 0),
            Request::SetEvent(task, mask) => return self.set_event(task, mask).map(|()| 0),
            Request::ClearEvent(mask) => self.clear_event(caller, mask).map(|()| 0),
            Request::GetEvent(task) => self.get_event(task).map(Reply::from),
            Request::WaitEvent(mask) => self.wait_event(caller, mask).map(|()| 0),
            Request::GetResource(resource) => self.get_resource(caller, resource).map(|()| 0),
            Request::ReleaseResource(resource) => {
                self.release_resource(caller, resource).map(|()| 0)
            }
            Request::IncrementCounter(counter) => self.increment_counter_service(counter),
            Request::GetCounterValue(counter) => self.counter_value(counter).map(Reply::from),
            Request::GetElapsedValue(counter, previous) => self.elapsed_value(counter, previous),
            Request::SetRelAlarm(alarm, increment, cycle) => {
                self.set_rel_alarm(alarm, increment, cycle)
            }
            Request::SetAbsAlarm(alarm, start, cycle) => self.set_abs_alarm(alarm, start, cycle),
            Request::CancelAlarm(alarm) => self.cancel_alarm(alarm),
            Request::GetAlarm(alarm) => self.get_alarm(alarm),
            Request::ElapsedTicks => Ok(self.ticks),
        };
        result.map_err(|(error, object)| self.report(service, error, object))
    }

    /// A service number no request has: E_OS_SERVICEID, reported like any error.
    pub fn unknown_service(&mut self) -> Error {
        self.report(ServiceId::Unknown, Error::ServiceId, Object::None)
    }
}

/// What a service's inner function returns on failure: the code and the object it concerns.
type Failure = (Error, Object);
