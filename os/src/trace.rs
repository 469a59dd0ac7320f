//! The kernel's event trace: what ran when, in a form every port prints identically.
//!
//! Records go into a fixed ring that the port drains (at idle on the boards, after every
//! kernel call on the simulation). A full ring never overwrites: it counts what it had to drop
//! and the count is printed, so a lost record is visible, never silent.
//!
//! A record is a small value of numbers (object indices, codes), cheap to push on the
//! task-switch path. The simulation turns it into text itself ([`TraceRecord::write`]); the
//! boards print its numbers ([`TraceRecord::print_line`]) and the host turns those lines into
//! the same text with the description's names ([`TraceRecord::parse_line`], then `write`).

use core::fmt;

use ecu_policy::{Action, Reason};

use crate::config::{
    AlarmId, AppId, Config, CounterId, EventMask, IsrId, ResourceId, ScheduleTableId, TaskId,
};
use crate::error::{Error, ServiceId};
use crate::ipc::IpcConfig;

/// Who runs: a task or an ISR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    Task(TaskId),
    Isr(IsrId),
}

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
    /// An IPC request the policy allowed: who, what, on which endpoint and operation (indices
    /// into [`IpcConfig::endpoints`] and its operations; `u16::MAX`: none).
    Ipc {
        app: AppId,
        action: Action,
        endpoint: u16,
        operation: u16,
    },
    /// The running task `preempted` activated `activated`, which outranks it and runs at
    /// once: `activate`, `preempt` and `start` in one record (the ActivateTask fast path's;
    /// one push instead of three), written as those three lines.
    Preemption {
        activated: TaskId,
        preempted: TaskId,
    },
    /// An IPC call the policy allowed went straight to its suspended server task, which runs
    /// at once: `ipc-call`, `activate`, `wait` and `start` in one record (the call fast
    /// path's), written as those four lines.
    CallHandoff {
        app: AppId,
        endpoint: u16,
        operation: u16,
        server: TaskId,
        client: TaskId,
    },
    /// A server task answered and ended, and its waiting caller runs again at once:
    /// `release`, `terminate` and `resume` in one record (the reply fast path's), written as
    /// those three lines.
    ReplyHandback {
        client: TaskId,
        server: TaskId,
    },
    /// An IPC request denied (E_OS_ACCESS): counted and audited.
    IpcDenied {
        app: AppId,
        action: Action,
        endpoint: u16,
        operation: u16,
        reason: Reason,
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

/// Record kinds: the event's variant ([`TraceRecord::kind`]). A failed service is
/// `SERVICE_ERROR` plus its object's variant.
mod kind {
    pub const ACTIVATE: u8 = 0;
    pub const START: u8 = 1;
    pub const PREEMPT: u8 = 2;
    pub const RESUME: u8 = 3;
    pub const TERMINATE: u8 = 4;
    pub const WAIT: u8 = 5;
    pub const RELEASE: u8 = 6;
    pub const LOCK: u8 = 7;
    pub const UNLOCK: u8 = 8;
    pub const ISR_START: u8 = 9;
    pub const ISR_END: u8 = 10;
    pub const ISR_PENDING: u8 = 11;
    pub const ISR_OVERRUN: u8 = 12;
    pub const SHUTDOWN: u8 = 13;
    pub const PROTECTION: u8 = 14;
    pub const KILL: u8 = 15;
    pub const EXPIRY_POINT: u8 = 16;
    pub const APP_TERMINATED: u8 = 17;
    pub const ALARM_EXPIRED: u8 = 18;
    pub const IPC: u8 = 19;
    pub const IPC_DENIED: u8 = 20;
    pub const PREEMPTION: u8 = 21;
    pub const CALL_HANDOFF: u8 = 22;
    pub const REPLY_HANDBACK: u8 = 23;
    pub const SERVICE_ERROR: u8 = 32;
}

/// Object variants of a failed service's record (added to `kind::SERVICE_ERROR`).
mod object {
    pub const NONE: u8 = 0;
    pub const TASK: u8 = 1;
    pub const ALARM: u8 = 2;
    pub const COUNTER: u8 = 3;
    pub const RESOURCE: u8 = 4;
    pub const ISR: u8 = 5;
    pub const SCHEDULE_TABLE: u8 = 6;
    pub const EVENTS: u8 = 7;
    pub const CAN_FRAME: u8 = 8;
}

/// One traced event: the tick and the event as numbers, 16 bytes. A push stores these four
/// words; [`TraceRecord::event`] gives the event back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TraceRecord {
    /// Ticks of the system counter since StartOS.
    pub tick: u64,
    /// Which event ([`kind`]) and its three small operands (indices, codes), a byte each from
    /// the lowest: one word, one store.
    bytes: u32,
    /// Its one wide operand: an event mask, a CAN id, an endpoint and operation.
    word: u32,
}

