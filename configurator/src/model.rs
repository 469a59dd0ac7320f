//! The one typed model of an ECU, resolved and checked. Everything downstream (generation,
//! reports, images) reads this, never the input files.

use std::path::PathBuf;

use serde::Serialize;

use crate::diag::Location;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Ecu {
    pub name: String,
    /// The task bodies: a Rust module compiled into the image.
    pub application: PathBuf,
    /// The description files, by file name, in the order given.
    pub sources: Vec<String>,
    pub apps: Vec<App>,
    pub tasks: Vec<Task>,
    pub counters: Vec<Counter>,
    pub alarms: Vec<Alarm>,
    pub events: Vec<Event>,
    pub resources: Vec<Resource>,
    pub isrs: Vec<Isr>,
    pub schedule_tables: Vec<ScheduleTable>,
    pub trusted_functions: Vec<TrustedFunction>,
    /// Application modes; the first is StartOS's default.
    pub app_modes: Vec<String>,
    pub hooks: Hooks,
    /// Interrupt arrivals for the simulation.
    pub stimuli: Vec<Stimulus>,
    /// Index of the counter the tick interrupt drives.
    pub system_counter: usize,
    pub tick_ns: u32,
    /// CAN clusters, frames and signals (from ARXML).
    pub network: crate::network::Network,
    /// Port interfaces (from ARXML).
    pub interfaces: Vec<crate::interfaces::Interface>,
    /// CAN buses, gateway routes, per-partition permissions, simulated peers (TOML).
    #[serde(skip_serializing_if = "crate::can::CanModel::is_empty")]
    pub can: crate::can::CanModel,
    /// Inter-partition communication: endpoints, handle tables, queues, the compiled policy.
    pub ipc: crate::ipc::Ipc,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct App {
    pub name: String,
    pub const_name: String,
    pub trusted: bool,
    pub restart_task: Option<usize>,
    pub hooks: AppHooks,
}

/// An application's own hooks: function names of the application module.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct AppHooks {
    pub startup: Option<String>,
    pub shutdown: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TrustedFunction {
    pub name: String,
    pub const_name: String,
    pub app: usize,
    /// Other applications that may call it, one bit each.
    pub callers: u64,
    pub entry: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Task {
    pub name: String,
    pub const_name: String,
    pub app: usize,
    pub priority: u8,
    pub activation_limit: u8,
    pub stack_size: u32,
    pub autostart: bool,
    /// Application modes it autostarts in, one bit each.
    pub autostart_modes: u32,
    /// Function name in the application module.
    pub entry: String,
    /// Has events: may wait (ECC).
    pub extended: bool,
    pub event_mask: u32,
    /// Standard resources it may take, one bit per resource index.
    pub resource_mask: u64,
    pub internal_resource: Option<usize>,
    pub timing: Timing,
    /// Other applications that may activate it or set its events, one bit each.
    pub access: u64,
    /// Where the description defines it, for diagnostics of later analyses.
    #[serde(skip)]
    pub defined_at: Option<Location>,
}

/// Timing protection and analysis figures of a task or ISR, in microseconds.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Timing {
    /// Longest execution of one activation (timing protection enforces it; the analysis uses
    /// it as the worst-case execution time).
    pub execution_budget_us: Option<u32>,
    /// Shortest time between two arrivals.
    pub time_frame_us: Option<u32>,
    pub deadline_us: Option<u32>,
    /// (resource index, longest time held).
    pub lock_budgets_us: Vec<(usize, u32)>,
}

/// An interrupt service routine.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Isr {
    pub name: String,
    pub const_name: String,
    /// 1: outside the OS; 2: may call OS services.
    pub category: u8,
    /// Interrupt priority; every ISR preempts every task.
    pub priority: u8,
    pub app: Option<usize>,
    pub entry: String,
    /// The board's interrupt request line (VIC line, GIC INTID, VIM channel), if a device
    /// raises it; ISRs without one are raised by stimuli only.
    pub irq: Option<u32>,
    pub resource_mask: u64,
    pub timing: Timing,
    #[serde(skip)]
    pub defined_at: Option<Location>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Event {
    pub name: String,
    pub const_name: String,
    pub mask: u32,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Resource {
    pub name: String,
    pub const_name: String,
    /// The highest priority of the tasks that use it (computed, not given).
    pub ceiling: u8,
    /// The highest priority of the ISRs that use it, if any: holding it then masks those.
    pub isr_ceiling: Option<u8>,
    pub internal: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AlarmAction {
    ActivateTask { task: usize },
    SetEvent { task: usize, mask: u32 },
    IncrementCounter { counter: usize },
    Callback { function: String },
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Counter {
    pub name: String,
    pub const_name: String,
    pub max_allowed_value: u32,
    pub ticks_per_base: u32,
    pub min_cycle: u32,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Alarm {
    pub name: String,
    pub const_name: String,
    /// The owning application.
    pub app: usize,
    /// Other applications that may use it, one bit each.
    pub access: u64,
    pub counter: usize,
    pub action: AlarmAction,
    /// (offset, cycle) in counter ticks, armed at StartOS.
    pub autostart: Option<(u32, u32)>,
    pub autostart_modes: u32,
}

impl Ecu {
    pub fn total_stack_bytes(&self) -> u64 {
        self.tasks.iter().map(|t| t.stack_size as u64).sum()
    }
}

/// `SpeedMonitor` → `SPEED_MONITOR`, `ABSControl` → `ABS_CONTROL`, `OsTask_10ms` → `OS_TASK_10MS`.
pub fn const_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' || c == '-' {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            continue;
        }
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let boundary = prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower);
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::const_name;

    #[test]
    fn const_names() {
        assert_eq!(const_name("SpeedMonitor"), "SPEED_MONITOR");
        assert_eq!(const_name("ABSControl"), "ABS_CONTROL");
        assert_eq!(const_name("OsTask_10ms"), "OS_TASK_10MS");
        assert_eq!(const_name("Init"), "INIT");
        assert_eq!(const_name("can_rx"), "CAN_RX");
        assert_eq!(const_name("Task2B"), "TASK2_B");
    }
}

/// Hook routines: function names of the application module.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Hooks {
    pub startup: Option<String>,
    pub shutdown: Option<String>,
    pub error: Option<String>,
    pub pre_task: Option<String>,
    pub post_task: Option<String>,
    pub protection: Option<String>,
}

/// Interrupt arrivals the simulation injects for one ISR.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Stimulus {
    pub isr: usize,
    pub offset_us: u64,
    /// 0: once.
    pub period_us: u64,
    pub jitter_us: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ScheduleTable {
    pub name: String,
    pub const_name: String,
    pub app: usize,
    pub counter: usize,
    pub duration: u32,
    pub repeating: bool,
    pub expiry_points: Vec<ExpiryPoint>,
    pub autostart: Option<TableStart>,
    pub autostart_modes: u32,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ExpiryPoint {
    pub offset: u32,
    /// ActivateTask and SetEvent only.
    pub actions: Vec<AlarmAction>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum TableStart {
    Relative(u32),
    Absolute(u32),
}
