//! Inter-partition calls and messages: resolve the caller's handle, check the argument words,
//! ask the policy engine, and only then deliver. Bounded: one handle lookup, at most
//! `MAX_ARGS` type checks, one verdict (bounded by the policy's shape), one queue operation.

use ecu_policy::{Action, Engine, Reason, Verdict, MAX_ARGS};

use super::{Failure, Kernel};
use crate::config::AppId;
use crate::error::Error;
use crate::ipc::{AuditQuery, EndpointKind, IpcConfig, QueueState, NO_QUEUE};
use crate::request::Reply;
use crate::trace::{Context, Object, TraceEvent};

/// The kernel's IPC state: tables, the policy engine and the queues.
pub struct Ipc {
    config: &'static IpcConfig,
    /// Also rules on CAN transmissions (`kernel/can.rs`).
    pub(super) engine: Engine<'static, 'static>,
    queues: &'static mut [QueueState],
    slots: &'static mut [u32],
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
}

/// What one resolved request names.
struct Resolved {
    app: AppId,
    endpoint: u16,
    operation: u16,
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
        queues.fill(QueueState::NEW);
        self.ipc = Some(Ipc {
            config,
            engine,
            queues,
            slots,
            last_audit_time: 0,
        });
        Ok(())
    }

    /// The policy engine, for host-side inspection (tests, the simulation's reports).
    pub fn policy_engine(&self) -> Option<&Engine<'static, 'static>> {
        self.ipc.as_ref().map(|ipc| &ipc.engine)
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
        let (endpoint_name, operation_name) = self.ipc_names(endpoint, operation);
        if let Some(ipc) = self.ipc.as_mut() {
            let request = ecu_policy::Request::call(app.index() as u8, endpoint, operation)
                .with_action(action);
            ipc.engine.deny_at_boundary(&request, now);
        }
        self.record(TraceEvent::IpcDenied {
            app,
            action,
            endpoint: endpoint_name,
            operation: operation_name,
            reason: Reason::Malformed,
        });
        (Error::Access, Object::None)
    }

    fn ipc_names(&self, endpoint: u16, operation: u16) -> (&'static str, &'static str) {
        let Some(ipc) = self.ipc.as_ref() else {
            return ("?", "?");
        };
        match ipc.config.endpoints.get(endpoint as usize) {
            Some(e) => (
                e.name,
                e.operations.get(operation as usize).map_or("?", |o| o.name),
            ),
            None => ("?", "?"),
        }
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
        let config = ipc.config;
        // The caller's own table: a forged number names one of its own endpoints or none.
        let Some(&endpoint) = config
            .handles
            .get(app.index())
            .and_then(|table| table.get(handle as usize))
        else {
            return Err(self.boundary_deny(app, action, u16::MAX, operation));
        };
        let Some(ep) = config.endpoints.get(endpoint as usize) else {
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
            .all(|(i, &word)| match op.args.get(i) {
                Some(ty) => ty.admits(word),
                None => word == 0,
            });
        if !words_fit {
            return Err(self.boundary_deny(app, action, endpoint, operation));
        }
        if let EndpointKind::Server { app: server, .. } = ep.kind {
            if self.app_state_code(server) != 0 {
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
        let (endpoint_name, operation_name) = self.ipc_names(endpoint, operation);
        match verdict {
            Verdict::Allow => {
                self.record(TraceEvent::Ipc {
                    app,
                    action,
                    endpoint: endpoint_name,
                    operation: operation_name,
                });
                Ok(Resolved {
                    app,
                    endpoint,
                    operation,
                })
            }
            Verdict::Deny { reason, .. } => {
                self.record(TraceEvent::IpcDenied {
                    app,
                    action,
                    endpoint: endpoint_name,
                    operation: operation_name,
                    reason,
                });
                Err((Error::Access, Object::None))
            }
        }
    }

    /// 0 accessible, else restarting or terminated.
    fn app_state_code(&self, app: AppId) -> u8 {
        self.application_state(app).map_or(2, |s| s as u8)
    }

    /// A synchronous call: on allow, the server's handler runs with the copied words and its
    /// reply is copied back.
    pub(super) fn ipc_call(
        &mut self,
        caller: Context,
        handle: u16,
        operation: u16,
        args: [u32; MAX_ARGS],
    ) -> Result<Reply, Failure> {
        let r = self.ipc_admit(caller, Action::Call, handle, operation, args)?;
        let _ = r.app;
        let handler = match self
            .ipc
            .as_ref()
            .and_then(|ipc| ipc.config.endpoints.get(r.endpoint as usize))
            .map(|e| e.kind)
        {
            Some(EndpointKind::Server { handler, .. }) => handler,
            _ => return Err((Error::ServiceId, Object::None)),
        };
        Ok(handler(r.operation, args) as Reply)
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