/// A context as two bytes: its index and whether it is an ISR.
#[inline(always)]
fn context_bytes(context: Context) -> (u8, u8) {
    match context {
        Context::Task(t) => (t.index() as u8, 0),
        Context::Isr(i) => (i.index() as u8, 1),
    }
}

fn context_from(index: u8, isr: u8) -> Option<Context> {
    match isr {
        0 => Some(Context::Task(TaskId::new(index))),
        1 => Some(Context::Isr(IsrId::new(index))),
        _ => None,
    }
}

fn action_from(code: u8) -> Option<Action> {
    Some(match code {
        0 => Action::Call,
        1 => Action::Send,
        2 => Action::Receive,
        3 => Action::Transmit,
        _ => return None,
    })
}

fn reason_from(code: u8) -> Option<Reason> {
    Some(match code {
        0 => Reason::NoRule,
        1 => Reason::Malformed,
        2 => Reason::Denied,
        3 => Reason::NoCapability,
        4 => Reason::WrongState,
        5 => Reason::BadArgument,
        6 => Reason::RateLimited,
        7 => Reason::TooSoon,
        8 => Reason::OutsideWindow,
        9 => Reason::OutOfOrder,
        _ => return None,
    })
}

impl TraceRecord {
    /// The record of `event` at `tick`. Inlined: at a call site that names the event the
    /// choice of kind folds away and only the stores remain.
    #[inline(always)]
    pub fn new(tick: u64, event: TraceEvent) -> Self {
        let ids = |kind: u8, a: usize| (kind, a as u8, 0, 0, 0);
        let (kind, a, b, c, word) = match event {
            TraceEvent::Activate(t) => ids(kind::ACTIVATE, t.index()),
            TraceEvent::Start(t) => ids(kind::START, t.index()),
            TraceEvent::Preempt(t) => ids(kind::PREEMPT, t.index()),
            TraceEvent::Resume(t) => ids(kind::RESUME, t.index()),
            TraceEvent::Terminate(t) => ids(kind::TERMINATE, t.index()),
            TraceEvent::Wait(t) => ids(kind::WAIT, t.index()),
            TraceEvent::Release(t) => ids(kind::RELEASE, t.index()),
            TraceEvent::Lock(who, r) | TraceEvent::Unlock(who, r) => {
                let kind = match event {
                    TraceEvent::Lock(..) => kind::LOCK,
                    _ => kind::UNLOCK,
                };
                let (index, isr) = context_bytes(who);
                (kind, r.index() as u8, index, isr, 0)
            }
            TraceEvent::IsrStart(i) => ids(kind::ISR_START, i.index()),
            TraceEvent::IsrEnd(i) => ids(kind::ISR_END, i.index()),
            TraceEvent::IsrPending(i) => ids(kind::ISR_PENDING, i.index()),
            TraceEvent::IsrOverrun(i) => ids(kind::ISR_OVERRUN, i.index()),
            TraceEvent::Shutdown(e) => (kind::SHUTDOWN, e.map_or(0, Error::code), 0, 0, 0),
            TraceEvent::Protection(e, who) => {
                let (index, isr) = context_bytes(who);
                (kind::PROTECTION, e.code(), index, isr, 0)
            }
            TraceEvent::Kill(who) => {
                let (index, isr) = context_bytes(who);
                (kind::KILL, 0, index, isr, 0)
            }
            TraceEvent::ExpiryPoint(t, point) => (kind::EXPIRY_POINT, t.index() as u8, point, 0, 0),
            TraceEvent::AppTerminated(app, restart) => {
                (kind::APP_TERMINATED, app.index() as u8, restart as u8, 0, 0)
            }
            TraceEvent::AlarmExpired(a) => ids(kind::ALARM_EXPIRED, a.index()),
            TraceEvent::ServiceError {
                service,
                error,
                object,
            } => {
                let (variant, c, word) = match object {
                    Object::None => (object::NONE, 0, 0),
                    Object::Task(t) => (object::TASK, t.index() as u8, 0),
                    Object::Alarm(a) => (object::ALARM, a.index() as u8, 0),
                    Object::Counter(c) => (object::COUNTER, c.index() as u8, 0),
                    Object::Resource(r) => (object::RESOURCE, r.index() as u8, 0),
                    Object::Isr(i) => (object::ISR, i.index() as u8, 0),
                    Object::ScheduleTable(t) => (object::SCHEDULE_TABLE, t.index() as u8, 0),
                    Object::Events(mask) => (object::EVENTS, 0, mask),
                    Object::CanFrame(bus, id) => (object::CAN_FRAME, bus, id),
                };
                (
                    kind::SERVICE_ERROR + variant,
                    service as u8,
                    error.code(),
                    c,
                    word,
                )
            }
            TraceEvent::Ipc {
                app,
                action,
                endpoint,
                operation,
            } => (
                kind::IPC,
                app.index() as u8,
                action as u8,
                0,
                endpoint as u32 | (operation as u32) << 16,
            ),
            TraceEvent::Preemption {
                activated,
                preempted,
            } => (
                kind::PREEMPTION,
                activated.index() as u8,
                preempted.index() as u8,
                0,
                0,
            ),
            TraceEvent::CallHandoff {
                app,
                endpoint,
                operation,
                server,
                client,
            } => (
                kind::CALL_HANDOFF,
                server.index() as u8,
                client.index() as u8,
                app.index() as u8,
                endpoint as u32 | (operation as u32) << 16,
            ),
            TraceEvent::ReplyHandback { client, server } => (
                kind::REPLY_HANDBACK,
                client.index() as u8,
                server.index() as u8,
                0,
                0,
            ),
            TraceEvent::IpcDenied {
                app,
                action,
                endpoint,
                operation,
                reason,
            } => (
                kind::IPC_DENIED,
                app.index() as u8,
                action as u8,
                reason as u8,
                endpoint as u32 | (operation as u32) << 16,
            ),
        };
        Self {
            tick,
            bytes: u32::from_le_bytes([kind, a, b, c]),
            word,
        }
    }

