//! Inter-partition calls and messages: resolve the caller's handle, check the argument words,
//! ask the policy engine, and only then deliver. Bounded: one handle lookup, at most
//! `MAX_ARGS` type checks, one verdict (bounded by the policy's shape), one queue operation.

use ecu_policy::{Action, Engine, Reason, Verdict, MAX_ARGS};

use super::{Failure, Kernel};
use crate::config::{AppId, Level, TaskId};
use crate::error::Error;
use crate::error::ServiceId;
use crate::ipc::{
    AuditQuery, CallSlot, CallState, EndpointKind, EntryCall, IpcConfig, QueueState, ServerHandler,
    BY_INTERFACE, NO_QUEUE, NO_TASK, REPLY_PENDING,
};
use crate::request::Reply;
use crate::trace::{Context, Object, TraceEvent};

/// The kernel's IPC state: tables, the policy engine and the queues.
pub struct Ipc {
    config: &'static IpcConfig,
    /// Also rules on CAN transmissions (`kernel/can.rs`).
    pub(super) engine: Engine<'static, 'static>,
    queues: &'static mut [QueueState],
    slots: &'static mut [u32],
    /// One per task: its own call, and as a server task its FIFO of callers.
    pub(super) calls: &'static mut [CallSlot],
    last_audit_time: u64,
}

/// Why [`Kernel::attach_ipc`] refused the storage or tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IpcMismatch {
    /// The policy's interfaces are not the endpoints.
    Endpoints,
    /// A handle table per OS-Application, no more.
    Handles,
    Queues,
    Slots,
    /// One call slot per task, no fewer.
    Calls,
    /// A server task that is not a task of the ECU, or not of its endpoint's OS-Application.
    ServerTask,
}

/// What [`Kernel::ipc_reply_terminate_direct`] did: the server's activation has ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirectAnswer {
    /// The answer goes into this caller's saved registers.
    Deliver(TaskId),
    /// Nobody took it (reported, as for IpcReply).
    NoTaker,
}

/// What one resolved request names.
struct Resolved {
    endpoint: u16,
    operation: u16,
    /// The server task of a client-server endpoint.
    server: Option<TaskId>,
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
    /// Gives the kernel its IPC tables, the policy engine and the queue storage (before
    /// StartOS). Without it every IPC service answers E_OS_SERVICEID.
    pub fn attach_ipc(
        &mut self,
        config: &'static IpcConfig,
        engine: Engine<'static, 'static>,
        queues: &'static mut [QueueState],
        slots: &'static mut [u32],
        calls: &'static mut [CallSlot],
    ) -> Result<(), IpcMismatch> {
        if engine.tables().plain_interfaces() != config.endpoints.len() {
            return Err(IpcMismatch::Endpoints);
        }
        if config.handles.len() > self.config.apps.len() {
            return Err(IpcMismatch::Handles);
        }
        if queues.len() < config.queues.len() {
            return Err(IpcMismatch::Queues);
        }
        let needed = config
            .queues
            .iter()
            .map(|q| q.first_slot as usize + q.slots())
            .max()
            .unwrap_or(0);
        if slots.len() < needed.max(config.slots) {
            return Err(IpcMismatch::Slots);
        }
        if calls.len() < TASKS {
            return Err(IpcMismatch::Calls);
        }
        let server_fits = config.endpoints.iter().all(|e| match e.kind {
            EndpointKind::Server { app, task } => self
                .config
                .tasks
                .get(task.index())
                .is_some_and(|t| t.app == app),
            EndpointKind::Data => true,
        });
        if !server_fits {
            return Err(IpcMismatch::ServerTask);
        }
        queues.fill(QueueState::NEW);
        calls.fill(CallSlot::NEW);
        self.ipc = Some(Ipc {
            config,
            engine,
            queues,
            slots,
            calls,
            last_audit_time: 0,
        });
        Ok(())
    }

    /// The policy engine, for host-side inspection (tests, the simulation's reports).
    pub fn policy_engine(&self) -> Option<&Engine<'static, 'static>> {
        self.ipc.as_ref().map(|ipc| &ipc.engine)
    }

