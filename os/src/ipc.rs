//! Kernel-mediated inter-partition communication: the static tables the configurator
//! generates, and the storage the kernel keeps its queues in.
//!
//! Every IPC request names an endpoint only through the caller's own handle table
//! ([`IpcConfig::handles`]): a handle is an index into the table of the caller's
//! OS-Application, so a forged number either names one of the caller's own endpoints or none
//! (a handle [`BY_INTERFACE`] is looked up in that same table).
//! Arguments are fixed-size words the kernel copies and checks against the operation's field
//! types; no pointer ever crosses the boundary. Before anything is delivered the policy
//! engine rules on the request ([`ecu_policy::Engine::verdict`]); every denial answers
//! `E_OS_ACCESS`, is counted and lands in the engine's audit ring, which only a trusted
//! OS-Application may read ([`crate::Request::AuditRead`]).

//!
//! A client-server call runs the server's handler in a server task of the server's
//! OS-Application (its partition, stack and execution budget), never in the kernel: the kernel
//! queues the call in the caller's [`CallSlot`] (FIFO per server task), activates the server
//! task if it is suspended and blocks the caller (WAITING). The server task's generated body
//! takes the call (`IpcAccept`, `IpcArgs`), runs the handler and answers (`IpcReply`), which
//! releases the caller; the caller's stub then fetches the outcome (`IpcTakeReply`). A server
//! task that ends or is killed without replying fails its caller with E_OS_STATE; a killed
//! server task fails every call queued for it too.
//!
//! A port may shorten the answered call by two kernel entries, with the same outcome: it starts
//! a server task's activation with the call already taken and its words as entry arguments
//! ([`crate::Kernel::ipc_entry_call`], then [`EndpointConfig::handler`] runs at once), and it
//! puts an answer into the caller's saved registers before resuming it
//! ([`crate::Kernel::ipc_reply_terminate_direct`]). A call answered that way returns the reply
//! itself; otherwise it returns [`REPLY_PENDING`] and the stub collects the outcome.
//!
//! The kernel shortens the common round trip further, with the same outcome and trace lines:
//! a call to a suspended server task that would be the scheduler's choice starts it at once
//! (no ready queue, no scheduling decision), and IpcReplyTerminate resumes a waiting caller
//! that would be the choice at once. Anything else takes the general path.

use crate::config::{AppId, TaskId};
use crate::error::Error;

/// The type of one argument field: the kernel rejects a word outside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgType {
    U8,
    U16,
    U32,
    I32,
    Bool,
    /// An enumeration: the admitted numeric values as a bit mask (values below 32).
    Enum(u32),
}

impl ArgType {
    /// Whether `word` is a value of this type.
    pub const fn admits(self, word: u32) -> bool {
        match self {
            ArgType::U8 => word <= u8::MAX as u32,
            ArgType::U16 => word <= u16::MAX as u32,
            ArgType::U32 | ArgType::I32 => true,
            ArgType::Bool => word <= 1,
            ArgType::Enum(mask) => word < 32 && mask & (1 << word) != 0,
        }
    }
}

/// No queue: a client-server operation.
pub const NO_QUEUE: u16 = u16::MAX;

/// One operation (client-server) or data element (sender-receiver) of an endpoint.
#[derive(Debug)]
pub struct OperationConfig {
    pub name: &'static str,
    /// Field types in request order (at most [`ecu_policy::MAX_ARGS`]); unused words must be 0.
    pub args: &'static [ArgType],
    /// Sender-receiver: index into [`IpcConfig::queues`]; client-server: [`NO_QUEUE`].
    pub queue: u16,
}

/// A server's handler: `(os, operation, argument words) -> reply`. The generated body of the
/// server task runs it, in the server's partition, where it may use the OS services its
/// task may (even call another server).
pub type ServerHandler = fn(&crate::Os, u16, [u32; ecu_policy::MAX_ARGS]) -> u32;

#[derive(Clone, Copy, Debug)]
pub enum EndpointKind {
    /// Client-server: calls are served by `task` of OS-Application `app`.
    Server { app: AppId, task: TaskId },
    /// Sender-receiver: every data element has its queue.
    Data,
}

