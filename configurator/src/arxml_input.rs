//! ARXML into the one model. The OS part (ECUC values of the Os module) becomes the same
//! input records the TOML reader produces, one record set per ARXML file, with spans into that
//! file; `load` then resolves and checks them together with the TOML files, so a description
//! may mix both and gets one validation and one set of diagnostics. The network and the port
//! interfaces are read here and attached to the resolved model.

use std::path::{Path, PathBuf};

use ecu_arxml::{Arxml, NodeId};
use serde_json::{json, Map, Value};

use crate::diag::{Diagnostic, Location, Source};
use crate::interfaces::{self, Interface};
use crate::model::{const_name, Ecu, Hooks};
use crate::network::{self, ecuc_containers, ecuc_param, ecuc_refs, Network};

/// True for files read as ARXML.
pub fn is_arxml(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("arxml"))
}

/// What the ARXML files of a description contribute.
#[derive(Debug, Default)]
pub struct ArxmlPart {
    /// (index into the loader's sources, the OS records of that file in TOML's shape).
    pub files: Vec<(usize, Value)>,
    pub network: Network,
    pub interfaces: Vec<Interface>,
    /// Name of the first ARXML file, for a network-only description.
    pub first_name: Option<String>,
}

impl ArxmlPart {
    /// Puts the network and interfaces into the resolved model.
    pub fn attach(self, ecu: &mut Ecu) {
        ecu.network = self.network;
        ecu.interfaces = self.interfaces;
    }

    /// A model with only the network and interfaces, for descriptions without an OS part.
    pub fn into_network_ecu(self, sources: &[Source]) -> Ecu {
        let name = self.first_name.clone().unwrap_or_default();
        let mut ecu = Ecu {
            name,
            application: PathBuf::new(),
            sources: sources
                .iter()
                .map(|s| {
                    s.path
                        .file_name()
                        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
                })
                .collect(),
            apps: Vec::new(),
            tasks: Vec::new(),
            counters: Vec::new(),
            alarms: Vec::new(),
            events: Vec::new(),
            resources: Vec::new(),
            isrs: Vec::new(),
            hooks: Hooks::default(),
            stimuli: Vec::new(),
            system_counter: 0,
            tick_ns: 0,
            network: Network::default(),
            interfaces: Vec::new(),
            can: Default::default(),
            schedule_tables: Vec::new(),
            trusted_functions: Vec::new(),
            app_modes: vec!["OSDEFAULTAPPMODE".to_owned()],
            ipc: Default::default(),
        };
        self.attach(&mut ecu);
        ecu
    }

    /// True when ARXML files were given: a description without any OS part is then a
    /// network-only one (possibly with no frames at all).
    pub fn has_network(&self) -> bool {
        self.first_name.is_some()
    }
}

/// Converts an ARXML diagnostic; warnings (e.g. references into standard definitions that were
/// not loaded) are not errors and are dropped.
pub fn convert(d: ecu_arxml::Diagnostic) -> Option<Diagnostic> {
    if !d.is_error() {
        return None;
    }
    let at = |l: &ecu_arxml::Location| Location {
        file: PathBuf::from(&l.file),
        line: l.line as usize,
        column: l.column as usize,
    };
    let mut out = Diagnostic::error(at(&d.location), d.message);
    if !d.element.is_empty() {
        out.element(d.element);
    }
    if let Some(h) = d.hint {
        out.hint(h);
    }
    if let Some(r) = d.related.first() {
        out.related(at(&r.location), r.message.clone());
    }
    Some(out)
}

