//! The verdict engine: reads [`Tables`], keeps its run-time state in caller-owned slices.
//!
//! No heap, no panics: every table access goes through `get`, every arithmetic on time
//! saturates. A verdict reads one [`KeyEntry`] and at most `max_entries_per_key` entries; each
//! entry has at most `u8::MAX` argument and state checks (in practice the operation's field
//! count and the machine count), so the cost is bounded by the configuration's shape, never by
//! the number of rules.

use crate::tables::{
    flags, Action, AuditRecordRule, Entry, KeyEntry, Reason, Request, Tables, Verdict, NO_SLOT,
};

/// Temporal state of one rule entry: its rate window and the time of its last allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TemporalSlot {
    pub window_start: u64,
    pub count: u32,
    pub last: u64,
}

impl TemporalSlot {
    pub const NEW: TemporalSlot = TemporalSlot {
        window_start: 0,
        count: 0,
        last: NEVER,
    };
}

/// The current state of one state machine and when it was entered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MachineState {
    pub state: u8,
    pub entered: u64,
}

impl MachineState {
    pub const NEW: MachineState = MachineState {
        state: 0,
        entered: 0,
    };
}

/// One denial, as the audit ring keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    pub time: u64,
    pub caller: u8,
    pub action: Action,
    pub interface: u16,
    pub operation: u16,
    pub reason: Reason,
    /// The rule blamed, or [`AuditRecordRule::NONE`] for a default deny or malformed request.
    pub rule: u16,
}

impl AuditRecord {
    pub const EMPTY: AuditRecord = AuditRecord {
        time: 0,
        caller: 0,
        action: Action::Call,
        interface: 0,
        operation: 0,
        reason: Reason::NoRule,
        rule: AuditRecordRule::NONE,
    };
}

const NEVER: u64 = u64::MAX;

/// The bits of machine `m` in the state vector.
fn machine_bits(m: &crate::MachineEntry) -> u64 {
    let ones = 1u64
        .checked_shl(m.states as u32)
        .map_or(u64::MAX, |b| b.wrapping_sub(1));
    ones.checked_shl(m.offset as u32).unwrap_or(0)
}

/// Every argument field within the entry's circular range (unconstrained fields have
/// `lo = 0, span = u32::MAX`, so an entry without `ARGS` admits any arguments).
#[inline(always)]
fn args_admitted(e: &Entry, r: &Request) -> bool {
    low_args_admitted(e, r)
        && r.args[2].wrapping_sub(e.arg_lo[2]) <= e.arg_span[2]
        && r.args[3].wrapping_sub(e.arg_lo[3]) <= e.arg_span[3]
}

/// Fields 0 and 1 within the entry's ranges: all an entry without `HIGH_ARGS` constrains.
#[inline(always)]
fn low_args_admitted(e: &Entry, r: &Request) -> bool {
    r.args[0].wrapping_sub(e.arg_lo[0]) <= e.arg_span[0]
        && r.args[1].wrapping_sub(e.arg_lo[1]) <= e.arg_span[1]
}

/// How far the checks of an entry got before `reason` stopped them.
fn progress(reason: Reason) -> u8 {
    match reason {
        Reason::NoCapability => 1,
        Reason::BadArgument => 2,
        Reason::WrongState => 3,
        _ => 4,
    }
}

/// The engine's mutable state, in slices its owner provides (a [`Storage`] in a `static`, or
/// vectors on a host).
#[derive(Debug)]
pub struct State<'s> {
    pub temporal: &'s mut [TemporalSlot],
    pub events: &'s mut [u64],
    /// Denials per source rule.
    pub deny_counts: &'s mut [u32],
    pub machines: &'s mut [MachineState],
    pub audit: &'s mut [AuditRecord],
}

/// Fixed-size storage for one policy; the generated code names the sizes.
#[derive(Debug)]
pub struct Storage<
    const TEMPORAL: usize,
    const EVENTS: usize,
    const RULES: usize,
    const MACHINES: usize,
    const AUDIT: usize,