    /// What the boards print: the kind, the three small operands and the wide one.
    pub fn fields(&self) -> [u32; 5] {
        let [kind, a, b, c] = self.bytes.to_le_bytes();
        [kind as u32, a as u32, b as u32, c as u32, self.word]
    }

    /// The inverse of `tick` and [`TraceRecord::fields`]; `None` if a field is out of range.
    pub fn from_fields(tick: u64, fields: [u32; 5]) -> Option<Self> {
        let byte = |i: usize| u8::try_from(fields[i]).ok();
        let record = Self {
            tick,
            bytes: u32::from_le_bytes([byte(0)?, byte(1)?, byte(2)?, byte(3)?]),
            word: fields[4],
        };
        record.event().map(|_| record)
    }

    /// Prints the line a board sends for the record: `@`, the tick, then the fields (kind,
    /// the three small operands, the wide one), in lower-case hex separated by spaces,
    /// trailing zero fields left out (`@1f 1 2`: tick 31, start of task 2). A handful of
    /// string writes, no formatting machinery: the boards carry no trace text.
    pub fn print_line(&self, out: &mut impl FnMut(&str)) {
        let fields = self.fields();
        let shown = fields
            .iter()
            .rposition(|&f| f != 0)
            .map_or(0, |last| last + 1);
        out("@");
        print_hex(self.tick, out);
        for &field in &fields[..shown] {
            out(" ");
            print_hex(field as u64, out);
        }
    }

