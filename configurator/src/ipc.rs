//! Inter-partition communication in the description: interfaces (client-server operations
//! and sender-receiver data elements, from TOML or ARXML), servers, clients (the handle tables
//! of the OS-Applications), and the policy file compiled against them.
//!
//! ```toml
//! [ecu]
//! policy = "ecu.policy"            # compiled with ecu_policy::compiler against this model
//!
//! [[interfaces]]
//! name = "Lights"
//! kind = "client_server"
//! operations = [{ name = "Set", args = [{ name = "level", type = "u8" }], result = "u32" }]
//!
//! [[interfaces]]
//! name = "Status"
//! kind = "sender_receiver"
//! data_elements = [{ name = "Speed", type = "u16", queued = 4 }, { name = "Mode", type = "u8" }]
//!
//! [[servers]]                      # client-server interfaces: who serves them
//! interface = "Lights"
//! os_application = "Comfort"
//! task = "LightsServer"            # a [[tasks]] entry of that OS-Application
//!
//! [[tasks]]                        # the server task: its partition, stack and budget
//! name = "LightsServer"
//! os_application = "Comfort"
//! priority = 5
//! stack_size = 1024
//! execution_budget_us = 200        # per call: one activation serves one call
//! entry = "lights_server"          # its handler: pub fn(&Os, u16, [u32; 4]) -> u32
//!
//! [[clients]]                      # handles: per OS-Application, in the order listed
//! os_application = "Comfort"
//! interface = "Lights"
//! ```
//!
//! A server may list the interfaces its handler calls (`calls = ["Flash"]`, AUTOSAR's server
//! call points). Each needs a handle of the server's OS-Application, and no chain of such
//! calls may lead back to the interface it started from: that server task would wait for
//! itself (the kernel refuses a call to one's own interface; through other servers it would
//! deadlock).
//!
//! A server task's body is generated (`ecu::<interface>::serve`): it takes the oldest call,
//! runs the handler named by the task's `entry` in the server's partition, answers and ends.
//! The kernel activates it when a call arrives and again for each further queued call. One
//! task serves one interface.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use ecu_policy::compiler::{Field, FieldType, Operation as PolicyOperation, System};
use ecu_policy::Action;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::diag::{Diagnostic, Location, Source};
use crate::interfaces::{Direction, InterfaceKind};

/// The most argument words of one operation (`ecu_policy::MAX_ARGS`).
pub const MAX_ARGS: usize = ecu_policy::MAX_ARGS;
/// The most messages one queued data element holds.
pub const MAX_QUEUE: i64 = 1024;