> {
    temporal: [TemporalSlot; TEMPORAL],
    events: [u64; EVENTS],
    deny_counts: [u32; RULES],
    machines: [MachineState; MACHINES],
    audit: [AuditRecord; AUDIT],
}

impl<
        const TEMPORAL: usize,
        const EVENTS: usize,
        const RULES: usize,
        const MACHINES: usize,
        const AUDIT: usize,
    > Storage<TEMPORAL, EVENTS, RULES, MACHINES, AUDIT>
{
    pub const fn new() -> Self {
        Self {
            temporal: [TemporalSlot::NEW; TEMPORAL],
            events: [NEVER; EVENTS],
            deny_counts: [0; RULES],
            machines: [MachineState::NEW; MACHINES],
            audit: [AuditRecord::EMPTY; AUDIT],
        }
    }

    pub fn state(&mut self) -> State<'_> {
        State {
            temporal: &mut self.temporal,
            events: &mut self.events,
            deny_counts: &mut self.deny_counts,
            machines: &mut self.machines,
            audit: &mut self.audit,
        }
    }
}

impl<
        const TEMPORAL: usize,
        const EVENTS: usize,
        const RULES: usize,
        const MACHINES: usize,
        const AUDIT: usize,
    > Default for Storage<TEMPORAL, EVENTS, RULES, MACHINES, AUDIT>
{
    fn default() -> Self {
        Self::new()
    }
}

/// Host-side storage sized from the tables (tests, simulation, benchmarks).
#[cfg(feature = "std")]
#[derive(Debug)]
pub struct OwnedStorage {
    temporal: std::vec::Vec<TemporalSlot>,
    events: std::vec::Vec<u64>,
    deny_counts: std::vec::Vec<u32>,
    machines: std::vec::Vec<MachineState>,
    audit: std::vec::Vec<AuditRecord>,
}

#[cfg(feature = "std")]
impl OwnedStorage {
    pub fn for_tables(t: &Tables<'_>, audit_capacity: usize) -> Self {
        Self {
            temporal: std::vec![TemporalSlot::NEW; t.temporal_slots as usize],
            events: std::vec![NEVER; t.event_slots as usize],
            deny_counts: std::vec![0; t.rules.len()],
            machines: std::vec![MachineState::NEW; t.machines.len()],
            audit: std::vec![AuditRecord::EMPTY; audit_capacity],
        }
    }

    pub fn state(&mut self) -> State<'_> {
        State {
            temporal: &mut self.temporal,
            events: &mut self.events,
            deny_counts: &mut self.deny_counts,
            machines: &mut self.machines,
            audit: &mut self.audit,
        }
    }
}

/// The storage given to [`Engine::new`] is smaller than the tables need, or the tables are
/// inconsistent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizeMismatch {
    Temporal,
    Events,
    Rules,
    Machines,
    /// A key without entries whose `start` names an entry (it must lie past them, as in
    /// [`KeyEntry::EMPTY`]): the fast path would read that entry.
    EmptyKeyStart,
}

/// The verdict engine of one policy.
#[derive(Debug)]
pub struct Engine<'t, 's> {
    t: Tables<'t>,
    s: State<'s>,
    /// One-hot: bit `offset + state` of every machine (see [`crate::MachineEntry`]).
    state_bits: u64,
    default_denies: u32,
    malformed_denies: u32,
    audit_head: usize,
    audit_len: usize,
    audit_lost: u32,
}

impl<'t, 's> Engine<'t, 's> {
    /// Checks the storage against the tables and resets it: machines in their initial
    /// states (entered at tick 0), no events, zero counters, an empty audit ring.
    pub fn new(t: Tables<'t>, s: State<'s>) -> Result<Self, SizeMismatch> {
        if s.temporal.len() < t.temporal_slots as usize {
            return Err(SizeMismatch::Temporal);
        }
        if s.events.len() < t.event_slots as usize {
            return Err(SizeMismatch::Events);
        }
        if s.deny_counts.len() < t.rules.len() {
            return Err(SizeMismatch::Rules);
        }
        if s.machines.len() < t.machines.len() {
            return Err(SizeMismatch::Machines);
        }
        if t.keys
            .iter()
            .any(|k| k.len == 0 && (k.start as usize) < t.entries.len())
        {
            return Err(SizeMismatch::EmptyKeyStart);
        }
        let mut engine = Engine {
            t,
            s,
            state_bits: 0,
            default_denies: 0,
            malformed_denies: 0,
            audit_head: 0,
            audit_len: 0,
            audit_lost: 0,
        };
        engine.reset();
        Ok(engine)
    }