    /// The IPC tables, when attached (the simulation names trace records' endpoints).
    pub fn ipc_config(&self) -> Option<&'static IpcConfig> {
        self.ipc.as_ref().map(|ipc| ipc.config)
    }

    /// A denial the kernel decides at the boundary (unknown handle or operation, a word
    /// outside its type): counted and audited by the engine like any other, as malformed.
    fn boundary_deny(
        &mut self,
        app: AppId,
        action: Action,
        endpoint: u16,
        operation: u16,
    ) -> Failure {
        let now = self.ticks;
        if let Some(ipc) = self.ipc.as_mut() {
            let request = ecu_policy::Request::call(app.index() as u8, endpoint, operation)
                .with_action(action);
            ipc.engine.deny_at_boundary(&request, now);
        }
        self.record(TraceEvent::IpcDenied {
            app,
            action,
            endpoint,
            operation,
            reason: Reason::Malformed,
        });
        (Error::Access, Object::None)
    }

    /// Handle → endpoint of the caller's own table, operation and argument checks, then the
    /// verdict. On allow, the endpoint and operation; on deny, E_OS_ACCESS (already counted,
    /// audited and traced).
    fn ipc_admit(
        &mut self,
        caller: Context,
        action: Action,
        handle: u16,
        operation: u16,
        args: [u32; MAX_ARGS],
    ) -> Result<Resolved, Failure> {
        let app = self.app_of(caller);
        let Some(ipc) = self.ipc.as_ref() else {
            return Err((Error::ServiceId, Object::None));
        };
        let config: &'static IpcConfig = ipc.config;
        // The caller's own table: a forged number names one of its own endpoints or none.
        let table = config.handles.get(app.index()).copied().unwrap_or(&[]);
        let handle = match handle & BY_INTERFACE {
            0 => handle,
            // Its own handle for that interface, if it holds one (a search of its own table).
            _ => table
                .iter()
                .position(|&endpoint| endpoint == handle & !BY_INTERFACE)
                .map_or(u16::MAX, |at| at as u16),
        };
        let resolved = table
            .get(handle as usize)
            .and_then(|&endpoint| Some((endpoint, config.endpoints.get(endpoint as usize)?)));
        let Some((endpoint, ep)) = resolved else {
            return Err(self.boundary_deny(app, action, u16::MAX, operation));
        };
        let kind_fits = match ep.kind {
            EndpointKind::Server { .. } => action == Action::Call,
            EndpointKind::Data => action != Action::Call,
        };
        let Some(op) = ep.operations.get(operation as usize).filter(|_| kind_fits) else {
            return Err(self.boundary_deny(app, action, endpoint, operation));
        };
        // The words are copies; each must be a value of its field's type, unused ones 0.
        let words_fit = args
            .iter()
            .enumerate()
            .all(|(at, &word)| match op.args.get(at) {
                Some(ty) => ty.admits(word),
                None => word == 0,
            });
        if !words_fit {
            return Err(self.boundary_deny(app, action, endpoint, operation));
        }
        if let EndpointKind::Server { app: server, .. } = ep.kind {
            if self.app_unavailable(server) {
                // A terminated or restarting server is out of reach (not a policy matter).
                return Err((Error::Access, Object::None));
            }
        }
        let now = self.ticks;
        let request = ecu_policy::Request::call(app.index() as u8, endpoint, operation)
            .with_action(action)
            .with_args(args)
            .with_handle(handle);
        let verdict = match self.ipc.as_mut() {
            Some(ipc) => ipc.engine.verdict(&request, now),
            None => return Err((Error::ServiceId, Object::None)),
        };
        match verdict {
            // Its record is the caller's to write (`allowed`): the call fast path writes it
            // as part of its own.
            Verdict::Allow => Ok(Resolved {
                endpoint,
                operation,
                server: match ep.kind {
                    EndpointKind::Server { task, .. } => Some(task),
                    EndpointKind::Data => None,
                },
            }),
            Verdict::Deny { reason, .. } => {
                self.record(TraceEvent::IpcDenied {
                    app,
                    action,
                    endpoint,
                    operation,
                    reason,
                });
                Err((Error::Access, Object::None))
            }
        }
    }

    /// The trace record of a request of `caller` the policy allowed.
    fn allowed(&mut self, caller: Context, action: Action, r: &Resolved) {
        self.record(TraceEvent::Ipc {
            app: self.app_of(caller),
            action,
            endpoint: r.endpoint,
            operation: r.operation,
        });
    }

    /// A synchronous call: on allow, the copied words are queued for the endpoint's server
    /// task (activated if it is suspended) and the caller waits until the server answers or
    /// ends; its stub collects the outcome with [`Kernel::ipc_take_reply`]. `stood`: the last
    /// decision stood when the call came in (the handoff to the server builds on it).
    pub(super) fn ipc_call(
        &mut self,
        caller: Context,
        handle: u16,
        operation: u16,
        args: [u32; MAX_ARGS],
        stood: bool,
    ) -> Result<Reply, Failure> {
        // Only a task can wait, and not while it holds a resource (the ceiling protocol
        // forbids it, as for WaitEvent). Checked before the verdict, which may move the
        // policy's state machines and rate counters.
        let Context::Task(client) = caller else {
            return Err((Error::CallLevel, Object::None));
        };
        if self.tasks[client.index()].held.is_some() {
            return Err((Error::Resource, Object::None));
        }
        let r = self.ipc_admit(caller, Action::Call, handle, operation, args)?;
        let handoff = match (stood, r.server) {
            (true, Some(server)) if server != client => self.handoff_level(client, server),
            _ => None,
        };
        if handoff.is_none() {
            self.allowed(caller, Action::Call, &r);
        }
        let Some(server) = r.server else {
            return Err((Error::ServiceId, Object::None));
        };
        // A server task calling its own interface would wait for itself.
        if client == server {
            return Err((Error::State, Object::Task(server)));
        }
        if handoff.is_none() && self.tasks[server.index()].queued.is_empty() {
            self.activate_task(server)
                .map_err(|e| (e, Object::Task(server)))?;
        }
        let Some(ipc) = self.ipc.as_mut() else {
            return Err((Error::ServiceId, Object::None));
        };
        ipc.calls[client.index()] = CallSlot {
            state: CallState::Queued,
            server: server.index() as u8,
            operation: r.operation,
            args,
            next: NO_TASK,
            ..ipc.calls[client.index()]
        };
        let tail = ipc.calls[server.index()].tail;
        match tail {
            NO_TASK => ipc.calls[server.index()].head = client.index() as u8,
            last => ipc.calls[last as usize].next = client.index() as u8,
        }
        ipc.calls[server.index()].tail = client.index() as u8;
        let control = &mut self.tasks[client.index()];
        control.waiting = true;
        // No event may end this wait: only the reply or the server's end.
        control.events_waited = 0;
        match handoff {
            Some(level) => self.hand_off(&r, client, server, level),
            None => {
                self.record(TraceEvent::Wait(client));
                self.inherit_callers(server);
            }
        }
        Ok(REPLY_PENDING)
    }

    /// Whether the call of the running task `client` may go straight to `server` (the call
    /// fast path), checked once the call is admitted and before anything changes: nothing
    /// masks or interrupts, no switch is prepared, the server task is suspended with no caller
    /// queued or served, and it would be the scheduler's choice at the level it inherits from
    /// its caller. That level, or `None`: the general path (activation, then `decide`).
    #[inline]
    fn handoff_level(&self, client: TaskId, server: TaskId) -> Option<Level> {
        if !self.undisturbed(client) {
            return None;
        }
        let config = self.config.tasks.get(server.index())?;
        let slot = self.ipc.as_ref()?.calls.get(server.index())?;
        let target = &self.tasks[server.index()];
        if !target.queued.is_empty()
            || target.started
            || config.activation_limit == 0
            || config.timing.time_frame_ns != 0
            || slot.head != NO_TASK
            || slot.serving != NO_TASK
        {
            return None;
        }
        // `inherit_callers` with the caller as the only one.
        let level = target.level.max(self.tasks[client.index()].level);
        self.chosen_at(level).then_some(level)
    }

    /// Where the IPC fast paths may decide themselves: `running` is what the port runs,
    /// nothing masks or interrupts, no switch is prepared, the system runs on.
    #[inline(always)]
    fn undisturbed(&self, running: TaskId) -> bool {
        #[cfg(test)]
        if !self.fast_paths {
            return false;
        }
        !self.prepared
            && !self.masking.any()
            && self.shutdown.is_none()
            && self.isr_depth == 0
            && self.current == Some(Context::Task(running))
    }

    /// Whether a task filed now at `level`, last of it, would be the scheduler's choice: every
    /// ready task is below it. (Levels above a byte share the ready queue's top bucket, ordered
    /// by stamp alone: left to the general path.)
    #[inline(always)]
    fn chosen_at(&self, level: Level) -> bool {
        level <= u8::MAX as Level
            && self
                .ready
                .highest()
                .is_none_or(|ready| self.tasks[ready].level < level)
    }

    /// The call fast path, once the call is queued and its caller waits: the server task's
    /// activation and the decision that starts it, ending in the state and trace that
    /// `activate_task`, `inherit_callers` and `decide` leave (the property tests compare
    /// them), without the ready queue. The next dispatch switches to it.
    fn hand_off(&mut self, call: &Resolved, client: TaskId, server: TaskId, level: Level) {
        self.activate_first(server);
        self.tasks[server.index()].level = level;
        // The call allowed, activate, wait and (deciding: the caller waits, the server is the
        // choice) start.
        self.record(TraceEvent::CallHandoff {
            app: self.app_of(Context::Task(client)),
            endpoint: call.endpoint,
            operation: call.operation,
            server,
            client,
        });
        self.switch_prepared(Some(client), server);
    }

    /// `decide`'s work where a fast path knows its answer and has traced it: `from` leaves
    /// the running state, `to` runs, and the next dispatch tells the port to switch to it.
    #[inline(always)]
    fn switch_prepared(&mut self, from: Option<TaskId>, to: TaskId) {
        self.rescheduling = false;
        self.leave_running(from);
        self.start_running(to);
        if let Some(hook) = self.config.hooks.pre_task {
            hook(to);
        }
        self.current = Some(Context::Task(to));
        self.decided = true;
        self.prepared = true;
    }

    /// The reply fast path (IpcReplyTerminate): where the running server task `server` answers
    /// a caller that waits for it, holds nothing, has no further activation or caller queued,
    /// and the caller would be the scheduler's choice, the answer, the end of the activation
    /// and the caller's resumption in one go, ending in the state and trace of `answer`,
    /// `terminate_running` and `decide` (the property tests compare them). The caller, or
    /// `None` with nothing changed: the general path.
    fn hand_back(&mut self, server: TaskId, value: u32, delivered: bool) -> Option<TaskId> {
        if !self.undisturbed(server) {
            return None;
        }
        let slot = *self.ipc.as_ref()?.calls.get(server.index())?;
        let client = TaskId::new(slot.serving);
        let waiting = self.tasks.get(client.index())?;
        let ending = &self.tasks[server.index()];
        if slot.head != NO_TASK
            || !waiting.waiting
            || !waiting.started
            || ending.held.is_some()
            || ending.queued.len() != 1
            || !self.chosen_at(waiting.level)
        {
            return None;
        }
        // answer and finish_call: the caller is released, last of its level.
        let ipc = self.ipc.as_mut()?;
        ipc.calls[server.index()].serving = NO_TASK;
        let call = &mut ipc.calls[client.index()];
        call.state = match delivered {
            true => CallState::Idle,
            false => CallState::Replied(value),
        };
        call.server = NO_TASK;
        let stamp = self.next_stamp;
        self.next_stamp += 1;
        let control = &mut self.tasks[client.index()];
        control.waiting = false;
        control.queued.restamp_oldest(stamp);
        // end_running: nothing held or masked, nothing queued behind this activation.
        let control = &mut self.tasks[server.index()];
        control.queued.pop();
        control.started = false;
        control.level = self.config.tasks[server.index()].priority as Level;
        // release, terminate and (deciding: the caller is the choice) resume.
        self.record(TraceEvent::ReplyHandback { client, server });
        if let Some(hook) = self.config.hooks.post_task {
            hook(server);
        }
        self.switch_prepared(None, client);
        Some(client)
    }

    /// Priority inheritance: a server task runs at least at the level of every caller that
    /// waits for it (queued or being served), so a task of middle priority cannot hold up a
    /// high-priority caller by preempting its server. The activation ends at the server's own
    /// priority again (`end_running`); the next one inherits from the callers then queued.
    /// A resource it holds meanwhile gives back no less at its release.
    fn inherit_callers(&mut self, server: TaskId) {
        // A server that waits in a call of its own passes what it inherited on to the server
        // it waits for, and so on along the chain (at most every task long: the configurator
        // refuses call cycles, the bound holds anyway).
        let mut server = server;
        for _ in 0..TASKS {
            if !self.inherit_direct_callers(server) {
                break;
            }
            let Some(call) = self.ipc.as_ref().map(|ipc| ipc.calls[server.index()]) else {
                break;
            };
            if !matches!(call.state, CallState::Queued | CallState::Serving)
                || call.server as usize >= TASKS
            {
                break;
            }
            server = TaskId::new(call.server);
        }
    }

    /// One link of `inherit_callers`: `server` raised to its callers' level; whether it rose.
    fn inherit_direct_callers(&mut self, server: TaskId) -> bool {
        let Some(ipc) = self.ipc.as_ref() else {
            return false;
        };
        let slot = &ipc.calls[server.index()];
        let mut callers = 0;
        let mut at = slot.head;
        let mut visited = 0;
        while at != NO_TASK && visited < TASKS {
            callers = callers.max(self.tasks[at as usize].level);
            at = ipc.calls[at as usize].next;
            visited += 1;
        }
        if let Some(control) = self.tasks.get(slot.serving as usize) {
            callers = callers.max(control.level);
        }
        // Releasing a resource restores the level the server had when it took it: no lower
        // than its callers' now, or a release would end the inheritance early.
        let mut held = self.tasks[server.index()].held;
        for _ in 0..RESOURCES {
            let Some(resource) = held else {
                break;
            };
            let state = &mut self.resources[resource.index()];
            state.saved_level = state.saved_level.max(callers);
            held = state.below;
        }
        let level = self.tasks[server.index()].level.max(callers);
        if level <= self.tasks[server.index()].level {
            return false;
        }
        self.tasks[server.index()].level = level;
        // Filed again under its new level, if it is in the ready queue.
        if self.ready.contains(server.index()) {
            self.ready.remove(server.index());
            self.refile(server);
        }
        self.decided = false;
        true
    }

    /// The caller of the IPC services a port serves on a path of its own: a task with
    /// interrupts unmasked. Anything else takes the whole service path ([`Kernel::service`]),
    /// which reports what is wrong.
    #[inline(always)]
    fn direct_caller(&self) -> Option<Context> {
        match self.current() {
            Some(caller @ Context::Task(_)) if !self.masking.any() => Some(caller),
            _ => None,
        }
    }

    /// IpcCall as [`Kernel::service`] serves it, for a port's own path of the service (no
    /// decoding of a [`Request`]): the same checks, outcome and error report. `None`: nothing
    /// done, the port takes the service path.
    pub fn ipc_call_service(
        &mut self,
        handle: u16,
        operation: u16,
        args: [u32; MAX_ARGS],
    ) -> Option<Result<Reply, Error>> {
        // Compiled out with IPC: the service path answers E_OS_SERVICEID.
        if !cfg!(feature = "ipc") {
            return None;
        }
        let caller = self.direct_caller()?;
        let stood = core::mem::replace(&mut self.decided, false);
        let result = self.ipc_call(caller, handle, operation, args, stood);
        Some(result.map_err(|(error, object)| self.report(ServiceId::IpcCall, error, object)))
    }

    /// IpcReplyTerminate as [`Kernel::service`] serves it, for a port that puts the answer
    /// into the caller's saved registers itself (the caller's call is over at once, nothing
    /// is left to collect). `None`: nothing done, the port takes the service path.
    pub fn ipc_reply_terminate_direct(&mut self, value: u32) -> Option<DirectAnswer> {
        if !cfg!(feature = "ipc") {
            return None;
        }
        let caller = self.direct_caller()?;
        let stood = core::mem::replace(&mut self.decided, false);
        Some(match self.reply_and_terminate(caller, value, true, stood) {
            Some(client) => DirectAnswer::Deliver(client),
            None => DirectAnswer::NoTaker,
        })
    }

    /// The handler of the endpoint `task` serves, if a port may start `task` with its call
    /// as entry arguments ([`Kernel::ipc_entry_call`]).
    pub fn ipc_handler(&self, task: TaskId) -> Option<ServerHandler> {
        if !cfg!(feature = "ipc") {
            return None;
        }
        let ipc = self.ipc.as_ref()?;
        ipc.config.endpoints.iter().find_map(|e| match e.kind {
            EndpointKind::Server { task: t, .. } if t == task => e.handler,
            _ => None,
        })
    }

    /// For a port starting a fresh activation of server task `task` (one with an
    /// [`Kernel::ipc_handler`]): takes the oldest call queued for it, as `IpcAccept` would,
    /// into `call`, for the handler to run with. `false` (nothing taken) when none is queued:
    /// the port then starts the task's body, which finds none itself.
    pub fn ipc_entry_call(&mut self, task: TaskId, call: &mut EntryCall) -> bool {
        cfg!(feature = "ipc") && self.accept_oldest(task, call).is_ok()
    }

    /// The outcome of the caller's call: the reply, or E_OS_STATE when its server ended
    /// without one; E_OS_NOFUNC when it has no answered call.
    pub(super) fn ipc_take_reply(&mut self, caller: Context) -> Result<Reply, Failure> {
        let Context::Task(task) = caller else {
            return Err((Error::CallLevel, Object::None));
        };
        let Some(slot) = self
            .ipc
            .as_mut()
            .and_then(|i| i.calls.get_mut(task.index()))
        else {
            return Err((Error::ServiceId, Object::None));
        };
        match slot.state {
            CallState::Replied(value) => {
                slot.state = CallState::Idle;
                Ok(value as Reply)
            }
            CallState::Failed(error) => {
                slot.state = CallState::Idle;
                Err((error, Object::None))
            }
            _ => Err((Error::NoFunc, Object::None)),
        }
    }

    /// The server task the caller is, if it serves an endpoint.
    fn serving_task(&self, caller: Context) -> Option<TaskId> {
        let Context::Task(task) = caller else {
            return None;
        };
        let ipc = self.ipc.as_ref()?;
        ipc.config
            .endpoints
            .iter()
            .any(|e| matches!(e.kind, EndpointKind::Server { task: t, .. } if t == task))
            .then_some(task)
    }

    /// Server task: takes the oldest queued call (`operation | word 0 << 32`).
    pub(super) fn ipc_accept(&mut self, caller: Context) -> Result<Reply, Failure> {
        let server = self
            .serving_task(caller)
            .ok_or((Error::Access, Object::None))?;
        let mut call = EntryCall::default();
        self.accept_oldest(server, &mut call)?;
        Ok(call.operation as Reply | (call.args[0] as Reply) << 32)
    }

    /// Moves the oldest call queued for `server` to its serving place, its operation and
    /// words into `taken`.
    #[inline]
    fn accept_oldest(&mut self, server: TaskId, taken: &mut EntryCall) -> Result<(), Failure> {
        let Some(ipc) = self.ipc.as_mut() else {
            return Err((Error::ServiceId, Object::None));
        };
        let slot = &ipc.calls[server.index()];
        if slot.serving != NO_TASK {
            // One call at a time: answer the one taken first.
            return Err((Error::State, Object::None));
        }
        let client = slot.head;
        let Some(call) = ipc.calls.get_mut(client as usize) else {
            return Err((Error::NoFunc, Object::None));
        };
        call.state = CallState::Serving;
        let next = core::mem::replace(&mut call.next, NO_TASK);
        taken.operation = call.operation as u32;
        taken.args = call.args;
        let slot = &mut ipc.calls[server.index()];
        slot.head = next;
        if next == NO_TASK {
            slot.tail = NO_TASK;
        }
        slot.serving = client;
        Ok(())
    }

    /// Server task: words `from` and `from + 1` of the call it serves.
    pub(super) fn ipc_args(&mut self, caller: Context, from: u8) -> Result<Reply, Failure> {
        let server = self
            .serving_task(caller)
            .ok_or((Error::Access, Object::None))?;
        let Some(ipc) = self.ipc.as_ref() else {
            return Err((Error::ServiceId, Object::None));
        };
        let client = ipc.calls[server.index()].serving;
        let args = ipc
            .calls
            .get(client as usize)
            .ok_or((Error::NoFunc, Object::None))?
            .args;
        let word = |i: usize| args.get(i).copied().unwrap_or(0) as Reply;
        Ok(word(from as usize) | word(from as usize + 1) << 32)
    }

    /// Server task: answers the call it serves; the caller is released.
    pub(super) fn ipc_reply(&mut self, caller: Context, value: u32) -> Result<Reply, Failure> {
        self.answer(caller, value, false).map(|_| 0)
    }

    /// The answer to the call `caller` serves, left for the caller's `IpcTakeReply`, or
    /// `delivered` by the port into its registers: the caller.
    fn answer(&mut self, caller: Context, value: u32, delivered: bool) -> Result<TaskId, Failure> {
        let Context::Task(server) = caller else {
            return Err((Error::Access, Object::None));
        };
        let Some(ipc) = self.ipc.as_mut() else {
            return Err((Error::ServiceId, Object::None));
        };
        // Only a server task ever has a call taken, so the endpoints are searched only to
        // tell why there is nothing to answer.
        let client = ipc.calls.get_mut(server.index()).map_or(NO_TASK, |slot| {
            core::mem::replace(&mut slot.serving, NO_TASK)
        });
        if client == NO_TASK {
            return Err(match self.serving_task(caller) {
                None => (Error::Access, Object::None),
                // Nothing taken, or the caller was killed meanwhile: the answer has no taker.
                Some(_) => (Error::NoFunc, Object::None),
            });
        }
        let outcome = if delivered {
            CallState::Idle
        } else {
            CallState::Replied(value)
        };
        self.finish_call(TaskId::new(client), outcome);
        Ok(TaskId::new(client))
    }

    /// Server task: answers, then its activation ends as by TerminateTask (whatever the
    /// answer's outcome: the generated body would end next anyway).
    pub(super) fn ipc_reply_terminate(
        &mut self,
        caller: Context,
        value: u32,
        stood: bool,
    ) -> Result<Reply, Failure> {
        let Context::Task(_) = caller else {
            return Err((Error::CallLevel, Object::None));
        };
        self.reply_and_terminate(caller, value, false, stood);
        Ok(0)
    }

    /// The answer (`delivered` as in [`Kernel::answer`]), then the end of the activation: the
    /// caller answered, if any. `stood` as in [`Kernel::ipc_call`].
    fn reply_and_terminate(
        &mut self,
        caller: Context,
        value: u32,
        delivered: bool,
        stood: bool,
    ) -> Option<TaskId> {
        if let (true, Context::Task(server)) = (stood, caller) {
            if let Some(client) = self.hand_back(server, value, delivered) {
                return Some(client);
            }
        }
        // An answer without a taker is reported while the server still runs, so the trace
        // reads in order; nobody is left to see a return value.
        let answered = match self.answer(caller, value, delivered) {
            Ok(client) => Some(client),
            Err((error, object)) => {
                self.report(ServiceId::IpcReply, error, object);
                None
            }
        };
        // Ends the current activation: its errors (resources still held) are traced.
        let _ = self.terminate_running();
        answered
    }

    /// Ends `client`'s call with `outcome` and makes it ready again (last of its priority).
    fn finish_call(&mut self, client: TaskId, outcome: CallState) {
        if let Some(ipc) = self.ipc.as_mut() {
            ipc.calls[client.index()].state = outcome;
            ipc.calls[client.index()].server = NO_TASK;
        }
        let stamp = self.next_stamp;
        let control = &mut self.tasks[client.index()];
        if control.waiting {
            control.waiting = false;
            control.queued.restamp_oldest(stamp);
            self.next_stamp += 1;
            self.refile(client);
            self.record(TraceEvent::Release(client));
        }
        self.decided = false;
    }

    /// A task's activation ended (`killed`: by force). As a server task, the call it was
    /// serving fails (E_OS_STATE); if killed, every call queued for it fails too, otherwise
    /// it is activated again for the next. As a caller, its call leaves its server's FIFO
    /// (a call being served is dropped: the server's reply finds no taker).
    pub(super) fn ipc_task_ended(&mut self, task: TaskId, killed: bool) {
        let Some(ipc) = self.ipc.as_mut() else {
            return;
        };
        let Some(&slot) = ipc.calls.get(task.index()) else {
            return;
        };
        // As a caller.
        match slot.state {
            CallState::Queued if killed => {
                let server = slot.server as usize;
                let mut previous = NO_TASK;
                let mut at = ipc.calls[server].head;
                // The FIFO holds each task once, so this visits at most TASKS slots.
                while at != NO_TASK && at as usize != task.index() {
                    previous = at;
                    at = ipc.calls[at as usize].next;
                }
                match previous {
                    NO_TASK => ipc.calls[server].head = slot.next,
                    p => ipc.calls[p as usize].next = slot.next,
                }
                if ipc.calls[server].tail as usize == task.index() {
                    ipc.calls[server].tail = previous;
                }
                ipc.calls[task.index()] = CallSlot {
                    head: slot.head,
                    tail: slot.tail,
                    serving: slot.serving,
                    ..CallSlot::NEW
                };
            }
            CallState::Serving if killed => {
                ipc.calls[slot.server as usize].serving = NO_TASK;
                ipc.calls[task.index()].state = CallState::Idle;
            }
            // An answer nobody will collect.
            CallState::Replied(_) | CallState::Failed(_) if killed => {
                ipc.calls[task.index()].state = CallState::Idle;
            }
            _ => {}
        }
        // As a server task.
        if slot.serving != NO_TASK {
            ipc.calls[task.index()].serving = NO_TASK;
            self.finish_call(TaskId::new(slot.serving), CallState::Failed(Error::State));
        }
        let Some(ipc) = self.ipc.as_mut() else {
            return;
        };
        if ipc.calls[task.index()].head == NO_TASK {
            return;
        }
        // The next caller's turn: a fresh activation, with a fresh budget. If the server task
        // was killed, or cannot be activated (its time frame), nobody would serve the queue.
        let served_on = !killed
            && (!self.tasks[task.index()].queued.is_empty() || self.activate_task(task).is_ok());
        if served_on {
            self.inherit_callers(task);
        } else {
            while let Some(client) = self.pop_caller(task) {
                self.finish_call(client, CallState::Failed(Error::State));
            }
        }
    }

    fn pop_caller(&mut self, server: TaskId) -> Option<TaskId> {
        let ipc = self.ipc.as_mut()?;
        let head = ipc.calls[server.index()].head;
        if head == NO_TASK {
            return None;
        }
        let next = core::mem::replace(&mut ipc.calls[head as usize].next, NO_TASK);
        ipc.calls[server.index()].head = next;
        if next == NO_TASK {
            ipc.calls[server.index()].tail = NO_TASK;
        }
        Some(TaskId::new(head))
    }

    fn queue_of(&self, endpoint: u16, operation: u16) -> Option<usize> {
        let ipc = self.ipc.as_ref()?;
        let q = ipc
            .config
            .endpoints
            .get(endpoint as usize)?
            .operations
            .get(operation as usize)?
            .queue;
        (q != NO_QUEUE && (q as usize) < ipc.config.queues.len()).then_some(q as usize)
    }

    /// An asynchronous message: queued (E_OS_LIMIT when full, counted) or last-is-best.
    pub(super) fn ipc_send(
        &mut self,
        caller: Context,
        handle: u16,
        element: u16,
        value: u32,
    ) -> Result<Reply, Failure> {
        let r = self.ipc_admit(caller, Action::Send, handle, element, [value, 0, 0, 0])?;
        self.allowed(caller, Action::Send, &r);
        let Some(q) = self.queue_of(r.endpoint, r.operation) else {
            return Err((Error::ServiceId, Object::None));
        };
        let Some(ipc) = self.ipc.as_mut() else {
            return Err((Error::ServiceId, Object::None));
        };
        let qc = ipc.config.queues[q];
        let state = &mut ipc.queues[q];
        if qc.capacity == 0 {
            ipc.slots[qc.first_slot as usize] = value;
            state.len = 1;
            return Ok(0);
        }
        if state.len >= qc.capacity {
            state.overflows = state.overflows.saturating_add(1);
            return Err((Error::Limit, Object::None));
        }
        let at = (state.head as usize + state.len as usize) % qc.capacity as usize;
        ipc.slots[qc.first_slot as usize + at] = value;
        state.len += 1;
        Ok(0)
    }

    /// Receives the oldest queued message (or the last value): E_OS_NOFUNC when none.
    pub(super) fn ipc_receive(
        &mut self,
        caller: Context,
        handle: u16,
        element: u16,
    ) -> Result<Reply, Failure> {
        let r = self.ipc_admit(caller, Action::Receive, handle, element, [0; MAX_ARGS])?;
        self.allowed(caller, Action::Receive, &r);
        let Some(q) = self.queue_of(r.endpoint, r.operation) else {
            return Err((Error::ServiceId, Object::None));
        };
        let Some(ipc) = self.ipc.as_mut() else {
            return Err((Error::ServiceId, Object::None));
        };
        let qc = ipc.config.queues[q];
        let state = &mut ipc.queues[q];
        if state.len == 0 {
            return Err((Error::NoFunc, Object::None));
        }
        if qc.capacity == 0 {
            return Ok(ipc.slots[qc.first_slot as usize] as Reply);
        }
        let value = ipc.slots[qc.first_slot as usize + state.head as usize];
        state.head = ((state.head as usize + 1) % qc.capacity as usize) as u16;
        state.len -= 1;
        Ok(value as Reply)
    }

    /// The audit ring and the counters: trusted OS-Applications only (E_OS_ACCESS).
    pub(super) fn audit_read(
        &mut self,
        caller: Context,
        query: AuditQuery,
        index: u16,
    ) -> Result<Reply, Failure> {
        let app = self.app_of(caller);
        if !self.config.apps.get(app.index()).is_some_and(|a| a.trusted) {
            return Err((Error::Access, Object::None));
        }
        let Some(ipc) = self.ipc.as_mut() else {
            return Err((Error::ServiceId, Object::None));
        };
        let queue = |ipc: &Ipc| {
            ipc.queues
                .get(index as usize)
                .filter(|_| (index as usize) < ipc.config.queues.len())
                .copied()
                .ok_or((Error::Id, Object::None))
        };
        Ok(match query {
            AuditQuery::Pop => match ipc.engine.audit_pop() {
                Some(record) => {
                    ipc.last_audit_time = record.time;
                    crate::ipc::pack_audit(&record)
                }
                // Not an error: an empty ring is the normal end of a read.
                None => crate::ipc::AUDIT_EMPTY,
            },
            AuditQuery::LastTime => ipc.last_audit_time,
            AuditQuery::TakeLost => ipc.engine.take_audit_lost() as Reply,
            AuditQuery::DefaultDenies => ipc.engine.default_denies() as Reply,
            AuditQuery::MalformedDenies => ipc.engine.malformed_denies() as Reply,
            AuditQuery::RuleDenies => {
                if index as usize >= ipc.engine.tables().rules.len() {
                    return Err((Error::Id, Object::None));
                }
                ipc.engine.deny_count(index) as Reply
            }
            AuditQuery::QueueOverflows => queue(ipc)?.overflows as Reply,
            AuditQuery::QueueLength => queue(ipc)?.len as Reply,
        })
    }
}