    /// The record of a line [`TraceRecord::print_line`] printed (surrounding white space
    /// allowed); `None` for any other line.
    pub fn parse_line(line: &str) -> Option<Self> {
        let mut numbers = line.trim().strip_prefix('@')?.split(' ');
        let hex = |text: &str| u64::from_str_radix(text, 16).ok();
        let tick = hex(numbers.next()?)?;
        let mut fields = [0u32; 5];
        for field in &mut fields {
            match numbers.next() {
                Some(text) => *field = u32::try_from(hex(text)?).ok()?,
                None => break,
            }
        }
        if numbers.next().is_some() {
            return None;
        }
        Self::from_fields(tick, fields)
    }

    /// The event, `None` for a record no event gives (from a garbled line).
    pub fn event(&self) -> Option<TraceEvent> {
        let [kind, a, b, c] = self.bytes.to_le_bytes();
        let word = self.word;
        let task = TaskId::new(a);
        let isr = IsrId::new(a);
        let endpoint = word as u16;
        let operation = (word >> 16) as u16;
        Some(match kind {
            kind::ACTIVATE => TraceEvent::Activate(task),
            kind::START => TraceEvent::Start(task),
            kind::PREEMPT => TraceEvent::Preempt(task),
            kind::RESUME => TraceEvent::Resume(task),
            kind::TERMINATE => TraceEvent::Terminate(task),
            kind::WAIT => TraceEvent::Wait(task),
            kind::RELEASE => TraceEvent::Release(task),
            kind::LOCK => TraceEvent::Lock(context_from(b, c)?, ResourceId::new(a)),
            kind::UNLOCK => TraceEvent::Unlock(context_from(b, c)?, ResourceId::new(a)),
            kind::ISR_START => TraceEvent::IsrStart(isr),
            kind::ISR_END => TraceEvent::IsrEnd(isr),
            kind::ISR_PENDING => TraceEvent::IsrPending(isr),
            kind::ISR_OVERRUN => TraceEvent::IsrOverrun(isr),
            kind::SHUTDOWN => TraceEvent::Shutdown(match a {
                0 => None,
                code => Some(Error::from_code(code as u32)?),
            }),
            kind::PROTECTION => {
                TraceEvent::Protection(Error::from_code(a as u32)?, context_from(b, c)?)
            }
            kind::KILL => TraceEvent::Kill(context_from(b, c)?),
            kind::EXPIRY_POINT => TraceEvent::ExpiryPoint(ScheduleTableId::new(a), b),
            kind::APP_TERMINATED => TraceEvent::AppTerminated(AppId::new(a), b != 0),
            kind::ALARM_EXPIRED => TraceEvent::AlarmExpired(AlarmId::new(a)),
            kind::IPC => TraceEvent::Ipc {
                app: AppId::new(a),
                action: action_from(b)?,
                endpoint,
                operation,
            },
            kind::PREEMPTION => TraceEvent::Preemption {
                activated: task,
                preempted: TaskId::new(b),
            },
            kind::CALL_HANDOFF => TraceEvent::CallHandoff {
                app: AppId::new(c),
                endpoint,
                operation,
                server: task,
                client: TaskId::new(b),
            },
            kind::REPLY_HANDBACK => TraceEvent::ReplyHandback {
                client: task,
                server: TaskId::new(b),
            },
            kind::IPC_DENIED => TraceEvent::IpcDenied {
                app: AppId::new(a),
                action: action_from(b)?,
                endpoint,
                operation,
                reason: reason_from(c)?,
            },
            error_kind => TraceEvent::ServiceError {
                service: ServiceId::from_index(a)?,
                error: Error::from_code(b as u32)?,
                object: match error_kind.checked_sub(kind::SERVICE_ERROR)? {
                    object::NONE => Object::None,
                    object::TASK => Object::Task(TaskId::new(c)),
                    object::ALARM => Object::Alarm(AlarmId::new(c)),
                    object::COUNTER => Object::Counter(CounterId::new(c)),
                    object::RESOURCE => Object::Resource(ResourceId::new(c)),
                    object::ISR => Object::Isr(IsrId::new(c)),
                    object::SCHEDULE_TABLE => Object::ScheduleTable(ScheduleTableId::new(c)),
                    object::EVENTS => Object::Events(word),
                    object::CAN_FRAME => Object::CanFrame(c, word),
                    _ => return None,
                },
            },
        })
    }