    /// Back to the initial state (as after [`Engine::new`]).
    pub fn reset(&mut self) {
        self.s.temporal.fill(TemporalSlot::NEW);
        self.s.events.fill(NEVER);
        self.s.deny_counts.fill(0);
        self.state_bits = 0;
        for (m, st) in self.s.machines.iter_mut().enumerate() {
            let (initial, offset) = self
                .t
                .machines
                .get(m)
                .map_or((0, 0), |e| (e.initial, e.offset));
            *st = MachineState {
                state: initial,
                entered: 0,
            };
            self.state_bits |= 1u64
                .checked_shl(offset as u32 + initial as u32)
                .unwrap_or(0);
        }
        self.default_denies = 0;
        self.malformed_denies = 0;
        self.audit_head = 0;
        self.audit_len = 0;
        self.audit_lost = 0;
    }

    pub fn tables(&self) -> &Tables<'t> {
        &self.t
    }

    /// Rules on one request at time `now_ticks`. On allow, the rule's effects (rate counters,
    /// last times, the key's event stamp, a state transition) are applied before returning;
    /// on deny nothing changes but the denial counters and the audit ring.
    #[inline]
    pub fn verdict(&mut self, request: &Request, now_ticks: u64) -> Verdict {
        let Some(key) = self.key(request) else {
            return self.deny(request, now_ticks, Reason::Malformed, None);
        };
        // The common case: the key's first entry has only checks on argument fields 0 and 1
        // and on states, no effects, and admits the request. Entries are ordered deny rules
        // first, so the first entry admitting the request decides, whatever follows it. An
        // empty key's `start` lies past the entries (`KeyEntry::EMPTY`; the compiler's
        // tables and `Engine::new` ensure it), so `get` finds nothing for it.
        if let Some(e) = self.t.entries.get(key.start as usize) {
            if e.flags & !(flags::ARGS | flags::STATES) == 0 {
                if low_args_admitted(e, request) && self.state_bits & e.states_forbidden == 0 {
                    return Verdict::Allow;
                }
            } else if e.flags & flags::DENY == 0 {
                return self.verdict_first(key, request, now_ticks);
            }
        }
        self.verdict_full(request, now_ticks)
    }

    /// The key's first entry is an allow rule with more checks (a capability, temporal
    /// clauses, ...): if it admits the request it decides, its effects applied as in
    /// `verdict_many`; otherwise every entry is weighed. Out of line, so that each caller of
    /// `verdict` carries only the common case.
    #[inline(never)]
    fn verdict_first(&mut self, key: KeyEntry, request: &Request, now_ticks: u64) -> Verdict {
        if let Some(e) = self.t.entries.get(key.start as usize) {
            if self.check(e, request, now_ticks).is_ok() {
                self.commit(e, &key, now_ticks);
                return Verdict::Allow;
            }
        }
        self.verdict_full(request, now_ticks)
    }

    /// Every check and effect of every entry of the key: the path of denials and of rules
    /// with capabilities, value sets, temporal clauses, transitions, event stamps or checks
    /// on argument fields 2 and 3.
    #[inline(never)]
    fn verdict_full(&mut self, request: &Request, now_ticks: u64) -> Verdict {
        let Some(key) = self.key(request) else {
            return self.deny(request, now_ticks, Reason::Malformed, None);
        };
        if key.len == 0 {
            return self.deny(request, now_ticks, Reason::NoRule, None);
        }
        let start = key.start as usize;
        let end = start.saturating_add(key.len as usize);
        let Some(entries) = self.t.entries.get(start..end) else {
            return self.deny(request, now_ticks, Reason::Malformed, None);
        };
        self.verdict_many(entries, &key, request, now_ticks)
    }

    #[inline(never)]
    fn verdict_many(
        &mut self,
        entries: &[Entry],
        key: &KeyEntry,
        request: &Request,
        now_ticks: u64,
    ) -> Verdict {
        let mut blame: Option<(Reason, u16)> = None;
        for e in entries {
            match self.check(e, request, now_ticks) {
                Ok(()) => {
                    if e.flags & flags::DENY != 0 {
                        return self.deny(request, now_ticks, Reason::Denied, Some(e.rule));
                    }
                    self.commit(e, key, now_ticks);
                    return Verdict::Allow;
                }
                Err(reason) => {
                    // Blame the allow rule that came closest to granting: checks run in the
                    // order handle, arguments, states, temporal, and `Reason` follows it.
                    if e.flags & flags::DENY == 0
                        && blame.is_none_or(|(b, _)| progress(reason) > progress(b))
                    {
                        blame = Some((reason, e.rule));
                    }
                }
            }
        }
        match blame {
            Some((reason, rule)) => self.deny(request, now_ticks, reason, Some(rule)),
            None => self.deny(request, now_ticks, Reason::NoRule, None),
        }
    }

    #[inline]
    fn key(&self, r: &Request) -> Option<KeyEntry> {
        // No check of `caller` against the partition count: the key table has exactly
        // `partitions * objects * ACTIONS` entries, so a caller out of range gives an index
        // past its end, which `get` refuses.
        let iface = self.t.interfaces.get(r.interface as usize)?;
        if r.operation >= iface.operations {
            return None;
        }
        // Wrapping: a corrupt table may give any index, and `get` refuses those out of range.
        let object = (iface.first_object as usize).wrapping_add(r.operation as usize);
        let index = (r.caller as usize)
            .wrapping_mul(self.t.objects as usize)
            .wrapping_add(object)
            .wrapping_mul(crate::ACTIONS)
            .wrapping_add(r.action as usize);
        self.t.keys.get(index).copied()
    }

    #[inline(always)]
    fn check(&self, e: &Entry, r: &Request, now: u64) -> Result<(), Reason> {
        let f = e.flags;
        if f & flags::HANDLE != 0 {
            let range = self
                .t
                .cap_ranges
                .get(r.caller as usize)
                .ok_or(Reason::NoCapability)?;
            if r.handle >= range.len {
                return Err(Reason::NoCapability);
            }
            let slot = (range.start as usize).wrapping_add(r.handle as usize);
            if self.t.capabilities.get(slot) != Some(&r.interface) {
                return Err(Reason::NoCapability);
            }
        }
        if f & flags::ARGS != 0 && !args_admitted(e, r) {
            return Err(Reason::BadArgument);
        }
        if f & flags::ARG_SET != 0 {
            let v = *r.args.get(e.set_field as usize).ok_or(Reason::Malformed)?;
            if e.set_mask.checked_shr(v).unwrap_or(0) & 1 == 0 {
                return Err(Reason::BadArgument);
            }
        }
        if f & flags::STATES != 0 && self.state_bits & e.states_forbidden != 0 {
            return Err(Reason::WrongState);
        }
        if f & (flags::RATE
            | flags::MIN_INTERVAL
            | flags::WITHIN_STATE
            | flags::AFTER
            | flags::WITHIN_EVENT)
            == 0
        {
            return Ok(());
        }
        if f & (flags::RATE | flags::MIN_INTERVAL) != 0 {
            let slot = self
                .s
                .temporal
                .get(e.slot as usize)
                .ok_or(Reason::Malformed)?;
            if f & flags::RATE != 0
                && now.saturating_sub(slot.window_start) < e.rate_window as u64
                && slot.count >= e.rate_max
            {
                return Err(Reason::RateLimited);
            }
            if f & flags::MIN_INTERVAL != 0
                && slot.last != NEVER
                && now.saturating_sub(slot.last) < e.min_interval as u64
            {
                return Err(Reason::TooSoon);
            }
        }
        if f & flags::WITHIN_STATE != 0 {
            let m = self
                .s
                .machines
                .get(e.window_machine as usize)
                .ok_or(Reason::Malformed)?;
            if now.saturating_sub(m.entered) > e.within as u64 {
                return Err(Reason::OutsideWindow);
            }
        }
        if f & (flags::AFTER | flags::WITHIN_EVENT) != 0 {
            let at = *self
                .s
                .events
                .get(e.event as usize)
                .ok_or(Reason::Malformed)?;
            if at == NEVER {
                return Err(Reason::OutOfOrder);
            }
            if f & flags::WITHIN_EVENT != 0 && now.saturating_sub(at) > e.within as u64 {
                return Err(Reason::OutsideWindow);
            }
        }
        Ok(())
    }

    #[inline(never)]
    fn commit(&mut self, e: &Entry, key: &KeyEntry, now: u64) {
        let f = e.flags;
        if f & (flags::RATE | flags::MIN_INTERVAL) != 0 {
            if let Some(slot) = self.s.temporal.get_mut(e.slot as usize) {
                if f & flags::RATE != 0 {
                    if slot.count == 0
                        || now.saturating_sub(slot.window_start) >= e.rate_window as u64
                    {
                        slot.window_start = now;
                        slot.count = 1;
                    } else {
                        slot.count = slot.count.saturating_add(1);
                    }
                }
                slot.last = now;
            }
        }
        if key.mark != NO_SLOT {
            if let Some(at) = self.s.events.get_mut(key.mark as usize) {
                *at = now;
            }
        }
        if f & flags::TRANSITION != 0 {
            if let (Some(m), Some(me)) = (
                self.s.machines.get_mut(e.then_machine as usize),
                self.t.machines.get(e.then_machine as usize),
            ) {
                *m = MachineState {
                    state: e.then_state,
                    entered: now,
                };
                self.state_bits = (self.state_bits & !machine_bits(me))
                    | 1u64
                        .checked_shl(me.offset as u32 + e.then_state as u32)
                        .unwrap_or(0);
            }
        }
    }

    #[cold]
    #[inline(never)]
    fn deny(&mut self, r: &Request, now: u64, reason: Reason, rule: Option<u16>) -> Verdict {
        match rule {
            Some(rule) => {
                if let Some(c) = self.s.deny_counts.get_mut(rule as usize) {
                    *c = c.saturating_add(1);
                }
            }
            None if reason == Reason::Malformed => {
                self.malformed_denies = self.malformed_denies.saturating_add(1)
            }
            None => self.default_denies = self.default_denies.saturating_add(1),
        }
        let record = AuditRecord {
            time: now,
            caller: r.caller,
            action: r.action,
            interface: r.interface,
            operation: r.operation,
            reason,
            rule: rule.unwrap_or(AuditRecordRule::NONE),
        };
        let cap = self.s.audit.len();
        if self.audit_len < cap {
            let mut at = self.audit_head + self.audit_len;
            if at >= cap {
                at -= cap;
            }
            if let Some(slot) = self.s.audit.get_mut(at) {
                *slot = record;
                self.audit_len += 1;
            }
        } else {
            self.audit_lost = self.audit_lost.saturating_add(1);
        }
        Verdict::Deny { reason, rule }
    }

    /// Denials blamed on source rule `rule` (allow rules whose conditions failed, deny rules
    /// that matched).
    pub fn deny_count(&self, rule: u16) -> u32 {
        self.s.deny_counts.get(rule as usize).copied().unwrap_or(0)
    }

    /// Denials for which no rule existed (default deny).
    pub fn default_denies(&self) -> u32 {
        self.default_denies
    }

    /// Denials of requests naming an unknown partition, interface or operation.
    pub fn malformed_denies(&self) -> u32 {
        self.malformed_denies
    }

    /// Current state of machine `m` and the tick it was entered.
    pub fn machine(&self, m: usize) -> Option<MachineState> {
        if m < self.t.machines.len() {
            self.s.machines.get(m).copied()
        } else {
            None
        }
    }

    /// Records waiting in the audit ring.
    pub fn audit_len(&self) -> usize {
        self.audit_len
    }

    /// Denials that found the audit ring full and were not recorded (they are still counted
    /// per rule). The ring keeps the oldest records: a flood cannot erase earlier evidence.
    pub fn audit_lost(&self) -> u32 {
        self.audit_lost
    }

    /// Takes the oldest audit record. For the privileged audit partition only: the kernel
    /// exposes it through a service the policy grants to that partition alone.
    pub fn audit_pop(&mut self) -> Option<AuditRecord> {
        if self.audit_len == 0 {
            return None;
        }
        let record = self.s.audit.get(self.audit_head).copied();
        self.audit_head += 1;
        if self.audit_head >= self.s.audit.len() {
            self.audit_head = 0;
        }
        self.audit_len -= 1;
        record
    }

    /// Moves up to `out.len()` oldest records into `out`; returns how many.
    pub fn audit_drain(&mut self, out: &mut [AuditRecord]) -> usize {
        let mut n = 0;
        for slot in out.iter_mut() {
            match self.audit_pop() {
                Some(r) => {
                    *slot = r;
                    n += 1;
                }
                None => break,
            }
        }
        n
    }

    /// Takes and resets the lost-record counter (the reader reports it with what it drained).
    pub fn take_audit_lost(&mut self) -> u32 {
        core::mem::take(&mut self.audit_lost)
    }
}

