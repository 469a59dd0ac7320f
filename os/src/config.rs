//! The static tables the configurator generates. The kernel only reads them.

use crate::api::TaskEntry;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(u8);

        impl $name {
            /// Only generated tables create ids; the kernel checks every id it is given.
            pub const fn new(index: u8) -> Self {
                Self(index)
            }
            pub const fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id_type!(
    /// A task, by its index in [`Config::tasks`].
    TaskId
);
id_type!(
    /// An alarm, by its index in [`Config::alarms`].
    AlarmId
);
id_type!(
    /// A counter, by its index in [`Config::counters`].
    CounterId
);
id_type!(
    /// An OS-Application (partition), by its index in [`Config::apps`].
    AppId
);
id_type!(
    /// A resource, by its index in [`Config::resources`].
    ResourceId
);
id_type!(
    /// An interrupt service routine, by its index in [`Config::isrs`].
    IsrId
);
id_type!(
    /// A schedule table, by its index in [`Config::schedule_tables`].
    ScheduleTableId
);

/// One scale for everything that competes for the CPU: task priorities are levels 0..=255,
/// an ISR of priority p is level `ISR_LEVEL_BASE + p`, above every task.
pub type Level = u16;
pub const ISR_LEVEL_BASE: Level = 256;

/// The body of an ISR: it returns when the interrupt is handled.
pub type IsrEntry = fn(&crate::api::Os);

/// A set of events of an extended task: one bit per event (OSEK EventMaskType).
pub type EventMask = u32;

/// The most activations one basic task may have queued (BCC2); the configurator enforces it.
pub const MAX_ACTIVATIONS: usize = 8;

#[derive(Debug)]
pub struct Config {
    pub name: &'static str,
    pub apps: &'static [AppConfig],
    pub tasks: &'static [TaskConfig],
    pub counters: &'static [CounterConfig],
    pub alarms: &'static [AlarmConfig],
    pub resources: &'static [ResourceConfig],
    pub isrs: &'static [IsrConfig],
    pub schedule_tables: &'static [ScheduleTableConfig],
    pub trusted_functions: &'static [TrustedFunction],
    /// Application mode names; StartOS starts in one of them (0 is the default mode).
    pub app_modes: &'static [&'static str],
    pub hooks: Hooks,
    /// Event names and masks, for traces and reports; tasks carry the masks they own.
    pub events: &'static [EventConfig],
    /// The counter the port's tick interrupt drives.
    pub system_counter: CounterId,
    /// Nanoseconds between two ticks of the system counter.
    pub tick_ns: u32,
}

#[derive(Debug)]
pub struct AppConfig {
    pub name: &'static str,
    pub trusted: bool,
    /// Activated when the application is restarted after a protection error.
    pub restart_task: Option<TaskId>,
    /// Application-specific hooks (StartupHook_<App>, ...), after the system hooks.
    pub hooks: AppHooks,
}

/// An OS-Application's own hooks.
#[derive(Clone, Copy, Default)]
pub struct AppHooks {
    pub startup: Option<fn()>,
    pub shutdown: Option<fn(Option<crate::error::Error>)>,
    /// Errors in the application's own tasks and ISRs.
    pub error: Option<fn(&ErrorInfo)>,
}

impl AppHooks {
    pub const NONE: AppHooks = AppHooks {
        startup: None,
        shutdown: None,
        error: None,
    };
}

impl core::fmt::Debug for AppHooks {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AppHooks")
            .field("startup", &self.startup.is_some())
            .field("shutdown", &self.shutdown.is_some())
            .field("error", &self.error.is_some())
            .finish()
    }
}

/// Timing protection figures of a task or ISR, in nanoseconds; 0 means no limit.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    /// Longest execution of one activation (OsTaskExecutionBudget).
    pub execution_budget_ns: u64,
    /// Shortest time between two activations or arrivals (OsTaskTimeFrame).
    pub time_frame_ns: u64,
    /// Longest time each resource may be held (OsTaskResourceLockBudget).
    pub lock_budgets_ns: &'static [(ResourceId, u64)],
    /// Longest time OS interrupts (or all interrupts) may stay suspended.
    pub interrupt_lock_budget_ns: u64,
}

impl Timing {
    pub const NONE: Timing = Timing {
        execution_budget_ns: 0,
        time_frame_ns: 0,
        lock_budgets_ns: &[],
        interrupt_lock_budget_ns: 0,
    };

    pub fn lock_budget(&self, resource: ResourceId) -> u64 {
        self.lock_budgets_ns
            .iter()
            .find(|(r, _)| *r == resource)
            .map_or(0, |(_, ns)| *ns)
    }
}

