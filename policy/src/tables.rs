//! The decision tables: plain data the compiler produces and the engine only reads.
//!
//! Every table is a slice, so the same type describes the generated `static`s and the tables a
//! host-side compiler run holds in memory.

/// The four kinds of access a rule governs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Action {
    /// A client-server call of an interface operation.
    Call = 0,
    /// Sending on a sender-receiver interface element.
    Send = 1,
    /// Receiving a sender-receiver element or a CAN frame.
    Receive = 2,
    /// Transmitting a CAN frame.
    Transmit = 3,
}

/// Number of [`Action`]s: the innermost dimension of [`Tables::keys`].
pub const ACTIONS: usize = 4;

/// The most argument fields one request carries.
pub const MAX_ARGS: usize = 4;

/// A handle value meaning "no capability presented".
pub const NO_HANDLE: u16 = u16::MAX;

/// A slot index meaning "none".
pub const NO_SLOT: u16 = u16::MAX;

/// One access request, as the kernel sees it at the partition boundary.
///
/// For CAN, `interface` is the bus's interface index (after the interfaces of the system
/// description, see [`Tables::interfaces`]) and `operation` the index of the identifier in
/// that bus's identifier list; [`Tables::can_operation`] maps a raw identifier to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
    pub caller: u8,
    pub action: Action,
    pub interface: u16,
    pub operation: u16,
    /// Fixed-size argument fields, in the operation's declared order; signed fields as their
    /// two's complement bits, `bool` as 0/1, enums as their numeric value.
    pub args: [u32; MAX_ARGS],
    /// An index into the caller's own capability table, or [`NO_HANDLE`].
    pub handle: u16,
}

impl Request {
    /// A call without arguments and without a handle.
    pub const fn call(caller: u8, interface: u16, operation: u16) -> Self {
        Self {
            caller,
            action: Action::Call,
            interface,
            operation,
            args: [0; MAX_ARGS],
            handle: NO_HANDLE,
        }
    }

    pub const fn with_args(mut self, args: [u32; MAX_ARGS]) -> Self {
        self.args = args;
        self
    }

    pub const fn with_handle(mut self, handle: u16) -> Self {
        self.handle = handle;
        self
    }

    pub const fn with_action(mut self, action: Action) -> Self {
        self.action = action;
        self
    }
}

/// Why a request was denied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Reason {
    /// No rule exists for (caller, action, interface, operation): default deny.
    NoRule = 0,
    /// The request names a partition, interface or operation the tables do not know.
    Malformed = 1,
    /// An explicit `deny` rule matched.
    Denied = 2,
    /// The rule needs a capability handle and the handle is missing or does not name the
    /// interface in the caller's own capability table.
    NoCapability = 3,
    /// A `when` condition on a state machine (or a role's mode) does not hold.
    WrongState = 4,
    /// An argument field is outside the rule's range or set (or outside its type).
    BadArgument = 5,
    /// `rate N per W`: the window's budget is spent.
    RateLimited = 6,
    /// `min_interval T`: too soon after the previous allowed request.
    TooSoon = 7,
    /// `within T after ...`: the time window has closed.
    OutsideWindow = 8,
    /// `after Iface.Op`: the caller has not yet been allowed the prerequisite operation.
    OutOfOrder = 9,
}

/// The engine's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    /// Denied, with the rule blamed (`None`: default deny or malformed request).
    Deny {
        reason: Reason,
        rule: Option<u16>,
    },
}

impl Verdict {
    pub const fn is_allow(&self) -> bool {
        matches!(self, Verdict::Allow)
    }
}

/// One interface (or CAN bus) of the system: its operations (or identifiers) occupy the
/// object indices `first_object .. first_object + operations`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InterfaceEntry {
    pub first_object: u32,
    pub operations: u16,
}

/// The rule entries that govern one (caller, object, action) key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyEntry {
    /// First entry in [`Tables::entries`].
    pub start: u32,
    /// Number of entries; at most [`Tables::max_entries_per_key`].
    pub len: u16,
    /// Event slot stamped with the time of every allowed request on this key (an `after`
    /// clause refers to it), or [`NO_SLOT`].
    pub mark: u16,
}

