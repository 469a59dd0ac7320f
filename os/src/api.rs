//! What task bodies see: a handle to the OS services, the same on every target.
//!
//! A task body is `fn(&Os) -> Exit`. It ends by returning `os.terminate_task()` or
//! `os.chain_task(next)`, so a basic task cannot forget to terminate.

use crate::config::TaskId;
use crate::error::Error;

/// How a port carries a service call into the kernel: a supervisor call on the Cortex-R
/// boards, a hand-over between host threads on the simulation.
pub trait Syscalls: Sync {
    fn activate_task(&self, task: TaskId) -> Result<(), Error>;
    fn get_task_id(&self) -> Option<TaskId>;
    /// Ticks of the system counter since StartOS.
    fn elapsed_ticks(&self) -> u64;
}

/// How a task body ends; the port hands it to the kernel once the body has returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use = "a task body must return how it ends"]
pub enum Exit {
    Terminate,
    Chain(TaskId),
}

pub type TaskEntry = fn(&Os) -> Exit;

/// The OS services for task code.
pub struct Os {
    sys: &'static dyn Syscalls,
}

impl Os {
    pub const fn new(sys: &'static dyn Syscalls) -> Self {
        Self { sys }
    }

    /// ActivateTask: `E_OS_ID` for an unknown task, `E_OS_LIMIT` past its activation limit.
    pub fn activate_task(&self, task: TaskId) -> Result<(), Error> {
        self.sys.activate_task(task)
    }

    /// GetTaskID: the running task.
    pub fn get_task_id(&self) -> Option<TaskId> {
        self.sys.get_task_id()
    }

    pub fn elapsed_ticks(&self) -> u64 {
        self.sys.elapsed_ticks()
    }

    /// TerminateTask, as the body's return value.
    pub fn terminate_task(&self) -> Exit {
        Exit::Terminate
    }

    /// ChainTask, as the body's return value: terminate, then activate `next`.
    pub fn chain_task(&self, next: TaskId) -> Exit {
        Exit::Chain(next)
    }
}
