//! The kernel's event trace: what ran when, in a form every port prints identically.
//!
//! Records go into a fixed ring that the port drains (at idle on the boards, after every
//! kernel call on the simulation). A full ring never overwrites: it counts what it had to drop
//! and the count is printed, so a lost record is visible, never silent.

use core::fmt;

use crate::config::{
    AlarmId, AppId, Config, CounterId, EventMask, IsrId, ResourceId, ScheduleTableId, TaskId,
};

/// Who runs: a task or an ISR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    Task(TaskId),
    Isr(IsrId),
}
use crate::error::{Error, ServiceId};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceEvent {
    Activate(TaskId),
    Start(TaskId),
    Preempt(TaskId),
    Resume(TaskId),
    Terminate(TaskId),
    /// WaitEvent blocked the task.
    Wait(TaskId),
    /// SetEvent released a waiting task: it is ready again.
    Release(TaskId),
    Lock(Context, ResourceId),
    Unlock(Context, ResourceId),
    /// An ISR starts (its interrupt was accepted).
    IsrStart(IsrId),
    IsrEnd(IsrId),
    /// An interrupt came while its ISR could not run (masked or below the current level): it
    /// is pending.
    IsrPending(IsrId),
    /// An interrupt came while its ISR was already pending: one request is lost, and said so.
    IsrOverrun(IsrId),
    Shutdown(Option<Error>),
    /// A protection error: what, and who caused it.
    Protection(Error, Context),
    /// The kernel ended a task or ISR by force (a protection reaction).
    Kill(Context),
    /// A schedule table reached an expiry point (by index).
    ExpiryPoint(ScheduleTableId, u8),
    /// An OS-Application was terminated (and restarted, if so).
    AppTerminated(AppId, bool),
    AlarmExpired(AlarmId),
    /// A service failed: what the error hook is told.
    ServiceError {
        service: ServiceId,
        error: Error,
        object: Object,
    },
    /// An IPC request the policy allowed: who, what, on which endpoint and operation.
    Ipc {
        app: AppId,
        action: ecu_policy::Action,
        endpoint: &'static str,
        operation: &'static str,
    },
    /// An IPC request denied (E_OS_ACCESS): counted and audited.
    IpcDenied {
        app: AppId,
        action: ecu_policy::Action,
        endpoint: &'static str,
        operation: &'static str,
        reason: ecu_policy::Reason,
    },
}