/// One interface, at the index the policy gives it (its interface number).
#[derive(Debug)]
pub struct EndpointConfig {
    pub name: &'static str,
    pub kind: EndpointKind,
    pub operations: &'static [OperationConfig],
    /// Client-server: the handler the server task's generated body runs, for ports that start
    /// the server task with the call as entry arguments (`None`: the body takes it itself).
    pub handler: Option<ServerHandler>,
}

/// The call a server task's activation starts with, as a port lays it out for the handler
/// (`Kernel::ipc_entry_call`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EntryCall {
    pub operation: u32,
    pub args: [u32; ecu_policy::MAX_ARGS],
}

/// A handle with this bit set names the caller's own handle for interface (endpoint)
/// `handle & !BY_INTERFACE`, if its table holds one: what the generated typed stubs pass, as
/// one stub serves every partition and each numbers its handles its own way. It reaches
/// nothing a partition's own handles do not.
pub const BY_INTERFACE: u16 = 0x8000;

/// What an IPC call returns while its outcome waits in the kernel (`IpcTakeReply` fetches
/// it): a reply is one word, so a value with the high half set is never an answer.
pub const REPLY_PENDING: u64 = 1 << 32;

/// A message queue of one data element: `capacity` messages (queued), or 0 for
/// last-is-best (one value, overwritten by every send, read without being consumed).
#[derive(Clone, Copy, Debug)]
pub struct QueueConfig {
    pub capacity: u16,
    /// First slot in the storage's slot array.
    pub first_slot: u16,
}

impl QueueConfig {
    /// Slots this queue occupies.
    pub const fn slots(&self) -> usize {
        if self.capacity == 0 {
            1
        } else {
            self.capacity as usize
        }
    }
}

/// The IPC tables of one ECU.
#[derive(Debug)]
pub struct IpcConfig {
    /// Indexed by the policy's interface number.
    pub endpoints: &'static [EndpointConfig],
    /// Per OS-Application: handle `h` names endpoint `handles[app][h]`.
    pub handles: &'static [&'static [u16]],
    pub queues: &'static [QueueConfig],
    /// Total slots over every queue.
    pub slots: usize,
}

/// Run-time state of one queue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueState {
    pub head: u16,
    pub len: u16,
    /// Sends refused because the queue was full (E_OS_LIMIT).
    pub overflows: u32,
}

impl QueueState {
    pub const NEW: QueueState = QueueState {
        head: 0,
        len: 0,
        overflows: 0,
    };
}

/// No task, in a [`CallSlot`]'s links.
pub const NO_TASK: u8 = u8::MAX;

/// Where a task's own call stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallState {
    Idle,
    /// In its server task's FIFO.
    Queued,
    /// Taken by the server task (`IpcAccept`), not answered yet.
    Serving,
    /// Answered: the caller's `IpcTakeReply` collects it (unless the port put the answer into
    /// the caller's registers: then the call is `Idle` again at once).
    Replied(u32),
    /// The server task ended or was killed without answering.
    Failed(Error),
}

/// One task's IPC state: at most one call of its own (it waits while the call is open), and,
/// for a server task, the FIFO of calls waiting for it and the call it is serving.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallSlot {
    pub state: CallState,
    /// The server task the call went to.
    pub server: u8,
    pub operation: u16,
    /// The argument words, copied at the call.
    pub args: [u32; ecu_policy::MAX_ARGS],
    /// The next caller in the server's FIFO.
    pub next: u8,
    /// As a server task: first and last queued caller, and the caller being served.
    pub head: u8,
    pub tail: u8,
    pub serving: u8,
}

impl CallSlot {
    pub const NEW: CallSlot = CallSlot {
        state: CallState::Idle,
        server: NO_TASK,
        operation: 0,
        args: [0; ecu_policy::MAX_ARGS],
        next: NO_TASK,
        head: NO_TASK,
        tail: NO_TASK,
        serving: NO_TASK,
    };
}

/// The IPC storage of one ECU: queue states, message slots and one call slot per task,
/// sized by the generated code.
#[derive(Debug)]
pub struct IpcStorage<const QUEUES: usize, const SLOTS: usize, const TASKS: usize> {
    pub queues: [QueueState; QUEUES],
    pub slots: [u32; SLOTS],
    pub calls: [CallSlot; TASKS],
}

