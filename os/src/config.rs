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

/// The most activations one basic task may have queued (BCC2); the configurator enforces it.
pub const MAX_ACTIVATIONS: usize = 8;

#[derive(Debug)]
pub struct Config {
    pub name: &'static str,
    pub apps: &'static [AppConfig],
    pub tasks: &'static [TaskConfig],
    pub counters: &'static [CounterConfig],
    pub alarms: &'static [AlarmConfig],
    /// The counter the port's tick interrupt drives.
    pub system_counter: CounterId,
    /// Nanoseconds between two ticks of the system counter.
    pub tick_ns: u32,
}

#[derive(Debug)]
pub struct AppConfig {
    pub name: &'static str,
    pub trusted: bool,
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
    pub entry: TaskEntry,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlarmAction {
    ActivateTask(TaskId),
}

#[derive(Debug)]
pub struct AlarmConfig {
    pub name: &'static str,
    pub counter: CounterId,
    pub action: AlarmAction,
    /// Armed by StartOS: (relative offset in ticks, cycle in ticks; 0 = single-shot).
    pub autostart: Option<(u32, u32)>,
}