/// Every OS-Application may access the object.
pub const ALL_APPLICATIONS: u64 = u64::MAX;

/// Autostart in every application mode.
pub const ALL_MODES: u32 = u32::MAX;

id_type!(
    /// An application mode (AppModeType), by its index in [`Config::app_modes`].
    AppModeId
);

id_type!(
    /// A trusted function, by its index in [`Config::trusted_functions`].
    TrustedFunctionId
);

/// A service a trusted OS-Application offers (CallTrustedFunction): it runs with the kernel's
/// rights, so it gets a plain value and returns one; the kernel checks who may call it.
pub struct TrustedFunction {
    pub name: &'static str,
    pub app: AppId,
    /// Applications allowed to call it, one bit each (its own always may).
    pub callers: u64,
    pub entry: fn(u32) -> u32,
}

impl core::fmt::Debug for TrustedFunction {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TrustedFunction")
            .field("name", &self.name)
            .field("app", &self.app)
            .field("callers", &self.callers)
            .finish_non_exhaustive()
    }
}

pub struct TaskConfig {
    pub name: &'static str,
    pub app: AppId,
    /// Larger is more urgent, as in AUTOSAR.
    pub priority: u8,
    /// 1 for BCC1; up to [`MAX_ACTIVATIONS`].
    pub activation_limit: u8,
    pub stack_size: u32,
    pub autostart: bool,
    /// The application modes it autostarts in, one bit each (ALL_MODES: every mode).
    pub autostart_modes: u32,
    /// An extended task may wait for events (ECC1/ECC2); its activation limit is 1.
    pub extended: bool,
    /// The events this task owns (may be set on it and waited for by it).
    pub events: EventMask,
    /// Held whenever the task runs: RES_SCHEDULER makes it non-preemptive, another internal
    /// resource groups it with tasks that must not preempt each other.
    pub internal_resource: Option<ResourceId>,
    /// The standard resources it may take (GetResource checks this: E_OS_ACCESS otherwise).
    pub resources: u64,
    pub timing: Timing,
    /// The OS-Applications that may activate it or set its events: one bit each; its owner
    /// always may.
    pub access: u64,
    pub entry: TaskEntry,
}

impl TaskConfig {
    /// A basic, fully preemptive task of `app` with no limits beyond the defaults: a base for
    /// hand-written tables (`TaskConfig { autostart: true, ..TaskConfig::basic(..) }`).
    pub const fn basic(name: &'static str, app: AppId, priority: u8, entry: TaskEntry) -> Self {
        TaskConfig {
            name,
            app,
            priority,
            activation_limit: 1,
            stack_size: 1024,
            autostart: false,
            autostart_modes: ALL_MODES,
            extended: false,
            events: 0,
            internal_resource: None,
            resources: 0,
            timing: Timing::NONE,
            access: ALL_APPLICATIONS,
            entry,
        }
    }
}

impl core::fmt::Debug for TaskConfig {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TaskConfig")
            .field("name", &self.name)
            .field("app", &self.app)
            .field("priority", &self.priority)
            .field("activation_limit", &self.activation_limit)
            .field("stack_size", &self.stack_size)
            .field("autostart", &self.autostart)
            .field("extended", &self.extended)
            .field("events", &self.events)
            .field("internal_resource", &self.internal_resource)
            .field("resources", &self.resources)
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
pub struct CounterConfig {
    pub name: &'static str,
    /// The counter wraps to 0 after this value (OsCounterMaxAllowedValue).
    pub max_allowed_value: u32,
    pub ticks_per_base: u32,
    pub min_cycle: u32,
}

#[derive(Clone, Copy)]
pub enum AlarmAction {
    ActivateTask(TaskId),
    SetEvent(TaskId, EventMask),
    IncrementCounter(CounterId),
    /// Runs in kernel context (as an AUTOSAR alarm callback does): it gets no OS handle.
    Callback(fn()),
}

impl core::fmt::Debug for AlarmAction {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            AlarmAction::ActivateTask(t) => write!(f, "ActivateTask({t:?})"),
            AlarmAction::SetEvent(t, m) => write!(f, "SetEvent({t:?}, {m:#x})"),
            AlarmAction::IncrementCounter(c) => write!(f, "IncrementCounter({c:?})"),
            AlarmAction::Callback(_) => write!(f, "Callback"),
        }
    }
}

