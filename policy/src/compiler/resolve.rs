//! Name resolution, checks and table building.

use std::collections::BTreeMap;

use super::parse::{
    ArgCond, ArgKind, Ident, Item, OpRef, Rule, Span, StateCond, Subject, Value, ValueKind,
    WithinTarget,
};
use super::{suggest, Diagnostic, Diagnostics, FieldType, Options, System};
use crate::{
    flags, Action, CapRange, Entry, InterfaceEntry, KeyEntry, MachineEntry, RuleInfo, Tables,
    ACTIONS, MAX_ARGS, NO_SLOT,
};

/// A compiled policy: the decision tables as owned data, with the names they came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Compiled {
    pub file: String,
    pub partitions: Vec<String>,
    pub interfaces: Vec<String>,
    /// Per interface: operation names (CAN: identifiers written `0x123`).
    pub operations: Vec<Vec<String>>,
    pub machines: Vec<String>,
    pub states: Vec<Vec<String>>,
    pub audit_capacity: usize,
    /// The longest entry list of any key (≤ `max_entries_per_key`).
    pub longest_key: usize,
    pub(crate) interface_entries: Vec<InterfaceEntry>,
    pub(crate) objects: u32,
    pub(crate) keys: Vec<KeyEntry>,
    pub(crate) entries: Vec<Entry>,
    pub(crate) machine_entries: Vec<MachineEntry>,
    pub(crate) cap_ranges: Vec<CapRange>,
    pub(crate) capabilities: Vec<u16>,
    pub(crate) rules: Vec<RuleInfo>,
    pub(crate) can_buses: u16,
    pub(crate) can_ids: Vec<u32>,
    pub(crate) max_entries_per_key: u16,
    pub(crate) temporal_slots: u16,
    pub(crate) event_slots: u16,
}

impl Compiled {
    /// The tables, borrowing this compile's data.
    pub fn tables(&self) -> Tables<'_> {
        Tables {
            partitions: self.partitions.len() as u8,
            interfaces: &self.interface_entries,
            objects: self.objects,
            keys: &self.keys,
            entries: &self.entries,
            machines: &self.machine_entries,
            cap_ranges: &self.cap_ranges,
            capabilities: &self.capabilities,
            rules: &self.rules,
            can_buses: self.can_buses,
            can_ids: &self.can_ids,
            max_entries_per_key: self.max_entries_per_key,
            temporal_slots: self.temporal_slots,
            event_slots: self.event_slots,
        }
    }

    pub fn partition(&self, name: &str) -> Option<u8> {
        self.partitions
            .iter()
            .position(|p| p == name)
            .map(|i| i as u8)
    }

    pub fn interface(&self, name: &str) -> Option<u16> {
        self.interfaces
            .iter()
            .position(|p| p == name)
            .map(|i| i as u16)
    }

    /// `(interface, operation)` indices for a [`crate::Request`].
    pub fn operation(&self, interface: &str, operation: &str) -> Option<(u16, u16)> {
        let i = self.interface(interface)?;
        let o = self.operations[i as usize]
            .iter()
            .position(|o| o == operation)?;
        Some((i, o as u16))
    }

    /// Whether any rule governs `partition`'s `action` on `interface.operation` (CAN: bus
    /// and identifier name as `0x123`).
    pub fn has_rules(
        &self,
        partition: &str,
        action: Action,
        interface: &str,
        operation: &str,
    ) -> bool {
        let (Some(caller), Some((i, o))) = (
            self.partition(partition),
            self.operation(interface, operation),
        ) else {
            return false;
        };
        let object = self.interface_entries[i as usize].first_object as usize + o as usize;
        let index = (caller as usize * self.objects as usize + object) * ACTIONS + action as usize;
        self.keys.get(index).is_some_and(|k| k.len > 0)
    }

    pub fn machine(&self, name: &str) -> Option<usize> {
        self.machines.iter().position(|m| m == name)
    }

    pub fn state(&self, machine: &str, state: &str) -> Option<u8> {
        let m = self.machine(machine)?;
        self.states[m]
            .iter()
            .position(|s| s == state)
            .map(|s| s as u8)
    }

    /// The rule written on `line`, for counters and audit records.
    pub fn rule_at_line(&self, line: u32) -> Option<u16> {
        self.rules
            .iter()
            .position(|r| r.line == line)
            .map(|r| r as u16)
    }

    /// Number of source rules (rule ids are `0..rules_len()`).
    pub fn rules_len(&self) -> usize {
        self.rules.len()
    }

    pub fn temporal_slots(&self) -> usize {
        self.temporal_slots as usize
    }

    pub fn event_slots(&self) -> usize {
        self.event_slots as usize
    }

    /// The policy matrix: every key that has rules, one line each, with the source lines.
    pub fn report(&self) -> String {
        let mut out = format!(
            "policy {}: {} rules, {} entries, longest key {} (cap {})\n",
            self.file,
            self.rules.len(),
            self.entries.len(),
            self.longest_key,
            self.max_entries_per_key
        );
        for (index, key) in self.keys.iter().enumerate() {
            if key.len == 0 {
                continue;
            }
            let (caller, iface, op, action) = self.key_names(index);
            let lines: Vec<String> = self.entries
                [key.start as usize..key.start as usize + key.len as usize]
                .iter()
                .map(|e| {
                    let r = self.rules[e.rule as usize];
                    format!("{}{}", if r.deny { "deny:" } else { "allow:" }, r.line)
                })
                .collect();
            out.push_str(&format!(
                "{caller} {action} {iface}.{op}: {}\n",
                lines.join(" ")
            ));
        }
        out
    }

    pub(crate) fn key_names(&self, index: usize) -> (&str, &str, &str, &str) {
        let action = index % ACTIONS;
        let object = (index / ACTIONS) % self.objects.max(1) as usize;
        let caller = index / ACTIONS / self.objects.max(1) as usize;
        let iface = self
            .interface_entries
            .iter()
            .rposition(|i| i.first_object as usize <= object && i.operations > 0)
            .unwrap_or(0);
        let op = object - self.interface_entries[iface].first_object as usize;
        (
            &self.partitions[caller],
            &self.interfaces[iface],
            &self.operations[iface][op],
            ["call", "send", "receive", "transmit"][action],
        )
    }
}