/// Reads every `.arxml` of `paths` together (references may cross files). Pushes one source
/// per ARXML file and every error onto the loader's lists.
pub fn read(
    paths: &[PathBuf],
    sources: &mut Vec<Source>,
    diagnostics: &mut Vec<Diagnostic>,
    toml_has_ecu: bool,
) -> ArxmlPart {
    let arxml_paths: Vec<&PathBuf> = paths.iter().filter(|p| is_arxml(p)).collect();
    let mut part = ArxmlPart::default();
    if arxml_paths.is_empty() {
        return part;
    }
    part.first_name = arxml_paths[0]
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned());
    let mut loaded = ecu_arxml::read_files(&arxml_paths);
    // References are resolved; nothing below looks elements up by path, and the network
    // model is built on top of the tree at the memory peak.
    loaded.arxml.release_path_index();
    // The files' text goes to `sources` (for diagnostics) once extraction is done, moved out
    // of the model rather than copied: one buffer per file, not two.
    let base = sources.len();
    let a = &loaded.arxml;
    // A dangling reference matters only where something follows it; the extractors below
    // report those they need (located at the reference), so the reader's own are dropped:
    // ARXML tools routinely leave unused references (e.g. to ECUC definitions) dangling.
    diagnostics.extend(
        loaded
            .diagnostics
            .into_iter()
            .filter(|d| !d.message.starts_with("dangling reference"))
            // ECUC DEFINITION-REFs name the parameter's definition; only their last segment
            // is used, so where they point does not matter.
            .filter(|d| !d.element.ends_with("/DEFINITION-REF"))
            .filter_map(convert),
    );
    let (net, diags) = network::extract(a);
    diagnostics.extend(diags.into_iter().filter_map(convert));
    part.network = net;
    part.interfaces = interfaces::extract(a);
    let mut os = Os {
        a,
        files: vec![Map::new(); a.file_count()],
        diagnostics: Vec::new(),
    };
    os.read(toml_has_ecu);
    diagnostics.extend(os.diagnostics);
    for (i, m) in os.files.into_iter().enumerate() {
        if !m.is_empty() {
            part.files.push((base + i, Value::Object(m)));
        }
    }
    for (name, text) in loaded.arxml.into_sources() {
        sources.push(Source {
            path: PathBuf::from(name),
            text,
        });
    }
    part
}

/// A serde_spanned `Spanned` in serialized form: the TOML reader's records take these.
fn sp(range: std::ops::Range<usize>, value: Value) -> Value {
    json!({
        "$__serde_spanned_private_start": range.start,
        "$__serde_spanned_private_end": range.end,
        "$__serde_spanned_private_value": value,
    })
}

struct Os<'a> {
    a: &'a Arxml,
    files: Vec<Map<String, Value>>,
    diagnostics: Vec<Diagnostic>,
}

/// Seconds (ECUC float parameters) to whole microseconds.
fn seconds_to_us(s: &str) -> Option<i64> {
    let v: f64 = s.trim().parse().ok()?;
    Some((v * 1e6).round() as i64)
}

