//! The kernel state and its services.
//!
//! The port owns one `Kernel`, feeds it events (StartOS, ticks, interrupts, service requests,
//! task and ISR ends) and carries out the [`Dispatch`] it returns. Sizes are const parameters
//! the generated tables fix, so the state is plain arrays. The services live by concern:
//! `task.rs` (activation, termination, dispatch), `isr.rs` (interrupts and their masking),
//! `event.rs`, `resource.rs` (priority ceiling protocol), `alarm.rs` (counters and alarms).

mod alarm;
mod application;
mod can;
mod event;
mod ipc;
mod isr;
mod protection;
mod resource;
mod schedule_table;
mod task;

#[cfg(test)]
mod ipc_properties;
#[cfg(test)]
mod properties;

use crate::config::{Config, ErrorInfo, EventMask, Level, ResourceId, ScheduleTableStart, TaskId};
use crate::error::{Error, ServiceId};
use crate::ready::{Activations, ReadyQueue, FIRST_BACK_STAMP};
use crate::request::{Reply, Request};
use crate::trace::{Context, Object, TraceEvent, TraceRecord, TraceRing};

pub use application::ApplicationState;
pub use ipc::{DirectAnswer, IpcMismatch};
pub use schedule_table::ScheduleTableStatus;
pub use task::TaskState;

/// What the port must do after a kernel event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dispatch {
    /// What runs goes on.
    Keep,
    /// Run `to`: from its entry if `fresh`, else from where it was interrupted or blocked.
    Switch { to: Context, fresh: bool },
    /// Nothing is ready: idle until the next interrupt.
    Idle,
    /// ShutdownOS: the port stops the system.
    Shutdown(Option<Error>),
}

/// Why a configuration does not fit the kernel it was given to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigMismatch {
    Tasks,
    Alarms,
    Counters,
    Resources,
    Isrs,
    ScheduleTables,
}

#[derive(Clone, Copy, Debug)]
struct TaskControl {
    queued: Activations,
    /// The head activation has begun: the task is running, preempted or waiting.
    started: bool,
    /// Started by the last scheduling decision and not yet handed to the port.
    fresh: bool,
    waiting: bool,
    events_set: EventMask,
    events_waited: EventMask,
    /// Level while ready or preempted: the priority raised by held resources' ceilings.
    level: Level,
    /// The ceiling of its internal resource (0 without one), fixed at boot: the level it
    /// defends while it runs costs one comparison, not a walk through the configuration.
    internal_ceiling: Level,
    /// Top of the LIFO chain of standard resources the task holds.
    held: Option<ResourceId>,
    /// Execution time of the current activation (timing protection).
    used_ns: u64,
    last_arrival_ns: Option<u64>,
    /// Bumped at every start: a port that finds a different number when it resumes a context
    /// knows the kernel ended that activation meanwhile.
    incarnation: u32,
}

#[derive(Clone, Copy, Debug, Default)]
struct IsrControl {
    /// Accepted and not yet returned (running, or interrupted by a higher ISR).
    active: bool,
    /// Its body has begun (the port resumes it rather than starting it).
    started: bool,
    pending: bool,
    level: Level,
    held: Option<ResourceId>,
    used_ns: u64,
    last_arrival_ns: Option<u64>,
    incarnation: u32,
}

#[derive(Clone, Copy, Debug, Default)]
struct ResourceControl {
    holder: Option<Context>,
    /// The resource the holder took before this one (LIFO chain).
    below: Option<ResourceId>,
    /// The holder's level before it took this one.
    saved_level: Level,
    /// The holder's execution time when it took this one (lock budgets count from there).
    used_at_lock_ns: u64,
}

#[derive(Clone, Copy, Debug, Default)]
struct AlarmControl {
    armed: bool,
    expiry: u32,
    cycle: u32,
}