/// The object a failed service was about (the error hook's first parameter).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Object {
    None,
    Task(TaskId),
    Alarm(AlarmId),
    Counter(CounterId),
    Resource(ResourceId),
    Isr(IsrId),
    ScheduleTable(ScheduleTableId),
    Events(EventMask),
    /// A CAN frame: the bus index and the id (`CanId::to_bits`).
    CanFrame(u8, u32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceRecord {
    /// Ticks of the system counter since StartOS.
    pub tick: u64,
    /// The port's clock when it happened (0 on ports that do not tell the kernel the time).
    pub time_ns: u64,
    pub event: TraceEvent,
}

impl TraceRecord {
    /// One line, without its newline: `<tick> <event> <object>`.
    pub fn write(&self, config: &Config, out: &mut dyn fmt::Write) -> fmt::Result {
        let task = |id: TaskId| config.tasks.get(id.index()).map_or("?", |t| t.name);
        let resource = |id: ResourceId| config.resources.get(id.index()).map_or("?", |r| r.name);
        let isr = |id: IsrId| config.isrs.get(id.index()).map_or("?", |i| i.name);
        let context = |c: Context| match c {
            Context::Task(t) => task(t),
            Context::Isr(i) => isr(i),
        };
        let (kind, name) = match self.event {
            TraceEvent::Activate(t) => ("activate", task(t)),
            TraceEvent::Start(t) => ("start", task(t)),
            TraceEvent::Preempt(t) => ("preempt", task(t)),
            TraceEvent::Resume(t) => ("resume", task(t)),
            TraceEvent::Terminate(t) => ("terminate", task(t)),
            TraceEvent::Wait(t) => ("wait", task(t)),
            TraceEvent::Release(t) => ("release", task(t)),
            TraceEvent::Lock(t, r) => {
                return write!(
                    out,
                    "{:>8} lock      {} {}",
                    self.tick,
                    resource(r),
                    context(t)
                );
            }
            TraceEvent::Unlock(t, r) => {
                return write!(
                    out,
                    "{:>8} unlock    {} {}",
                    self.tick,
                    resource(r),
                    context(t)
                );
            }
            TraceEvent::IsrStart(i) => ("isr", isr(i)),
            TraceEvent::IsrEnd(i) => ("isr-end", isr(i)),
            TraceEvent::IsrPending(i) => ("isr-wait", isr(i)),
            TraceEvent::IsrOverrun(i) => ("isr-lost", isr(i)),
            TraceEvent::Shutdown(e) => ("shutdown", e.map_or("E_OK", |e| e.name())),
            TraceEvent::Protection(e, c) => {
                return write!(
                    out,
                    "{:>8} protect   {} {}",
                    self.tick,
                    e.name(),
                    context(c)
                );
            }
            TraceEvent::Kill(c) => ("kill", context(c)),
            TraceEvent::ExpiryPoint(t, point) => {
                let name = config
                    .schedule_tables
                    .get(t.index())
                    .map_or("?", |t| t.name);
                return write!(out, "{:>8} expiry    {name}[{point}]", self.tick);
            }
            TraceEvent::AppTerminated(app, restart) => (
                if restart { "restart" } else { "terminate-app" },
                config.apps.get(app.index()).map_or("?", |a| a.name),
            ),
            TraceEvent::AlarmExpired(a) => (
                "alarm",
                config.alarms.get(a.index()).map_or("?", |a| a.name),
            ),
            TraceEvent::ServiceError {
                service,
                error,
                object,
            } => {
                write!(out, "{:>8} error     {}(", self.tick, service.name())?;
                match object {
                    Object::None => out.write_str("-")?,
                    Object::Task(t) => out.write_str(task(t))?,
                    Object::Resource(r) => out.write_str(resource(r))?,
                    Object::Alarm(a) => {
                        out.write_str(config.alarms.get(a.index()).map_or("?", |a| a.name))?
                    }
                    Object::Counter(c) => {
                        out.write_str(config.counters.get(c.index()).map_or("?", |c| c.name))?
                    }
                    Object::Isr(i) => out.write_str(isr(i))?,
                    Object::ScheduleTable(t) => out.write_str(
                        config
                            .schedule_tables
                            .get(t.index())
                            .map_or("?", |t| t.name),
                    )?,
                    Object::Events(mask) => write!(out, "{mask:#x}")?,
                    Object::CanFrame(bus, id) => write!(out, "bus{bus}:{id:#x}")?,
                }
                return write!(out, ") {}", error.name());
            }
            TraceEvent::Ipc {
                app,
                action,
                endpoint,
                operation,
            } => {
                let app = config.apps.get(app.index()).map_or("?", |a| a.name);
                return write!(
                    out,
                    "{:>8} ipc-{:<5} {app} {endpoint}.{operation}",
                    self.tick,
                    action_name(action)
                );
            }
            TraceEvent::IpcDenied {
                app,
                action,
                endpoint,
                operation,
                reason,
            } => {
                let app = config.apps.get(app.index()).map_or("?", |a| a.name);
                return write!(
                    out,
                    "{:>8} ipc-deny  {app} {} {endpoint}.{operation} {reason:?}",
                    self.tick,
                    action_name(action)
                );
            }
        };
        write!(out, "{:>8} {:<9} {}", self.tick, kind, name)
    }
}

fn action_name(action: ecu_policy::Action) -> &'static str {
    match action {
        ecu_policy::Action::Call => "call",
        ecu_policy::Action::Send => "send",
        ecu_policy::Action::Receive => "recv",
        ecu_policy::Action::Transmit => "tx",
    }
}

pub const TRACE_CAPACITY: usize = 128;

pub struct TraceRing {
    records: [Option<TraceRecord>; TRACE_CAPACITY],
    head: usize,
    len: usize,
    lost: u32,
}

impl Default for TraceRing {
    fn default() -> Self {
        Self::new()
    }
}

impl TraceRing {
    pub const fn new() -> Self {
        Self {
            records: [None; TRACE_CAPACITY],
            head: 0,
            len: 0,
            lost: 0,
        }
    }

    pub fn push(&mut self, record: TraceRecord) {
        if self.len == TRACE_CAPACITY {
            self.lost = self.lost.saturating_add(1);
            return;
        }
        self.records[(self.head + self.len) % TRACE_CAPACITY] = Some(record);
        self.len += 1;
    }

    pub fn pop(&mut self) -> Option<TraceRecord> {
        if self.len == 0 {
            return None;
        }
        let record = self.records[self.head].take();
        self.head = (self.head + 1) % TRACE_CAPACITY;
        self.len -= 1;
        record
    }

    /// Records dropped because the ring was full, since the last call.
    pub fn take_lost(&mut self) -> u32 {
        core::mem::take(&mut self.lost)
    }
}