/// A set of argument values, in the field type's numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
enum VSet {
    Range(i64, i64),
    Set(Vec<i64>),
}

impl VSet {
    fn intersects(&self, other: &VSet) -> bool {
        match (self, other) {
            (VSet::Range(a, b), VSet::Range(c, d)) => a.max(c) <= b.min(d),
            (VSet::Range(a, b), VSet::Set(s)) | (VSet::Set(s), VSet::Range(a, b)) => {
                s.iter().any(|v| a <= v && v <= b)
            }
            (VSet::Set(s), VSet::Set(t)) => s.iter().any(|v| t.contains(v)),
        }
    }
}

fn type_domain(ty: &FieldType) -> VSet {
    match ty {
        FieldType::U8 => VSet::Range(0, u8::MAX as i64),
        FieldType::U16 => VSet::Range(0, u16::MAX as i64),
        FieldType::U32 => VSet::Range(0, u32::MAX as i64),
        FieldType::I32 => VSet::Range(i32::MIN as i64, i32::MAX as i64),
        FieldType::Bool => VSet::Range(0, 1),
        FieldType::Enum(values) => VSet::Set(values.iter().map(|(_, v)| *v as i64).collect()),
    }
}

fn type_name(ty: &FieldType) -> String {
    match ty {
        FieldType::U8 => "u8 (0..=255)".into(),
        FieldType::U16 => "u16 (0..=65535)".into(),
        FieldType::U32 => "u32 (0..=4294967295)".into(),
        FieldType::I32 => "i32 (-2147483648..=2147483647)".into(),
        FieldType::Bool => "bool (true, false)".into(),
        FieldType::Enum(v) => format!(
            "enum ({})",
            v.iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

struct IfaceInfo {
    name: String,
    can: bool,
    first_object: u32,
    ops: Vec<String>,
    fields: Vec<Vec<super::Field>>,
}

struct MachineInfo {
    name: String,
    states: Vec<Ident>,
}

/// One rule expanded for one caller and one object.
#[derive(Clone, Debug)]
struct Pending {
    rule: u16,
    line: u32,
    span: Span,
    deny: bool,
    caller: u8,
    object: u32,
    action: Action,
    handle: bool,
    /// Per machine: the allowed states (all bits = unconstrained).
    masks: Vec<u32>,
    args: Vec<(u8, VSet, bool)>,
    /// Fields and their types for type checks (allow entries).
    fields: Vec<FieldType>,
    rate: Option<(u32, u32)>,
    min_interval: Option<u32>,
    within_state: Option<(u8, u32)>,
    event: Option<(u32, Option<u32>)>,
    then: Option<(u8, u8)>,
    dead: bool,
}

struct Ctx<'a> {
    file: &'a str,
    diags: Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn error(&mut self, span: Span, message: impl Into<String>, hint: impl Into<String>) {
        self.diags.push(Diagnostic {
            file: self.file.into(),
            line: span.line,
            col: span.col,
            message: message.into(),
            hint: hint.into(),
        });
    }

    fn unknown<'n>(
        &mut self,
        span: Span,
        what: &str,
        name: &str,
        candidates: impl Iterator<Item = &'n str> + Clone,
    ) {
        let hint = match suggest(name, candidates.clone()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => {
                let all: Vec<&str> = candidates.collect();
                if all.is_empty() {
                    format!("no {what} is declared")
                } else {
                    format!("known: {}", all.join(", "))
                }
            }
        };
        self.error(span, format!("unknown {what} `{name}`"), hint);
    }
}

fn full_mask(states: usize) -> u32 {
    if states >= 32 {
        u32::MAX
    } else {
        (1u32 << states) - 1
    }
}

pub(super) fn resolve(
    system: &System,
    file: &str,
    items: &[Item],
    options: &Options,
) -> Result<Compiled, Diagnostics> {
    let mut cx = Ctx {
        file,
        diags: Vec::new(),
    };
    let nowhere = Span { line: 0, col: 0 };

    // The system description.
    if system.partitions.len() > 255 {
        cx.error(nowhere, "more than 255 partitions", "");
    }
    let mut ifaces: Vec<IfaceInfo> = Vec::new();
    let mut objects: u32 = 0;
    for i in &system.interfaces {
        if i.operations.iter().any(|o| o.fields.len() > MAX_ARGS) {
            cx.error(
                nowhere,
                format!(
                    "interface `{}` has an operation with more than {MAX_ARGS} argument fields",
                    i.name
                ),
                "",
            );
        }
        ifaces.push(IfaceInfo {
            name: i.name.clone(),
            can: false,
            first_object: objects,
            ops: i.operations.iter().map(|o| o.name.clone()).collect(),
            fields: i.operations.iter().map(|o| o.fields.clone()).collect(),
        });
        objects += i.operations.len() as u32;
    }
    let mut can_ids = Vec::new();
    for b in &system.can_buses {
        let mut ids = b.ids.clone();
        ids.sort_unstable();
        ids.dedup();
        ifaces.push(IfaceInfo {
            name: b.name.clone(),
            can: true,
            first_object: objects,
            ops: ids.iter().map(|id| format!("{id:#x}")).collect(),
            fields: vec![Vec::new(); ids.len()],
        });
        objects += ids.len() as u32;
        can_ids.extend(ids);
    }
    let partitions = &system.partitions;
    let part_names = || partitions.iter().map(|s| s.as_str());
    let iface_names: Vec<String> = ifaces.iter().map(|i| i.name.clone()).collect();

    // Declarations first, so rules may precede them.
    let mut machines: Vec<MachineInfo> = Vec::new();
    for item in items {
        if let Item::Machine(m) = item {
            if machines.iter().any(|x| x.name == m.name.name) {
                cx.error(
                    m.name.span,
                    format!("state machine `{}` is declared twice", m.name.name),
                    "rename one of them",
                );
                continue;
            }
            if m.states.len() > 32 || machines.len() >= 255 {
                cx.error(
                    m.name.span,
                    "too many states or machines",
                    "at most 32 states per machine, 255 machines",
                );
            }
            for (i, s) in m.states.iter().enumerate() {
                if m.states[..i].iter().any(|x| x.name == s.name) {
                    cx.error(
                        s.span,
                        format!("state `{}` is listed twice", s.name),
                        "list each state once",
                    );
                }
            }
            machines.push(MachineInfo {
                name: m.name.name.clone(),
                states: m.states.clone(),
            });
        }
    }
    let nm = machines.len();
    let total_states: usize = machines.iter().map(|m| m.states.len()).sum();
    if total_states > 64 {
        let span = items
            .iter()
            .filter_map(|i| {
                if let Item::Machine(m) = i {
                    Some(m.name.span)
                } else {
                    None
                }
            })
            .next_back()
            .unwrap_or(nowhere);
        cx.error(
            span,
            format!(
                "{total_states} states over all state machines; the engine's state vector holds 64"
            ),
            "merge or drop states",
        );
    }
    let full: Vec<u32> = machines.iter().map(|m| full_mask(m.states.len())).collect();

    let resolve_conds = |cx: &mut Ctx, conds: &[StateCond], masks: &mut Vec<u32>| -> bool {
        let mut ok = true;
        for c in conds {
            let Some(mi) = machines.iter().position(|m| m.name == c.machine.name) else {
                cx.unknown(
                    c.machine.span,
                    "state machine",
                    &c.machine.name,
                    machines.iter().map(|m| m.name.as_str()),
                );
                ok = false;
                continue;
            };
            let mut mask = 0u32;
            for s in &c.states {
                match machines[mi].states.iter().position(|x| x.name == s.name) {
                    Some(si) => mask |= 1 << si,
                    None => {
                        cx.unknown(
                            s.span,
                            &format!("state of `{}`", c.machine.name),
                            &s.name,
                            machines[mi].states.iter().map(|x| x.name.as_str()),
                        );
                        ok = false;
                    }
                }
            }
            masks[mi] &= mask;
        }
        ok
    };

    // Roles: name -> members (partition, state masks).
    let mut roles: BTreeMap<String, Vec<(u8, Vec<u32>)>> = BTreeMap::new();
    for item in items {
        if let Item::Role(r) = item {
            if roles.contains_key(&r.name.name) {
                cx.error(
                    r.name.span,
                    format!("role `{}` is declared twice", r.name.name),
                    "merge the two declarations",
                );
                continue;
            }
            let mut members = Vec::new();
            for m in &r.members {
                let Some(p) = partitions.iter().position(|x| *x == m.partition.name) else {
                    cx.unknown(
                        m.partition.span,
                        "partition",
                        &m.partition.name,
                        part_names(),
                    );
                    continue;
                };
                let mut masks = full.clone();
                if resolve_conds(&mut cx, &m.when, &mut masks) {
                    members.push((p as u8, masks));
                }
            }
            roles.insert(r.name.name.clone(), members);
        }
    }

    // Capabilities.
    let mut grants: Vec<Vec<u16>> = vec![Vec::new(); partitions.len()];
    for item in items {
        if let Item::Grant(g) = item {
            let Some(p) = partitions.iter().position(|x| *x == g.partition.name) else {
                cx.unknown(
                    g.partition.span,
                    "partition",
                    &g.partition.name,
                    part_names(),
                );
                continue;
            };
            for i in &g.interfaces {
                match ifaces.iter().position(|x| x.name == i.name) {
                    Some(ii) if grants[p].contains(&(ii as u16)) => cx.error(
                        i.span,
                        format!(
                            "`{}` already holds a handle to `{}`",
                            g.partition.name, i.name
                        ),
                        "grant each interface once per partition",
                    ),
                    Some(ii) => grants[p].push(ii as u16),
                    None => cx.unknown(
                        i.span,
                        "interface",
                        &i.name,
                        iface_names.iter().map(|s| s.as_str()),
                    ),
                }
            }
        }
    }

    // Rules, expanded per caller and object.
    let mut pendings: Vec<Pending> = Vec::new();
    let mut rules: Vec<RuleInfo> = Vec::new();
    let mut rule_spans: Vec<Span> = Vec::new();
    for item in items {
        let Item::Rule(rule) = item else { continue };
        let index = rules.len() as u16;
        rules.push(RuleInfo {
            line: rule.span.line,
            deny: rule.deny,
        });
        rule_spans.push(rule.span);
        if rules.len() >= u16::MAX as usize {
            cx.error(rule.span, "too many rules", "at most 65534 rules");
            break;
        }
        expand_rule(
            &mut cx,
            rule,
            index,
            partitions,
            &ifaces,
            &machines,
            &full,
            &roles,
            &grants,
            &resolve_conds,
            &mut pendings,
        );
    }

    if !cx.diags.is_empty() {
        return Err(Diagnostics(cx.diags));
    }

    // Ordering prerequisites: `after A` needs some allow rule for (caller, A).
    let allowed: std::collections::BTreeSet<(u8, u32)> = pendings
        .iter()
        .filter(|p| !p.deny)
        .map(|p| (p.caller, p.object))
        .collect();
    for p in pendings.iter_mut() {
        if let Some((obj, _)) = p.event {
            if !allowed.contains(&(p.caller, obj)) {
                p.dead = true;
            }
        }
    }

    // Reachability of states: fixpoint over the transitions of live allow entries.
    let mut reach: Vec<u32> = machines.iter().map(|_| 1u32).collect();
    loop {
        let mut changed = false;
        for p in pendings.iter().filter(|p| !p.deny && !p.dead) {
            if let Some((m, s)) = p.then {
                let live = (0..nm).all(|k| p.masks[k] & reach[k] != 0);
                if live && reach[m as usize] & (1 << s) == 0 {
                    reach[m as usize] |= 1 << s;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    for (mi, m) in machines.iter().enumerate() {
        for (si, s) in m.states.iter().enumerate() {
            if reach[mi] & (1 << si) == 0 {
                cx.error(
                    s.span,
                    format!(
                        "state `{}` of `{}` is unreachable from the initial state `{}`",
                        s.name, m.name, m.states[0].name
                    ),
                    format!(
                        "add an allow rule with `then {} = {}` whose conditions hold in a reachable state, or remove the state",
                        m.name, s.name
                    ),
                );
            }
        }
    }
    for p in pendings.iter_mut() {
        if (0..nm).any(|k| p.masks[k] & reach[k] == 0) {
            p.dead = true;
        }
    }
    // A rule all of whose expansions are dead can never fire.
    let mut live_rules = vec![false; rules.len()];
    let mut seen_rules = vec![false; rules.len()];
    for p in &pendings {
        seen_rules[p.rule as usize] = true;
        live_rules[p.rule as usize] |= !p.dead;
    }
    for (r, span) in rule_spans.iter().enumerate() {
        if seen_rules[r] && !live_rules[r] {
            let p = pendings
                .iter()
                .find(|p| p.rule as usize == r)
                .expect("seen");
            let why = if let Some(k) = (0..nm).find(|&k| p.masks[k] & reach[k] == 0) {
                let wanted: Vec<&str> = machines[k]
                    .states
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| p.masks[k] & (1 << i) != 0)
                    .map(|(_, s)| s.name.as_str())
                    .collect();
                (
                    format!(
                        "rule can never fire: it needs `{}` in [{}], which no transition reaches",
                        machines[k].name,
                        wanted.join(", ")
                    ),
                    "make the state reachable or drop the condition".to_string(),
                )
            } else {
                (
                    "rule can never fire: its `after`/`within` prerequisite operation is never allowed to its caller".to_string(),
                    "add an allow rule for the prerequisite operation".to_string(),
                )
            };
            cx.error(*span, why.0, why.1);
        }
    }
    pendings.retain(|p| !p.dead);

    // Keys, conflicts, the per-key cap.
    let mut keys: BTreeMap<(u8, u32, u8), Vec<usize>> = BTreeMap::new();
    for (i, p) in pendings.iter().enumerate() {
        keys.entry((p.caller, p.object, p.action as u8))
            .or_default()
            .push(i);
    }
    let mut reported: std::collections::BTreeSet<(u16, u16)> = Default::default();
    for list in keys.values() {
        for &d in list.iter().filter(|&&i| pendings[i].deny) {
            for &a in list.iter().filter(|&&i| !pendings[i].deny) {
                let (dp, ap) = (&pendings[d], &pendings[a]);
                if overlaps(dp, ap, nm) && reported.insert((dp.rule, ap.rule)) {
                    let (later, earlier) = if dp.span > ap.span {
                        (dp, ap)
                    } else {
                        (ap, dp)
                    };
                    cx.error(
                        later.span,
                        format!(
                            "conflicting rules: this {} overlaps the {} at line {} ({} {} {}.{})",
                            if later.deny { "deny" } else { "allow" },
                            if earlier.deny { "deny" } else { "allow" },
                            earlier.line,
                            partitions[dp.caller as usize],
                            action_name(dp.action),
                            object_iface(&ifaces, dp.object).0,
                            object_iface(&ifaces, dp.object).1,
                        ),
                        "an allow and a deny may not match the same request: make their argument ranges or `when` states disjoint",
                    );
                }
            }
        }
        if list.len() > options.max_entries_per_key as usize {
            let p = &pendings[list[options.max_entries_per_key as usize]];
            let (i, o) = object_iface(&ifaces, p.object);
            cx.error(
                p.span,
                format!(
                    "too many rules for `{} {} {i}.{o}`: {} exceed the per-key cap of {}",
                    partitions[p.caller as usize],
                    action_name(p.action),
                    list.len(),
                    options.max_entries_per_key
                ),
                "merge rules (argument sets, `in [..]` states) or raise `Options::max_entries_per_key`; the cap bounds a verdict's time",
            );
        }
    }
    if !cx.diags.is_empty() {
        cx.diags.sort_by_key(|d| (d.line, d.col));
        return Err(Diagnostics(cx.diags));
    }

    // Event slots: one per (caller, object) some `after`/`within` names.
    let mut events: BTreeMap<(u8, u32), u16> = BTreeMap::new();
    for p in &pendings {
        if let Some((obj, _)) = p.event {
            let n = events.len() as u16;
            events.entry((p.caller, obj)).or_insert(n);
        }
    }
    for (n, v) in events.values_mut().enumerate() {
        *v = n as u16;
    }

    // Tables.
    let np = partitions.len();
    let mut key_table = vec![KeyEntry::EMPTY; np * objects as usize * ACTIONS];
    let mut entries = Vec::new();
    let offsets: Vec<u32> = machines
        .iter()
        .scan(0u32, |acc, m| {
            let o = *acc;
            *acc += m.states.len() as u32;
            Some(o)
        })
        .collect();
    let mut temporal_slots = 0u16;
    let mut longest_key = 0;
    for (&(caller, object, action), list) in &keys {
        let index =
            (caller as usize * objects as usize + object as usize) * ACTIONS + action as usize;
        let mut order: Vec<usize> = list.clone();
        order.sort_by_key(|&i| (!pendings[i].deny, pendings[i].rule));
        longest_key = longest_key.max(order.len());
        let mark = if action == Action::Call as u8 || action == Action::Transmit as u8 {
            events.get(&(caller, object)).copied().unwrap_or(NO_SLOT)
        } else {
            NO_SLOT
        };
        key_table[index] = KeyEntry {
            start: entries.len() as u32,
            len: order.len() as u16,
            mark,
        };
        for i in order {
            let p = &pendings[i];
            let mut e = Entry::PLAIN;
            e.rule = p.rule;
            if mark != NO_SLOT {
                e.flags |= flags::MARK;
            }
            if p.deny {
                e.flags |= flags::DENY;
            }
            if p.handle {
                e.flags |= flags::HANDLE;
            }
            for (field, ty) in p.fields.iter().enumerate() {
                let explicit = p.args.iter().find(|(f, _, _)| *f as usize == field);
                let set = match explicit {
                    Some((_, set, _)) => set.clone(),
                    None if p.deny => continue,
                    None => type_domain(ty),
                };
                match set {
                    VSet::Range(lo, hi) => {
                        e.arg_lo[field] = lo as u32;
                        e.arg_span[field] = (hi as u32).wrapping_sub(lo as u32);
                    }
                    VSet::Set(values) if explicit.is_some() && values.len() > 1 => {
                        // Checked by `resolve_arg`: values in 0..32, one set per rule.
                        e.flags |= flags::ARG_SET;
                        e.set_field = field as u8;
                        e.set_mask = values.iter().fold(0u32, |m, v| m | (1u32 << v));
                    }
                    VSet::Set(values) => {
                        // One value, or an enum's whole type: its hull.
                        let lo = values.iter().copied().min().unwrap_or(0);
                        let hi = values.iter().copied().max().unwrap_or(0);
                        e.arg_lo[field] = lo as u32;
                        e.arg_span[field] = (hi as u32).wrapping_sub(lo as u32);
                    }
                }
            }
            if e.arg_lo
                .iter()
                .zip(&e.arg_span)
                .any(|(&lo, &span)| (lo, span) != (0, u32::MAX))
            {
                e.flags |= flags::ARGS;
            }
            if e.arg_lo[2..]
                .iter()
                .zip(&e.arg_span[2..])
                .any(|(&lo, &span)| (lo, span) != (0, u32::MAX))
            {
                e.flags |= flags::HIGH_ARGS;
            }
            let mut forbidden = 0u64;
            for (k, &mask) in p.masks.iter().enumerate() {
                forbidden |= ((full[k] & !mask) as u64) << offsets[k];
            }
            if forbidden != 0 {
                e.flags |= flags::STATES;
                e.states_forbidden = forbidden;
            }
            if p.rate.is_some() || p.min_interval.is_some() {
                e.slot = temporal_slots;
                temporal_slots += 1;
            }
            if let Some((n, w)) = p.rate {
                e.flags |= flags::RATE;
                e.rate_max = n;
                e.rate_window = w;
            }
            if let Some(t) = p.min_interval {
                e.flags |= flags::MIN_INTERVAL;
                e.min_interval = t;
            }
            if let Some((m, t)) = p.within_state {
                e.flags |= flags::WITHIN_STATE;
                e.window_machine = m;
                e.within = t;
            }
            if let Some((obj, within)) = p.event {
                e.event = events[&(p.caller, obj)];
                match within {
                    Some(t) => {
                        e.flags |= flags::WITHIN_EVENT;
                        e.within = t;
                    }
                    None => e.flags |= flags::AFTER,
                }
            }
            if let Some((m, s)) = p.then {
                e.flags |= flags::TRANSITION;
                e.then_machine = m;
                e.then_state = s;
            }
            entries.push(e);
        }
    }
    let mut cap_ranges = Vec::new();
    let mut capabilities = Vec::new();
    for g in &grants {
        cap_ranges.push(CapRange {
            start: capabilities.len() as u32,
            len: g.len() as u16,
        });
        capabilities.extend(g.iter().copied());
    }
    Ok(Compiled {
        file: file.into(),
        partitions: partitions.clone(),
        interfaces: iface_names,
        operations: ifaces.iter().map(|i| i.ops.clone()).collect(),
        machines: machines.iter().map(|m| m.name.clone()).collect(),
        states: machines
            .iter()
            .map(|m| m.states.iter().map(|s| s.name.clone()).collect())
            .collect(),
        audit_capacity: options.audit_capacity,
        longest_key,
        interface_entries: ifaces
            .iter()
            .map(|i| InterfaceEntry {
                first_object: i.first_object,
                operations: i.ops.len() as u16,
            })
            .collect(),
        objects,
        keys: key_table,
        entries,
        machine_entries: machines
            .iter()
            .zip(&offsets)
            .map(|(m, &offset)| MachineEntry {
                states: m.states.len() as u8,
                initial: 0,
                offset: offset as u8,
            })
            .collect(),
        cap_ranges,
        capabilities,
        rules,
        can_buses: system.can_buses.len() as u16,
        can_ids,
        max_entries_per_key: options.max_entries_per_key,
        temporal_slots,
        event_slots: events.len() as u16,
    })
}

fn action_name(a: Action) -> &'static str {
    ["call", "send", "receive", "transmit"][a as usize]
}

fn object_iface(ifaces: &[IfaceInfo], object: u32) -> (&str, &str) {
    let i = ifaces
        .iter()
        .rposition(|i| i.first_object <= object && !i.ops.is_empty())
        .unwrap_or(0);
    (
        &ifaces[i].name,
        &ifaces[i].ops[(object - ifaces[i].first_object) as usize],
    )
}

fn overlaps(a: &Pending, b: &Pending, machines: usize) -> bool {
    (0..machines).all(|k| a.masks[k] & b.masks[k] != 0)
        && a.fields.iter().enumerate().all(|(f, ty)| {
            let dom = type_domain(ty);
            let sa = a
                .args
                .iter()
                .find(|x| x.0 as usize == f)
                .map_or(&dom, |x| &x.1);
            let sb = b
                .args
                .iter()
                .find(|x| x.0 as usize == f)
                .map_or(&dom, |x| &x.1);
            sa.intersects(sb)
        })
}

type ResolveConds<'a> = dyn Fn(&mut Ctx, &[StateCond], &mut Vec<u32>) -> bool + 'a;

#[allow(clippy::too_many_arguments)]
fn expand_rule(
    cx: &mut Ctx,
    rule: &Rule,
    index: u16,
    partitions: &[String],
    ifaces: &[IfaceInfo],
    machines: &[MachineInfo],
    full: &[u32],
    roles: &BTreeMap<String, Vec<(u8, Vec<u32>)>>,
    grants: &[Vec<u16>],
    resolve_conds: &ResolveConds,
    out: &mut Vec<Pending>,
) {
    let errors_before = cx.diags.len();
    // Subject.
    let members: Vec<(u8, Vec<u32>)> = match &rule.subject {
        Subject::Partition(p) => match partitions.iter().position(|x| *x == p.name) {
            Some(i) => vec![(i as u8, full.to_vec())],
            None => {
                cx.unknown(
                    p.span,
                    "partition",
                    &p.name,
                    partitions.iter().map(|s| s.as_str()),
                );
                Vec::new()
            }
        },
        Subject::Role(r) => match roles.get(&r.name) {
            Some(m) => m.clone(),
            None => {
                cx.unknown(r.span, "role", &r.name, roles.keys().map(|s| s.as_str()));
                Vec::new()
            }
        },
    };
    // Object.
    let Some(ii) = ifaces.iter().position(|i| i.name == rule.interface.name) else {
        cx.unknown(
            rule.interface.span,
            "interface or CAN bus",
            &rule.interface.name,
            ifaces.iter().map(|i| i.name.as_str()),
        );
        return;
    };
    let iface = &ifaces[ii];
    let action_ok = if iface.can {
        matches!(rule.action, Action::Transmit | Action::Receive)
    } else {
        matches!(rule.action, Action::Call | Action::Send | Action::Receive)
    };
    if !action_ok {
        cx.error(
            rule.action_span,
            format!(
                "`{}` does not apply to {} `{}`",
                action_name(rule.action),
                if iface.can { "CAN bus" } else { "interface" },
                iface.name
            ),
            if iface.can {
                "CAN identifiers take `transmit` or `receive`"
            } else {
                "interface operations take `call`, `send` or `receive`"
            },
        );
    }
    let ops: Vec<usize> = match &rule.op {
        OpRef::All(span) => {
            if !rule.args.is_empty() {
                cx.error(
                    *span,
                    "argument conditions need one operation, not `*`",
                    "write one rule per operation",
                );
            }
            (0..iface.ops.len()).collect()
        }
        OpRef::Name(o) => match iface.ops.iter().position(|x| *x == o.name) {
            Some(i) if !iface.can => vec![i],
            _ => {
                cx.unknown(
                    o.span,
                    &format!("operation of `{}`", iface.name),
                    &o.name,
                    iface.ops.iter().map(|s| s.as_str()),
                );
                return;
            }
        },
        OpRef::CanId(id, span) => {
            let pos = if iface.can {
                iface.ops.iter().position(|x| *x == format!("{id:#x}"))
            } else {
                None
            };
            match pos {
                Some(i) => vec![i],
                None => {
                    cx.error(
                        *span,
                        format!("unknown CAN identifier `{id:#x}` on `{}`", iface.name),
                        format!("known: {}", iface.ops.join(", ")),
                    );
                    return;
                }
            }
        }
    };
    // Arguments (only for a single operation).
    let mut args: Vec<(u8, VSet, bool)> = Vec::new();
    if ops.len() == 1 {
        let fields = &iface.fields[ops[0]];
        for a in &rule.args {
            match fields.iter().position(|f| f.name == a.field.name) {
                None => cx.unknown(
                    a.field.span,
                    &format!("argument field of `{}.{}`", iface.name, iface.ops[ops[0]]),
                    &a.field.name,
                    fields.iter().map(|f| f.name.as_str()),
                ),
                Some(fi) if args.iter().any(|x| x.0 as usize == fi) => cx.error(
                    a.field.span,
                    format!("field `{}` is constrained twice", a.field.name),
                    "combine the conditions into one range or set",
                ),
                Some(fi) => {
                    if let Some(set) = resolve_arg(cx, a, &fields[fi].ty) {
                        let is_set = |s: &VSet| matches!(s, VSet::Set(v) if v.len() > 1);
                        if is_set(&set) && args.iter().any(|(_, s, _)| is_set(s)) {
                            cx.error(
                                a.field.span,
                                "at most one value set (`in [..]`) per rule",
                                "split the rule, or use a range",
                            );
                        }
                        args.push((fi as u8, set, fields[fi].ty == FieldType::I32));
                    }
                }
            }
        }
    }
    // Clauses.
    let mut masks = full.to_vec();
    resolve_conds(cx, &rule.when, &mut masks);
    if rule.deny {
        let forbidden = [
            ("with handle", rule.handle),
            ("rate", rule.rate.map(|r| r.2)),
            ("min_interval", rule.min_interval.map(|r| r.1)),
            ("within", rule.within.as_ref().map(|r| r.2)),
            ("after", rule.after.as_ref().map(|r| r.2)),
            ("then", rule.then.as_ref().map(|r| r.2)),
        ];
        for (name, span) in forbidden {
            if let Some(span) = span {
                cx.error(
                    span,
                    format!("`{name}` is not allowed on a deny rule"),
                    "a deny rule takes only argument and `when` conditions",
                );
            }
        }
    }
    if let Some((_, w, span)) = rule.rate {
        if w == 0 {
            cx.error(
                span,
                "rate window of 0 ticks",
                "use a window of at least 1 tick",
            );
        }
    }
    let find_state = |cx: &mut Ctx, m: &Ident, s: &Ident| -> Option<(u8, u8)> {
        let Some(mi) = machines.iter().position(|x| x.name == m.name) else {
            cx.unknown(
                m.span,
                "state machine",
                &m.name,
                machines.iter().map(|x| x.name.as_str()),
            );
            return None;
        };
        let Some(si) = machines[mi].states.iter().position(|x| x.name == s.name) else {
            cx.unknown(
                s.span,
                &format!("state of `{}`", m.name),
                &s.name,
                machines[mi].states.iter().map(|x| x.name.as_str()),
            );
            return None;
        };
        Some((mi as u8, si as u8))
    };
    let find_op = |cx: &mut Ctx, i: &Ident, o: &Ident| -> Option<u32> {
        let Some(fi) = ifaces.iter().position(|x| x.name == i.name && !x.can) else {
            cx.unknown(
                i.span,
                "interface",
                &i.name,
                ifaces.iter().filter(|x| !x.can).map(|x| x.name.as_str()),
            );
            return None;
        };
        let Some(oi) = ifaces[fi].ops.iter().position(|x| *x == o.name) else {
            cx.unknown(
                o.span,
                &format!("operation of `{}`", i.name),
                &o.name,
                ifaces[fi].ops.iter().map(|s| s.as_str()),
            );
            return None;
        };
        Some(ifaces[fi].first_object + oi as u32)
    };
    let mut within_state = None;
    let mut event: Option<(u32, Option<u32>)> = None;
    if let Some((t, target, _)) = &rule.within {
        match target {
            WithinTarget::State(m, s) => {
                if let Some((mi, si)) = find_state(cx, m, s) {
                    masks[mi as usize] &= 1 << si;
                    within_state = Some((mi, *t));
                }
            }
            WithinTarget::Op(i, o) => {
                if let Some(obj) = find_op(cx, i, o) {
                    event = Some((obj, Some(*t)));
                }
            }
        }
    }
    if let Some((i, o, span)) = &rule.after {
        if let Some(obj) = find_op(cx, i, o) {
            match event {
                Some((other, _)) if other != obj => cx.error(
                    *span,
                    "`after` and `within ... after` name different operations",
                    "one rule may depend on one prior operation",
                ),
                Some(_) => {}
                None => event = Some((obj, None)),
            }
        }
    }
    let then = rule
        .then
        .as_ref()
        .and_then(|(m, s, _)| find_state(cx, m, s));
    if cx.diags.len() > errors_before {
        return;
    }
    // Expand; members whose mode contradicts the rule, or that lack a handle, get no entry.
    let mut produced = 0;
    let mut no_handle = Vec::new();
    for (caller, member_masks) in &members {
        let m: Vec<u32> = masks.iter().zip(member_masks).map(|(a, b)| a & b).collect();
        if m.contains(&0) {
            continue;
        }
        if rule.handle.is_some() && !grants[*caller as usize].contains(&(ii as u16)) {
            no_handle.push(partitions[*caller as usize].as_str());
            continue;
        }
        for &op in &ops {
            produced += 1;
            out.push(Pending {
                rule: index,
                line: rule.span.line,
                span: rule.span,
                deny: rule.deny,
                caller: *caller,
                object: iface.first_object + op as u32,
                action: rule.action,
                handle: rule.handle.is_some(),
                masks: m.clone(),
                args: args.clone(),
                fields: iface.fields[op].iter().map(|f| f.ty.clone()).collect(),
                rate: rule.rate.map(|r| (r.0, r.1)),
                min_interval: rule.min_interval.map(|r| r.0),
                within_state,
                event,
                then,
                dead: false,
            });
        }
    }
    if produced == 0 && !members.is_empty() && !ops.is_empty() {
        if !no_handle.is_empty() {
            cx.error(
                rule.handle.unwrap_or(rule.span),
                format!(
                    "rule can never fire: {} holds no handle to `{}`",
                    no_handle.join(", "),
                    iface.name
                ),
                format!("add `grant {}: {};`", no_handle[0], iface.name),
            );
        } else {
            cx.error(
                rule.span,
                "rule can never fire: its `when` states contradict the role's modes",
                "check the role's `when` and the rule's `when`",
            );
        }
    }
}

fn resolve_value(cx: &mut Ctx, v: &Value, field: &Ident, ty: &FieldType) -> Option<i64> {
    let out_of_type = |cx: &mut Ctx, shown: String| {
        cx.error(
            v.span,
            format!(
                "value `{shown}` is outside the type of field `{}`: {}",
                field.name,
                type_name(ty)
            ),
            "use a value of the field's type",
        );
    };
    match (&v.kind, ty) {
        (ValueKind::Name(n), FieldType::Enum(values)) => {
            match values.iter().find(|(x, _)| x == n) {
                Some((_, val)) => Some(*val as i64),
                None => {
                    out_of_type(cx, n.clone());
                    None
                }
            }
        }
        (ValueKind::Name(n), FieldType::Bool) if n == "true" || n == "false" => {
            Some(i64::from(n == "true"))
        }
        (ValueKind::Name(n), _) => {
            out_of_type(cx, n.clone());
            None
        }
        (ValueKind::Num(n), FieldType::Enum(_) | FieldType::Bool) => {
            out_of_type(cx, n.to_string());
            None
        }
        (ValueKind::Num(n), _) => Some(*n),
    }
}

fn resolve_arg(cx: &mut Ctx, a: &ArgCond, ty: &FieldType) -> Option<VSet> {
    let VSet::Range(tmin, tmax) = type_domain(ty) else {
        // Enums: names only, as a single value or a set.
        let values = match &a.kind {
            ArgKind::Eq(v) => vec![resolve_value(cx, v, &a.field, ty)?],
            ArgKind::Set(vs) => {
                let mut out = Vec::new();
                for v in vs {
                    out.push(resolve_value(cx, v, &a.field, ty)?);
                }
                out
            }
            ArgKind::Range(lo, _) => {
                cx.error(
                    lo.span,
                    format!("a range on enum field `{}`", a.field.name),
                    "use `in [a, b]` with value names",
                );
                return None;
            }
        };
        if values.len() > 1 && values.iter().any(|v| *v >= 32) {
            cx.error(
                a.field.span,
                "enum sets need values below 32",
                "split the rule per value",
            );
            return None;
        }
        return Some(VSet::Set(values));
    };
    let check = |cx: &mut Ctx, v: &Value| -> Option<i64> {
        let n = resolve_value(cx, v, &a.field, ty)?;
        if n < tmin || n > tmax {
            cx.error(
                v.span,
                format!(
                    "value `{n}` is outside the type of field `{}`: {}",
                    a.field.name,
                    type_name(ty)
                ),
                "use a value of the field's type",
            );
            return None;
        }
        Some(n)
    };
    match &a.kind {
        ArgKind::Eq(v) => Some(VSet::Range(check(cx, v)?, check(cx, v)?)),
        ArgKind::Set(vs) => {
            let mut out = Vec::new();
            for v in vs {
                out.push(check(cx, v)?);
            }
            if out.len() > 1 && out.iter().any(|v| !(0..32).contains(v)) {
                cx.error(
                    a.field.span,
                    "value sets need values in 0..=31",
                    "use a range or one rule per value",
                );
                return None;
            }
            Some(VSet::Set(out))
        }
        ArgKind::Range(lo, hi) => {
            let l = resolve_value(cx, lo, &a.field, ty)?;
            let h = resolve_value(cx, hi, &a.field, ty)?;
            if l > h {
                cx.error(
                    lo.span,
                    format!(
                        "rule can never fire: the range {l}..={h} of `{}` is empty",
                        a.field.name
                    ),
                    "write the lower bound first",
                );
                return None;
            }
            if h < tmin || l > tmax {
                cx.error(
                    lo.span,
                    format!(
                        "rule can never fire: the range {l}..={h} of `{}` lies outside its type {}",
                        a.field.name,
                        type_name(ty)
                    ),
                    "use a range inside the field's type",
                );
                return None;
            }
            let (l, h) = (check(cx, lo)?, check(cx, hi)?);
            Some(VSet::Range(l, h))
        }
    }
}