#[derive(Debug)]
pub struct AlarmConfig {
    pub name: &'static str,
    pub app: AppId,
    /// The OS-Applications that may set, cancel or read it (its owner always may).
    pub access: u64,
    pub counter: CounterId,
    pub action: AlarmAction,
    /// Armed by StartOS: (relative offset in ticks, cycle in ticks; 0 = single-shot).
    pub autostart: Option<(u32, u32)>,
    /// The application modes it is armed in (ALL_MODES: every mode).
    pub autostart_modes: u32,
}

#[derive(Debug)]
pub struct ResourceConfig {
    pub name: &'static str,
    /// The highest level of any task or ISR that uses it (priority ceiling protocol).
    pub ceiling: Level,
    /// Internal resources are taken by the kernel around a task's running, never by GetResource.
    pub internal: bool,
}

#[derive(Debug)]
pub struct EventConfig {
    pub name: &'static str,
    pub mask: EventMask,
}

pub struct IsrConfig {
    pub name: &'static str,
    pub app: AppId,
    pub timing: Timing,
    /// 1: runs outside the OS (no services); 2: may call the services ISRs may call.
    pub category: u8,
    /// Interrupt priority: its level is `ISR_LEVEL_BASE + priority`.
    pub priority: u8,
    /// The standard resources it may take.
    pub resources: u64,
    pub entry: IsrEntry,
}

impl IsrConfig {
    pub const fn level(&self) -> Level {
        ISR_LEVEL_BASE + self.priority as Level
    }
}

impl core::fmt::Debug for IsrConfig {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("IsrConfig")
            .field("name", &self.name)
            .field("category", &self.category)
            .field("priority", &self.priority)
            .field("resources", &self.resources)
            .finish_non_exhaustive()
    }
}

/// What the hooks learn of an error: the service, its first object and the code
/// (OSErrorGetServiceId and friends).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorInfo {
    pub service: crate::error::ServiceId,
    pub error: crate::error::Error,
    pub object: crate::trace::Object,
}

/// Hook routines. They run in the kernel's context and get what they need as arguments, not
/// an OS handle: a hook cannot call services (AUTOSAR allows hooks only a few of them).
#[derive(Clone, Copy, Default)]
pub struct Hooks {
    pub startup: Option<fn()>,
    pub shutdown: Option<fn(Option<crate::error::Error>)>,
    pub error: Option<fn(&ErrorInfo)>,
    pub pre_task: Option<fn(TaskId)>,
    pub post_task: Option<fn(TaskId)>,
    /// Decides the reaction to a protection error; without it the OS shuts down (AUTOSAR).
    pub protection: Option<fn(&ProtectionInfo) -> ProtectionReaction>,
}

impl Hooks {
    pub const NONE: Hooks = Hooks {
        startup: None,
        shutdown: None,
        error: None,
        pre_task: None,
        post_task: None,
        protection: None,
    };
}

/// What the protection hook is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProtectionInfo {
    /// E_OS_PROTECTION_TIME, _ARRIVAL, _LOCKED, _EXCEPTION.
    pub error: crate::error::Error,
    /// The faulty task or ISR.
    pub culprit: crate::trace::Context,
    pub app: AppId,
}

/// The protection hook's answer (ProtectionReturnType).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtectionReaction {
    /// Allowed for arrival-rate violations only: the refused activation is simply dropped.
    Ignore,
    TerminateTaskIsr,
    TerminateApplication,
    TerminateApplicationRestart,
    Shutdown,
}

impl core::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Hooks")
            .field("startup", &self.startup.is_some())
            .field("shutdown", &self.shutdown.is_some())
            .field("error", &self.error.is_some())
            .field("pre_task", &self.pre_task.is_some())
            .field("post_task", &self.post_task.is_some())
            .field("protection", &self.protection.is_some())
            .finish()
    }
}

/// What an expiry point does (AUTOSAR allows tasks to activate and events to set).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpiryAction {
    ActivateTask(TaskId),
    SetEvent(TaskId, EventMask),
}

#[derive(Debug)]
pub struct ExpiryPoint {
    /// Counter ticks from the start of the table's round; strictly increasing.
    pub offset: u32,
    pub actions: &'static [ExpiryAction],
}

#[derive(Debug)]
pub struct ScheduleTableConfig {
    pub name: &'static str,
    pub app: AppId,
    pub counter: CounterId,
    /// Ticks of one round; the last expiry point is followed by the final delay up to it.
    pub duration: u32,
    pub repeating: bool,
    pub expiry_points: &'static [ExpiryPoint],
    /// Started by StartOS: relative (offset from now) or absolute (counter value).
    pub autostart: Option<ScheduleTableStart>,
    pub autostart_modes: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScheduleTableStart {
    Relative(u32),
    Absolute(u32),
}