/// Interrupt masking by the services of that name. Disable/EnableAllInterrupts do not nest;
/// the Suspend/Resume pairs do.
#[derive(Clone, Copy, Debug, Default)]
struct Masking {
    all_disabled: bool,
    all_suspended: u32,
    os_suspended: u32,
    /// Who masked: it must unmask before it ends.
    owner: Option<Context>,
    /// The masker's execution time when it masked.
    used_at_mask_ns: u64,
}

impl Masking {
    /// Some masking is in force. Every change sets `owner` to say exactly that (and every
    /// reset clears both), so one load answers on the paths that ask it most.
    #[inline(always)]
    fn any(&self) -> bool {
        debug_assert_eq!(self.owner.is_some(), self.counted());
        self.owner.is_some()
    }

    fn counted(&self) -> bool {
        self.all_disabled || self.all_suspended > 0 || self.os_suspended > 0
    }
}

pub struct Kernel<
    const TASKS: usize,
    const ALARMS: usize,
    const COUNTERS: usize,
    const RESOURCES: usize,
    const ISRS: usize,
    const TABLES: usize,
> {
    config: &'static Config,
    tasks: [TaskControl; TASKS],
    isrs: [IsrControl; ISRS],
    /// Accepted ISRs, innermost last: each preempted the one below.
    isr_stack: [Option<crate::config::IsrId>; ISRS],
    isr_depth: usize,
    resources: [ResourceControl; RESOURCES],
    /// The task the scheduler chose (it may be interrupted by ISRs).
    running: Option<TaskId>,
    /// What the port executes now, as of the last dispatch.
    current: Option<Context>,
    /// Set by Schedule(): the next dispatch weighs the running task without its internal
    /// resource.
    rescheduling: bool,
    masking: Masking,
    shutdown: Option<Option<Error>>,
    counters: [u32; COUNTERS],
    alarms: [AlarmControl; ALARMS],
    tables: [schedule_table::TableControl; TABLES],
    /// OS-Applications terminated, and those restarting (until AllowAccess), one bit each.
    apps_terminated: u64,
    apps_restarting: u64,
    /// The port's clock, as last told (`advance_time`).
    now_ns: u64,
    mode: crate::config::AppModeId,
    ticks: u64,
    /// The next stamp of a new activation or a released task (last of its level).
    next_stamp: u64,
    /// The next stamp of a preempted task (first of its level).
    next_front_stamp: u64,
    /// The ready tasks but the running one, by level and stamp.
    ready: ReadyQueue<TASKS>,
    trace: TraceRing,
    /// CAN transmit and receive queues and the permission table (see `crate::can`).
    can: crate::can::CanState<TASKS>,
    /// Inter-partition communication, when the ECU has any (`attach_ipc`).
    ipc: Option<ipc::Ipc>,
    /// The last dispatch's answer still stands: nothing that could change it happened since
    /// (every entry that may change what runs clears it). Lets a read-only service, or the
    /// null call, return without weighing the ready tasks again.
    decided: bool,
    /// A service already made the decision and set `current` (the ActivateTask fast path):
    /// the next dispatch tells the port to switch to it.
    prepared: bool,
    /// Tests compare the fast paths with the general ones on the same operations.
    #[cfg(test)]
    pub(crate) fast_paths: bool,
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
    pub fn new(config: &'static Config) -> Result<Self, ConfigMismatch> {
        // At most 254 tasks: the ready queue links tasks by byte-sized indexes.
        if config.tasks.len() != TASKS || !ReadyQueue::<TASKS>::FITS {
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
        if config.isrs.len() != ISRS {
            return Err(ConfigMismatch::Isrs);
        }
        if config.schedule_tables.len() != TABLES {
            return Err(ConfigMismatch::ScheduleTables);
        }
        Ok(Self {
            config,
            tasks: core::array::from_fn(|i| TaskControl {
                queued: Activations::EMPTY,
                started: false,
                fresh: false,
                waiting: false,
                events_set: 0,
                events_waited: 0,
                level: config.tasks[i].priority as Level,
                internal_ceiling: config.tasks[i]
                    .internal_resource
                    .and_then(|r| config.resources.get(r.index()))
                    .map_or(0, |r| r.ceiling),
                held: None,
                used_ns: 0,
                last_arrival_ns: None,
                incarnation: 0,
            }),
            isrs: core::array::from_fn(|i| IsrControl {
                level: config.isrs[i].level(),
                ..IsrControl::default()
            }),
            isr_stack: [None; ISRS],
            isr_depth: 0,
            resources: [ResourceControl::default(); RESOURCES],
            running: None,
            current: None,
            rescheduling: false,
            masking: Masking::default(),
            shutdown: None,
            counters: [0; COUNTERS],
            alarms: [AlarmControl::default(); ALARMS],
            tables: [schedule_table::TableControl::default(); TABLES],
            apps_terminated: 0,
            apps_restarting: 0,
            now_ns: 0,
            mode: crate::config::AppModeId::new(0),
            ticks: 0,
            next_stamp: FIRST_BACK_STAMP,
            next_front_stamp: FIRST_BACK_STAMP - 1,
            ready: ReadyQueue::new(),
            trace: TraceRing::new(),
            can: crate::can::CanState::new(),
            ipc: None,
            decided: false,
            prepared: false,
            #[cfg(test)]
            fast_paths: true,
        })
    }

    pub fn config(&self) -> &'static Config {
        self.config
    }

    /// The task the scheduler runs (possibly interrupted by an ISR right now).
    pub fn running(&self) -> Option<TaskId> {
        self.running
    }

    /// What executes now: the innermost accepted ISR, else the running task.
    #[inline]
    pub fn current(&self) -> Option<Context> {
        match self.isr_depth {
            0 => self.running.map(Context::Task),
            depth => self.isr_stack[depth - 1].map(Context::Isr),
        }
    }

    /// Ticks of the system counter since StartOS.
    pub fn elapsed_ticks(&self) -> u64 {
        self.ticks
    }

    /// DisableAllInterrupts or SuspendAllInterrupts is in force: category 1 ISRs wait too
    /// (the Cortex-R port masks FIQ in the caller's context for them).
    pub fn all_interrupts_masked(&self) -> bool {
        self.masking.all_disabled || self.masking.all_suspended > 0
    }

    pub fn is_shut_down(&self) -> bool {
        self.shutdown.is_some()
    }

    pub fn trace_pop(&mut self) -> Option<TraceRecord> {
        self.trace.pop()
    }

    pub fn trace_take_lost(&mut self) -> u32 {
        self.trace.take_lost()
    }

    /// Inlined: where the event is named, the push is a few stores.
    #[inline(always)]
    fn record(&mut self, event: TraceEvent) {
        self.trace.push(TraceRecord::new(self.ticks, event));
    }

    /// An error: into the trace, then to the error hook, as the specification has it. Cold:
    /// the services' good paths are laid out without it.
    #[cold]
    #[inline(never)]
    fn report(&mut self, service: ServiceId, error: Error, object: Object) -> Error {
        self.record(TraceEvent::ServiceError {
            service,
            error,
            object,
        });
        let info = ErrorInfo {
            service,
            error,
            object,
        };
        if let Some(hook) = self.config.hooks.error {
            hook(&info);
        }
        // Then the error hook of the application the error happened in.
        let app_hook = self
            .current()
            .and_then(|c| self.config.apps.get(self.app_of(c).index()))
            .and_then(|app| app.hooks.error);
        if let Some(hook) = app_hook {
            hook(&info);
        }
        error
    }

    /// StartOS in the default application mode.
    pub fn start_os(&mut self) {
        self.start_os_in(crate::config::AppModeId::new(0));
    }

    /// StartOS(mode): the startup hook and the applications' startup hooks, then the tasks,
    /// alarms and schedule tables that autostart in `mode`, in table order.
    pub fn start_os_in(&mut self, mode: crate::config::AppModeId) {
        self.decided = false;
        self.mode = mode;
        if let Some(hook) = self.config.hooks.startup {
            hook();
        }
        for app in self.config.apps {
            if let Some(hook) = app.hooks.startup {
                hook();
            }
        }
        for index in 0..TASKS {
            let task = &self.config.tasks[index];
            if task.autostart && self.in_mode(task.autostart_modes) {
                // An autostart task has an empty queue here, so this cannot exceed its limit.
                let _ = self.activate_task(TaskId::new(index as u8));
            }
        }
        self.arm_autostart_alarms();
        self.start_autostart_tables();
    }

    /// ShutdownOS: the shutdown hook runs, every later dispatch answers `Shutdown`.
    pub fn shutdown_os(&mut self, error: Option<Error>) {
        self.decided = false;
        if self.shutdown.is_some() {
            return;
        }
        self.shutdown = Some(error);
        self.record(TraceEvent::Shutdown(error));
        for app in self.config.apps {
            if let Some(hook) = app.hooks.shutdown {
                hook(error);
            }
        }
        if let Some(hook) = self.config.hooks.shutdown {
            hook(error);
        }
    }

    /// One service request of the current task or ISR. Errors are traced and given to the
    /// error hook (service, object, code) and returned to the caller.
    pub fn service(&mut self, request: Request) -> Result<Reply, Error> {
        if let Request::ActivateTask(task) = request {
            if self.activate_preempting(task) {
                return Ok(0);
            }
        }
        // Whether the last decision still stands: the IPC fast paths build on it.
        let stood = self.decided;
        if !request.is_scheduling_neutral() {
            self.decided = false;
        }
        // Only an error report needs the service's id.
        let service = || ServiceId::of(&request);
        let Some(caller) = self.current() else {
            return Err(self.report(service(), Error::CallLevel, Object::None));
        };
        if let Context::Isr(isr) = caller {
            if self.config.isrs[isr.index()].category == 1 {
                // Category 1 ISRs run outside the OS.
                return Err(self.report(service(), Error::CallLevel, Object::Isr(isr)));
            }
        }
        let interrupt_api = matches!(
            request,
            Request::DisableAllInterrupts
                | Request::EnableAllInterrupts
                | Request::SuspendAllInterrupts
                | Request::ResumeAllInterrupts
                | Request::SuspendOsInterrupts
                | Request::ResumeOsInterrupts
        );
        if self.masking.any() && !interrupt_api {
            return Err(self.report(service(), Error::DisabledInt, Object::None));
        }
        let task_only = |kernel: &Self| match caller {
            Context::Task(task) => Ok(task),
            Context::Isr(isr) => {
                let _ = kernel;
                Err((Error::CallLevel, Object::Isr(isr)))
            }
        };
        if let Err((error, object)) = self.check_access(caller, &request) {
            return Err(self.report(service(), error, object));
        }
        let result = match request {
            // Services the image was built without (`ecu-os` features) answer as IPC does
            // when it is not attached, and the compiler drops them. Listed out, so the test
            // folds into the match's own table and costs the other services nothing.
            Request::CanTransmit(..) | Request::CanReceive(_) | Request::CanReceiveData
                if !cfg!(feature = "can") =>
            {
                Err((Error::ServiceId, Object::None))
            }
            // IPC: a call, the server's side of it, messages, the audit.
            Request::IpcCall(..)
            | Request::IpcTakeReply
            | Request::IpcAccept
            | Request::IpcArgs(_)
            | Request::IpcReply(_)
            | Request::IpcReplyTerminate(_)
            | Request::IpcSend(..)
            | Request::IpcReceive(..)
            | Request::AuditRead(..)
                if !cfg!(feature = "ipc") =>
            {
                Err((Error::ServiceId, Object::None))
            }
            Request::ActivateTask(task) => return self.activate_task(task).map(|()| 0),
            Request::GetTaskId => Ok(self.running.map_or(Reply::MAX, |t| t.index() as Reply)),
            Request::GetTaskState(task) => self.task_state(task).map(|s| s as Reply),
            Request::Schedule => task_only(self).and_then(|t| self.schedule(t)).map(|()| 0),
            Request::SetEvent(task, mask) => return self.set_event(task, mask).map(|()| 0),
            Request::ClearEvent(mask) => task_only(self)
                .and_then(|t| self.clear_event(t, mask))
                .map(|()| 0),
            Request::GetEvent(task) => self.get_event(task).map(Reply::from),
            Request::WaitEvent(mask) => task_only(self)
                .and_then(|t| self.wait_event(t, mask))
                .map(|()| 0),
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
            Request::DisableAllInterrupts
            | Request::EnableAllInterrupts
            | Request::SuspendAllInterrupts
            | Request::ResumeAllInterrupts
            | Request::SuspendOsInterrupts
            | Request::ResumeOsInterrupts => {
                self.interrupt_api(caller, request);
                Ok(0)
            }
            Request::ShutdownOs(code) => {
                // Only trusted applications may stop the system; from others the call is
                // ignored (AUTOSAR SWS_Os_00054).
                if self.config.apps[self.app_of(caller).index()].trusted {
                    self.shutdown_os(Error::from_code(code));
                }
                Ok(0)
            }
            Request::GetApplicationId => Ok(self.app_of(caller).index() as Reply),
            Request::GetApplicationState(app) => self.application_state(app).map(|s| s as Reply),
            Request::TerminateApplication(app, restart) => {
                self.terminate_application_service(caller, app, restart)
            }
            Request::AllowAccess => self.allow_access(caller),
            Request::CheckObjectAccess(app, kind, id) => {
                self.object_access(app, kind, id).map(Reply::from)
            }
            Request::CheckObjectOwnership(kind, id) => {
                self.object_owner(kind, id).map(|a| a.index() as Reply)
            }
            Request::StartScheduleTableRel(table, offset) => {
                self.start_schedule_table(table, ScheduleTableStart::Relative(offset))
            }
            Request::StartScheduleTableAbs(table, start) => {
                self.start_schedule_table(table, ScheduleTableStart::Absolute(start))
            }
            Request::StopScheduleTable(table) => self.stop_schedule_table(table),
            Request::NextScheduleTable(from, to) => self.next_schedule_table(from, to),
            Request::GetScheduleTableStatus(table) => {
                self.schedule_table_status(table).map(|s| s as Reply)
            }
            Request::GetActiveApplicationMode => Ok(self.mode.index() as Reply),
            Request::CallTrustedFunction(function, argument) => {
                self.call_trusted_function(caller, function, argument)
            }
            Request::GetAlarmBase(alarm, field) => self.alarm_base(alarm, field),
            Request::CanTransmit(bus, frame) => self.can_transmit(caller, bus, frame),
            Request::CanReceive(bus) => task_only(self).map(|t| self.can_receive(t, bus)),
            Request::CanReceiveData => task_only(self).map(|t| self.can_receive_data(t)),
            Request::GetIsrId => Ok(match caller {
                Context::Isr(isr) => isr.index() as Reply,
                Context::Task(_) => Reply::MAX,
            }),
            Request::IpcCall(handle, operation, args) => {
                self.ipc_call(caller, handle, operation, args, stood)
            }
            Request::IpcSend(handle, element, value) => {
                self.ipc_send(caller, handle, element, value)
            }
            Request::IpcReceive(handle, element) => self.ipc_receive(caller, handle, element),
            Request::AuditRead(query, index) => self.audit_read(caller, query, index),
            Request::IpcTakeReply => self.ipc_take_reply(caller),
            Request::IpcAccept => self.ipc_accept(caller),
            Request::IpcArgs(from) => self.ipc_args(caller, from),
            Request::IpcReply(value) => self.ipc_reply(caller, value),
            Request::IpcReplyTerminate(value) => self.ipc_reply_terminate(caller, value, stood),
        };
        result.map_err(|(error, object)| self.report(service(), error, object))
    }

    /// Whether the active application mode is in `modes`.
    pub(super) fn in_mode(&self, modes: u32) -> bool {
        modes & 1u32.checked_shl(self.mode.index() as u32).unwrap_or(0) != 0
    }

    /// CallTrustedFunction: the function runs now, in the kernel's context, if the caller's
    /// application may call it (E_OS_ACCESS) and it exists (E_OS_SERVICEID, as AUTOSAR has it).
    fn call_trusted_function(
        &mut self,
        caller: Context,
        function: crate::config::TrustedFunctionId,
        argument: u32,
    ) -> Result<Reply, Failure> {
        let Some(config) = self.config.trusted_functions.get(function.index()) else {
            return Err((Error::ServiceId, Object::None));
        };
        let app = self.app_of(caller);
        let allowed = app == config.app
            || config.callers & 1u64.checked_shl(app.index() as u32).unwrap_or(0) != 0;
        if !allowed || !self.config.apps[config.app.index()].trusted {
            return Err((Error::Access, Object::None));
        }
        Ok((config.entry)(argument) as Reply)
    }

    /// A service number no request has: E_OS_SERVICEID, reported like any error.
    pub fn unknown_service(&mut self) -> Error {
        self.report(ServiceId::Unknown, Error::ServiceId, Object::None)
    }

    /// The level the current context runs at: ISRs below it cannot interrupt.
    fn current_level(&self) -> Level {
        match self.current() {
            Some(Context::Isr(isr)) => self.isrs[isr.index()].level,
            Some(Context::Task(task)) => self.running_level(task),
            None => 0,
        }
    }

    /// After any event: what should execute now.
    #[inline]
    pub fn dispatch(&mut self) -> Dispatch {
        match (self.decided, self.current) {
            // A fast path decided already: the port is still on the previous context.
            (true, Some(Context::Task(task))) if self.prepared => self.take_prepared(task),
            // Nothing changed since the port carried out the last answer: it stands.
            (true, Some(_)) => Dispatch::Keep,
            (true, None) => Dispatch::Idle,
            (false, _) => self.decide(),
        }
    }

    /// The switch a fast path prepared to `task`, handed to the port once.
    #[inline(always)]
    fn take_prepared(&mut self, task: TaskId) -> Dispatch {
        self.prepared = false;
        Dispatch::Switch {
            to: Context::Task(task),
            fresh: self.take_fresh(task),
        }
    }

    /// The whole decision, kept out of line so the common answer above stays small.
    #[inline(never)]
    fn decide(&mut self) -> Dispatch {
        if let Some(error) = self.shutdown {
            return Dispatch::Shutdown(error);
        }
        self.decided = true;
        // A prepared switch the port has not carried out yet is a switch even to the same.
        let prepared = core::mem::take(&mut self.prepared);
        // Whatever lowered the level (a release, an end, a switch) may let a pending ISR in.
        self.accept_pending();
        let target = match self.current_isr() {
            Some(isr) => Some(Context::Isr(isr)),
            None => self.schedule_tasks().map(Context::Task),
        };
        if target == self.current && !prepared {
            return match target {
                Some(_) => Dispatch::Keep,
                None => Dispatch::Idle,
            };
        }
        self.current = target;
        match target {
            None => Dispatch::Idle,
            Some(Context::Isr(isr)) => {
                let control = &mut self.isrs[isr.index()];
                let fresh = !control.started;
                control.started = true;
                Dispatch::Switch {
                    to: Context::Isr(isr),
                    fresh,
                }
            }
            Some(Context::Task(task)) => Dispatch::Switch {
                to: Context::Task(task),
                fresh: self.take_fresh(task),
            },
        }
    }
}

/// What a service's inner function returns on failure: the code and the object it concerns.
type Failure = (Error, Object);