    /// One line, without its newline: `<tick> <event> <object>`, with the objects' names.
    /// A record no event gives prints as `<tick> ?`.
    pub fn write(&self, names: &dyn TraceNames, out: &mut dyn fmt::Write) -> fmt::Result {
        let tick = self.tick;
        let Some(event) = self.event() else {
            return write!(out, "{tick:>8} ?");
        };
        let task = |id: TaskId| names.task(id.index()).unwrap_or("?");
        let resource = |id: ResourceId| names.resource(id.index()).unwrap_or("?");
        let isr = |id: IsrId| names.isr(id.index()).unwrap_or("?");
        let app = |id: AppId| names.app(id.index()).unwrap_or("?");
        let alarm = |id: AlarmId| names.alarm(id.index()).unwrap_or("?");
        let table = |id: ScheduleTableId| names.schedule_table(id.index()).unwrap_or("?");
        let context = |c: Context| match c {
            Context::Task(t) => task(t),
            Context::Isr(i) => isr(i),
        };
        // An endpoint the caller's table does not have, or an operation the endpoint does not
        // have, is `?`.
        let ipc = |endpoint: u16, operation: u16| match names.endpoint(endpoint as usize) {
            Some(e) => (
                e,
                names
                    .operation(endpoint as usize, operation as usize)
                    .unwrap_or("?"),
            ),
            None => ("?", "?"),
        };
        let (kind, name) = match event {
            TraceEvent::Activate(t) => ("activate", task(t)),
            TraceEvent::Start(t) => ("start", task(t)),
            TraceEvent::Preempt(t) => ("preempt", task(t)),
            TraceEvent::Resume(t) => ("resume", task(t)),
            TraceEvent::Terminate(t) => ("terminate", task(t)),
            TraceEvent::Wait(t) => ("wait", task(t)),
            TraceEvent::Release(t) => ("release", task(t)),
            TraceEvent::Lock(t, r) => {
                return write!(out, "{tick:>8} lock      {} {}", resource(r), context(t));
            }
            TraceEvent::Unlock(t, r) => {
                return write!(out, "{tick:>8} unlock    {} {}", resource(r), context(t));
            }
            TraceEvent::IsrStart(i) => ("isr", isr(i)),
            TraceEvent::IsrEnd(i) => ("isr-end", isr(i)),
            TraceEvent::IsrPending(i) => ("isr-wait", isr(i)),
            TraceEvent::IsrOverrun(i) => ("isr-lost", isr(i)),
            TraceEvent::Shutdown(e) => ("shutdown", e.map_or("E_OK", |e| e.name())),
            TraceEvent::Protection(e, c) => {
                return write!(out, "{tick:>8} protect   {} {}", e.name(), context(c));
            }
            TraceEvent::Kill(c) => ("kill", context(c)),
            TraceEvent::ExpiryPoint(t, point) => {
                return write!(out, "{tick:>8} expiry    {}[{point}]", table(t));
            }
            TraceEvent::AppTerminated(a, restart) => {
                (if restart { "restart" } else { "terminate-app" }, app(a))
            }
            TraceEvent::AlarmExpired(a) => ("alarm", alarm(a)),
            TraceEvent::ServiceError {
                service,
                error,
                object,
            } => {
                write!(out, "{tick:>8} error     {}(", service.name())?;
                match object {
                    Object::None => out.write_str("-")?,
                    Object::Task(t) => out.write_str(task(t))?,
                    Object::Resource(r) => out.write_str(resource(r))?,
                    Object::Alarm(a) => out.write_str(alarm(a))?,
                    Object::Counter(c) => out.write_str(names.counter(c.index()).unwrap_or("?"))?,
                    Object::Isr(i) => out.write_str(isr(i))?,
                    Object::ScheduleTable(t) => out.write_str(table(t))?,
                    Object::Events(mask) => write!(out, "{mask:#x}")?,
                    Object::CanFrame(bus, id) => write!(out, "bus{bus}:{id:#x}")?,
                }
                return write!(out, ") {}", error.name());
            }
            TraceEvent::Ipc {
                app: a,
                action,
                endpoint,
                operation,
            } => {
                return write_ipc(out, tick, action, app(a), ipc(endpoint, operation));
            }
            // Compound records: the lines of the records they stand for.
            TraceEvent::Preemption {
                activated,
                preempted,
            } => {
                let activated = task(activated);
                let lines = [("activate", activated), ("preempt", task(preempted))];
                return write_lines(out, tick, lines, ("start", activated));
            }
            TraceEvent::CallHandoff {
                app: a,
                endpoint,
                operation,
                server,
                client,
            } => {
                write_ipc(out, tick, Action::Call, app(a), ipc(endpoint, operation))?;
                out.write_str("\n")?;
                let server = task(server);
                let lines = [("activate", server), ("wait", task(client))];
                return write_lines(out, tick, lines, ("start", server));
            }
            TraceEvent::ReplyHandback { client, server } => {
                let client = task(client);
                let lines = [("release", client), ("terminate", task(server))];
                return write_lines(out, tick, lines, ("resume", client));
            }
            TraceEvent::IpcDenied {
                app: a,
                action,
                endpoint,
                operation,
                reason,
            } => {
                let (endpoint, operation) = ipc(endpoint, operation);
                return write!(
                    out,
                    "{tick:>8} ipc-deny  {} {} {endpoint}.{operation} {reason:?}",
                    app(a),
                    action_name(action)
                );
            }
        };
        write!(out, "{tick:>8} {kind:<9} {name}")
    }
}

