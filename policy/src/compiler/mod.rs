//! The policy compiler (host only): parse a `.policy` file, resolve it against the system
//! description, check it, and produce the decision [`Tables`](crate::Tables) both as data
//! ([`Compiled`]) and as Rust source ([`Compiled::to_rust`]).

mod codegen;
mod parse;
mod resolve;

use std::fmt;

pub use resolve::Compiled;

/// What the compiler needs to know about the system: the configurator fills it from the ECU
/// description (partitions = OS-Applications, interfaces = client-server port interfaces,
/// CAN identifiers per bus).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct System {
    pub partitions: Vec<String>,
    pub interfaces: Vec<Interface>,
    pub can_buses: Vec<CanBus>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interface {
    pub name: String,
    pub operations: Vec<Operation>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation {
    pub name: String,
    /// At most [`crate::MAX_ARGS`] fixed-size fields, in request order.
    pub fields: Vec<Field>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub ty: FieldType,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldType {
    U8,
    U16,
    U32,
    I32,
    Bool,
    /// Named values with their numeric encoding.
    Enum(Vec<(String, u32)>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CanBus {
    pub name: String,
    pub ids: Vec<u32>,
}

impl System {
    pub fn new(partitions: &[&str]) -> Self {
        Self {
            partitions: partitions.iter().map(|s| s.to_string()).collect(),
            ..Self::default()
        }
    }

    pub fn interface(mut self, name: &str, operations: Vec<Operation>) -> Self {
        self.interfaces.push(Interface {
            name: name.into(),
            operations,
        });
        self
    }

    pub fn can_bus(mut self, name: &str, ids: &[u32]) -> Self {
        self.can_buses.push(CanBus {
            name: name.into(),
            ids: ids.to_vec(),
        });
        self
    }
}

impl Operation {
    pub fn new(name: &str, fields: Vec<Field>) -> Self {
        Self {
            name: name.into(),
            fields,
        }
    }
}

impl Field {
    pub fn new(name: &str, ty: FieldType) -> Self {
        Self {
            name: name.into(),
            ty,
        }
    }
}

impl FieldType {
    pub fn enumeration(values: &[(&str, u32)]) -> Self {
        FieldType::Enum(values.iter().map(|(n, v)| (n.to_string(), *v)).collect())
    }
}

/// Compiler settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// The most rule entries one (caller, action, object) key may have: the bound on a
    /// verdict's work. A policy that needs more is rejected with a diagnostic.
    pub max_entries_per_key: u16,
    /// Capacity of the audit ring in the generated `Storage`.
    pub audit_capacity: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_entries_per_key: 8,
            audit_capacity: 64,
        }
    }
}

/// One located error: `file:line:col: error: message`, then the hint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    pub line: u32,
    pub col: u32,
    pub message: String,
    pub hint: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: error: {}",
            self.file, self.line, self.col, self.message
        )?;
        if !self.hint.is_empty() {
            write!(f, "\n  hint: {}", self.hint)?;
        }
        Ok(())
    }
}

/// All diagnostics of one compile, in source order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// Compiles one policy source. `file` is the name diagnostics print.
pub fn compile(
    system: &System,
    file: &str,
    source: &str,
    options: &Options,
) -> Result<Compiled, Diagnostics> {
    let items = parse::parse(source).map_err(|errs| {
        Diagnostics(
            errs.into_iter()
                .map(|e| Diagnostic {
                    file: file.into(),
                    line: e.span.line,
                    col: e.span.col,
                    message: e.message,
                    hint: e.hint,
                })
                .collect(),
        )
    })?;
    resolve::resolve(system, file, &items, options)
}

/// Reads and compiles a policy file.
pub fn compile_file(
    system: &System,
    path: &std::path::Path,
    options: &Options,
) -> Result<Compiled, Diagnostics> {
    let name = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(source) => compile(system, &name, &source, options),
        Err(e) => Err(Diagnostics(vec![Diagnostic {
            file: name,
            line: 0,
            col: 0,
            message: format!("cannot read the policy file: {e}"),
            hint: String::new(),
        }])),
    }
}

/// The closest of `candidates` to `name`, if close enough to suggest.
pub(crate) fn suggest<'a>(
    name: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    fn distance(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.to_lowercase().chars().collect();
        let b: Vec<char> = b.to_lowercase().chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for i in 1..=a.len() {
            let mut cur = vec![i; b.len() + 1];
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            }
            prev = cur;
        }
        prev[b.len()]
    }
    candidates
        .map(|c| (distance(name, c), c))
        .filter(|(d, c)| *d <= 2 && *d < c.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}