impl KeyEntry {
    /// No rule. `start` lies past any entry table, so the engine's fast path finds no entry.
    pub const EMPTY: KeyEntry = KeyEntry {
        start: u32::MAX,
        len: 0,
        mark: NO_SLOT,
    };
}

/// Flags of an [`Entry`]: which checks and effects apply.
pub mod flags {
    /// An explicit deny rule.
    pub const DENY: u16 = 1 << 0;
    /// Needs a capability handle naming the interface.
    pub const HANDLE: u16 = 1 << 1;
    /// `rate N per W` on temporal slot `slot`.
    pub const RATE: u16 = 1 << 2;
    /// `min_interval T` on temporal slot `slot`.
    pub const MIN_INTERVAL: u16 = 1 << 3;
    /// `within T after Machine = state`: `window_machine` entered its state at most
    /// `within` ticks ago (the state itself is one of the state checks).
    pub const WITHIN_STATE: u16 = 1 << 4;
    /// `after Iface.Op`: event slot `event` has been stamped.
    pub const AFTER: u16 = 1 << 5;
    /// `within T after Iface.Op`: event slot `event` was stamped at most `within` ticks ago.
    pub const WITHIN_EVENT: u16 = 1 << 6;
    /// `then Machine = state`: on allow, machine `then_machine` moves to `then_state`.
    pub const TRANSITION: u16 = 1 << 7;
    /// Range checks on the argument fields: `arg_lo` / `arg_span`.
    pub const ARGS: u16 = 1 << 8;
    /// A value-set check on field `set_field`: `set_mask`.
    pub const ARG_SET: u16 = 1 << 9;
    /// State conditions: `states_forbidden`.
    pub const STATES: u16 = 1 << 10;
    /// The entry's key stamps an event slot ([`KeyEntry::mark`](crate::KeyEntry::mark)) on
    /// allow: set on every entry of such a key, so that the fast path (entries with nothing
    /// but `ARGS` and `STATES`) never skips the stamp.
    pub const MARK: u16 = 1 << 11;
    /// `ARGS` constrains field 2 or 3 too (the fast path checks fields 0 and 1 only).
    pub const HIGH_ARGS: u16 = 1 << 12;
}

/// One compiled rule for one key. Rules written for a role or an interface wildcard expand to
/// one entry per member partition and operation; they share [`Entry::rule`].
///
/// Checks are inline so that a verdict reads one entry and nothing else: argument ranges are
/// circular (`v.wrapping_sub(lo) <= span`, which serves signed and unsigned fields alike), state
/// conditions one mask over the engine's one-hot state vector.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The source rule (index into [`Tables::rules`]), for counters and the audit ring.
    pub rule: u16,
    pub flags: u16,
    /// ARGS: field `i` passes when `args[i].wrapping_sub(arg_lo[i]) <= arg_span[i]`
    /// (an unconstrained field has `lo = 0, span = u32::MAX`).
    pub arg_lo: [u32; MAX_ARGS],
    pub arg_span: [u32; MAX_ARGS],
    /// ARG_SET: field `set_field` passes when `v < 32 && set_mask & (1 << v) != 0`.
    pub set_field: u8,
    pub set_mask: u32,
    /// STATES: denied when the state vector has any of these bits (the states the rule does
    /// not admit, see [`MachineEntry::offset`]).
    pub states_forbidden: u64,
    /// Temporal slot for RATE / MIN_INTERVAL.
    pub slot: u16,
    pub rate_max: u32,
    pub rate_window: u32,
    pub min_interval: u32,
    /// Event slot for AFTER / WITHIN_EVENT.
    pub event: u16,
    pub within: u32,
    pub window_machine: u8,
    pub then_machine: u8,
    pub then_state: u8,
}