/// An IPC request's line: who, what, on which endpoint and operation.
fn write_ipc(
    out: &mut dyn fmt::Write,
    tick: u64,
    action: Action,
    app: &str,
    (endpoint, operation): (&str, &str),
) -> fmt::Result {
    let action = action_name(action);
    write!(
        out,
        "{tick:>8} ipc-{action:<5} {app} {endpoint}.{operation}"
    )
}

/// Lines of `(kind, name)` as the plain records write them, `last` without a newline after it.
fn write_lines(
    out: &mut dyn fmt::Write,
    tick: u64,
    lines: [(&str, &str); 2],
    (kind, name): (&str, &str),
) -> fmt::Result {
    for (kind, name) in lines {
        writeln!(out, "{tick:>8} {kind:<9} {name}")?;
    }
    write!(out, "{tick:>8} {kind:<9} {name}")
}

/// `value` in hex without leading zeros, a digit per write.
fn print_hex(value: u64, out: &mut impl FnMut(&str)) {
    const DIGITS: [&str; 16] = [
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f",
    ];
    let mut shift = 60;
    while shift > 0 && value >> shift == 0 {
        shift -= 4;
    }
    loop {
        out(DIGITS[(value >> shift) as usize & 15]);
        if shift == 0 {
            return;
        }
        shift -= 4;
    }
}

fn action_name(action: Action) -> &'static str {
    match action {
        Action::Call => "call",
        Action::Send => "send",
        Action::Receive => "recv",
        Action::Transmit => "tx",
    }
}

/// The names a trace line shows, by index in the generated tables (`None`: no such object).
pub trait TraceNames {
    fn task(&self, index: usize) -> Option<&str>;
    fn isr(&self, index: usize) -> Option<&str>;
    fn resource(&self, index: usize) -> Option<&str>;
    fn alarm(&self, index: usize) -> Option<&str>;
    fn counter(&self, index: usize) -> Option<&str>;
    fn schedule_table(&self, index: usize) -> Option<&str>;
    fn app(&self, index: usize) -> Option<&str>;
    /// An IPC endpoint, by its index in [`IpcConfig::endpoints`].
    fn endpoint(&self, index: usize) -> Option<&str>;
    fn operation(&self, endpoint: usize, index: usize) -> Option<&str>;
}

