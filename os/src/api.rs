//! What task bodies see: a handle to the OS services, the same on every target.
//!
//! A task body is `fn(&Os) -> Exit`. It ends by returning `os.terminate_task()` or
//! `os.chain_task(next)`, so a task cannot forget to terminate. Every other service is one
//! [`Request`] through the port's [`Syscalls`]: a supervisor call on the Cortex-R boards, a
//! hand-over between host threads on the simulation.

use crate::config::{
    AlarmId, AppId, AppModeId, CounterId, EventMask, IsrId, ResourceId, ScheduleTableId, TaskId,
    TrustedFunctionId,
};
use crate::error::Error;
use crate::kernel::{ApplicationState, ScheduleTableStatus, TaskState};
use crate::request::{ObjectKind, Reply, Request};

/// How a port carries a request into the kernel. It may block (WaitEvent) or let other tasks
/// run before it returns (a preemption).
pub trait Syscalls: Sync {
    /// One request as the words [`Request::to_words`] and [`Request::extra_words`] give it
    /// (what a Cortex-R task puts in r0-r5). Task code encodes where it asks, so a request
    /// costs a few constants there and no image carries an encoder of every service.
    fn call(&self, words: [u32; 4], extra: [u32; 2]) -> Result<Reply, Error>;

    /// [`Request::IpcCall`]: the same as `call` with it; a port may pass the words without
    /// building the request first.
    fn ipc_call(&self, handle: u16, operation: u16, args: [u32; 4]) -> Result<Reply, Error> {
        let request = Request::IpcCall(handle, operation, args);
        self.call(request.to_words(), request.extra_words())
    }

    /// Occupies the CPU for `ns` nanoseconds, as computation would: the simulation's time
    /// model. Ports without a time model answer `E_OS_SERVICEID`.
    fn busy(&self, ns: u64) -> Result<(), Error> {
        let _ = ns;
        Err(Error::ServiceId)
    }
}

/// How a task body ends; the port hands it to the kernel once the body has returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use = "a task body must return how it ends"]
pub enum Exit {
    Terminate,
    Chain(TaskId),
}

pub type TaskEntry = fn(&Os) -> Exit;

/// GetElapsedValue's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ElapsedValue {
    /// The counter's value now (the caller's next `previous`).
    pub value: u32,
    /// Ticks since the caller's `previous` value.
    pub elapsed: u32,
}

/// AlarmBaseType: the limits of an alarm's counter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlarmBase {
    pub max_allowed_value: u32,
    pub ticks_per_base: u32,
    pub min_cycle: u32,
}