impl Entry {
    pub const PLAIN: Entry = Entry {
        rule: 0,
        flags: 0,
        arg_lo: [0; MAX_ARGS],
        arg_span: [u32::MAX; MAX_ARGS],
        set_field: 0,
        set_mask: 0,
        states_forbidden: 0,
        slot: NO_SLOT,
        rate_max: 0,
        rate_window: 0,
        min_interval: 0,
        event: NO_SLOT,
        within: 0,
        window_machine: 0,
        then_machine: 0,
        then_state: 0,
    };
}

/// One state machine: its state count, initial state, and where its states sit in the
/// engine's 64-bit one-hot state vector (bit `offset + state` is set while it is in `state`;
/// the compiler allows at most 64 states over all machines). Names live in [`Names`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MachineEntry {
    pub states: u8,
    pub initial: u8,
    pub offset: u8,
}

/// A partition's slice of [`Tables::capabilities`]: handle `h` of the partition names
/// interface `capabilities[start + h]` when `h < len`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CapRange {
    pub start: u32,
    pub len: u16,
}

/// One source rule, for counters, the audit ring and reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    /// Line of the rule in the policy file.
    pub line: u32,
    pub deny: bool,
}

/// The complete decision tables of one policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tables<'a> {
    pub partitions: u8,
    /// Interfaces of the system description, then one per CAN bus.
    pub interfaces: &'a [InterfaceEntry],
    /// Total operations and CAN identifiers: the object count.
    pub objects: u32,
    /// Dense: index `((caller * objects) + object) * ACTIONS + action`.
    pub keys: &'a [KeyEntry],
    pub entries: &'a [Entry],
    pub machines: &'a [MachineEntry],
    /// Per partition.
    pub cap_ranges: &'a [CapRange],
    /// Interface index per granted handle.
    pub capabilities: &'a [u16],
    pub rules: &'a [RuleInfo],
    /// Number of CAN buses: the last `can_buses` interfaces.
    pub can_buses: u16,
    /// The identifiers of every CAN object, in object order (each bus's sorted ascending);
    /// the CAN objects are the last `can_ids.len()` objects.
    pub can_ids: &'a [u32],
    /// The cap the compiler enforced: no key has more entries.
    pub max_entries_per_key: u16,
    pub temporal_slots: u16,
    pub event_slots: u16,
}

impl Tables<'_> {
    /// The number of plain (non-CAN) interfaces.
    pub fn plain_interfaces(&self) -> usize {
        self.interfaces
            .len()
            .saturating_sub(self.can_buses as usize)
    }

    /// Maps a raw CAN identifier on bus `bus` (0-based among the CAN buses) to the
    /// `(interface, operation)` pair of a [`Request`]. O(log ids); `None` if unknown.
    pub fn can_operation(&self, bus: usize, id: u32) -> Option<(u16, u16)> {
        if bus >= self.can_buses as usize {
            return None;
        }
        let iface = self.plain_interfaces() + bus;
        let entry = self.interfaces.get(iface)?;
        let base = (self.objects as usize).checked_sub(self.can_ids.len())?;
        let first = (entry.first_object as usize).checked_sub(base)?;
        let ids = self
            .can_ids
            .get(first..first.saturating_add(entry.operations as usize))?;
        let op = ids.binary_search(&id).ok()?;
        Some((u16::try_from(iface).ok()?, u16::try_from(op).ok()?))
    }
}

/// Names for reports, audit readers and generated code; not used by the verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Names<'a> {
    pub partitions: &'a [&'a str],
    pub interfaces: &'a [&'a str],
    /// Per interface: its operation names (CAN: identifiers as `0x123`).
    pub operations: &'a [&'a [&'a str]],
    pub machines: &'a [&'a str],
    pub states: &'a [&'a [&'a str]],
}

/// Values of [`crate::AuditRecord::rule`].
pub struct AuditRecordRule;

impl AuditRecordRule {
    /// No rule blamed: a default deny or a malformed request.
    pub const NONE: u16 = u16::MAX;
}