/// The names of a kernel's own tables: its configuration and, when attached, its IPC tables.
#[derive(Clone, Copy)]
pub struct ConfigNames<'a> {
    pub config: &'a Config,
    pub ipc: Option<&'a IpcConfig>,
}

impl TraceNames for ConfigNames<'_> {
    fn task(&self, index: usize) -> Option<&str> {
        self.config.tasks.get(index).map(|t| t.name)
    }
    fn isr(&self, index: usize) -> Option<&str> {
        self.config.isrs.get(index).map(|i| i.name)
    }
    fn resource(&self, index: usize) -> Option<&str> {
        self.config.resources.get(index).map(|r| r.name)
    }
    fn alarm(&self, index: usize) -> Option<&str> {
        self.config.alarms.get(index).map(|a| a.name)
    }
    fn counter(&self, index: usize) -> Option<&str> {
        self.config.counters.get(index).map(|c| c.name)
    }
    fn schedule_table(&self, index: usize) -> Option<&str> {
        self.config.schedule_tables.get(index).map(|t| t.name)
    }
    fn app(&self, index: usize) -> Option<&str> {
        self.config.apps.get(index).map(|a| a.name)
    }
    fn endpoint(&self, index: usize) -> Option<&str> {
        self.ipc?.endpoints.get(index).map(|e| e.name)
    }
    fn operation(&self, endpoint: usize, index: usize) -> Option<&str> {
        let endpoint = self.ipc?.endpoints.get(endpoint)?;
        endpoint.operations.get(index).map(|o| o.name)
    }
}

/// Records the ring holds: a power of two, so a position is a mask away from its slot.
pub const TRACE_CAPACITY: usize = 128;
const SLOT_MASK: u32 = TRACE_CAPACITY as u32 - 1;