impl<const QUEUES: usize, const SLOTS: usize, const TASKS: usize> IpcStorage<QUEUES, SLOTS, TASKS> {
    pub const fn new() -> Self {
        Self {
            queues: [QueueState::NEW; QUEUES],
            slots: [0; SLOTS],
            calls: [CallSlot::NEW; TASKS],
        }
    }
}

impl<const QUEUES: usize, const SLOTS: usize, const TASKS: usize> Default
    for IpcStorage<QUEUES, SLOTS, TASKS>
{
    fn default() -> Self {
        Self::new()
    }
}

/// A value that can be taken out of a `static` exactly once as `&'static mut`: how the
/// generated code hands the policy engine and the queues their storage without a heap.
pub struct Once<T> {
    taken: core::sync::atomic::AtomicBool,
    value: core::cell::UnsafeCell<T>,
}

// SAFETY: the only access to `value` is the one `&mut` that `take` hands out, once; the
// atomic swap decides which caller gets it, so no two threads ever share it.
unsafe impl<T: Send> Sync for Once<T> {}

impl<T> Once<T> {
    pub const fn new(value: T) -> Self {
        Self {
            taken: core::sync::atomic::AtomicBool::new(false),
            value: core::cell::UnsafeCell::new(value),
        }
    }

    /// The value, the first time; `None` ever after.
    // The whole point: one `&mut` out of a shared static, handed out once.
    #[allow(clippy::mut_from_ref)]
    pub fn take(&'static self) -> Option<&'static mut T> {
        if self.taken.swap(true, core::sync::atomic::Ordering::AcqRel) {
            return None;
        }
        // SAFETY: the swap above returned false exactly once, so this is the only reference
        // ever made to `value`, and it lives as long as the static.
        Some(unsafe { &mut *self.value.get() })
    }
}

/// The audit record as [`crate::Request::AuditRead`] returns it in one word:
/// `caller | action << 8 | reason << 16 | rule << 24 | interface << 40 | operation << 52`
/// (interface and operation 12 bits each).
pub fn pack_audit(r: &ecu_policy::AuditRecord) -> u64 {
    (r.caller as u64)
        | (r.action as u64) << 8
        | (r.reason as u64) << 16
        | (r.rule as u64) << 24
        | ((r.interface as u64) & 0xfff) << 40
        | ((r.operation as u64) & 0xfff) << 52
}

/// What [`AuditQuery::Pop`] answers when the ring is empty (no packed record has all bits
/// set: the action never exceeds 3).
pub const AUDIT_EMPTY: u64 = u64::MAX;

/// One audit record as a reader sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Audit {
    pub caller: u8,
    /// [`ecu_policy::Action`] as its number.
    pub action: u8,
    /// [`ecu_policy::Reason`] as its number.
    pub reason: u8,
    /// The rule blamed, or `u16::MAX`.
    pub rule: u16,
    pub interface: u16,
    pub operation: u16,
    pub time: u64,
}

impl Audit {
    pub fn unpack(word: u64, time: u64) -> Self {
        Self {
            caller: word as u8,
            action: (word >> 8) as u8,
            reason: (word >> 16) as u8,
            rule: (word >> 24) as u16,
            interface: ((word >> 40) & 0xfff) as u16,
            operation: ((word >> 52) & 0xfff) as u16,
            time,
        }
    }
}

/// What [`crate::Request::AuditRead`] reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum AuditQuery {
    /// The oldest record, removed ([`AUDIT_EMPTY`] when there is none).
    Pop = 0,
    /// The time (ticks) of the record the last `Pop` returned.
    LastTime = 1,
    /// Denials that found the ring full, since the last time asked.
    TakeLost = 2,
    DefaultDenies = 3,
    MalformedDenies = 4,
    /// Denials of rule `index`.
    RuleDenies = 5,
    /// Sends refused by queue `index` because it was full.
    QueueOverflows = 6,
    /// Messages waiting in queue `index`.
    QueueLength = 7,
}

impl AuditQuery {
    pub const fn from_code(code: u32) -> Option<Self> {
        Some(match code {
            0 => AuditQuery::Pop,
            1 => AuditQuery::LastTime,
            2 => AuditQuery::TakeLost,
            3 => AuditQuery::DefaultDenies,
            4 => AuditQuery::MalformedDenies,
            5 => AuditQuery::RuleDenies,
            6 => AuditQuery::QueueOverflows,
            7 => AuditQuery::QueueLength,
            _ => return None,
        })
    }
}