impl Engine<'_, '_> {
    /// Rules on a CAN frame: `caller` wants to `action` (transmit or receive) identifier
    /// `id_bits` (as `CanId::to_bits` gives it: bit 31 marks an extended id) on CAN bus `bus`
    /// (0-based among the policy's CAN buses). An identifier the policy does not list on that
    /// bus is a default deny (no rule can name it), counted and audited with operation
    /// `u16::MAX`.
    pub fn can_verdict(
        &mut self,
        caller: u8,
        action: Action,
        bus: u8,
        id_bits: u32,
        now_ticks: u64,
    ) -> Verdict {
        match self.t.can_operation(bus as usize, id_bits) {
            Some((interface, operation)) => {
                let request = Request::call(caller, interface, operation).with_action(action);
                self.verdict(&request, now_ticks)
            }
            None => {
                let interface = self
                    .t
                    .plain_interfaces()
                    .saturating_add(bus as usize)
                    .min(u16::MAX as usize) as u16;
                let request = Request::call(caller, interface, u16::MAX).with_action(action);
                self.deny(&request, now_ticks, Reason::NoRule, None)
            }
        }
    }

    /// A denial decided before the tables are consulted (the kernel found the request
    /// malformed at the partition boundary: an unknown handle, a word outside its field's
    /// type): counted as malformed and audited like any other denial.
    pub fn deny_at_boundary(&mut self, request: &Request, now_ticks: u64) -> Verdict {
        self.deny(request, now_ticks, Reason::Malformed, None)
    }
}