/// The ring: `read` and `written` count records ever taken and pushed (wrapping); their
/// difference is how many it holds.
pub struct TraceRing {
    records: [TraceRecord; TRACE_CAPACITY],
    read: u32,
    written: u32,
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
            records: [TraceRecord {
                tick: 0,
                bytes: 0,
                word: 0,
            }; TRACE_CAPACITY],
            read: 0,
            written: 0,
            lost: 0,
        }
    }

    #[inline(always)]
    pub fn push(&mut self, record: TraceRecord) {
        if self.written.wrapping_sub(self.read) == TRACE_CAPACITY as u32 {
            self.lost = self.lost.saturating_add(1);
            return;
        }
        self.records[(self.written & SLOT_MASK) as usize] = record;
        self.written = self.written.wrapping_add(1);
    }

    pub fn pop(&mut self) -> Option<TraceRecord> {
        if self.read == self.written {
            return None;
        }
        let record = self.records[(self.read & SLOT_MASK) as usize];
        self.read = self.read.wrapping_add(1);
        Some(record)
    }

    /// Records dropped because the ring was full, since the last call.
    pub fn take_lost(&mut self) -> u32 {
        core::mem::take(&mut self.lost)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::String;

    use super::*;

    /// Every event comes back from the numbers a board prints.
    #[test]
    fn records_round_trip_through_their_fields() {
        let task = TaskId::new(3);
        let isr = Context::Isr(IsrId::new(2));
        let events = [
            TraceEvent::Activate(task),
            TraceEvent::Start(task),
            TraceEvent::Preempt(task),
            TraceEvent::Resume(task),
            TraceEvent::Terminate(task),
            TraceEvent::Wait(task),
            TraceEvent::Release(task),
            TraceEvent::Lock(isr, ResourceId::new(1)),
            TraceEvent::Unlock(Context::Task(task), ResourceId::new(4)),
            TraceEvent::IsrStart(IsrId::new(0)),
            TraceEvent::IsrEnd(IsrId::new(1)),
            TraceEvent::IsrPending(IsrId::new(2)),
            TraceEvent::IsrOverrun(IsrId::new(3)),
            TraceEvent::Shutdown(None),
            TraceEvent::Shutdown(Some(Error::ProtectionMemory)),
            TraceEvent::Protection(Error::ProtectionTime, isr),
            TraceEvent::Kill(Context::Task(task)),
            TraceEvent::ExpiryPoint(ScheduleTableId::new(1), 7),
            TraceEvent::AppTerminated(AppId::new(2), true),
            TraceEvent::AlarmExpired(AlarmId::new(5)),
            TraceEvent::ServiceError {
                service: ServiceId::IpcReply,
                error: Error::Access,
                object: Object::CanFrame(2, 0x8000_0123),
            },
            TraceEvent::ServiceError {
                service: ServiceId::ActivateTask,
                error: Error::Limit,
                object: Object::Events(0xffff_0001),
            },
            TraceEvent::ServiceError {
                service: ServiceId::GetAlarm,
                error: Error::Id,
                object: Object::ScheduleTable(ScheduleTableId::new(9)),
            },
            TraceEvent::Ipc {
                app: AppId::new(1),
                action: Action::Send,
                endpoint: 3,
                operation: 1,
            },
            TraceEvent::IpcDenied {
                app: AppId::new(0),
                action: Action::Call,
                endpoint: u16::MAX,
                operation: 2,
                reason: Reason::OutOfOrder,
            },
            TraceEvent::Preemption {
                activated: TaskId::new(4),
                preempted: task,
            },
            TraceEvent::CallHandoff {
                app: AppId::new(2),
                endpoint: 1,
                operation: 3,
                server: TaskId::new(4),
                client: task,
            },
            TraceEvent::ReplyHandback {
                client: task,
                server: TaskId::new(4),
            },
        ];
        for event in events {
            let record = TraceRecord::new(1_000_000_007, event);
            let decoded = TraceRecord::from_fields(record.tick, record.fields());
            assert_eq!(decoded, Some(record), "{event:?}");
            assert_eq!(record.event(), Some(event));
        }
    }

    #[test]
    fn lines_round_trip() {
        let record = TraceRecord::new(
            0x1_0000_002a,
            TraceEvent::ServiceError {
                service: ServiceId::SetEvent,
                error: Error::Access,
                object: Object::Events(0x30),
            },
        );
        let mut line = String::new();
        record.print_line(&mut |s| line.push_str(s));
        assert_eq!(line, "@10000002a 27 6 1 0 30");
        assert_eq!(TraceRecord::parse_line(&line), Some(record));
        let start = TraceRecord::new(0, TraceEvent::Start(TaskId::new(0)));
        let mut line = String::new();
        start.print_line(&mut |s| line.push_str(s));
        assert_eq!(line, "@0 1");
        assert_eq!(TraceRecord::parse_line(" @0 1\r"), Some(start));
        for garbled in [
            "@",
            "@x 1",
            "@1 1 2 3 4 5 6",
            "@1 100",
            "1 1",
            "@1  1",
            "@1 1 1ffffffff",
        ] {
            assert_eq!(TraceRecord::parse_line(garbled), None, "{garbled}");
        }
    }

    #[test]
    fn garbled_fields_give_no_record() {
        assert_eq!(TraceRecord::from_fields(1, [256, 0, 0, 0, 0]), None);
        assert_eq!(TraceRecord::from_fields(1, [99, 0, 0, 0, 0]), None);
        // A lock by a context that is neither a task nor an ISR.
        assert_eq!(TraceRecord::from_fields(1, [7, 0, 0, 2, 0]), None);
        // A service error with an unknown error code.
        assert_eq!(TraceRecord::from_fields(1, [32, 0, 0, 0, 0]), None);
    }

    #[test]
    fn the_ring_keeps_order_and_counts_what_it_drops() {
        let mut ring = TraceRing::new();
        for round in 0..3u64 {
            for i in 0..TRACE_CAPACITY as u64 + 2 {
                ring.push(TraceRecord::new(i, TraceEvent::Activate(TaskId::new(0))));
            }
            assert_eq!(ring.take_lost(), 2, "round {round}");
            for i in 0..TRACE_CAPACITY as u64 {
                assert_eq!(ring.pop().map(|r| r.tick), Some(i));
            }
            assert_eq!(ring.pop(), None);
        }
    }
}
