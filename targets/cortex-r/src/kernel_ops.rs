//! The kernel as the port sees it: one object-safe trait, so the exception handlers need not be
//! generic over the sizes the generated tables fix.

use ecu_os::ecu_com::{BusId, CanFrame};
use ecu_os::ipc::{EntryCall, ServerHandler};
use ecu_os::{
    Config, Context, DirectAnswer, Dispatch, Error, IsrId, Kernel, Reply, Request, TaskId,
    TraceRecord,
};

pub trait PortKernel {
    /// The kernel over `config`, or `None` if the tables do not fit its sizes. (`Sized`, so
    /// the trait stays usable as `dyn PortKernel`.)
    fn create(config: &'static Config) -> Option<Self>
    where
        Self: Sized;
    fn config(&self) -> &'static Config;
    fn start_os(&mut self);
    fn tick(&mut self);
    fn service(&mut self, request: Request) -> Result<Reply, Error>;
    /// ActivateTask's fast path (`Kernel::activate_switching`): `true` when `task`, activated,
    /// preempts the caller and must start afresh now; `false`, nothing changed, where it does
    /// not apply.
    fn activate_switching(&mut self, task: TaskId) -> bool;
    /// ActivateTask by the current task or ISR (`service` with that request), then
    /// `dispatch`. The status goes to `status` (0 or the error's code), as the caller's r0
    /// wants it.
    fn activate_task(&mut self, task: TaskId, status: &mut u32) -> Dispatch;
    fn unknown_service(&mut self) -> Error;
    fn terminate_running(&mut self) -> Result<(), Error>;
    fn chain_running(&mut self, next: TaskId) -> Result<(), Error>;
    fn dispatch(&mut self) -> Dispatch;
    fn running(&self) -> Option<TaskId>;
    fn elapsed_ticks(&self) -> u64;
    fn trace_pop(&mut self) -> Option<TraceRecord>;
    fn trace_take_lost(&mut self) -> u32;
    /// A protection error of `culprit`: traced, then the protection hook's reaction.
    fn protection(&mut self, error: Error, culprit: Context);
    /// The port's clock (execution budgets, time frames).
    fn advance_time(&mut self, now_ns: u64);
    /// An interrupt request for a category 1 or 2 ISR (accepted or pended by its level).
    fn interrupt(&mut self, isr: IsrId);
    /// `interrupt`, then `true` when the ISR starts now and the port must switch to it,
    /// fresh, without asking `dispatch` (`Kernel::interrupt_switching`).
    fn interrupt_switching(&mut self, isr: IsrId) -> bool;
    /// ShutdownOS by the port (a fatal hardware error).
    fn shutdown_os(&mut self, error: Option<Error>);
    /// The current ISR's body returned.
    fn isr_return(&mut self) -> Result<(), Error>;
    /// Execution time of `context`'s current activation.
    fn execution_time(&self, context: Context) -> u64;
    /// DisableAllInterrupts or SuspendAllInterrupts is in force.
    fn all_interrupts_masked(&self) -> bool;
    /// The IPC call service, without decoding a request (the port's path for it); `None`:
    /// take the service path.
    fn ipc_call_service(
        &mut self,
        handle: u16,
        operation: u16,
        args: [u32; 4],
    ) -> Option<Result<Reply, Error>>;
    /// IpcReplyTerminate with the answer left to the port; `None`: take the service path.
    fn ipc_reply_terminate_direct(&mut self, value: u32) -> Option<DirectAnswer>;
    /// The handler to start server task `task` with, its call as entry arguments.
    fn ipc_handler(&self, task: TaskId) -> Option<ServerHandler>;
    /// The call a fresh activation of server task `task` serves, taken into `call`.
    fn ipc_entry_call(&mut self, task: TaskId, call: &mut EntryCall) -> bool;
    /// The oldest frame the kernel allowed a task to transmit, taken.
    fn can_take_tx(&mut self) -> Option<(BusId, CanFrame)>;
    /// A frame a controller received: queued for every partition granted it.
    fn can_deliver(&mut self, bus: BusId, frame: CanFrame) -> usize;
    /// Transmissions refused, and received frames lost to a full queue, of OS-Application `app`.
    fn can_counters(&self, app: usize) -> (u32, u32);
}

impl<
        const TASKS: usize,
        const ALARMS: usize,
        const COUNTERS: usize,
        const RESOURCES: usize,
        const ISRS: usize,
        const TABLES: usize,
    > PortKernel for Kernel<TASKS, ALARMS, COUNTERS, RESOURCES, ISRS, TABLES>
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
    fn service(&mut self, request: Request) -> Result<Reply, Error> {
        Kernel::service(self, request)
    }
    fn activate_switching(&mut self, task: TaskId) -> bool {
        Kernel::activate_switching(self, task)
    }
    fn activate_task(&mut self, task: TaskId, status: &mut u32) -> Dispatch {
        *status = match Kernel::service(self, Request::ActivateTask(task)) {
            Ok(_) => 0,
            Err(error) => error.code() as u32,
        };
        Kernel::dispatch(self)
    }
    fn unknown_service(&mut self) -> Error {
        Kernel::unknown_service(self)
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
    fn protection(&mut self, error: Error, culprit: Context) {
        Kernel::protection(self, error, culprit)
    }
    fn advance_time(&mut self, now_ns: u64) {
        Kernel::advance_time(self, now_ns)
    }
    fn interrupt(&mut self, isr: IsrId) {
        Kernel::interrupt(self, isr)
    }
    fn interrupt_switching(&mut self, isr: IsrId) -> bool {
        Kernel::interrupt_switching(self, isr)
    }
    fn shutdown_os(&mut self, error: Option<Error>) {
        Kernel::shutdown_os(self, error)
    }
    fn isr_return(&mut self) -> Result<(), Error> {
        Kernel::isr_return(self)
    }
    fn execution_time(&self, context: Context) -> u64 {
        Kernel::execution_time(self, context)
    }
    fn all_interrupts_masked(&self) -> bool {
        Kernel::all_interrupts_masked(self)
    }
    fn ipc_call_service(
        &mut self,
        handle: u16,
        operation: u16,
        args: [u32; 4],
    ) -> Option<Result<Reply, Error>> {
        Kernel::ipc_call_service(self, handle, operation, args)
    }
    fn ipc_reply_terminate_direct(&mut self, value: u32) -> Option<DirectAnswer> {
        Kernel::ipc_reply_terminate_direct(self, value)
    }
    fn ipc_handler(&self, task: TaskId) -> Option<ServerHandler> {
        Kernel::ipc_handler(self, task)
    }
    fn ipc_entry_call(&mut self, task: TaskId, call: &mut EntryCall) -> bool {
        Kernel::ipc_entry_call(self, task, call)
    }
    // An image without the CAN services links none of their code through these.
    fn can_take_tx(&mut self) -> Option<(BusId, CanFrame)> {
        if !ecu_os::CAN {
            return None;
        }
        Kernel::can_take_tx(self)
    }
    fn can_deliver(&mut self, bus: BusId, frame: CanFrame) -> usize {
        if !ecu_os::CAN {
            return 0;
        }
        Kernel::can_deliver(self, bus, frame)
    }
    fn can_counters(&self, app: usize) -> (u32, u32) {
        if !ecu_os::CAN {
            return (0, 0);
        }
        (
            Kernel::can_denied(self, app),
            Kernel::can_rx_overflow(self, app),
        )
    }
}