/// The port as task code reaches it: a request becomes its words right where it is made.
struct Port(&'static dyn Syscalls);

impl Port {
    #[inline(always)]
    fn call(&self, request: Request) -> Result<Reply, Error> {
        self.0.call(request.to_words(), request.extra_words())
    }

    #[inline(always)]
    fn ipc_call(&self, handle: u16, operation: u16, args: [u32; 4]) -> Result<Reply, Error> {
        self.0.ipc_call(handle, operation, args)
    }

    fn busy(&self, ns: u64) -> Result<(), Error> {
        self.0.busy(ns)
    }
}

/// The OS services for task code.
pub struct Os {
    sys: Port,
}

impl Os {
    pub const fn new(sys: &'static dyn Syscalls) -> Self {
        Self { sys: Port(sys) }
    }

    #[inline(always)]
    fn call(&self, request: Request) -> Result<(), Error> {
        self.sys.call(request).map(drop)
    }

    /// ActivateTask: `E_OS_ID` for an unknown task, `E_OS_LIMIT` past its activation limit.
    pub fn activate_task(&self, task: TaskId) -> Result<(), Error> {
        self.call(Request::ActivateTask(task))
    }

    /// TerminateTask, as the body's return value.
    pub fn terminate_task(&self) -> Exit {
        Exit::Terminate
    }

    /// ChainTask, as the body's return value: terminate, then activate `next`.
    pub fn chain_task(&self, next: TaskId) -> Exit {
        Exit::Chain(next)
    }

    /// Schedule: lets higher-priority tasks run if this task holds its internal resource.
    pub fn schedule(&self) -> Result<(), Error> {
        self.call(Request::Schedule)
    }

    /// GetTaskID: the running task.
    pub fn get_task_id(&self) -> Option<TaskId> {
        let id = self.sys.call(Request::GetTaskId).ok()?;
        u8::try_from(id).ok().map(TaskId::new)
    }

    pub fn get_task_state(&self, task: TaskId) -> Result<TaskState, Error> {
        let code = self.sys.call(Request::GetTaskState(task))?;
        TaskState::from_code(code).ok_or(Error::Value)
    }

    pub fn set_event(&self, task: TaskId, mask: EventMask) -> Result<(), Error> {
        self.call(Request::SetEvent(task, mask))
    }

    pub fn clear_event(&self, mask: EventMask) -> Result<(), Error> {
        self.call(Request::ClearEvent(mask))
    }

    pub fn get_event(&self, task: TaskId) -> Result<EventMask, Error> {
        self.sys
            .call(Request::GetEvent(task))
            .map(|m| m as EventMask)
    }

    /// WaitEvent: blocks until one of `mask` is set on the calling (extended) task.
    pub fn wait_event(&self, mask: EventMask) -> Result<(), Error> {
        self.call(Request::WaitEvent(mask))
    }

    pub fn get_resource(&self, resource: ResourceId) -> Result<(), Error> {
        self.call(Request::GetResource(resource))
    }

    pub fn release_resource(&self, resource: ResourceId) -> Result<(), Error> {
        self.call(Request::ReleaseResource(resource))
    }

    /// Runs `critical` holding `resource` (GetResource … ReleaseResource), so a release is
    /// never forgotten.
    pub fn with_resource<R>(
        &self,
        resource: ResourceId,
        critical: impl FnOnce() -> R,
    ) -> Result<R, Error> {
        self.get_resource(resource)?;
        let result = critical();
        self.release_resource(resource)?;
        Ok(result)
    }

    pub fn increment_counter(&self, counter: CounterId) -> Result<(), Error> {
        self.call(Request::IncrementCounter(counter))
    }

    pub fn get_counter_value(&self, counter: CounterId) -> Result<u32, Error> {
        self.sys
            .call(Request::GetCounterValue(counter))
            .map(|v| v as u32)
    }

    pub fn get_elapsed_value(
        &self,
        counter: CounterId,
        previous: u32,
    ) -> Result<ElapsedValue, Error> {
        let packed = self.sys.call(Request::GetElapsedValue(counter, previous))?;
        Ok(ElapsedValue {
            value: packed as u32,
            elapsed: (packed >> 32) as u32,
        })
    }

    pub fn set_rel_alarm(&self, alarm: AlarmId, increment: u32, cycle: u32) -> Result<(), Error> {
        self.call(Request::SetRelAlarm(alarm, increment, cycle))
    }

    pub fn set_abs_alarm(&self, alarm: AlarmId, start: u32, cycle: u32) -> Result<(), Error> {
        self.call(Request::SetAbsAlarm(alarm, start, cycle))
    }

    pub fn cancel_alarm(&self, alarm: AlarmId) -> Result<(), Error> {
        self.call(Request::CancelAlarm(alarm))
    }

    /// GetAlarm: counter ticks until the alarm expires.
    pub fn get_alarm(&self, alarm: AlarmId) -> Result<u32, Error> {
        self.sys.call(Request::GetAlarm(alarm)).map(|v| v as u32)
    }

    /// Ticks of the system counter since StartOS.
    pub fn elapsed_ticks(&self) -> u64 {
        self.sys.call(Request::ElapsedTicks).unwrap_or(0)
    }

    pub fn disable_all_interrupts(&self) {
        let _ = self.call(Request::DisableAllInterrupts);
    }

    pub fn enable_all_interrupts(&self) {
        let _ = self.call(Request::EnableAllInterrupts);
    }

    pub fn suspend_all_interrupts(&self) {
        let _ = self.call(Request::SuspendAllInterrupts);
    }

    pub fn resume_all_interrupts(&self) {
        let _ = self.call(Request::ResumeAllInterrupts);
    }

    pub fn suspend_os_interrupts(&self) {
        let _ = self.call(Request::SuspendOsInterrupts);
    }

    pub fn resume_os_interrupts(&self) {
        let _ = self.call(Request::ResumeOsInterrupts);
    }

    /// ShutdownOS: the shutdown hook runs with `error` and the system stops.
    pub fn shutdown_os(&self, error: Option<Error>) {
        let _ = self.call(Request::ShutdownOs(error.map_or(0, |e| e.code() as u32)));
    }

    pub fn start_schedule_table_rel(
        &self,
        table: ScheduleTableId,
        offset: u32,
    ) -> Result<(), Error> {
        self.call(Request::StartScheduleTableRel(table, offset))
    }

    pub fn start_schedule_table_abs(
        &self,
        table: ScheduleTableId,
        start: u32,
    ) -> Result<(), Error> {
        self.call(Request::StartScheduleTableAbs(table, start))
    }

    pub fn stop_schedule_table(&self, table: ScheduleTableId) -> Result<(), Error> {
        self.call(Request::StopScheduleTable(table))
    }

    /// NextScheduleTable: `next` starts when `current`'s round ends.
    pub fn next_schedule_table(
        &self,
        current: ScheduleTableId,
        next: ScheduleTableId,
    ) -> Result<(), Error> {
        self.call(Request::NextScheduleTable(current, next))
    }

    pub fn get_schedule_table_status(
        &self,
        table: ScheduleTableId,
    ) -> Result<ScheduleTableStatus, Error> {
        let code = self.sys.call(Request::GetScheduleTableStatus(table))?;
        ScheduleTableStatus::from_code(code).ok_or(Error::Value)
    }

    /// GetApplicationID: the application of the running task or ISR.
    pub fn get_application_id(&self) -> Option<AppId> {
        let id = self.sys.call(Request::GetApplicationId).ok()?;
        u8::try_from(id).ok().map(AppId::new)
    }

    pub fn get_application_state(&self, app: AppId) -> Result<ApplicationState, Error> {
        let code = self.sys.call(Request::GetApplicationState(app))?;
        ApplicationState::from_code(code).ok_or(Error::Value)
    }

    /// TerminateApplication: ends every task and ISR of `app` (the caller's own, unless the
    /// caller is trusted); with `restart`, its restart task runs next.
    pub fn terminate_application(&self, app: AppId, restart: bool) -> Result<(), Error> {
        self.call(Request::TerminateApplication(app, restart))
    }

    /// AllowAccess: ends the caller's application's restart.
    pub fn allow_access(&self) -> Result<(), Error> {
        self.call(Request::AllowAccess)
    }

    pub fn check_object_access(&self, app: AppId, kind: ObjectKind, id: u8) -> Result<bool, Error> {
        self.sys
            .call(Request::CheckObjectAccess(app, kind, id))
            .map(|v| v != 0)
    }

    pub fn check_object_ownership(&self, kind: ObjectKind, id: u8) -> Result<AppId, Error> {
        let app = self.sys.call(Request::CheckObjectOwnership(kind, id))?;
        u8::try_from(app).map(AppId::new).map_err(|_| Error::Value)
    }

    /// GetActiveApplicationMode.
    pub fn get_active_application_mode(&self) -> AppModeId {
        let mode = self
            .sys
            .call(Request::GetActiveApplicationMode)
            .unwrap_or(0);
        AppModeId::new(u8::try_from(mode).unwrap_or(0))
    }

    /// CallTrustedFunction: runs a trusted application's service with the kernel's rights.
    pub fn call_trusted_function(
        &self,
        function: TrustedFunctionId,
        argument: u32,
    ) -> Result<u32, Error> {
        self.sys
            .call(Request::CallTrustedFunction(function, argument))
            .map(|v| v as u32)
    }

    /// GetAlarmBase: the limits of the alarm's counter.
    pub fn get_alarm_base(&self, alarm: AlarmId) -> Result<AlarmBase, Error> {
        let field = |f: u8| {
            self.sys
                .call(Request::GetAlarmBase(alarm, f))
                .map(|v| v as u32)
        };
        Ok(AlarmBase {
            max_allowed_value: field(0)?,
            ticks_per_base: field(1)?,
            min_cycle: field(2)?,
        })
    }

    /// GetISRID: the running category 2 ISR, if one runs.
    pub fn get_isr_id(&self) -> Option<IsrId> {
        let id = self.sys.call(Request::GetIsrId).ok()?;
        u8::try_from(id).ok().map(IsrId::new)
    }

    /// Transmits a classic CAN frame on `bus`. `E_OS_ACCESS` if the caller's OS-Application
    /// has no transmit grant for its id on that bus (the frame never reaches the bus),
    /// `E_OS_LIMIT` if the kernel's transmit queue is full.
    pub fn can_transmit(
        &self,
        bus: ecu_com::BusId,
        frame: &ecu_com::CanFrame,
    ) -> Result<(), Error> {
        self.call(Request::CanTransmit(bus, *frame))
    }

    /// The oldest frame received on `bus` that the caller's OS-Application may see, if any.
    pub fn can_receive(&self, bus: ecu_com::BusId) -> Result<Option<ecu_com::CanFrame>, Error> {
        let header = self.sys.call(Request::CanReceive(bus))?;
        if header == 0 {
            return Ok(None);
        }
        let data = self.sys.call(Request::CanReceiveData)?;
        Ok(crate::can::frame_from_reply(header, data))
    }

    /// Occupies the CPU for `us` microseconds as computation would (the simulation's time
    /// model: ticks and interrupts that fall meanwhile preempt the caller as they would on a
    /// board). `E_OS_SERVICEID` on ports without a time model.
    pub fn busy_us(&self, us: u32) -> Result<(), Error> {
        self.sys.busy(us as u64 * 1000)
    }
}

/// Inter-partition communication. Generated typed stubs (`ecu::<interface>::<operation>`)
/// call these; application code never builds a raw message.
impl Os {
    /// A synchronous call through the caller's own handle: the policy rules first, then the
    /// caller waits while the server task runs the handler with the copied words in its own
    /// partition, and the reply comes back. E_OS_ACCESS when denied (counted and audited),
    /// E_OS_STATE when the server task ended or was killed without replying.
    pub fn ipc_call(&self, handle: u16, operation: u16, args: [u32; 4]) -> Result<u32, Error> {
        match self.sys.ipc_call(handle, operation, args)? {
            // The port put the answer into this task's registers while it waited.
            reply if reply & crate::ipc::REPLY_PENDING == 0 => Ok(reply as u32),
            // Runs once the server answered or ended: the outcome waits in the kernel.
            _ => self.sys.call(Request::IpcTakeReply).map(|v| v as u32),
        }
    }

    /// Server task: the oldest call queued for it, as (operation, argument words); only the
    /// first `arity` words are fetched, the rest are 0. E_OS_NOFUNC when none is queued,
    /// E_OS_ACCESS when the caller serves no endpoint.
    pub fn ipc_accept(&self, arity: usize) -> Result<(u16, [u32; 4]), Error> {
        let first = self.sys.call(Request::IpcAccept)?;
        let mut args = [(first >> 32) as u32, 0, 0, 0];
        let mut from = 1;
        while from < arity.min(4) {
            let pair = self.sys.call(Request::IpcArgs(from as u8))?;
            args[from] = pair as u32;
            if from + 1 < 4 {
                args[from + 1] = (pair >> 32) as u32;
            }
            from += 2;
        }
        Ok((first as u16, args))
    }

    /// Server task: answers the call it took with `reply`, which releases the caller.
    pub fn ipc_reply(&self, reply: u32) -> Result<(), Error> {
        self.sys.call(Request::IpcReply(reply)).map(|_| ())
    }

    /// Server task: answers the call it took and ends the activation, in one kernel entry
    /// (what the generated server body does). The kernel has ended the activation when this
    /// returns, if it returns at all; the `Exit` is for the body's type.
    pub fn ipc_reply_and_terminate(&self, reply: u32) -> Exit {
        let _ = self.sys.call(Request::IpcReplyTerminate(reply));
        Exit::Terminate
    }

    /// Sends one value on a data element: E_OS_LIMIT when its queue is full (counted).
    pub fn ipc_send(&self, handle: u16, element: u16, value: u32) -> Result<(), Error> {
        self.sys
            .call(Request::IpcSend(handle, element, value))
            .map(|_| ())
    }

    /// Receives the oldest value of a queued element (the last value of a last-is-best one):
    /// E_OS_NOFUNC when there is none.
    pub fn ipc_receive(&self, handle: u16, element: u16) -> Result<u32, Error> {
        self.sys
            .call(Request::IpcReceive(handle, element))
            .map(|v| v as u32)
    }

    /// Reads the audit ring or an IPC counter: trusted OS-Applications only.
    pub fn audit_read(&self, query: crate::ipc::AuditQuery, index: u16) -> Result<u64, Error> {
        self.sys.call(Request::AuditRead(query, index))
    }

    /// The oldest audit record, removed; `Ok(None)` when the ring is empty.
    pub fn audit_pop(&self) -> Result<Option<crate::ipc::Audit>, Error> {
        match self.audit_read(crate::ipc::AuditQuery::Pop, 0)? {
            crate::ipc::AUDIT_EMPTY => Ok(None),
            word => {
                let time = self.audit_read(crate::ipc::AuditQuery::LastTime, 0)?;
                Ok(Some(crate::ipc::Audit::unpack(word, time)))
            }
        }
    }
}