// ---- TOML input ----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterfaceIn {
    name: Spanned<String>,
    kind: Spanned<String>,
    #[serde(default)]
    operations: Vec<Spanned<OperationIn>>,
    #[serde(default)]
    data_elements: Vec<Spanned<ElementIn>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationIn {
    name: Spanned<String>,
    #[serde(default)]
    args: Vec<Spanned<ArgIn>>,
    /// The reply: one u32 word (the only form today).
    result: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArgIn {
    name: Spanned<String>,
    #[serde(rename = "type")]
    ty: Spanned<String>,
    /// Enumerations: the value names, numbered from 0 in order.
    #[serde(default)]
    values: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElementIn {
    name: Spanned<String>,
    #[serde(rename = "type")]
    ty: Spanned<String>,
    #[serde(default)]
    values: Vec<Spanned<String>>,
    /// A queue of this many messages; absent: last-is-best.
    queued: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerIn {
    interface: Spanned<String>,
    os_application: Spanned<String>,
    handler: Option<Spanned<String>>,
    task: Option<Spanned<String>>,
    /// The client-server interfaces the server's handler calls (AUTOSAR's server call
    /// points): checked against the server's handles and for calls that come back round.
    #[serde(default)]
    calls: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientIn {
    os_application: Spanned<String>,
    interface: Spanned<String>,
}

/// The IPC parts of the description files, taken out before the OS part is resolved.
#[derive(Default)]
pub struct Input {
    interfaces: Vec<(usize, Spanned<InterfaceIn>)>,
    servers: Vec<(usize, Spanned<ServerIn>)>,
    clients: Vec<(usize, Spanned<ClientIn>)>,
    /// `[ecu] policy`: file index and the path as written.
    policy: Option<(usize, Spanned<String>)>,
}

impl Input {
    pub fn add(
        &mut self,
        file: usize,
        interfaces: Vec<Spanned<InterfaceIn>>,
        servers: Vec<Spanned<ServerIn>>,
        clients: Vec<Spanned<ClientIn>>,
        policy: Option<Spanned<String>>,
    ) {
        self.interfaces
            .extend(interfaces.into_iter().map(|i| (file, i)));
        self.servers.extend(servers.into_iter().map(|s| (file, s)));
        self.clients.extend(clients.into_iter().map(|c| (file, c)));
        if self.policy.is_none() {
            self.policy = policy.map(|p| (file, p));
        }
    }
}

// ---- the model ----

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Ipc {
    /// In policy interface order: the endpoint numbers.
    pub interfaces: Vec<IpcInterface>,
    /// Per OS-Application: the interfaces its handles 0, 1, ... name.
    pub handles: Vec<Vec<usize>>,
    pub queues: Vec<Queue>,
    pub slots: usize,
    pub policy: Option<Policy>,
    /// Per task: the interface it serves, if it is a server task.
    pub task_serves: Vec<Option<usize>>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct IpcInterface {
    pub name: String,
    /// The Rust module of its typed stubs (`lights`).
    pub module: String,
    pub client_server: bool,
    /// Client-server: the serving OS-Application, its server task and that task's handler
    /// function (the task's `entry`).
    pub server_app: Option<usize>,
    pub server_task: Option<usize>,
    pub handler: Option<String>,
    /// The most argument words of its operations (what the server fetches per call).
    pub max_words: usize,
    pub operations: Vec<IpcOperation>,
    /// Per OS-Application: its handle for this interface, if it has one.
    pub handle_of: Vec<Option<usize>>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct IpcOperation {
    pub name: String,
    /// The stub's function name (`set`; data elements: `speed`).
    pub function: String,
    pub args: Vec<IpcArg>,
    /// Sender-receiver: its queue (index into [`Ipc::queues`]).
    pub queue: Option<usize>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct IpcArg {
    pub name: String,
    /// The Rust parameter name.
    pub param: String,
    /// u8, u16, u32, i32, bool or enum.
    pub ty: String,
    /// The Rust type of the stub's parameter (enums: a generated enum).
    pub rust_type: String,
    /// The kernel's `ArgType` expression.
    pub arg_type: String,
    /// The argument word from the parameter.
    pub to_word: String,
    /// The parameter from a word (receive stubs).
    pub from_word: String,
    /// Enumerations: (Rust variant, value).
    pub values: Vec<(String, u32)>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Queue {
    /// 0: last-is-best.
    pub capacity: u32,
    pub first_slot: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Policy {
    pub path: PathBuf,
    /// The generated decision tables (`ecu_policy` codegen).
    pub rust: String,
    /// The policy matrix.
    pub report: String,
}

// ---- resolution ----

struct Ctx<'a> {
    sources: &'a [Source],
    diagnostics: &'a mut Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn error(&mut self, file: usize, span: &Range<usize>, message: String) -> &mut Diagnostic {
        let location = self.sources[file].at(span.start);
        self.diagnostics.push(Diagnostic::error(location, message));
        self.diagnostics.last_mut().expect("just pushed")
    }
}

fn snake(name: &str) -> String {
    crate::model::const_name(name).to_lowercase()
}

fn camel(name: &str) -> String {
    snake(name)
        .split('_')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

pub(crate) fn rust_ident(name: &str) -> String {
    let s = snake(name);
    const KEYWORDS: &[&str] = &[
        "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn",
        "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
        "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
        "where", "while", "async", "await", "dyn", "gen", "try", "os",
    ];
    if KEYWORDS.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}

/// One argument of a known type; None (reported) otherwise.
fn arg(
    cx: &mut Ctx,
    file: usize,
    name: &Spanned<String>,
    ty: &Spanned<String>,
    values: &[Spanned<String>],
    element: &str,
) -> Option<IpcArg> {
    let param = rust_ident(name.get_ref());
    let t = ty.get_ref().as_str();
    let (rust_type, arg_type, to_word, from_word) = match t {
        "u8" | "u16" | "u32" => (
            t.to_owned(),
            format!("ArgType::{}", t.to_uppercase()),
            format!("{param} as u32"),
            format!("w as {t}"),
        ),
        "i32" => (
            "i32".into(),
            "ArgType::I32".into(),
            format!("{param} as u32"),
            "w as i32".into(),
        ),
        "bool" => (
            "bool".into(),
            "ArgType::Bool".into(),
            format!("u32::from({param})"),
            "w != 0".into(),
        ),
        "enum" => {
            if values.is_empty() || values.len() > 32 {
                cx.error(
                    file,
                    &ty.span(),
                    format!("enum `{}` needs 1 to 32 values", name.get_ref()),
                )
                .element(element.to_owned())
                .hint("list them: values = [\"off\", \"on\"]");
                return None;
            }
            let ty_name = camel(name.get_ref());
            let mask: u64 = (1u64 << values.len()) - 1;
            (
                ty_name.clone(),
                format!("ArgType::Enum({mask:#x})"),
                format!("{param} as u32"),
                format!("{ty_name}::from_word(w).ok_or(Error::Value)?"),
            )
        }
        other => {
            cx.error(file, &ty.span(), format!("unknown argument type `{other}`"))
                .element(element.to_owned())
                .hint("use u8, u16, u32, i32, bool or enum");
            return None;
        }
    };
    if t != "enum" && !values.is_empty() {
        cx.error(
            file,
            &values[0].span(),
            "`values` belong to enum arguments only".into(),
        )
        .element(element.to_owned())
        .hint("set type = \"enum\" or drop `values`");
    }
    Some(IpcArg {
        name: name.get_ref().clone(),
        param,
        ty: t.to_owned(),
        rust_type,
        arg_type,
        to_word,
        from_word,
        values: values
            .iter()
            .enumerate()
            .map(|(i, v)| (camel(v.get_ref()), i as u32))
            .collect(),
    })
}

fn arxml_type(type_ref: Option<&str>) -> &'static str {
    let last = type_ref
        .and_then(|r| r.rsplit('/').next())
        .unwrap_or("")
        .to_ascii_lowercase();
    match last.as_str() {
        "uint8" | "u8" => "u8",
        "uint16" | "u16" => "u16",
        "sint32" | "i32" | "int32" => "i32",
        "boolean" | "bool" => "bool",
        _ => "u32",
    }
}

fn plain_arg(name: &str, ty: &str) -> IpcArg {
    let param = rust_ident(name);
    IpcArg {
        name: name.to_owned(),
        to_word: if ty == "bool" {
            format!("u32::from({param})")
        } else {
            format!("{param} as u32")
        },
        from_word: match ty {
            "bool" => "w != 0".into(),
            t => format!("w as {t}"),
        },
        param,
        ty: ty.to_owned(),
        rust_type: ty.to_owned(),
        arg_type: format!("ArgType::{}", ty.to_uppercase()),
        values: Vec::new(),
    }
}

/// Resolves the IPC part against the model's OS-Applications and ARXML port interfaces, and
/// compiles the policy. Errors go to `diagnostics`, located.
pub fn resolve(
    input: Input,
    sources: &[Source],
    diagnostics: &mut Vec<Diagnostic>,
    ecu: &mut crate::model::Ecu,
) {
    let mut cx = Ctx {
        sources,
        diagnostics,
    };
    let apps: HashMap<&str, usize> = ecu
        .apps
        .iter()
        .enumerate()
        .map(|(i, a)| (a.name.as_str(), i))
        .collect();
    let mut ipc = Ipc::default();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    // Where each interface was defined (TOML), for "defined here" notes.
    let mut first_at: HashMap<String, Location> = HashMap::new();

    for (file, spanned) in &input.interfaces {
        let file = *file;
        let i = spanned.get_ref();
        let name = i.name.get_ref();
        let element = format!("interfaces[{name}]");
        if let Some(first) = first_at.get(name) {
            let first = first.clone();
            cx.error(
                file,
                &i.name.span(),
                format!("duplicate interface `{name}`"),
            )
            .element(element.clone())
            .related(first, "first defined here")
            .hint("give every interface its own name");
            continue;
        }
        first_at.insert(name.clone(), sources[file].at(i.name.span().start));
        let client_server = match i.kind.get_ref().as_str() {
            "client_server" => true,
            "sender_receiver" => false,
            other => {
                cx.error(
                    file,
                    &i.kind.span(),
                    format!("unknown interface kind `{other}`"),
                )
                .element(format!("{element}.kind"))
                .hint("use \"client_server\" or \"sender_receiver\"");
                continue;
            }
        };
        let mut operations = Vec::new();
        if client_server {
            if let Some(de) = i.data_elements.first() {
                cx.error(
                    file,
                    &de.span(),
                    "a client-server interface has operations, not data elements".into(),
                )
                .element(format!("{element}.data_elements"))
                .hint("move them to a sender_receiver interface");
            }
            for op in &i.operations {
                let op = op.get_ref();
                let op_element = format!("{element}.operations[{}]", op.name.get_ref());
                if op.args.len() > MAX_ARGS {
                    cx.error(
                        file,
                        &op.args[MAX_ARGS].span(),
                        format!("more than {MAX_ARGS} arguments"),
                    )
                    .element(op_element.clone())
                    .hint("arguments are fixed-size words the kernel copies: at most 4");
                    continue;
                }
                if let Some(result) = &op.result {
                    if result.get_ref() != "u32" {
                        cx.error(
                            file,
                            &result.span(),
                            format!("result type `{}` is not supported", result.get_ref()),
                        )
                        .element(op_element.clone())
                        .hint("an operation replies with one u32 word: result = \"u32\"");
                    }
                }
                let args: Vec<IpcArg> = op
                    .args
                    .iter()
                    .filter_map(|a| {
                        let a = a.get_ref();
                        arg(&mut cx, file, &a.name, &a.ty, &a.values, &op_element)
                    })
                    .collect();
                operations.push(IpcOperation {
                    name: op.name.get_ref().clone(),
                    function: rust_ident(op.name.get_ref()),
                    args,
                    queue: None,
                });
            }
        } else {
            if let Some(op) = i.operations.first() {
                cx.error(
                    file,
                    &op.span(),
                    "a sender-receiver interface has data elements, not operations".into(),
                )
                .element(format!("{element}.operations"))
                .hint("move them to a client_server interface");
            }
            for de in &i.data_elements {
                let de = de.get_ref();
                let de_element = format!("{element}.data_elements[{}]", de.name.get_ref());
                let Some(mut a) = arg(&mut cx, file, &de.name, &de.ty, &de.values, &de_element)
                else {
                    continue;
                };
                a.name = "value".into();
                a.param = "value".into();
                a.to_word = a
                    .to_word
                    .replacen(&rust_ident(de.name.get_ref()), "value", 1);
                let capacity = match &de.queued {
                    Some(q) => {
                        let v = *q.get_ref();
                        if !(1..=MAX_QUEUE).contains(&v) {
                            cx.error(file, &q.span(), format!("queued is {v}, outside 1..={MAX_QUEUE}"))
                                .element(de_element.clone())
                                .hint("a queue holds 1 or more messages; leave `queued` out for last-is-best");
                        }
                        v.clamp(1, MAX_QUEUE) as u32
                    }
                    None => 0,
                };
                ipc.queues.push(Queue {
                    capacity,
                    first_slot: ipc.slots,
                });
                ipc.slots += capacity.max(1) as usize;
                operations.push(IpcOperation {
                    name: de.name.get_ref().clone(),
                    function: rust_ident(de.name.get_ref()),
                    args: vec![a],
                    queue: Some(ipc.queues.len() - 1),
                });
            }
        }
        by_name.insert(name.clone(), ipc.interfaces.len());
        ipc.interfaces.push(IpcInterface {
            name: name.clone(),
            module: rust_ident(name),
            client_server,
            server_app: None,
            server_task: None,
            handler: None,
            max_words: 0,
            operations,
            handle_of: vec![None; ecu.apps.len()],
        });
    }
    // ARXML port interfaces the TOML does not define.
    for i in &ecu.interfaces {
        if by_name.contains_key(&i.name) {
            continue;
        }
        let client_server = i.kind == InterfaceKind::ClientServer;
        let operations = if client_server {
            i.operations
                .iter()
                .map(|op| IpcOperation {
                    name: op.name.clone(),
                    function: rust_ident(&op.name),
                    args: op
                        .arguments
                        .iter()
                        .filter(|a| a.direction != Direction::Out)
                        .take(MAX_ARGS)
                        .map(|a| plain_arg(&a.name, arxml_type(a.type_ref.as_deref())))
                        .collect(),
                    queue: None,
                })
                .collect()
        } else {
            i.data_elements
                .iter()
                .map(|de| {
                    ipc.queues.push(Queue {
                        capacity: 0,
                        first_slot: ipc.slots,
                    });
                    ipc.slots += 1;
                    IpcOperation {
                        name: de.name.clone(),
                        function: rust_ident(&de.name),
                        args: vec![plain_arg("value", arxml_type(de.type_ref.as_deref()))],
                        queue: Some(ipc.queues.len() - 1),
                    }
                })
                .collect()
        };
        by_name.insert(i.name.clone(), ipc.interfaces.len());
        ipc.interfaces.push(IpcInterface {
            name: i.name.clone(),
            module: rust_ident(&i.name),
            client_server,
            server_app: None,
            server_task: None,
            handler: None,
            max_words: 0,
            operations,
            handle_of: vec![None; ecu.apps.len()],
        });
    }

    let lookup_app = |cx: &mut Ctx, file: usize, name: &Spanned<String>, element: &str| {
        let found = apps.get(name.get_ref().as_str()).copied();
        if found.is_none() {
            cx.error(
                file,
                &name.span(),
                format!("unknown OS-Application `{}`", name.get_ref()),
            )
            .element(element.to_owned())
            .hint("name one of the [[os_applications]]");
        }
        found
    };
    let lookup_interface = |cx: &mut Ctx, file: usize, name: &Spanned<String>, element: &str| {
        let found = by_name.get(name.get_ref()).copied();
        if found.is_none() {
            cx.error(
                file,
                &name.span(),
                format!("unknown interface `{}`", name.get_ref()),
            )
            .element(element.to_owned())
            .hint("define it in [[interfaces]] (or as a port interface in ARXML)");
        }
        found
    };

    let mut served_at: HashMap<usize, Location> = HashMap::new();
    let mut task_served_at: HashMap<usize, (usize, Location)> = HashMap::new();
    for (file, s) in &input.servers {
        let file = *file;
        let s = s.get_ref();
        let element = format!("servers[{}]", s.interface.get_ref());
        let app = lookup_app(&mut cx, file, &s.os_application, &element);
        let Some(index) = lookup_interface(&mut cx, file, &s.interface, &element) else {
            continue;
        };
        if !ipc.interfaces[index].client_server {
            cx.error(
                file,
                &s.interface.span(),
                format!(
                    "`{}` is a sender-receiver interface: it has no server",
                    s.interface.get_ref()
                ),
            )
            .element(element.clone())
            .hint("senders and receivers are [[clients]] of a sender-receiver interface");
            continue;
        }
        if let Some(first) = served_at.get(&index) {
            let first = first.clone();
            cx.error(
                file,
                &s.interface.span(),
                format!("`{}` has a second server", s.interface.get_ref()),
            )
            .element(element.clone())
            .related(first, "its first server is here")
            .hint("one server per client-server interface");
            continue;
        }
        served_at.insert(index, sources[file].at(s.interface.span().start));
        if let Some(handler) = &s.handler {
            cx.error(
                file,
                &handler.span(),
                "a server's handler is its task's `entry`".into(),
            )
            .element(format!("{element}.handler"))
            .hint("name the server task with task = \"MyServer\"; that task's entry = \"my_server\" is a pub fn(&Os, u16, [u32; 4]) -> u32");
            continue;
        }
        let Some(task_name) = &s.task else {
            cx.error(
                file,
                &s.interface.span(),
                "a server needs a `task`".into(),
            )
            .element(element.clone())
            .hint("task = \"MyServer\": a [[tasks]] entry of the serving OS-Application, whose entry is the handler");
            continue;
        };
        let Some(task) = ecu
            .tasks
            .iter()
            .position(|t| &t.name == task_name.get_ref())
        else {
            cx.error(
                file,
                &task_name.span(),
                format!("unknown task `{}`", task_name.get_ref()),
            )
            .element(format!("{element}.task"))
            .hint("name one of the [[tasks]]");
            continue;
        };
        if let Some(app) = app.filter(|&a| a != ecu.tasks[task].app) {
            cx.error(
                file,
                &task_name.span(),
                format!(
                    "task `{}` belongs to `{}`, not to the server `{}`",
                    task_name.get_ref(),
                    ecu.apps[ecu.tasks[task].app].name,
                    ecu.apps[app].name
                ),
            )
            .element(format!("{element}.task"))
            .hint("the server task runs in the server's partition: pick a task of that OS-Application");
            continue;
        }
        if let Some((other, first)) = task_served_at.get(&task) {
            let first = first.clone();
            cx.error(
                file,
                &task_name.span(),
                format!(
                    "task `{}` already serves `{}`",
                    task_name.get_ref(),
                    ipc.interfaces[*other].name
                ),
            )
            .element(format!("{element}.task"))
            .related(first, "it serves that interface here")
            .hint("one server task per interface: add another [[tasks]] entry");
            continue;
        }
        task_served_at.insert(task, (index, sources[file].at(task_name.span().start)));
        let interface = &mut ipc.interfaces[index];
        interface.server_app = app;
        interface.server_task = Some(task);
        interface.handler = Some(ecu.tasks[task].entry.clone());
        interface.max_words = interface
            .operations
            .iter()
            .map(|o| o.args.len())
            .max()
            .unwrap_or(0);
    }
    ipc.task_serves = vec![None; ecu.tasks.len()];
    for (index, i) in ipc.interfaces.iter().enumerate() {
        if let Some(task) = i.server_task {
            ipc.task_serves[task] = Some(index);
        }
    }
    for (file, spanned) in &input.interfaces {
        let name = spanned.get_ref().name.get_ref();
        if let Some(&index) = by_name.get(name) {
            let i = &ipc.interfaces[index];
            if i.client_server && i.handler.is_none() && first_at.contains_key(name) {
                cx.error(
                    *file,
                    &spanned.get_ref().name.span(),
                    format!("client-server interface `{name}` has no server"),
                )
                .element(format!("interfaces[{name}]"))
                .hint("add [[servers]] with interface, os_application and task");
            }
        }
    }

    ipc.handles = vec![Vec::new(); ecu.apps.len()];
    for (file, c) in &input.clients {
        let file = *file;
        let c = c.get_ref();
        let element = format!("clients[{}]", c.os_application.get_ref());
        let app = lookup_app(&mut cx, file, &c.os_application, &element);
        let index = lookup_interface(&mut cx, file, &c.interface, &element);
        let (Some(app), Some(index)) = (app, index) else {
            continue;
        };
        if ipc.handles[app].contains(&index) {
            cx.error(
                file,
                &c.interface.span(),
                format!(
                    "`{}` already holds a handle for `{}`",
                    c.os_application.get_ref(),
                    c.interface.get_ref()
                ),
            )
            .element(element)
            .hint("list each interface once per OS-Application");
            continue;
        }
        ipc.interfaces[index].handle_of[app] = Some(ipc.handles[app].len());
        ipc.handles[app].push(index);
    }

    check_server_calls(&mut cx, &input, &ipc, &by_name, ecu);

    let system = system(ecu, &ipc);
    let app_names: Vec<String> = ecu.apps.iter().map(|a| a.name.clone()).collect();
    if let Some((file, path)) = &input.policy {
        let dir = sources[*file]
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let full = dir.join(path.get_ref());
        match std::fs::read_to_string(&full) {
            Err(e) => {
                cx.error(
                    *file,
                    &path.span(),
                    format!("cannot read the policy file `{}`: {e}", full.display()),
                )
                .element("ecu.policy")
                .hint("the path is relative to this description file");
            }
            Ok(text) => {
                let name = full.display().to_string();
                let options = ecu_policy::compiler::Options::default();
                // The file alone first: its own errors, and which CAN transmissions it rules
                // on; then with the rules of the description's other transmit grants added
                // after its last line (so its diagnostics keep their lines).
                let compiled = ecu_policy::compiler::compile(&system, &name, &text, &options)
                    .and_then(|alone| {
                        let granted = crate::can::grant_rules(&ecu.can, &app_names, |a, b, id| {
                            alone.has_rules(a, Action::Transmit, b, &format!("{id:#x}"))
                        });
                        if granted.is_empty() {
                            return Ok(alone);
                        }
                        let text = format!(
                            "{text}\n# From the description's CAN transmit grants:\n{granted}"
                        );
                        ecu_policy::compiler::compile(&system, &name, &text, &options)
                    });
                match compiled {
                    Ok(compiled) => {
                        check_grants(&mut cx, &input, &ipc, ecu, &compiled);
                        ipc.policy = Some(Policy {
                            path: full.clone(),
                            rust: compiled.to_rust(),
                            report: compiled.report(),
                        });
                    }
                    Err(errors) => {
                        for e in errors.0 {
                            let mut d = Diagnostic::error(
                                Location {
                                    file: full.clone(),
                                    line: e.line.max(1) as usize,
                                    column: e.col.max(1) as usize,
                                },
                                e.message,
                            );
                            d.element("policy");
                            if !e.hint.is_empty() {
                                d.hint(e.hint);
                            }
                            cx.diagnostics.push(d);
                        }
                    }
                }
            }
        }
    } else if !ipc.interfaces.is_empty() && !input.clients.is_empty() {
        let (file, c) = &input.clients[0];
        cx.error(
            *file,
            &c.span(),
            "clients without a policy: every call would be denied".into(),
        )
        .element("ecu.policy")
        .hint("add `policy = \"ecu.policy\"` to [ecu]: default deny needs rules to allow anything");
    } else if !ecu.can.is_empty() {
        // No policy file: the description's transmit grants are the whole policy, so that
        // the engine rules on every CAN transmission all the same.
        let text = crate::can::grant_rules(&ecu.can, &app_names, |_, _, _| false);
        let name = "(CAN transmit grants)";
        match ecu_policy::compiler::compile(&system, name, &text, &Default::default()) {
            Ok(compiled) => {
                ipc.policy = Some(Policy {
                    path: PathBuf::from(name),
                    rust: compiled.to_rust(),
                    report: compiled.report(),
                })
            }
            Err(errors) => {
                // Generated from checked grants: an error here is the configurator's own bug.
                cx.diagnostics.push(Diagnostic::error(
                    Location {
                        file: PathBuf::from(name),
                        line: 1,
                        column: 1,
                    },
                    format!("internal: the policy of the CAN grants does not compile: {errors}"),
                ));
            }
        }
    }
    ecu.ipc = ipc;
}

/// The servers' `calls`: each a client-server interface the server's OS-Application holds a
/// handle for, and none of them the start of a chain of server calls that comes back to the
/// server's own interface (each such cycle is reported once, at the call that closes it).
fn check_server_calls(
    cx: &mut Ctx,
    input: &Input,
    ipc: &Ipc,
    by_name: &HashMap<String, usize>,
    ecu: &crate::model::Ecu,
) {
    // Per interface: the interfaces its server calls, with where each call is written.
    let mut calls: Vec<Vec<(usize, usize, Range<usize>)>> = vec![Vec::new(); ipc.interfaces.len()];
    for (file, spanned) in &input.servers {
        let s = spanned.get_ref();
        let Some(&server) = by_name.get(s.interface.get_ref()) else {
            continue;
        };
        // A server that did not resolve has its own error already.
        let Some(app) = ipc.interfaces[server].server_app else {
            continue;
        };
        let element = format!("servers[{}].calls", s.interface.get_ref());
        for called in &s.calls {
            let name = called.get_ref();
            let Some(&target) = by_name.get(name) else {
                cx.error(*file, &called.span(), format!("unknown interface `{name}`"))
                    .element(element.clone())
                    .hint("list client-server interfaces of [[interfaces]] the handler calls");
                continue;
            };
            if !ipc.interfaces[target].client_server {
                cx.error(
                    *file,
                    &called.span(),
                    format!("`{name}` is a sender-receiver interface: nothing to call"),
                )
                .element(element.clone())
                .hint("`calls` lists the client-server interfaces the handler calls");
                continue;
            }
            if ipc.interfaces[target]
                .handle_of
                .get(app)
                .copied()
                .flatten()
                .is_none()
            {
                let app_name = &ecu.apps[app].name;
                cx.error(
                    *file,
                    &called.span(),
                    format!("`{app_name}` holds no handle for `{name}`: its server cannot call it"),
                )
                .element(element.clone())
                .hint(format!(
                    "add [[clients]] with os_application = \"{app_name}\" and interface = \"{name}\""
                ));
                continue;
            }
            calls[server].push((target, *file, called.span()));
        }
    }
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    struct Walk<'a> {
        calls: &'a [Vec<(usize, usize, Range<usize>)>],
        ipc: &'a Ipc,
        marks: Vec<Mark>,
        path: Vec<usize>,
    }
    impl Walk<'_> {
        /// Depth first from `at`: a call to an interface still on the path closes a cycle.
        fn visit(&mut self, at: usize, cx: &mut Ctx) {
            self.marks[at] = Mark::OnPath;
            self.path.push(at);
            for (target, file, span) in &self.calls[at] {
                match self.marks[*target] {
                    Mark::New => self.visit(*target, cx),
                    Mark::OnPath => {
                        let from = self.path.iter().position(|i| i == target).unwrap_or(0);
                        let names: Vec<String> = self.path[from..]
                            .iter()
                            .chain([target])
                            .map(|&i| format!("`{}`", self.ipc.interfaces[i].name))
                            .collect();
                        let started = &self.ipc.interfaces[*target].name;
                        cx.error(
                            *file,
                            span,
                            format!("server calls come back round: {}", names.join(" -> ")),
                        )
                        .element(format!("servers[{}].calls", self.ipc.interfaces[at].name))
                        .hint(format!(
                            "the server task of `{started}` would wait for itself (one call at a time): \
                             serve the inner work in the handler, or by another server"
                        ));
                    }
                    Mark::Done => {}
                }
            }
            self.path.pop();
            self.marks[at] = Mark::Done;
        }
    }
    let mut walk = Walk {
        calls: &calls,
        ipc,
        marks: vec![Mark::New; calls.len()],
        path: Vec::new(),
    };
    for start in 0..calls.len() {
        if walk.marks[start] == Mark::New {
            walk.visit(start, cx);
        }
    }
}

/// The policy compiler's view of the model: partitions = OS-Applications, interfaces with
/// their operations (data elements as operations with one field `value`), then the CAN buses
/// with the identifiers partitions may transmit or receive on them.
pub fn system(ecu: &crate::model::Ecu, ipc: &Ipc) -> System {
    let mut system = System::new(&ecu.apps.iter().map(|a| a.name.as_str()).collect::<Vec<_>>());
    for i in &ipc.interfaces {
        let operations = i
            .operations
            .iter()
            .map(|op| {
                PolicyOperation::new(
                    &op.name,
                    op.args
                        .iter()
                        .map(|a| {
                            let ty = match a.ty.as_str() {
                                "u8" => FieldType::U8,
                                "u16" => FieldType::U16,
                                "i32" => FieldType::I32,
                                "bool" => FieldType::Bool,
                                "enum" => FieldType::Enum(
                                    a.values.iter().map(|(n, v)| (snake(n), *v)).collect(),
                                ),
                                _ => FieldType::U32,
                            };
                            Field::new(&a.name, ty)
                        })
                        .collect(),
                )
            })
            .collect();
        system = system.interface(&i.name, operations);
    }
    for (bus, ids) in crate::can::policy_buses(&ecu.can) {
        system = system.can_bus(&bus, &ids);
    }
    system
}

/// A policy `grant` and the description's clients must agree: the kernel's handle `h` of a
/// partition is the policy's handle `h`, or `with handle` rules would never hold.
fn check_grants(
    cx: &mut Ctx,
    input: &Input,
    ipc: &Ipc,
    ecu: &crate::model::Ecu,
    compiled: &ecu_policy::compiler::Compiled,
) {
    let tables = compiled.tables();
    for (app, handles) in ipc.handles.iter().enumerate() {
        let Some(range) = tables.cap_ranges.get(app) else {
            continue;
        };
        let start = range.start as usize;
        let granted = &tables.capabilities[start..start + range.len as usize];
        for (h, &iface) in granted.iter().enumerate() {
            if handles.get(h) == Some(&(iface as usize)) {
                continue;
            }
            let app_name = &ecu.apps[app].name;
            let wanted = &ipc.interfaces[iface as usize].name;
            let at = input
                .clients
                .iter()
                .find(|(_, c)| c.get_ref().os_application.get_ref() == app_name);
            let message = format!(
                "the policy grants {app_name} handle {h} = {wanted}, but its clients give handle {h} = {}",
                handles
                    .get(h)
                    .map_or("nothing", |&i| ipc.interfaces[i].name.as_str())
            );
            let hint = format!(
                "list {app_name}'s [[clients]] in the policy's grant order, {wanted} as number {h}"
            );
            match at {
                Some((file, c)) => {
                    cx.error(*file, &c.get_ref().interface.span(), message)
                        .element(format!("clients[{app_name}]"))
                        .hint(hint);
                }
                None => {
                    let mut d =
                        Diagnostic::error(Location::file(&compiled_path(compiled)), message);
                    d.element("policy").hint(hint);
                    cx.diagnostics.push(d);
                }
            }
            break;
        }
    }
}

fn compiled_path(compiled: &ecu_policy::compiler::Compiled) -> PathBuf {
    PathBuf::from(&compiled.file)
}

/// The IPC part of `ecuconf report`: endpoints, handle tables, queues, the policy matrix.
pub fn report(ecu: &crate::model::Ecu) -> String {
    use std::fmt::Write as _;
    let ipc = &ecu.ipc;
    let mut out = String::new();
    if !ipc.interfaces.is_empty() {
        endpoints_report(ecu, &mut out);
    }
    // A CAN-only ECU has a policy too: its transmit grants, perhaps conditioned.
    if let Some(policy) = &ipc.policy {
        let _ = writeln!(out, "\nPolicy {}", policy.path.display());
        out.push_str(&policy.report);
    }
    out
}

/// The endpoints with their operations and the handle tables.
fn endpoints_report(ecu: &crate::model::Ecu, out: &mut String) {
    use std::fmt::Write as _;
    let ipc = &ecu.ipc;
    let _ = writeln!(out, "\nInter-partition communication");
    for (n, i) in ipc.interfaces.iter().enumerate() {
        let server = match (i.server_app, i.server_task, &i.handler) {
            (Some(app), Some(task), Some(h)) => format!(
                "served by {} (task {}, handler {h})",
                ecu.apps[app].name, ecu.tasks[task].name
            ),
            _ if i.client_server => "no server".to_owned(),
            _ => "sender-receiver".to_owned(),
        };
        let _ = writeln!(out, "  endpoint {n} {}: {server}", i.name);
        for op in &i.operations {
            let args: Vec<String> = op
                .args
                .iter()
                .map(|a| format!("{}: {}", a.name, a.ty))
                .collect();
            let queue = match op.queue.map(|q| ipc.queues[q].capacity) {
                Some(0) => " [last is best]".to_owned(),
                Some(c) => format!(" [queued {c}]"),
                None => String::new(),
            };
            let _ = writeln!(out, "    {}({}){queue}", op.name, args.join(", "));
        }
    }
    let _ = writeln!(out, "  handles");
    for (app, handles) in ipc.handles.iter().enumerate() {
        let names: Vec<String> = handles
            .iter()
            .enumerate()
            .map(|(h, &i)| format!("{h} = {}", ipc.interfaces[i].name))
            .collect();
        let shown = if names.is_empty() {
            "none".to_owned()
        } else {
            names.join(", ")
        };
        let _ = writeln!(out, "    {}: {shown}", ecu.apps[app].name);
    }
}
