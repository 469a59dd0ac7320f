//! Reading TOML descriptions into the model: parse with source spans, resolve names, check
//! every rule the kernel relies on, and report each violation where it was written.
//!
//! Several files make one description (e.g. the OS part and the task part kept apart): their
//! lists are concatenated, and `[ecu]` must appear exactly once.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

mod can;

use crate::diag::{Diagnostic, Diagnostics, Location, Source};
use crate::model::{
    const_name, Alarm, AlarmAction, App, AppHooks, Counter, Ecu, Event,
    ExpiryPoint as ExpiryPointModel, Hooks, Isr, Resource, ScheduleTable, Stimulus, TableStart,
    Task, Timing, TrustedFunction,
};

/// The most activations of one task the kernel queues (`ecu_os::config::MAX_ACTIVATIONS`).
pub const MAX_ACTIVATIONS: i64 = 8;
/// Smallest task stack the Cortex-R port accepts: its saved context plus a frame.
pub const MIN_STACK: i64 = 256;
/// Objects of one kind the kernel's u8 ids can name.
pub const MAX_OBJECTS: usize = 255;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileIn {
    ecu: Option<Spanned<EcuIn>>,
    #[serde(default)]
    counters: Vec<Spanned<CounterIn>>,
    #[serde(default)]
    os_applications: Vec<Spanned<AppIn>>,
    #[serde(default)]
    tasks: Vec<Spanned<TaskIn>>,
    #[serde(default)]
    alarms: Vec<Spanned<AlarmIn>>,
    #[serde(default)]
    events: Vec<Spanned<EventIn>>,
    #[serde(default)]
    resources: Vec<Spanned<ResourceIn>>,
    #[serde(default)]
    isrs: Vec<Spanned<IsrIn>>,
    hooks: Option<Spanned<HooksIn>>,
    /// Interrupt arrivals the simulation injects (boards take theirs from the hardware).
    #[serde(default)]
    stimuli: Vec<Spanned<StimulusIn>>,
    #[serde(default)]
    schedule_tables: Vec<Spanned<ScheduleTableIn>>,
    #[serde(default)]
    trusted_functions: Vec<Spanned<TrustedFunctionIn>>,
    /// CAN: buses, gateway routes, per-partition permissions, simulated peers and faults.
    #[serde(default)]
    can_buses: Vec<Spanned<can::BusIn>>,
    #[serde(default)]
    can_routes: Vec<Spanned<can::RouteIn>>,
    #[serde(default)]
    can_permissions: Vec<Spanned<can::PermissionIn>>,
    #[serde(default)]
    can_peers: Vec<Spanned<can::PeerIn>>,
    #[serde(default)]
    can_faults: Vec<Spanned<can::FaultIn>>,
    /// Inter-partition communication (see ipc.rs).
    #[serde(default)]
    interfaces: Vec<Spanned<crate::ipc::InterfaceIn>>,
    #[serde(default)]
    servers: Vec<Spanned<crate::ipc::ServerIn>>,
    #[serde(default)]
    clients: Vec<Spanned<crate::ipc::ClientIn>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrustedFunctionIn {
    name: Spanned<String>,
    /// The trusted application that offers it.
    os_application: Spanned<String>,
    /// `fn(u32) -> u32` of the application module.
    entry: Spanned<String>,
    /// Other applications that may call it.
    #[serde(default)]
    callers: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduleTableIn {
    name: Spanned<String>,
    counter: Spanned<String>,
    /// Ticks of one round.
    duration: Spanned<i64>,
    #[serde(default)]
    repeating: bool,
    os_application: Spanned<String>,
    /// `{ relative = N }` or `{ absolute = N }`: started by StartOS.
    autostart: Option<Spanned<TableStartIn>>,
    #[serde(default)]
    autostart_modes: Vec<Spanned<String>>,
    expiry_points: Vec<Spanned<ExpiryPointIn>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableStartIn {
    relative: Option<Spanned<i64>>,
    absolute: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpiryPointIn {
    offset: Spanned<i64>,
    #[serde(default)]
    activate_tasks: Vec<Spanned<String>>,
    #[serde(default)]
    set_events: Vec<Spanned<SetEventIn>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct HooksIn {
    startup: Option<Spanned<String>>,
    shutdown: Option<Spanned<String>>,
    error: Option<Spanned<String>>,
    pre_task: Option<Spanned<String>>,
    post_task: Option<Spanned<String>>,
    /// `fn(&ProtectionInfo) -> ProtectionReaction`; without it a protection error shuts down.
    protection: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StimulusIn {
    isr: Spanned<String>,
    offset_us: Option<Spanned<i64>>,
    /// 0 or absent: once.
    period_us: Option<Spanned<i64>>,
    jitter_us: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventIn {
    name: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResourceIn {
    name: Spanned<String>,
    /// Internal resources are held by the kernel while their tasks run, never taken by code.
    #[serde(default)]
    internal: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EcuIn {
    name: Spanned<String>,
    application: Spanned<String>,
    /// Application modes StartOS may start in; the first is the default.
    #[serde(default)]
    app_modes: Vec<Spanned<String>>,
    /// The security policy file (relative to this description), compiled with ecu_policy.
    policy: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CounterIn {
    name: Spanned<String>,
    tick_us: Option<Spanned<i64>>,
    max_allowed_value: Option<Spanned<i64>>,
    ticks_per_base: Option<Spanned<i64>>,
    min_cycle: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AppIn {
    name: Spanned<String>,
    #[serde(default)]
    trusted: bool,
    /// Activated when the application is restarted after a protection error.
    restart_task: Option<Spanned<String>>,
    /// Application-specific hooks: functions of the application module.
    startup_hook: Option<Spanned<String>>,
    shutdown_hook: Option<Spanned<String>>,
    error_hook: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskIn {
    name: Spanned<String>,
    os_application: Spanned<String>,
    priority: Spanned<i64>,
    stack_size: Spanned<i64>,
    activation_limit: Option<Spanned<i64>>,
    #[serde(default)]
    autostart: bool,
    /// The application modes it autostarts in (default: all).
    #[serde(default)]
    autostart_modes: Vec<Spanned<String>>,
    entry: Spanned<String>,
    /// Events the task owns and may wait for: an extended task.
    #[serde(default)]
    events: Vec<Spanned<String>>,
    /// Standard resources the task takes with GetResource.
    #[serde(default)]
    resources: Vec<Spanned<String>>,
    /// Other applications that may activate it or set its events (its own always may).
    #[serde(default)]
    accessing_applications: Vec<Spanned<String>>,
    /// `full` (default) or `non`: a non-preemptive task holds RES_SCHEDULER's internal twin.
    schedule: Option<Spanned<String>>,
    internal_resource: Option<Spanned<String>>,
    // Timing protection and analysis figures (AUTOSAR OsTaskTimingProtection).
    /// Longest execution of one activation (the worst-case execution time it may use).
    execution_budget_us: Option<Spanned<i64>>,
    /// Shortest time between two activations (arrivals); also its period for the analysis
    /// when no cyclic alarm activates it.
    time_frame_us: Option<Spanned<i64>>,
    /// When each activation must be done, from its arrival; defaults to its period.
    deadline_us: Option<Spanned<i64>>,
    /// Longest time it holds each resource, by resource name.
    #[serde(default)]
    lock_budget_us: std::collections::BTreeMap<String, Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IsrIn {
    name: Spanned<String>,
    /// 1: no OS services, never blocked by the kernel; 2: may call services.
    category: Spanned<i64>,
    /// Interrupt priority: every ISR runs above every task.
    priority: Spanned<i64>,
    os_application: Option<Spanned<String>>,
    entry: Spanned<String>,
    /// The interrupt request line on the board: VIC line (QEMU versatileab), GIC INTID (QEMU
    /// mps3-an536), VIM channel (TMS570). Without, only stimuli raise it.
    irq: Option<Spanned<i64>>,
    #[serde(default)]
    resources: Vec<Spanned<String>>,
    /// Longest execution of one activation (the worst-case execution time it may use).
    execution_budget_us: Option<Spanned<i64>>,
    /// Shortest time between two activations (arrivals); also its period for the analysis
    /// when no cyclic alarm activates it.
    time_frame_us: Option<Spanned<i64>>,
    /// When each activation must be done, from its arrival; defaults to its period.
    deadline_us: Option<Spanned<i64>>,
    /// Longest time it holds each resource, by resource name.
    #[serde(default)]
    lock_budget_us: std::collections::BTreeMap<String, Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AlarmIn {
    name: Spanned<String>,
    counter: Spanned<String>,
    // The action: exactly one of these four.
    activate_task: Option<Spanned<String>>,
    set_event: Option<Spanned<SetEventIn>>,
    increment_counter: Option<Spanned<String>>,
    callback: Option<Spanned<String>>,
    autostart: Option<Spanned<AutostartIn>>,
    #[serde(default)]
    autostart_modes: Vec<Spanned<String>>,
    /// Its owner; by default the owner of the task it acts on.
    os_application: Option<Spanned<String>>,
    /// Other applications that may set, cancel or read it.
    #[serde(default)]
    accessing_applications: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SetEventIn {
    task: Spanned<String>,
    event: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AutostartIn {
    offset: Spanned<i64>,
    #[serde(default)]
    cycle: Option<Spanned<i64>>,
}

/// An element read from file number `file`.
struct In<T> {
    file: usize,
    span: Range<usize>,
    value: T,
}

struct Loader {
    sources: Vec<Source>,
    diagnostics: Vec<Diagnostic>,
    /// The frames of the ARXML network, for CAN routes and grants that name one.
    can_frames: Vec<crate::network::CanFrame>,
}

impl Loader {
    fn at(&self, file: usize, span: &Range<usize>) -> Location {
        self.sources[file].at(span.start)
    }

    fn error(
        &mut self,
        file: usize,
        span: &Range<usize>,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        let diagnostic = Diagnostic::error(self.at(file, span), message);
        self.diagnostics.push(diagnostic);
        self.diagnostics.last_mut().expect("just pushed")
    }

    /// An integer field within `range`; reports and returns None outside it.
    fn int(
        &mut self,
        file: usize,
        value: &Spanned<i64>,
        range: std::ops::RangeInclusive<i64>,
        element: String,
        what: &str,
    ) -> Option<i64> {
        let v = *value.get_ref();
        if range.contains(&v) {
            return Some(v);
        }
        self.error(
            file,
            &value.span(),
            format!("{what} is {v}, outside {}..={}", range.start(), range.end()),
        )
        .element(element)
        .hint(format!(
            "use a value from {} to {}",
            range.start(),
            range.end()
        ));
        None
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Resources the kernel defines itself: RES_SCHEDULER (standard, ceiling = the highest task
/// priority) and its internal twin that makes `schedule = "non"` tasks non-preemptive.
const RES_SCHEDULER: &str = "RES_SCHEDULER";
const RES_SCHEDULER_INTERNAL: &str = "RES_SCHEDULER_INTERNAL";
const RESERVED_RESOURCES: &[&str] = &[RES_SCHEDULER, RES_SCHEDULER_INTERNAL];
/// Standard resources a task can be granted (a 64-bit mask in the task table).
pub const MAX_STANDARD_RESOURCES: usize = 64;
/// Events, one bit each of the 32-bit event mask.
pub const MAX_EVENTS: usize = 32;

fn is_rust_function_name(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !RUST_KEYWORDS.contains(&name)
}

const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
    "where", "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv",
    "try", "typeof", "unsized", "virtual", "yield", "gen",
];

/// Reads and checks the description made of `paths`.
pub fn load(paths: &[PathBuf]) -> Result<Ecu, Diagnostics> {
    let mut loader = Loader {
        sources: Vec::new(),
        diagnostics: Vec::new(),
        can_frames: Vec::new(),
    };
    let mut files = Vec::new();
    for path in paths {
        if crate::arxml_input::is_arxml(path) {
            continue; // read below, all ARXML files together
        }
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) => {
                let mut diagnostic = Diagnostic::error(
                    Location::file(path),
                    format!("cannot read the file: {error}"),
                );
                diagnostic.hint("check the path; descriptions are TOML files");
                loader.diagnostics.push(diagnostic);
                continue;
            }
        };
        let index = loader.sources.len();
        loader.sources.push(Source {
            path: path.clone(),
            text,
        });
        match toml::from_str::<FileIn>(&loader.sources[index].text) {
            Ok(file) => files.push((index, file)),
            Err(error) => {
                let span = error.span().unwrap_or(0..0);
                let message = error.message().trim_end().to_owned();
                loader.error(index, &span, message).hint(
                    "see examples/body_ecu/ecu.toml for the sections and fields a description has",
                );
            }
        }
    }
    // ARXML: the OS part becomes the same records as TOML's; see arxml_input.rs.
    let toml_has_ecu = files.iter().any(|(_, f): &(usize, FileIn)| f.ecu.is_some());
    let arxml = crate::arxml_input::read(
        paths,
        &mut loader.sources,
        &mut loader.diagnostics,
        toml_has_ecu,
    );
    loader.can_frames = arxml.network.frames.clone();
    for (index, value) in &arxml.files {
        match FileIn::deserialize(value) {
            Ok(file) => files.push((*index, file)),
            Err(e) => {
                let d = loader.error(*index, &(0..0), format!("ECUC Os values: {e}"));
                d.element("Os").hint("check the Os module's containers");
            }
        }
    }
    if !loader.diagnostics.is_empty() {
        return Err(Diagnostics(loader.diagnostics));
    }
    if arxml.has_network()
        && files
            .iter()
            .all(|(_, f)| f.ecu.is_none() && f.tasks.is_empty())
    {
        return Ok(arxml.into_network_ecu(&loader.sources)); // a network-only description
    }
    let mut ipc_input = crate::ipc::Input::default();
    for (index, f) in files.iter_mut() {
        let policy = f.ecu.as_ref().and_then(|e| e.get_ref().policy.clone());
        ipc_input.add(
            *index,
            std::mem::take(&mut f.interfaces),
            std::mem::take(&mut f.servers),
            std::mem::take(&mut f.clients),
            policy,
        );
    }
    let ecu = resolve(&mut loader, files);
    match ecu {
        Some(mut ecu) if loader.diagnostics.is_empty() => {
            arxml.attach(&mut ecu);
            crate::ipc::resolve(
                ipc_input,
                &loader.sources,
                &mut loader.diagnostics,
                &mut ecu,
            );
            if !loader.diagnostics.is_empty() {
                return Err(Diagnostics(loader.diagnostics));
            }
            Ok(ecu)
        }
        _ => Err(Diagnostics(loader.diagnostics)),
    }
}

fn collect<T>(
    files: &mut [(usize, FileIn)],
    take: impl Fn(&mut FileIn) -> Vec<Spanned<T>>,
) -> Vec<In<T>> {
    let mut out = Vec::new();
    for (file, input) in files.iter_mut() {
        for item in take(input) {
            let span = item.span();
            out.push(In {
                file: *file,
                span,
                value: item.into_inner(),
            });
        }
    }
    out
}

/// Name → (index, file, span of the name) for one kind of object.
type NameTable = HashMap<String, (usize, usize, Range<usize>)>;

fn resolve(loader: &mut Loader, mut files: Vec<(usize, FileIn)>) -> Option<Ecu> {
    let ecus = collect(&mut files, |f| f.ecu.take().into_iter().collect());
    let counters = collect(&mut files, |f| std::mem::take(&mut f.counters));
    let apps = collect(&mut files, |f| std::mem::take(&mut f.os_applications));
    let tasks = collect(&mut files, |f| std::mem::take(&mut f.tasks));
    let alarms = collect(&mut files, |f| std::mem::take(&mut f.alarms));
    let events = collect(&mut files, |f| std::mem::take(&mut f.events));
    let isrs = collect(&mut files, |f| std::mem::take(&mut f.isrs));
    let hooks_in = collect(&mut files, |f| f.hooks.take().into_iter().collect());
    let stimuli = collect(&mut files, |f| std::mem::take(&mut f.stimuli));
    let tables = collect(&mut files, |f| std::mem::take(&mut f.schedule_tables));
    let trusted = collect(&mut files, |f| std::mem::take(&mut f.trusted_functions));
    let resources = collect(&mut files, |f| std::mem::take(&mut f.resources));

    // [ecu]: exactly once.
    let Some(ecu_in) = ecus.first() else {
        let first = Location::file(&loader.sources[0].path);
        let mut diagnostic = Diagnostic::error(first, "no [ecu] section in the description");
        diagnostic
            .element("ecu")
            .hint("add [ecu] with `name` and `application` (the Rust file of the task bodies)");
        loader.diagnostics.push(diagnostic);
        return None;
    };
    if let Some(second) = ecus.get(1) {
        let first_at = loader.at(ecu_in.file, &ecu_in.span);
        loader
            .error(second.file, &second.span, "a second [ecu] section")
            .element("ecu")
            .related(first_at, "the first [ecu] section is here")
            .hint("keep one [ecu] section across all files of a description");
    }

    // Names: identifiers, unique across every kind (they become constants of one module).
    let mut seen: HashMap<String, (String, Location)> = HashMap::new();
    let mut seen_const: HashMap<String, (String, Location)> = HashMap::new();
    let mut check_name = |loader: &mut Loader, kind: &str, file: usize, name: &Spanned<String>| {
        let text = name.get_ref();
        let element = format!("{kind}s[{text}].name");
        if !is_identifier(text) {
            loader
                .error(file, &name.span(), format!("`{text}` is not a valid name for a {kind}"))
                .element(element)
                .hint("names start with a letter and hold letters, digits and `_` (AUTOSAR short names)");
            return;
        }
        let here = loader.at(file, &name.span());
        if let Some((other_kind, first)) = seen.get(text) {
            let note = format!("`{text}` is first defined here, as a {other_kind}");
            let (first, other_kind) = (first.clone(), other_kind.clone());
            loader
                .error(
                    file,
                    &name.span(),
                    format!("duplicate name `{text}` (already a {other_kind})"),
                )
                .element(element)
                .related(first, note)
                .hint("every task, alarm, counter, event, resource and OS-Application needs its own name");
            return;
        }
        let constant = const_name(text);
        if let Some((other, first)) = seen_const.get(&constant) {
            let note = format!("`{other}` is defined here");
            let (first, other) = (first.clone(), other.clone());
            loader
                .error(
                    file,
                    &name.span(),
                    format!("`{text}` and `{other}` both become the constant `{constant}`"),
                )
                .element(element)
                .related(first, note)
                .hint("rename one of them so that they differ by more than case and `_`");
            return;
        }
        seen.insert(text.clone(), (kind.to_owned(), here.clone()));
        seen_const.insert(constant, (text.clone(), here));
    };
    for c in &counters {
        check_name(loader, "counter", c.file, &c.value.name);
    }
    for a in &apps {
        check_name(loader, "os_application", a.file, &a.value.name);
    }
    for t in &tasks {
        check_name(loader, "task", t.file, &t.value.name);
    }
    for a in &alarms {
        check_name(loader, "alarm", a.file, &a.value.name);
    }
    for e in &events {
        check_name(loader, "event", e.file, &e.value.name);
    }
    for i in &isrs {
        check_name(loader, "isr", i.file, &i.value.name);
    }
    for t in &tables {
        check_name(loader, "schedule_table", t.file, &t.value.name);
    }
    for f in &trusted {
        check_name(loader, "trusted_function", f.file, &f.value.name);
    }
    for r in &resources {
        if RESERVED_RESOURCES.contains(&r.value.name.get_ref().as_str()) {
            loader
                .error(
                    r.file,
                    &r.value.name.span(),
                    format!("`{}` is reserved", r.value.name.get_ref()),
                )
                .element(format!("resources[{}].name", r.value.name.get_ref()))
                .hint(
                    "RES_SCHEDULER exists without being declared: list it in a task's `resources`",
                );
            continue;
        }
        check_name(loader, "resource", r.file, &r.value.name);
    }

    let table = |items: Vec<(usize, usize, &Spanned<String>)>| -> NameTable {
        let mut table = NameTable::new();
        for (index, file, name) in items {
            table
                .entry(name.get_ref().clone())
                .or_insert((index, file, name.span()));
        }
        table
    };
    let counter_names = table(
        counters
            .iter()
            .enumerate()
            .map(|(i, c)| (i, c.file, &c.value.name))
            .collect(),
    );
    let app_names = table(
        apps.iter()
            .enumerate()
            .map(|(i, a)| (i, a.file, &a.value.name))
            .collect(),
    );
    let task_names = table(
        tasks
            .iter()
            .enumerate()
            .map(|(i, t)| (i, t.file, &t.value.name))
            .collect(),
    );

    let reference = |loader: &mut Loader,
                     names: &NameTable,
                     kind: &str,
                     file: usize,
                     element: String,
                     target: &Spanned<String>|
     -> Option<usize> {
        if let Some((index, _, _)) = names.get(target.get_ref()) {
            return Some(*index);
        }
        let mut known: Vec<&String> = names.keys().collect();
        known.sort();
        let known = known
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        loader
            .error(
                file,
                &target.span(),
                format!("unknown {kind} `{}`", target.get_ref()),
            )
            .element(element)
            .hint(if known.is_empty() {
                format!("the description defines no {kind}")
            } else {
                format!("known {kind}s: {known}")
            });
        None
    };

    let ecu = &ecu_in.value;
    // Application modes: names, one bit each; the first is StartOS's default.
    let app_modes: Vec<String> = if ecu.app_modes.is_empty() {
        vec!["OSDEFAULTAPPMODE".to_owned()]
    } else {
        ecu.app_modes.iter().map(|m| m.get_ref().clone()).collect()
    };
    for mode in &ecu.app_modes {
        if !is_identifier(mode.get_ref()) {
            loader
                .error(
                    ecu_in.file,
                    &mode.span(),
                    format!("`{}` is not a valid application mode name", mode.get_ref()),
                )
                .element("ecu.app_modes")
                .hint("names start with a letter and hold letters, digits and `_`");
        }
    }
    if app_modes.len() > 32 {
        loader
            .error(
                ecu_in.file,
                &ecu_in.span,
                format!("{} application modes: at most 32", app_modes.len()),
            )
            .element("ecu.app_modes");
    }
    let mode_mask =
        |loader: &mut Loader, file: usize, element: String, given: &[Spanned<String>]| -> u32 {
            if given.is_empty() {
                return u32::MAX;
            }
            let mut mask = 0u32;
            for mode in given {
                match app_modes.iter().position(|m| m == mode.get_ref()) {
                    Some(bit) => mask |= 1u32.checked_shl(bit as u32).unwrap_or(0),
                    None => {
                        loader
                            .error(
                                file,
                                &mode.span(),
                                format!("unknown application mode `{}`", mode.get_ref()),
                            )
                            .element(element.clone())
                            .hint(format!("the [ecu] app_modes are: {}", app_modes.join(", ")));
                    }
                }
            }
            mask
        };
    let application = {
        let dir = loader.sources[ecu_in.file]
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let path = dir.join(ecu.application.get_ref());
        if !path.is_file() {
            loader
                .error(
                    ecu_in.file,
                    &ecu.application.span(),
                    format!("application file `{}` not found", path.display()),
                )
                .element("ecu.application")
                .hint("give the path of the Rust file with the task bodies, relative to this description");
        }
        std::path::absolute(&path).unwrap_or(path)
    };
    if !is_identifier(ecu.name.get_ref()) {
        loader
            .error(
                ecu_in.file,
                &ecu.name.span(),
                format!("`{}` is not a valid ECU name", ecu.name.get_ref()),
            )
            .element("ecu.name")
            .hint("names start with a letter and hold letters, digits and `_`");
    }

    // Counters: exactly one is driven by the tick (has `tick_us`).
    let mut model_counters = Vec::new();
    let mut system = Vec::new();
    for (index, c) in counters.iter().enumerate() {
        let name = c.value.name.get_ref();
        let el = |field: &str| format!("counters[{name}].{field}");
        let max = match &c.value.max_allowed_value {
            Some(v) => loader.int(
                c.file,
                v,
                1..=u32::MAX as i64,
                el("max_allowed_value"),
                "max_allowed_value",
            ),
            None => Some(65535),
        };
        let per_base = match &c.value.ticks_per_base {
            Some(v) => loader.int(
                c.file,
                v,
                1..=u32::MAX as i64,
                el("ticks_per_base"),
                "ticks_per_base",
            ),
            None => Some(1),
        };
        let min_cycle = match &c.value.min_cycle {
            Some(v) => loader.int(
                c.file,
                v,
                1..=max.unwrap_or(1),
                el("min_cycle"),
                "min_cycle",
            ),
            None => Some(1),
        };
        if let Some(tick) = &c.value.tick_us {
            if let Some(us) = loader.int(c.file, tick, 1..=4_000_000, el("tick_us"), "tick_us") {
                system.push((index, c.file, tick.span(), us));
            }
        }
        model_counters.push(Counter {
            name: name.clone(),
            const_name: const_name(name),
            max_allowed_value: max.unwrap_or(1) as u32,
            ticks_per_base: per_base.unwrap_or(1) as u32,
            min_cycle: min_cycle.unwrap_or(1) as u32,
        });
    }
    let (system_counter, tick_ns) = match system.as_slice() {
        [(index, _, _, us)] => (*index, (*us * 1000) as u32),
        [] => {
            loader
                .error(ecu_in.file, &ecu_in.span, "no counter is driven by the system tick")
                .element("counters")
                .hint("give one [[counters]] entry `tick_us = 1000` (its tick period in microseconds)");
            (0, 0)
        }
        [(_, first_file, first_span, _), rest @ ..] => {
            let first = loader.at(*first_file, first_span);
            let (file, span, _) = (rest[0].1, rest[0].2.clone(), ());
            loader
                .error(file, &span, "a second counter driven by the system tick")
                .element("counters")
                .related(first, "the first one is here")
                .hint("one counter has `tick_us`; drive the others from alarms (a later release)");
            (0, 0)
        }
    };

    let model_apps: Vec<App> = apps
        .iter()
        .map(|a| App {
            name: a.value.name.get_ref().clone(),
            const_name: const_name(a.value.name.get_ref()),
            trusted: a.value.trusted,
            restart_task: None,
            hooks: AppHooks {
                startup: a.value.startup_hook.as_ref().map(|h| h.get_ref().clone()),
                shutdown: a.value.shutdown_hook.as_ref().map(|h| h.get_ref().clone()),
                error: a.value.error_hook.as_ref().map(|h| h.get_ref().clone()),
            },
        })
        .collect();
    for a in &apps {
        for hook in [
            &a.value.startup_hook,
            &a.value.shutdown_hook,
            &a.value.error_hook,
        ]
        .into_iter()
        .flatten()
        {
            if !is_rust_function_name(hook.get_ref()) {
                loader
                    .error(
                        a.file,
                        &hook.span(),
                        format!("hook `{}` is not a Rust function name", hook.get_ref()),
                    )
                    .element(format!("os_applications[{}]", a.value.name.get_ref()))
                    .hint("name a function of the application module");
            }
        }
    }

    // Events: one bit each, in description order.
    if events.len() > MAX_EVENTS {
        let e = &events[MAX_EVENTS];
        loader
            .error(e.file, &e.span, format!("{} events: an event mask has {MAX_EVENTS} bits", events.len()))
            .element("events")
            .hint("share events between tasks: a mask bit is per task, so two tasks may use one event");
    }
    let model_events: Vec<Event> = events
        .iter()
        .enumerate()
        .map(|(i, e)| Event {
            name: e.value.name.get_ref().clone(),
            const_name: const_name(e.value.name.get_ref()),
            mask: 1u32.checked_shl(i as u32).unwrap_or(0),
        })
        .collect();
    let event_names = table(
        events
            .iter()
            .enumerate()
            .map(|(i, e)| (i, e.file, &e.value.name))
            .collect(),
    );

    // Resources: declared ones, then the kernel's own when a task needs them.
    let mut model_resources: Vec<Resource> = resources
        .iter()
        .filter(|r| !RESERVED_RESOURCES.contains(&r.value.name.get_ref().as_str()))
        .map(|r| Resource {
            name: r.value.name.get_ref().clone(),
            const_name: const_name(r.value.name.get_ref()),
            ceiling: 0,
            isr_ceiling: None,
            internal: r.value.internal,
        })
        .collect();
    let mut resource_names: HashMap<String, usize> = model_resources
        .iter()
        .enumerate()
        .map(|(i, r)| (r.name.clone(), i))
        .collect();
    fn kernel_resource(
        name: &str,
        internal: bool,
        resources: &mut Vec<Resource>,
        names: &mut HashMap<String, usize>,
    ) -> usize {
        *names.entry(name.to_owned()).or_insert_with(|| {
            resources.push(Resource {
                name: name.to_owned(),
                const_name: name.to_owned(),
                ceiling: 0,
                isr_ceiling: None,
                internal,
            });
            resources.len() - 1
        })
    }

    let mut model_tasks = Vec::new();
    // Per task: (the span of each resource use, for diagnostics about it later).
    for t in &tasks {
        let v = &t.value;
        let name = v.name.get_ref();
        let el = |field: &str| format!("tasks[{name}].{field}");
        let app = reference(
            loader,
            &app_names,
            "os_application",
            t.file,
            el("os_application"),
            &v.os_application,
        );
        let priority = loader.int(t.file, &v.priority, 0..=255, el("priority"), "priority");
        let limit = match &v.activation_limit {
            Some(l) => loader.int(
                t.file,
                l,
                1..=MAX_ACTIVATIONS,
                el("activation_limit"),
                "activation_limit",
            ),
            None => Some(1),
        };
        let stack = *v.stack_size.get_ref();
        let stack_ok = if !(MIN_STACK..=1 << 20).contains(&stack) || stack % 8 != 0 {
            let problem = if stack <= 0 {
                format!("stack_size is {stack}: a task needs a stack")
            } else if stack % 8 != 0 {
                format!("stack_size {stack} is not a multiple of 8")
            } else {
                format!("stack_size {stack} is outside {MIN_STACK}..=1048576 bytes")
            };
            loader
                .error(t.file, &v.stack_size.span(), problem)
                .element(el("stack_size"))
                .hint(format!(
                    "give at least {MIN_STACK} bytes, a multiple of 8 (the Arm procedure call standard aligns stacks to 8), e.g. 1024"
                ));
            false
        } else {
            true
        };
        let entry = v.entry.get_ref();
        if !is_rust_function_name(entry) {
            loader
                .error(
                    t.file,
                    &v.entry.span(),
                    format!("entry `{entry}` is not a Rust function name"),
                )
                .element(el("entry"))
                .hint("name a `pub fn(&Os) -> Exit` of the application module");
        }
        let mut event_mask = 0u32;
        for event in &v.events {
            if let Some(index) =
                reference(loader, &event_names, "event", t.file, el("events"), event)
            {
                event_mask |= model_events[index].mask;
            }
        }
        let extended = !v.events.is_empty();
        if let (true, Some(l)) = (extended, &v.activation_limit) {
            if *l.get_ref() > 1 {
                loader
                    .error(t.file, &l.span(), format!("an extended task is activated at most once, not {}", l.get_ref()))
                    .element(el("activation_limit"))
                    .hint("a task with `events` waits for them, so it has one activation (ECC1/ECC2); drop activation_limit or the events");
            }
        }
        let mut resource_mask = 0u64;
        for resource in &v.resources {
            let used = resource.get_ref();
            let index = if used == RES_SCHEDULER {
                Some(kernel_resource(
                    RES_SCHEDULER,
                    false,
                    &mut model_resources,
                    &mut resource_names,
                ))
            } else {
                match resource_names.get(used.as_str()) {
                    Some(&i) if model_resources[i].internal => {
                        loader
                            .error(t.file, &resource.span(), format!("`{used}` is an internal resource"))
                            .element(el("resources"))
                            .hint("internal resources are named by `internal_resource`; `resources` lists those the task takes with GetResource");
                        None
                    }
                    Some(&i) => Some(i),
                    None => {
                        let mut known: Vec<&str> = model_resources
                            .iter()
                            .filter(|r| !r.internal)
                            .map(|r| r.name.as_str())
                            .collect();
                        known.sort();
                        loader
                            .error(
                                t.file,
                                &resource.span(),
                                format!("unknown resource `{used}`"),
                            )
                            .element(el("resources"))
                            .hint(format!(
                                "declare it in [[resources]]; known: {}",
                                known.join(", ")
                            ));
                        None
                    }
                }
            };
            if let Some(index) = index {
                if index >= MAX_STANDARD_RESOURCES {
                    loader
                        .error(t.file, &resource.span(), format!("resource `{used}` is number {index}: a task can be granted only the first {MAX_STANDARD_RESOURCES}"))
                        .element(el("resources"));
                } else {
                    resource_mask |= 1 << index;
                }
            }
        }
        let mut internal_resource = None;
        if let Some(policy) = &v.schedule {
            match policy.get_ref().as_str() {
                "full" => {}
                "non" => {
                    internal_resource = Some(kernel_resource(
                        RES_SCHEDULER_INTERNAL,
                        true,
                        &mut model_resources,
                        &mut resource_names,
                    ))
                }
                other => {
                    loader
                        .error(t.file, &policy.span(), format!("schedule `{other}` is neither `full` nor `non`"))
                        .element(el("schedule"))
                        .hint("`full`: preemptive (default); `non`: only higher-priority tasks after Schedule() or the end of this one run");
                }
            }
        }
        if let Some(internal) = &v.internal_resource {
            let named = internal.get_ref();
            match resource_names.get(named.as_str()) {
                _ if internal_resource.is_some() => {
                    loader
                        .error(t.file, &internal.span(), "a non-preemptive task has RES_SCHEDULER's internal twin already")
                        .element(el("internal_resource"))
                        .hint("a task holds one internal resource: drop `schedule = \"non\"` or `internal_resource`");
                }
                Some(&i) if model_resources[i].internal => internal_resource = Some(i),
                Some(_) => {
                    loader
                        .error(
                            t.file,
                            &internal.span(),
                            format!("`{named}` is not an internal resource"),
                        )
                        .element(el("internal_resource"))
                        .hint("declare it with `internal = true` in [[resources]]");
                }
                None => {
                    loader
                        .error(
                            t.file,
                            &internal.span(),
                            format!("unknown resource `{named}`"),
                        )
                        .element(el("internal_resource"))
                        .hint("declare it in [[resources]] with `internal = true`");
                }
            }
        }
        let timing = resolve_timing(
            loader,
            t.file,
            &format!("tasks[{name}]"),
            (
                &v.execution_budget_us,
                &v.time_frame_us,
                &v.deadline_us,
                &v.lock_budget_us,
            ),
            &v.resources,
            &resource_names,
        );
        let mut access = 0u64;
        for other in &v.accessing_applications {
            if let Some(a) = reference(
                loader,
                &app_names,
                "os_application",
                t.file,
                el("accessing_applications"),
                other,
            ) {
                access |= 1u64.checked_shl(a as u32).unwrap_or(0);
            }
        }
        model_tasks.push(Task {
            access,
            timing,
            defined_at: Some(loader.at(t.file, &v.name.span())),
            name: name.clone(),
            const_name: const_name(name),
            app: app.unwrap_or(0),
            priority: priority.unwrap_or(0) as u8,
            activation_limit: limit.unwrap_or(1) as u8,
            stack_size: if stack_ok { stack as u32 } else { 0 },
            autostart: v.autostart,
            autostart_modes: mode_mask(loader, t.file, el("autostart_modes"), &v.autostart_modes),
            entry: entry.clone(),
            extended,
            event_mask,
            resource_mask,
            internal_resource,
        });
    }

    // Priority ceilings: the highest priority among the tasks that use each resource;
    // RES_SCHEDULER and its internal twin: the highest priority of all tasks.
    let top_priority = model_tasks.iter().map(|t| t.priority).max().unwrap_or(0);
    for (index, resource) in model_resources.iter_mut().enumerate() {
        resource.ceiling = if RESERVED_RESOURCES.contains(&resource.name.as_str()) {
            top_priority
        } else {
            model_tasks
                .iter()
                .filter(|t| {
                    (index < MAX_STANDARD_RESOURCES && t.resource_mask & (1 << index) != 0)
                        || t.internal_resource == Some(index)
                })
                .map(|t| t.priority)
                .max()
                .unwrap_or(0)
        };
    }

    let mut model_apps = model_apps;
    for (index, a) in apps.iter().enumerate() {
        if let Some(task) = &a.value.restart_task {
            let el = format!("os_applications[{}].restart_task", a.value.name.get_ref());
            let found = reference(loader, &task_names, "task", a.file, el.clone(), task);
            match found {
                Some(t) if model_tasks[t].app != index => {
                    loader
                        .error(
                            a.file,
                            &task.span(),
                            format!(
                                "restart task `{}` belongs to another application",
                                task.get_ref()
                            ),
                        )
                        .element(el)
                        .hint("the restart task must be one of the application's own tasks");
                }
                Some(t) => model_apps[index].restart_task = Some(t),
                None => {}
            }
        }
    }
    let mut model_isrs = Vec::new();
    let mut irq_owners: HashMap<i64, String> = HashMap::new();
    for i in &isrs {
        let v = &i.value;
        let name = v.name.get_ref();
        let el = |field: &str| format!("isrs[{name}].{field}");
        let category = loader.int(i.file, &v.category, 1..=2, el("category"), "category");
        let irq = v
            .irq
            .as_ref()
            .and_then(|irq| loader.int(i.file, irq, 0..=1019, el("irq"), "irq"));
        if let (Some(line), Some(spanned)) = (irq, &v.irq) {
            if let Some(other) = irq_owners.insert(line, name.clone()) {
                loader
                    .error(
                        i.file,
                        &spanned.span(),
                        format!("interrupt line {line} is already ISR {other}'s"),
                    )
                    .element(el("irq"))
                    .hint("one ISR per interrupt request line");
            }
        }
        let priority = loader.int(i.file, &v.priority, 1..=255, el("priority"), "priority");
        let app = v.os_application.as_ref().and_then(|a| {
            reference(
                loader,
                &app_names,
                "os_application",
                i.file,
                el("os_application"),
                a,
            )
        });
        if !is_rust_function_name(v.entry.get_ref()) {
            loader
                .error(
                    i.file,
                    &v.entry.span(),
                    format!("entry `{}` is not a Rust function name", v.entry.get_ref()),
                )
                .element(el("entry"))
                .hint("name a `pub fn(&Os)` of the application module");
        }
        let mut resource_mask = 0u64;
        for resource in &v.resources {
            if category == Some(1) {
                loader
                    .error(i.file, &resource.span(), "a category 1 ISR cannot take resources")
                    .element(el("resources"))
                    .hint("category 1 ISRs run outside the OS; make it category 2 to use OS resources");
                break;
            }
            match resource_names.get(resource.get_ref().as_str()) {
                Some(&r) if !model_resources[r].internal && r < MAX_STANDARD_RESOURCES => {
                    resource_mask |= 1 << r;
                    let ceiling = &mut model_resources[r].isr_ceiling;
                    *ceiling = Some(ceiling.unwrap_or(0).max(priority.unwrap_or(0) as u8));
                }
                _ => {
                    loader
                        .error(
                            i.file,
                            &resource.span(),
                            format!("unknown resource `{}`", resource.get_ref()),
                        )
                        .element(el("resources"))
                        .hint("declare it in [[resources]] (not internal)");
                }
            }
        }
        let timing = resolve_timing(
            loader,
            i.file,
            &format!("isrs[{name}]"),
            (
                &v.execution_budget_us,
                &v.time_frame_us,
                &v.deadline_us,
                &v.lock_budget_us,
            ),
            &v.resources,
            &resource_names,
        );
        model_isrs.push(Isr {
            defined_at: Some(loader.at(i.file, &v.name.span())),
            name: name.clone(),
            const_name: const_name(name),
            category: category.unwrap_or(2) as u8,
            priority: priority.unwrap_or(1) as u8,
            app,
            entry: v.entry.get_ref().clone(),
            irq: irq.map(|line| line as u32),
            resource_mask,
            timing,
        });
    }

    let isr_names = table(
        isrs.iter()
            .enumerate()
            .map(|(i, r)| (i, r.file, &r.value.name))
            .collect(),
    );
    let mut model_stimuli = Vec::new();
    for st in &stimuli {
        let v = &st.value;
        let el = |field: &str| format!("stimuli[{}].{field}", v.isr.get_ref());
        let isr = reference(loader, &isr_names, "isr", st.file, el("isr"), &v.isr);
        let mut us = |value: &Option<Spanned<i64>>, field: &str| match value {
            None => Some(0),
            Some(v) => loader
                .int(st.file, v, 0..=3_600_000_000, el(field), field)
                .map(|us| us as u64),
        };
        let (offset, period, jitter) = (
            us(&v.offset_us, "offset_us"),
            us(&v.period_us, "period_us"),
            us(&v.jitter_us, "jitter_us"),
        );
        if let (Some(isr), Some(offset_us), Some(period_us), Some(jitter_us)) =
            (isr, offset, period, jitter)
        {
            model_stimuli.push(Stimulus {
                isr,
                offset_us,
                period_us,
                jitter_us,
            });
        }
    }
    let mut model_hooks = Hooks::default();
    for h in &hooks_in {
        let v = &h.value;
        for (slot, given, field) in [
            (&mut model_hooks.startup, &v.startup, "startup"),
            (&mut model_hooks.shutdown, &v.shutdown, "shutdown"),
            (&mut model_hooks.error, &v.error, "error"),
            (&mut model_hooks.pre_task, &v.pre_task, "pre_task"),
            (&mut model_hooks.post_task, &v.post_task, "post_task"),
            (&mut model_hooks.protection, &v.protection, "protection"),
        ] {
            let Some(function) = given else { continue };
            if is_rust_function_name(function.get_ref()) {
                *slot = Some(function.get_ref().clone());
            } else {
                loader
                    .error(
                        h.file,
                        &function.span(),
                        format!("hook `{}` is not a Rust function name", function.get_ref()),
                    )
                    .element(format!("hooks.{field}"))
                    .hint("name a function of the application module");
            }
        }
    }

    let mut model_alarms = Vec::new();
    // Alarms that increment a counter: edges of the counter graph, checked for cycles below.
    let mut counter_edges: Vec<(usize, usize, usize, Range<usize>)> = Vec::new();
    for a in &alarms {
        let v = &a.value;
        let name = v.name.get_ref();
        let el = |field: &str| format!("alarms[{name}].{field}");
        let counter = reference(
            loader,
            &counter_names,
            "counter",
            a.file,
            el("counter"),
            &v.counter,
        );
        let given = [
            v.activate_task.is_some(),
            v.set_event.is_some(),
            v.increment_counter.is_some(),
            v.callback.is_some(),
        ];
        let action = match given.iter().filter(|g| **g).count() {
            1 => {
                if let Some(task) = &v.activate_task {
                    reference(
                        loader,
                        &task_names,
                        "task",
                        a.file,
                        el("activate_task"),
                        task,
                    )
                    .map(|task| AlarmAction::ActivateTask { task })
                } else if let Some(set) = &v.set_event {
                    let set = set.get_ref();
                    let task = reference(
                        loader,
                        &task_names,
                        "task",
                        a.file,
                        el("set_event.task"),
                        &set.task,
                    );
                    let event = reference(
                        loader,
                        &event_names,
                        "event",
                        a.file,
                        el("set_event.event"),
                        &set.event,
                    );
                    match (task, event) {
                        (Some(task), Some(event))
                            if model_tasks[task].event_mask & model_events[event].mask == 0 =>
                        {
                            let kind = if model_tasks[task].extended {
                                "an extended"
                            } else {
                                "a basic"
                            };
                            loader
                                .error(
                                    a.file,
                                    &set.event.span(),
                                    format!(
                                        "event `{}` is not an event of task `{}` ({kind} task)",
                                        set.event.get_ref(),
                                        set.task.get_ref()
                                    ),
                                )
                                .element(el("set_event.event"))
                                .hint(format!(
                                    "add `{}` to the `events` of task `{}`",
                                    set.event.get_ref(),
                                    set.task.get_ref()
                                ));
                            None
                        }
                        (Some(task), Some(event)) => Some(AlarmAction::SetEvent {
                            task,
                            mask: model_events[event].mask,
                        }),
                        _ => None,
                    }
                } else if let Some(target) = &v.increment_counter {
                    let next = reference(
                        loader,
                        &counter_names,
                        "counter",
                        a.file,
                        el("increment_counter"),
                        target,
                    );
                    match next {
                        Some(next) if system.first().is_some_and(|(s, ..)| *s == next) => {
                            loader
                                .error(a.file, &target.span(), format!("`{}` is driven by the tick", target.get_ref()))
                                .element(el("increment_counter"))
                                .hint("an alarm can increment a software counter (one without `tick_us`)");
                            None
                        }
                        Some(next) => {
                            if let Some(from) = counter {
                                counter_edges.push((from, next, a.file, target.span()));
                            }
                            Some(AlarmAction::IncrementCounter { counter: next })
                        }
                        None => None,
                    }
                } else {
                    let callback = v.callback.as_ref().expect("one action is given");
                    if is_rust_function_name(callback.get_ref()) {
                        Some(AlarmAction::Callback {
                            function: callback.get_ref().clone(),
                        })
                    } else {
                        loader
                            .error(
                                a.file,
                                &callback.span(),
                                format!(
                                    "callback `{}` is not a Rust function name",
                                    callback.get_ref()
                                ),
                            )
                            .element(el("callback"))
                            .hint("name a `pub fn()` of the application module");
                        None
                    }
                }
            }
            n => {
                loader
                    .error(a.file, &v.name.span(), format!("alarm `{name}` has {n} actions"))
                    .element(format!("alarms[{name}]"))
                    .hint("give exactly one of `activate_task`, `set_event = {{ task, event }}`, `increment_counter`, `callback`");
                None
            }
        };
        let mut autostart = None;
        if let (Some(auto), Some(counter)) = (&v.autostart, counter) {
            let c = &model_counters[counter];
            let auto = auto.get_ref();
            let offset = loader.int(
                a.file,
                &auto.offset,
                1..=c.max_allowed_value as i64,
                el("autostart.offset"),
                "offset",
            );
            let cycle = match &auto.cycle {
                None => Some(0),
                Some(cycle) if *cycle.get_ref() == 0 => Some(0),
                Some(cycle) => loader.int(
                    a.file,
                    cycle,
                    c.min_cycle as i64..=c.max_allowed_value as i64,
                    el("autostart.cycle"),
                    "cycle",
                ),
            };
            if let (Some(offset), Some(cycle)) = (offset, cycle) {
                autostart = Some((offset as u32, cycle as u32));
            }
        }
        let a_file = a.file;
        let target_app = match &action {
            Some(AlarmAction::ActivateTask { task }) | Some(AlarmAction::SetEvent { task, .. }) => {
                Some(model_tasks[*task].app)
            }
            _ => None,
        };
        let app = match &v.os_application {
            Some(a) => reference(
                loader,
                &app_names,
                "os_application",
                a_file,
                el("os_application"),
                a,
            ),
            None => target_app,
        };
        if app.is_none() && v.os_application.is_none() && action.is_some() {
            loader
                .error(a.file, &v.name.span(), format!("alarm `{name}` needs an owner"))
                .element(el("os_application"))
                .hint("give `os_application`: only alarms that act on a task take their owner from it");
        }
        let mut access = 0u64;
        for other in &v.accessing_applications {
            if let Some(x) = reference(
                loader,
                &app_names,
                "os_application",
                a.file,
                el("accessing_applications"),
                other,
            ) {
                access |= 1u64.checked_shl(x as u32).unwrap_or(0);
            }
        }
        let alarm_modes = mode_mask(loader, a.file, el("autostart_modes"), &v.autostart_modes);
        model_alarms.push(Alarm {
            autostart_modes: alarm_modes,
            app: app.unwrap_or(0),
            access,
            name: name.clone(),
            const_name: const_name(name),
            counter: counter.unwrap_or(0),
            action: action.unwrap_or(AlarmAction::ActivateTask { task: 0 }),
            autostart,
        });
    }

    // Counters incremented by alarms of other counters must not form a cycle: one tick would
    // then never finish.
    for (from, to, file, span) in &counter_edges {
        let mut reached = vec![*to];
        let mut frontier = vec![*to];
        while let Some(c) = frontier.pop() {
            for (f, t, ..) in &counter_edges {
                if *f == c && !reached.contains(t) {
                    reached.push(*t);
                    frontier.push(*t);
                }
            }
        }
        if reached.contains(from) {
            loader
                .error(*file, span, format!(
                    "counters `{}` and `{}` increment each other through alarms",
                    model_counters[*from].name, model_counters[*to].name
                ))
                .element("alarms")
                .hint("an alarm chain that loops back to its own counter would never end: break the cycle");
            break;
        }
    }

    for (kind, count, file, span) in [
        (
            "tasks",
            tasks.len(),
            tasks.last().map(|t| (t.file, t.span.clone())),
        ),
        (
            "alarms",
            alarms.len(),
            alarms.last().map(|a| (a.file, a.span.clone())),
        ),
        (
            "counters",
            counters.len(),
            counters.last().map(|c| (c.file, c.span.clone())),
        ),
        (
            "os_applications",
            apps.len(),
            apps.last().map(|a| (a.file, a.span.clone())),
        ),
    ]
    .map(|(k, n, at)| {
        let (f, s) = at.unwrap_or((ecu_in.file, ecu_in.span.clone()));
        (k, n, f, s)
    }) {
        if count > MAX_OBJECTS {
            loader
                .error(
                    file,
                    &span,
                    format!("{count} {kind}: the kernel names at most {MAX_OBJECTS}"),
                )
                .element(kind);
        }
    }
    if tasks.is_empty() {
        loader
            .error(ecu_in.file, &ecu_in.span, "the description has no task")
            .element("tasks")
            .hint("add a [[tasks]] entry");
    }

    let mut sources: Vec<String> = loader
        .sources
        .iter()
        .map(|s| {
            s.path.file_name().map_or_else(
                || s.path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
        .collect();
    sources.dedup();
    let mut model_tables = Vec::new();
    for t in &tables {
        let v = &t.value;
        let name = v.name.get_ref();
        let el = |field: &str| format!("schedule_tables[{name}].{field}");
        let counter = reference(
            loader,
            &counter_names,
            "counter",
            t.file,
            el("counter"),
            &v.counter,
        );
        let app = reference(
            loader,
            &app_names,
            "os_application",
            t.file,
            el("os_application"),
            &v.os_application,
        );
        let Some(counter) = counter else { continue };
        let limits = &model_counters[counter];
        let duration = loader.int(
            t.file,
            &v.duration,
            limits.min_cycle.max(1) as i64..=limits.max_allowed_value as i64,
            el("duration"),
            "duration",
        );
        if v.expiry_points.is_empty() {
            loader
                .error(
                    t.file,
                    &v.name.span(),
                    format!("schedule table `{name}` has no expiry point"),
                )
                .element(el("expiry_points"))
                .hint("give at least one `{ offset = N, activate_tasks = [..] }`");
        }
        let mut points = Vec::new();
        let mut previous: Option<i64> = None;
        for point in &v.expiry_points {
            let p = point.get_ref();
            let offset = *p.offset.get_ref();
            let limit = duration.unwrap_or(limits.max_allowed_value as i64);
            if offset < 0
                || offset >= limit.max(1)
                || previous.is_some_and(|before| offset <= before)
            {
                loader
                    .error(
                        t.file,
                        &p.offset.span(),
                        format!(
                            "expiry point offset {offset} is out of order or outside 0..{limit}"
                        ),
                    )
                    .element(el("expiry_points.offset"))
                    .hint("offsets grow strictly and stay below the table's duration");
            }
            previous = Some(offset);
            if p.activate_tasks.is_empty() && p.set_events.is_empty() {
                loader
                    .error(t.file, &point.span(), "an expiry point with no action")
                    .element(el("expiry_points"))
                    .hint("give `activate_tasks` or `set_events`");
            }
            let mut actions = Vec::new();
            for task in &p.activate_tasks {
                if let Some(task) = reference(
                    loader,
                    &task_names,
                    "task",
                    t.file,
                    el("expiry_points.activate_tasks"),
                    task,
                ) {
                    actions.push(AlarmAction::ActivateTask { task });
                }
            }
            for set in &p.set_events {
                let set = set.get_ref();
                let task = reference(
                    loader,
                    &task_names,
                    "task",
                    t.file,
                    el("expiry_points.set_events.task"),
                    &set.task,
                );
                let event = reference(
                    loader,
                    &event_names,
                    "event",
                    t.file,
                    el("expiry_points.set_events.event"),
                    &set.event,
                );
                if let (Some(task), Some(event)) = (task, event) {
                    if model_tasks[task].event_mask & model_events[event].mask == 0 {
                        loader
                            .error(
                                t.file,
                                &set.event.span(),
                                format!(
                                    "event `{}` is not an event of task `{}`",
                                    set.event.get_ref(),
                                    set.task.get_ref()
                                ),
                            )
                            .element(el("expiry_points.set_events.event"))
                            .hint(format!(
                                "add `{}` to the `events` of task `{}`",
                                set.event.get_ref(),
                                set.task.get_ref()
                            ));
                    } else {
                        actions.push(AlarmAction::SetEvent {
                            task,
                            mask: model_events[event].mask,
                        });
                    }
                }
            }
            points.push(ExpiryPointModel {
                offset: offset.max(0) as u32,
                actions,
            });
        }
        let autostart = v.autostart.as_ref().and_then(|start| {
            match (&start.get_ref().relative, &start.get_ref().absolute) {
                (Some(r), None) => loader
                    .int(
                        t.file,
                        r,
                        1..=limits.max_allowed_value as i64,
                        el("autostart.relative"),
                        "relative start",
                    )
                    .map(|r| TableStart::Relative(r as u32)),
                (None, Some(a)) => loader
                    .int(
                        t.file,
                        a,
                        0..=limits.max_allowed_value as i64,
                        el("autostart.absolute"),
                        "absolute start",
                    )
                    .map(|a| TableStart::Absolute(a as u32)),
                _ => {
                    loader
                        .error(
                            t.file,
                            &start.span(),
                            "give one of `relative` and `absolute`",
                        )
                        .element(el("autostart"));
                    None
                }
            }
        });
        let table_modes = mode_mask(loader, t.file, el("autostart_modes"), &v.autostart_modes);
        model_tables.push(ScheduleTable {
            autostart_modes: table_modes,
            name: name.clone(),
            const_name: const_name(name),
            app: app.unwrap_or(0),
            counter,
            duration: duration.unwrap_or(1) as u32,
            repeating: v.repeating,
            expiry_points: points,
            autostart,
        });
    }

    let mut model_trusted = Vec::new();
    for f in &trusted {
        let v = &f.value;
        let name = v.name.get_ref();
        let el = |field: &str| format!("trusted_functions[{name}].{field}");
        let app = reference(
            loader,
            &app_names,
            "os_application",
            f.file,
            el("os_application"),
            &v.os_application,
        );
        if let Some(app) = app {
            if !model_apps[app].trusted {
                loader
                    .error(
                        f.file,
                        &v.os_application.span(),
                        format!(
                            "`{}` is not a trusted application",
                            v.os_application.get_ref()
                        ),
                    )
                    .element(el("os_application"))
                    .hint(
                        "only trusted applications offer trusted functions: set `trusted = true`",
                    );
            }
        }
        if !is_rust_function_name(v.entry.get_ref()) {
            loader
                .error(
                    f.file,
                    &v.entry.span(),
                    format!("entry `{}` is not a Rust function name", v.entry.get_ref()),
                )
                .element(el("entry"))
                .hint("name a `pub fn(u32) -> u32` of the application module");
        }
        let mut callers = 0u64;
        for caller in &v.callers {
            if let Some(c) = reference(
                loader,
                &app_names,
                "os_application",
                f.file,
                el("callers"),
                caller,
            ) {
                callers |= 1u64.checked_shl(c as u32).unwrap_or(0);
            }
        }
        model_trusted.push(TrustedFunction {
            name: name.clone(),
            const_name: const_name(name),
            app: app.unwrap_or(0),
            callers,
            entry: v.entry.get_ref().clone(),
        });
    }

    let can = can::resolve_can(loader, &mut files, &app_names, model_apps.len());

    Some(Ecu {
        can,
        app_modes,
        trusted_functions: model_trusted,
        schedule_tables: model_tables,
        isrs: model_isrs,
        hooks: model_hooks,
        stimuli: model_stimuli,
        events: model_events,
        resources: model_resources,
        name: ecu.name.get_ref().clone(),
        application,
        sources,
        apps: model_apps,
        tasks: model_tasks,
        counters: model_counters,
        alarms: model_alarms,
        system_counter,
        tick_ns,
        network: Default::default(),
        interfaces: Vec::new(),
        ipc: Default::default(),
    })
}

type TimingFields<'a> = (
    &'a Option<Spanned<i64>>,
    &'a Option<Spanned<i64>>,
    &'a Option<Spanned<i64>>,
    &'a std::collections::BTreeMap<String, Spanned<i64>>,
);

/// Budgets, time frame and deadline of a task or ISR; a lock budget must name a resource the
/// object takes.
fn resolve_timing(
    loader: &mut Loader,
    file: usize,
    element: &str,
    (budget, frame, deadline, locks): TimingFields<'_>,
    used: &[Spanned<String>],
    resource_names: &HashMap<String, usize>,
) -> Timing {
    const MAX_US: i64 = 3_600_000_000;
    let mut field = |value: &Option<Spanned<i64>>, name: &str| {
        value.as_ref().and_then(|v| {
            loader
                .int(file, v, 1..=MAX_US, format!("{element}.{name}"), name)
                .map(|us| us as u32)
        })
    };
    let execution_budget_us = field(budget, "execution_budget_us");
    let time_frame_us = field(frame, "time_frame_us");
    let deadline_us = field(deadline, "deadline_us");
    let mut lock_budgets_us = Vec::new();
    for (resource, value) in locks {
        let element = format!("{element}.lock_budget_us.{resource}");
        let Some(us) = loader.int(file, value, 1..=MAX_US, element.clone(), "lock budget") else {
            continue;
        };
        match resource_names.get(resource.as_str()) {
            Some(&index) if used.iter().any(|u| u.get_ref() == resource) => {
                lock_budgets_us.push((index, us as u32));
            }
            _ => {
                loader
                    .error(
                        file,
                        &value.span(),
                        format!("a lock budget for `{resource}`, which it does not take"),
                    )
                    .element(element)
                    .hint("list the resource in `resources`, or drop its lock budget");
            }
        }
    }
    Timing {
        execution_budget_us,
        time_frame_us,
        deadline_us,
        lock_budgets_us,
    }
}