#[cfg(test)]
mod tests {
    //! The engine alone, on hand-written tables (the compiler's tests live in `tests/`).
    use super::*;
    use crate::{CapRange, InterfaceEntry, MachineEntry, RuleInfo, ACTIONS, NO_HANDLE};

    // One partition, one interface with one operation; rule 0: allowed with handle 0 and
    // argument 0 in 10..=20, moving machine 0 from state 0 to 1; rule 1 needs state 1.
    const ENTRIES: [Entry; 2] = [
        Entry {
            rule: 0,
            flags: flags::HANDLE | flags::ARGS | flags::STATES | flags::TRANSITION,
            arg_lo: [10, 0, 0, 0],
            arg_span: [10, u32::MAX, u32::MAX, u32::MAX],
            states_forbidden: 0b10,
            then_state: 1,
            ..Entry::PLAIN
        },
        Entry {
            rule: 1,
            flags: flags::STATES,
            states_forbidden: 0b01,
            ..Entry::PLAIN
        },
    ];

    fn tables() -> Tables<'static> {
        static KEYS: [KeyEntry; 2 * ACTIONS] = {
            let mut k = [KeyEntry::EMPTY; 2 * ACTIONS];
            k[0] = KeyEntry {
                start: 0,
                len: 1,
                mark: NO_SLOT,
            };
            k[ACTIONS] = KeyEntry {
                start: 1,
                len: 1,
                mark: NO_SLOT,
            };
            k
        };
        static E: [Entry; 2] = ENTRIES;
        Tables {
            partitions: 1,
            interfaces: &[InterfaceEntry {
                first_object: 0,
                operations: 2,
            }],
            objects: 2,
            keys: &KEYS,
            entries: &E,
            machines: &[MachineEntry {
                states: 2,
                initial: 0,
                offset: 0,
            }],
            cap_ranges: &[CapRange { start: 0, len: 1 }],
            capabilities: &[0],
            rules: &[
                RuleInfo {
                    line: 1,
                    deny: false,
                },
                RuleInfo {
                    line: 2,
                    deny: false,
                },
            ],
            can_buses: 0,
            can_ids: &[],
            max_entries_per_key: 1,
            temporal_slots: 0,
            event_slots: 0,
        }
    }

    #[test]
    fn empty_key_naming_an_entry_is_refused() {
        let mut t = tables();
        static KEYS: [KeyEntry; 2 * ACTIONS] = {
            let mut k = [KeyEntry::EMPTY; 2 * ACTIONS];
            k[1] = KeyEntry {
                start: 0,
                len: 0,
                mark: NO_SLOT,
            };
            k
        };
        t.keys = &KEYS;
        let mut storage = Storage::<0, 0, 2, 1, 4>::new();
        assert_eq!(
            Engine::new(t, storage.state()).err(),
            Some(SizeMismatch::EmptyKeyStart)
        );
    }

    #[test]
    fn high_argument_fields_are_checked() {
        static E: [Entry; 1] = [Entry {
            rule: 0,
            flags: flags::ARGS | flags::HIGH_ARGS,
            arg_lo: [0, 0, 5, 0],
            arg_span: [u32::MAX, u32::MAX, 0, u32::MAX],
            ..Entry::PLAIN
        }];
        let mut t = tables();
        t.entries = &E;
        let mut storage = Storage::<0, 0, 2, 1, 4>::new();
        let mut e = Engine::new(t, storage.state()).unwrap();
        let op0 = Request::call(0, 0, 0);
        assert!(e.verdict(&op0.with_args([1, 2, 5, 3]), 1).is_allow());
        assert_eq!(
            e.verdict(&op0.with_args([1, 2, 6, 3]), 2),
            Verdict::Deny {
                reason: Reason::BadArgument,
                rule: Some(0)
            }
        );
    }

    #[test]
    fn checks_and_transition() {
        let mut storage = Storage::<0, 0, 2, 1, 4>::new();
        let mut e = Engine::new(tables(), storage.state()).unwrap();
        let op0 = Request::call(0, 0, 0).with_handle(0);
        let op1 = Request::call(0, 0, 1);
        assert!(!e.verdict(&op1, 1).is_allow());
        assert!(!e.verdict(&op0.with_args([9, 0, 0, 0]), 2).is_allow());
        assert!(!e
            .verdict(&op0.with_args([15, 0, 0, 0]).with_handle(NO_HANDLE), 3)
            .is_allow());
        assert_eq!(e.verdict(&op0.with_args([20, 0, 0, 0]), 4), Verdict::Allow);
        assert_eq!(
            e.machine(0),
            Some(MachineState {
                state: 1,
                entered: 4
            })
        );
        assert!(e.verdict(&op1, 5).is_allow());
        // Back in no state that rule 0 admits.
        assert_eq!(
            e.verdict(&op0.with_args([15, 0, 0, 0]), 6),
            Verdict::Deny {
                reason: Reason::WrongState,
                rule: Some(0)
            }
        );
        assert_eq!((e.deny_count(0), e.deny_count(1)), (3, 1));
        assert_eq!((e.audit_len(), e.audit_lost()), (4, 0));
        let _ = e.verdict(&op1.with_action(Action::Send), 7);
        assert_eq!(
            (e.audit_len(), e.audit_lost(), e.default_denies()),
            (4, 1, 1)
        );
    }
}
