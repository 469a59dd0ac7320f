//! The kernel as the port sees it: one object-safe trait, so the exception handlers need not be
//! generic over the sizes the generated tables fix.

use ecu_os::{Config, Dispatch, Error, Kernel, TaskId, TraceRecord};

pub trait PortKernel {
    /// The kernel over `config`, or `None` if the tables do not fit its sizes. (`Sized`, so
    /// the trait stays usable as `dyn PortKernel`.)
    fn create(config: &'static Config) -> Option<Self>
    where
        Self: Sized;
    fn config(&self) -> &'static Config;
    fn start_os(&mut self);
    fn tick(&mut self);
    fn activate_task(&mut self, task: TaskId) -> Result<(), Error>;
    fn terminate_running(&mut self) -> Result<(), Error>;
    fn chain_running(&mut self, next: TaskId) -> Result<(), Error>;
    fn dispatch(&mut self) -> Dispatch;
    fn running(&self) -> Option<TaskId>;
    fn elapsed_ticks(&self) -> u64;
    fn trace_pop(&mut self) -> Option<TraceRecord>;
    fn trace_take_lost(&mut self) -> u32;
}

impl<const TASKS: usize, const ALARMS: usize, const COUNTERS: usize> PortKernel
    for Kernel<TASKS, ALARMS, COUNTERS>
{
    fn create(config: &'static Config) -> Option<Self> {
        Kernel::new(config).ok()
    }
    fn config(&self) -> &'static Config {
        Kernel::config(self)
    }
    fn start_os(&mut self) {
        Kernel::start_os(self)
    }
    fn tick(&mut self) {
        Kernel::tick(self)
    }
    fn activate_task(&mut self, task: TaskId) -> Result<(), Error> {
        Kernel::activate_task(self, task)
    }
    fn terminate_running(&mut self) -> Result<(), Error> {
        Kernel::terminate_running(self)
    }
    fn chain_running(&mut self, next: TaskId) -> Result<(), Error> {
        Kernel::chain_running(self, next)
    }
    fn dispatch(&mut self) -> Dispatch {
        Kernel::dispatch(self)
    }
    fn running(&self) -> Option<TaskId> {
        Kernel::running(self)
    }
    fn elapsed_ticks(&self) -> u64 {
        Kernel::elapsed_ticks(self)
    }
    fn trace_pop(&mut self) -> Option<TraceRecord> {
        Kernel::trace_pop(self)
    }
    fn trace_take_lost(&mut self) -> u32 {
        Kernel::trace_take_lost(self)
    }
}