impl Os<'_> {
    /// `node` spanned in the file of `owner` (falling back to `owner` itself across files).
    fn at(&self, owner: NodeId, node: NodeId, v: Value) -> Value {
        let (f, r) = self.a.span(owner);
        let (g, s) = self.a.span(node);
        sp(if f == g { s } else { r }, v)
    }

    fn name(&self, n: NodeId) -> String {
        self.a.short_name(n).unwrap_or("").to_owned()
    }

    /// Name of a reference's target (its last path segment when it did not resolve).
    fn ref_name(&self, r: NodeId) -> String {
        match self.a.reference_target(r) {
            Some(t) => self.name(t),
            None => self.a.text(r).rsplit('/').next().unwrap_or("").to_owned(),
        }
    }

    fn int_param(&mut self, c: NodeId, names: &[&str]) -> Option<Value> {
        for n in names {
            if let Some((p, v)) = ecuc_param(self.a, c, n) {
                return match ecu_arxml::number::parse_i64(v) {
                    Ok(x) => Some(self.at(c, p, json!(x))),
                    Err(e) => {
                        if let Some(d) =
                            convert(self.a.error_at(p, format!("`{v}` is not an integer: {e}")))
                        {
                            self.diagnostics.push(d);
                        }
                        None
                    }
                };
            }
        }
        None
    }

    fn us_param(&self, c: NodeId, name: &str) -> Option<Value> {
        let (p, v) = ecuc_param(self.a, c, name)?;
        Some(self.at(c, p, json!(seconds_to_us(v)?)))
    }

    fn refs(&self, c: NodeId, name: &str) -> Vec<Value> {
        ecuc_refs(self.a, c, name)
            .into_iter()
            .map(|r| self.at(c, r, json!(self.ref_name(r))))
            .collect()
    }

    fn one_ref(&self, c: NodeId, name: &str) -> Option<Value> {
        self.refs(c, name).into_iter().next()
    }

    fn sub(&self, c: NodeId, def: &str) -> Option<NodeId> {
        let subs = self.a.child(c, "SUB-CONTAINERS")?;
        self.a.children(subs).find(|&s| {
            self.a
                .child_text(s, "DEFINITION-REF")
                .is_some_and(|d| d.rsplit('/').next() == Some(def))
        })
    }

    fn push(&mut self, node: NodeId, list: &str, record: Map<String, Value>) {
        let (file, range) = self.a.span(node);
        let Some(m) = self.files.get_mut(file) else {
            return;
        };
        let entry = m
            .entry(list.to_owned())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(v) = entry {
            v.push(sp(range, Value::Object(record)));
        }
    }

    fn error(&mut self, at: NodeId, message: String, hint: &str) {
        if let Some(d) = convert(self.a.error_at(at, message).with_hint(hint)) {
            self.diagnostics.push(d);
        }
    }

    fn read(&mut self, toml_has_ecu: bool) {
        let a = self.a;
        let modules: Vec<NodeId> = a
            .elements_by_tag("ECUC-MODULE-CONFIGURATION-VALUES")
            .filter(|&m| {
                a.child_text(m, "DEFINITION-REF")
                    .is_some_and(|d| d.rsplit('/').next() == Some("Os"))
            })
            .collect();
        let Some(&module) = modules.first() else {
            return;
        };
        if !toml_has_ecu {
            let name = a
                .parent(module)
                .and_then(|p| a.parent(p))
                .and_then(|p| a.short_name(p))
                .unwrap_or("Ecu")
                .to_owned();
            let ecu = json!({
                "name": self.at(module, module, json!(name)),
                "application": self.at(module, module, json!("application.rs")),
            });
            let (file, range) = a.span(module);
            self.files[file].insert("ecu".into(), sp(range, ecu));
        }
        // Owners: OsApplication references to its tasks, ISRs and alarms.
        let mut owner = std::collections::HashMap::new();
        for app in ecuc_containers(a, "OsApplication").collect::<Vec<_>>() {
            for kind in ["OsAppTaskRef", "OsAppIsrRef", "OsAppAlarmRef"] {
                for r in ecuc_refs(a, app, kind) {
                    if let Some(t) = a.reference_target(r) {
                        owner.insert(t, (app, r));
                    }
                }
            }
            let mut rec = Map::new();
            rec.insert("name".into(), self.at(app, app, json!(self.name(app))));
            if let Some((_, v)) = ecuc_param(a, app, "OsTrusted") {
                rec.insert(
                    "trusted".into(),
                    json!(ecu_arxml::number::parse_bool(v) == Some(true)),
                );
            }
            if let Some(r) = self.one_ref(app, "OsRestartTask") {
                rec.insert("restart_task".into(), r);
            }
            self.push(app, "os_applications", rec);
        }
        let internal: std::collections::HashSet<String> = ecuc_containers(a, "OsResource")
            .filter(|&r| ecuc_param(a, r, "OsResourceProperty").is_some_and(|p| p.1 == "INTERNAL"))
            .map(|r| self.name(r))
            .collect();
        for c in ecuc_containers(a, "OsCounter").collect::<Vec<_>>() {
            let mut rec = Map::new();
            rec.insert("name".into(), self.at(c, c, json!(self.name(c))));
            for (k, p) in [
                ("max_allowed_value", "OsCounterMaxAllowedValue"),
                ("ticks_per_base", "OsCounterTicksPerBase"),
                ("min_cycle", "OsCounterMinCycle"),
            ] {
                if let Some(v) = self.int_param(c, &[p]) {
                    rec.insert(k.into(), v);
                }
            }
            let hardware = ecuc_param(a, c, "OsCounterType").is_some_and(|p| p.1 == "HARDWARE");
            if hardware {
                if let Some(v) = self.us_param(c, "OsSecondsPerTick") {
                    rec.insert("tick_us".into(), v);
                }
            }
            self.push(c, "counters", rec);
        }
        for e in ecuc_containers(a, "OsEvent").collect::<Vec<_>>() {
            let mut rec = Map::new();
            rec.insert("name".into(), self.at(e, e, json!(self.name(e))));
            self.push(e, "events", rec);
        }
        for r in ecuc_containers(a, "OsResource").collect::<Vec<_>>() {
            let mut rec = Map::new();
            rec.insert("name".into(), self.at(r, r, json!(self.name(r))));
            rec.insert("internal".into(), json!(internal.contains(&self.name(r))));
            self.push(r, "resources", rec);
        }
        for t in ecuc_containers(a, "OsTask").collect::<Vec<_>>() {
            let name = self.name(t);
            let mut rec = Map::new();
            rec.insert("name".into(), self.at(t, t, json!(name)));
            match owner.get(&t) {
                Some(&(app, r)) => {
                    rec.insert(
                        "os_application".into(),
                        self.at(t, r, json!(self.name(app))),
                    );
                }
                None => {
                    self.error(
                        t,
                        format!("task `{name}` belongs to no OsApplication"),
                        "add an OsAppTaskRef to this task in one OsApplication",
                    );
                    continue;
                }
            }
            match self.int_param(t, &["OsTaskPriority"]) {
                Some(v) => rec.insert("priority".into(), v),
                None => {
                    self.error(
                        t,
                        format!("task `{name}` has no OsTaskPriority"),
                        "add the OsTaskPriority parameter",
                    );
                    continue;
                }
            };
            let stack = self
                .int_param(t, &["OsTaskStackSize", "OsStackSize", "OsStacksize"])
                .unwrap_or_else(|| self.at(t, t, json!(1024)));
            rec.insert("stack_size".into(), stack);
            if let Some(v) = self.int_param(t, &["OsTaskActivation"]) {
                rec.insert("activation_limit".into(), v);
            }
            rec.insert(
                "autostart".into(),
                json!(self.sub(t, "OsTaskAutostart").is_some()),
            );
            rec.insert(
                "entry".into(),
                self.at(t, t, json!(const_name(&name).to_lowercase())),
            );
            rec.insert(
                "events".into(),
                Value::Array(self.refs(t, "OsTaskEventRef")),
            );
            let (int, std): (Vec<Value>, Vec<Value>) = self
                .refs(t, "OsTaskResourceRef")
                .into_iter()
                .partition(|v| {
                    v["$__serde_spanned_private_value"]
                        .as_str()
                        .is_some_and(|n| internal.contains(n))
                });
            rec.insert("resources".into(), Value::Array(std));
            if let Some(i) = int.into_iter().next() {
                rec.insert("internal_resource".into(), i);
            }
            rec.insert(
                "accessing_applications".into(),
                Value::Array(self.refs(t, "OsTaskAccessingApplication")),
            );
            if let Some((p, v)) = ecuc_param(a, t, "OsTaskSchedule") {
                let s = if v == "NON" { "non" } else { "full" };
                rec.insert("schedule".into(), self.at(t, p, json!(s)));
            }
            if let Some(tp) = self.sub(t, "OsTaskTimingProtection") {
                for (k, p) in [
                    ("execution_budget_us", "OsTaskExecutionBudget"),
                    ("time_frame_us", "OsTaskTimeFrame"),
                ] {
                    if let Some(v) = self.us_param(tp, p) {
                        rec.insert(k.into(), v);
                    }
                }
            }
            self.push(t, "tasks", rec);
        }
        for i in ecuc_containers(a, "OsIsr").collect::<Vec<_>>() {
            let name = self.name(i);
            let mut rec = Map::new();
            rec.insert("name".into(), self.at(i, i, json!(name)));
            let cat = ecuc_param(a, i, "OsIsrCategory")
                .map(|(p, v)| (p, if v.ends_with('1') { 1 } else { 2 }));
            let (cp, cv) = cat.unwrap_or((i, 2));
            rec.insert("category".into(), self.at(i, cp, json!(cv)));
            let prio = self
                .int_param(i, &["OsIsrPriority", "OsIsrInterruptPriority"])
                .unwrap_or_else(|| self.at(i, i, json!(1)));
            rec.insert("priority".into(), prio);
            if let Some(&(app, r)) = owner.get(&i) {
                rec.insert(
                    "os_application".into(),
                    self.at(i, r, json!(self.name(app))),
                );
            }
            rec.insert(
                "entry".into(),
                self.at(i, i, json!(const_name(&name).to_lowercase())),
            );
            rec.insert(
                "resources".into(),
                Value::Array(self.refs(i, "OsIsrResourceRef")),
            );
            if let Some(tp) = self.sub(i, "OsIsrTimingProtection") {
                for (k, p) in [
                    ("execution_budget_us", "OsIsrExecutionBudget"),
                    ("time_frame_us", "OsIsrTimeFrame"),
                ] {
                    if let Some(v) = self.us_param(tp, p) {
                        rec.insert(k.into(), v);
                    }
                }
            }
            self.push(i, "isrs", rec);
        }
        for al in ecuc_containers(a, "OsAlarm").collect::<Vec<_>>() {
            let name = self.name(al);
            let mut rec = Map::new();
            rec.insert("name".into(), self.at(al, al, json!(name)));
            match self.one_ref(al, "OsAlarmCounterRef") {
                Some(c) => rec.insert("counter".into(), c),
                None => {
                    self.error(
                        al,
                        format!("alarm `{name}` has no OsAlarmCounterRef"),
                        "reference the counter that drives it",
                    );
                    continue;
                }
            };
            if let Some(action) = self.sub(al, "OsAlarmAction") {
                if let Some(x) = self.sub(action, "OsAlarmActivateTask") {
                    if let Some(t) = self.one_ref(x, "OsAlarmActivateTaskRef") {
                        rec.insert("activate_task".into(), t);
                    }
                } else if let Some(x) = self.sub(action, "OsAlarmSetEvent") {
                    if let (Some(t), Some(e)) = (
                        self.one_ref(x, "OsAlarmSetEventTaskRef"),
                        self.one_ref(x, "OsAlarmSetEventRef"),
                    ) {
                        rec.insert(
                            "set_event".into(),
                            self.at(al, x, json!({"task": t, "event": e})),
                        );
                    }
                } else if let Some(x) = self.sub(action, "OsAlarmIncrementCounter") {
                    if let Some(c) = self.one_ref(x, "OsAlarmIncrementCounterRef") {
                        rec.insert("increment_counter".into(), c);
                    }
                } else if let Some(x) = self.sub(action, "OsAlarmCallback") {
                    if let Some((p, v)) = ecuc_param(a, x, "OsAlarmCallbackName") {
                        rec.insert("callback".into(), self.at(al, p, json!(v)));
                    }
                }
            }
            if let Some(auto) = self.sub(al, "OsAlarmAutostart") {
                let mut m = Map::new();
                if let Some(v) = self.int_param(auto, &["OsAlarmAlarmTime"]) {
                    m.insert("offset".into(), v);
                }
                if let Some(v) = self.int_param(auto, &["OsAlarmCycleTime"]) {
                    m.insert("cycle".into(), v);
                }
                rec.insert("autostart".into(), self.at(al, auto, Value::Object(m)));
            }
            if let Some(&(app, r)) = owner.get(&al) {
                rec.insert(
                    "os_application".into(),
                    self.at(al, r, json!(self.name(app))),
                );
            }
            rec.insert(
                "accessing_applications".into(),
                Value::Array(self.refs(al, "OsAlarmAccessingApplication")),
            );
            self.push(al, "alarms", rec);
        }
    }
}
