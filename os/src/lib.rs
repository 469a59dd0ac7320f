//! The kernel core, one for every target.
//!
//! It is a state machine over the configurator's static tables: ports (the host simulation,
//! the Cortex-R boards) feed it events (start, tick, service calls, task exit) and carry out
//! the dispatch decision it returns. It never touches a CPU register, allocates nothing and
//! every path is bounded by the configuration's size.
#![no_std]

pub mod api;
pub mod can;
pub mod config;
pub mod error;
pub mod ipc;
pub mod kernel;
pub mod ready;
pub mod request;
pub mod trace;

/// Whether the kernel has inter-partition communication (the `ipc` feature): a port leaves
/// its own paths for the IPC services out without it.
pub const IPC: bool = cfg!(feature = "ipc");
/// Whether the kernel has the CAN services (the `can` feature): a port drives its board's CAN
/// controllers only with them.
pub const CAN: bool = cfg!(feature = "can");

/// The CAN types of the kernel's services, for ports and generated images.
pub use ecu_com;

pub use api::{AlarmBase, ElapsedValue, Exit, Os, Syscalls, TaskEntry};
pub use config::{
    AlarmAction, AlarmConfig, AlarmId, AppConfig, AppHooks, AppId, AppModeId, Config,
    CounterConfig, CounterId, ErrorInfo, EventConfig, EventMask, ExpiryAction, ExpiryPoint, Hooks,
    IsrConfig, IsrEntry, IsrId, Level, ProtectionInfo, ProtectionReaction, ResourceConfig,
    ResourceId, ScheduleTableConfig, ScheduleTableId, ScheduleTableStart, TaskConfig, TaskId,
    Timing, TrustedFunction, TrustedFunctionId, ALL_APPLICATIONS, ALL_MODES, ISR_LEVEL_BASE,
};
pub use error::{Error, ServiceId};
pub use kernel::{
    ApplicationState, ConfigMismatch, DirectAnswer, Dispatch, Kernel, ScheduleTableStatus,
    TaskState,
};
pub use request::{ObjectKind, Reply, Request};
pub use trace::{ConfigNames, Context, Object, TraceEvent, TraceNames, TraceRecord};
