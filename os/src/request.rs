//! Service requests: what a task asks of the kernel, as one value every port carries the
//! same way. On the Cortex-R boards a request travels in four registers (`to_words`), so
//! the kernel never reads a task's memory to learn what it wants.

use crate::config::{
    AlarmId, AppId, CounterId, EventMask, ResourceId, ScheduleTableId, TaskId, TrustedFunctionId,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    ActivateTask(TaskId),
    GetTaskId,
    GetTaskState(TaskId),
    Schedule,
    SetEvent(TaskId, EventMask),
    ClearEvent(EventMask),
    GetEvent(TaskId),
    WaitEvent(EventMask),
    GetResource(ResourceId),
    ReleaseResource(ResourceId),
    IncrementCounter(CounterId),
    GetCounterValue(CounterId),
    /// GetElapsedValue: the counter and the caller's previous value.
    GetElapsedValue(CounterId, u32),
    SetRelAlarm(AlarmId, u32, u32),
    SetAbsAlarm(AlarmId, u32, u32),
    CancelAlarm(AlarmId),
    GetAlarm(AlarmId),
    /// Ticks of the system counter since StartOS (not wrapped).
    ElapsedTicks,
    DisableAllInterrupts,
    EnableAllInterrupts,
    SuspendAllInterrupts,
    ResumeAllInterrupts,
    SuspendOsInterrupts,
    ResumeOsInterrupts,
    /// ShutdownOS with the error code of the shutdown hook (0: none).
    ShutdownOs(u32),
    GetApplicationId,
    GetApplicationState(AppId),
    /// TerminateApplication(application, restart).
    TerminateApplication(AppId, bool),
    /// AllowAccess: a restarting application becomes accessible again.
    AllowAccess,
    CheckObjectAccess(AppId, ObjectKind, u8),
    CheckObjectOwnership(ObjectKind, u8),
    /// GetISRID: the running category 2 ISR.
    GetIsrId,
    StartScheduleTableRel(ScheduleTableId, u32),
    StartScheduleTableAbs(ScheduleTableId, u32),
    StopScheduleTable(ScheduleTableId),
    /// NextScheduleTable(current, next).
    NextScheduleTable(ScheduleTableId, ScheduleTableId),
    GetScheduleTableStatus(ScheduleTableId),
    GetActiveApplicationMode,
    /// CallTrustedFunction(function, argument).
    CallTrustedFunction(TrustedFunctionId, u32),
    /// GetAlarmBase, one field at a time: 0 max allowed value, 1 ticks per base, 2 min cycle.
    GetAlarmBase(AlarmId, u8),
    /// Transmit a classic CAN frame on a bus, if the caller's OS-Application may send its id.
    CanTransmit(ecu_com::BusId, ecu_com::CanFrame),
    /// Take the oldest frame of a bus from the caller's OS-Application's receive queue: the
    /// reply is its header ([`crate::can::header`]), 0 when there is none.
    CanReceive(ecu_com::BusId),
    /// The eight data bytes (little-endian) of the frame the caller's last CanReceive took.
    CanReceiveData,
    /// IPC call through the caller's handle: (handle, operation, argument words).
    IpcCall(u16, u16, [u32; 4]),
    /// IPC message: (handle, data element, value).
    IpcSend(u16, u16, u32),
    /// IPC receive: (handle, data element).
    IpcReceive(u16, u16),
    /// The audit ring and IPC counters (trusted OS-Applications only): (query, index).
    AuditRead(crate::ipc::AuditQuery, u16),
    /// The outcome of the caller's last IPC call, once the server answered (the call itself
    /// only queues it and blocks the caller).
    IpcTakeReply,
    /// Server task: take the oldest call queued for it; the reply is
    /// `operation | argument word 0 << 32` (E_OS_NOFUNC when none is queued).
    IpcAccept,
    /// Server task: argument words `from` and `from + 1` of the call it serves, low first.
    IpcArgs(u8),
    /// Server task: answer the call it serves with one word, releasing the caller.
    IpcReply(u32),
    /// Server task: [`Request::IpcReply`], then the activation ends as by TerminateTask: one
    /// kernel entry fewer per call.
    IpcReplyTerminate(u32),
}

/// The kinds of objects access rights apply to (ObjectTypeType).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ObjectKind {
    Task = 0,
    Isr = 1,
    Alarm = 2,
    Resource = 3,
    Counter = 4,
}

impl ObjectKind {
    pub const fn from_code(code: u32) -> Option<Self> {
        Some(match code {
            0 => ObjectKind::Task,
            1 => ObjectKind::Isr,
            2 => ObjectKind::Alarm,
            3 => ObjectKind::Resource,
            4 => ObjectKind::Counter,
            _ => return None,
        })
    }
}

/// The reply value of a service that returns one; 0 for those that do not.
pub type Reply = u64;

impl Request {
    /// Whether the service leaves what should run as it was: it only reads kernel state, or
    /// moves data between partitions without waking anyone. The kernel need not weigh the
    /// ready tasks again after it (`Kernel::dispatch` answers from the last decision).
    pub const fn is_scheduling_neutral(&self) -> bool {
        matches!(
            self,
            Request::GetTaskId
                | Request::GetTaskState(_)
                | Request::GetEvent(_)
                | Request::GetCounterValue(_)
                | Request::GetElapsedValue(..)
                | Request::GetAlarm(_)
                | Request::ElapsedTicks
                | Request::GetApplicationId
                | Request::GetApplicationState(_)
                | Request::CheckObjectAccess(..)
                | Request::CheckObjectOwnership(..)
                | Request::GetIsrId
                | Request::GetScheduleTableStatus(_)
                | Request::GetActiveApplicationMode
                | Request::GetAlarmBase(..)
                | Request::CanReceive(_)
                | Request::CanReceiveData
                | Request::IpcSend(..)
                | Request::IpcReceive(..)
                | Request::AuditRead(..)
                | Request::IpcTakeReply
                | Request::IpcAccept
                | Request::IpcArgs(_)
        )
    }

    /// ActivateTask's service number: the Cortex-R port decodes it itself (its fast path).
    pub const ACTIVATE_TASK: u32 = 1;

    /// `[service number, argument, argument, argument]`. Inlined: where the request is
    /// named, only its words remain.
    #[inline(always)]
    pub fn to_words(self) -> [u32; 4] {
        let t = |id: TaskId| id.index() as u32;
        match self {
            Request::ActivateTask(task) => [Self::ACTIVATE_TASK, t(task), 0, 0],
            Request::GetTaskId => [2, 0, 0, 0],
            Request::GetTaskState(task) => [3, t(task), 0, 0],
            Request::Schedule => [4, 0, 0, 0],
            Request::SetEvent(task, mask) => [5, t(task), mask, 0],
            Request::ClearEvent(mask) => [6, mask, 0, 0],
            Request::GetEvent(task) => [7, t(task), 0, 0],
            Request::WaitEvent(mask) => [8, mask, 0, 0],
            Request::GetResource(r) => [9, r.index() as u32, 0, 0],
            Request::ReleaseResource(r) => [10, r.index() as u32, 0, 0],
            Request::IncrementCounter(c) => [11, c.index() as u32, 0, 0],
            Request::GetCounterValue(c) => [12, c.index() as u32, 0, 0],
            Request::GetElapsedValue(c, previous) => [13, c.index() as u32, previous, 0],
            Request::SetRelAlarm(a, increment, cycle) => [14, a.index() as u32, increment, cycle],
            Request::SetAbsAlarm(a, start, cycle) => [15, a.index() as u32, start, cycle],
            Request::CancelAlarm(a) => [16, a.index() as u32, 0, 0],
            Request::GetAlarm(a) => [17, a.index() as u32, 0, 0],
            Request::ElapsedTicks => [18, 0, 0, 0],
            Request::DisableAllInterrupts => [19, 0, 0, 0],
            Request::EnableAllInterrupts => [20, 0, 0, 0],
            Request::SuspendAllInterrupts => [21, 0, 0, 0],
            Request::ResumeAllInterrupts => [22, 0, 0, 0],
            Request::SuspendOsInterrupts => [23, 0, 0, 0],
            Request::ResumeOsInterrupts => [24, 0, 0, 0],
            Request::ShutdownOs(code) => [25, code, 0, 0],
            Request::GetApplicationId => [26, 0, 0, 0],
            Request::GetApplicationState(app) => [27, app.index() as u32, 0, 0],
            Request::TerminateApplication(app, restart) => {
                [28, app.index() as u32, restart as u32, 0]
            }
            Request::AllowAccess => [29, 0, 0, 0],
            Request::CheckObjectAccess(app, kind, id) => {
                [30, app.index() as u32, kind as u32, id as u32]
            }
            Request::CheckObjectOwnership(kind, id) => [31, kind as u32, id as u32, 0],
            Request::GetIsrId => [32, 0, 0, 0],
            Request::StartScheduleTableRel(t, offset) => [33, t.index() as u32, offset, 0],
            Request::StartScheduleTableAbs(t, start) => [34, t.index() as u32, start, 0],
            Request::StopScheduleTable(t) => [35, t.index() as u32, 0, 0],
            Request::NextScheduleTable(from, to) => [36, from.index() as u32, to.index() as u32, 0],
            Request::GetScheduleTableStatus(t) => [37, t.index() as u32, 0, 0],
            Request::GetActiveApplicationMode => [38, 0, 0, 0],
            Request::CallTrustedFunction(f, arg) => [39, f.index() as u32, arg, 0],
            Request::GetAlarmBase(a, field) => [40, a.index() as u32, field as u32, 0],
            Request::CanTransmit(bus, frame) => crate::can::transmit_words(bus, &frame),
            Request::CanReceive(bus) => [crate::can::RECEIVE_SERVICE, bus.0 as u32, 0, 0],
            Request::CanReceiveData => [crate::can::RECEIVE_DATA_SERVICE, 0, 0, 0],
            // Argument words 2 and 3 travel apart: see `extra_words`.
            Request::IpcCall(h, op, args) => [41, h as u32 | (op as u32) << 16, args[0], args[1]],
            Request::IpcSend(h, el, value) => [42, h as u32 | (el as u32) << 16, value, 0],
            Request::IpcReceive(h, el) => [43, h as u32 | (el as u32) << 16, 0, 0],
            Request::AuditRead(q, index) => [44, q as u32, index as u32, 0],
            Request::IpcTakeReply => [45, 0, 0, 0],
            Request::IpcAccept => [46, 0, 0, 0],
            Request::IpcArgs(from) => [47, from as u32, 0, 0],
            Request::IpcReply(value) => [48, value, 0, 0],
            Request::IpcReplyTerminate(value) => [49, value, 0, 0],
        }
    }

    /// The request in `words`, or None for an unknown service. Ids that do not fit a u8 map
    /// to 255, which no table has: the service then reports E_OS_ID.
    pub fn from_words(words: [u32; 4]) -> Option<Self> {
        let [service, a, b, c] = words;
        if service & 0xFF == crate::can::TRANSMIT_SERVICE {
            return crate::can::transmit_from_words(words);
        }
        let id = |v: u32| v.min(u8::MAX as u32) as u8;
        let task = TaskId::new(id(a));
        Some(match service {
            Self::ACTIVATE_TASK => Request::ActivateTask(task),
            2 => Request::GetTaskId,
            3 => Request::GetTaskState(task),
            4 => Request::Schedule,
            5 => Request::SetEvent(task, b),
            6 => Request::ClearEvent(a),
            7 => Request::GetEvent(task),
            8 => Request::WaitEvent(a),
            9 => Request::GetResource(ResourceId::new(id(a))),
            10 => Request::ReleaseResource(ResourceId::new(id(a))),
            11 => Request::IncrementCounter(CounterId::new(id(a))),
            12 => Request::GetCounterValue(CounterId::new(id(a))),
            13 => Request::GetElapsedValue(CounterId::new(id(a)), b),
            14 => Request::SetRelAlarm(AlarmId::new(id(a)), b, c),
            15 => Request::SetAbsAlarm(AlarmId::new(id(a)), b, c),
            16 => Request::CancelAlarm(AlarmId::new(id(a))),
            17 => Request::GetAlarm(AlarmId::new(id(a))),
            18 => Request::ElapsedTicks,
            19 => Request::DisableAllInterrupts,
            20 => Request::EnableAllInterrupts,
            21 => Request::SuspendAllInterrupts,
            22 => Request::ResumeAllInterrupts,
            23 => Request::SuspendOsInterrupts,
            24 => Request::ResumeOsInterrupts,
            25 => Request::ShutdownOs(a),
            26 => Request::GetApplicationId,
            27 => Request::GetApplicationState(AppId::new(id(a))),
            28 => Request::TerminateApplication(AppId::new(id(a)), b != 0),
            29 => Request::AllowAccess,
            30 => Request::CheckObjectAccess(AppId::new(id(a)), ObjectKind::from_code(b)?, id(c)),
            31 => Request::CheckObjectOwnership(ObjectKind::from_code(a)?, id(b)),
            32 => Request::GetIsrId,
            33 => Request::StartScheduleTableRel(ScheduleTableId::new(id(a)), b),
            34 => Request::StartScheduleTableAbs(ScheduleTableId::new(id(a)), b),
            35 => Request::StopScheduleTable(ScheduleTableId::new(id(a))),
            36 => {
                Request::NextScheduleTable(ScheduleTableId::new(id(a)), ScheduleTableId::new(id(b)))
            }
            37 => Request::GetScheduleTableStatus(ScheduleTableId::new(id(a))),
            38 => Request::GetActiveApplicationMode,
            39 => Request::CallTrustedFunction(TrustedFunctionId::new(id(a)), b),
            40 => Request::GetAlarmBase(AlarmId::new(id(a)), id(b)),
            crate::can::RECEIVE_SERVICE => Request::CanReceive(ecu_com::BusId(id(a))),
            crate::can::RECEIVE_DATA_SERVICE => Request::CanReceiveData,
            41 => Request::IpcCall(a as u16, (a >> 16) as u16, [b, c, 0, 0]),
            42 => Request::IpcSend(a as u16, (a >> 16) as u16, b),
            43 => Request::IpcReceive(a as u16, (a >> 16) as u16),
            44 => Request::AuditRead(
                crate::ipc::AuditQuery::from_code(a)?,
                b.min(u16::MAX as u32) as u16,
            ),
            45 => Request::IpcTakeReply,
            46 => Request::IpcAccept,
            47 => Request::IpcArgs(id(a)),
            48 => Request::IpcReply(a),
            49 => Request::IpcReplyTerminate(a),
            _ => return None,
        })
    }
}

impl Request {
    /// Words a request carries beyond [`Request::to_words`]: argument words 2 and 3 of an
    /// IPC call (a port passes them in two more registers).
    #[inline(always)]
    pub fn extra_words(self) -> [u32; 2] {
        match self {
            Request::IpcCall(_, _, args) => [args[2], args[3]],
            _ => [0, 0],
        }
    }

    /// As [`Request::from_words`], with the [`Request::extra_words`].
    pub fn from_words6(words: [u32; 4], extra: [u32; 2]) -> Option<Self> {
        match Self::from_words(words)? {
            Request::IpcCall(h, op, args) => Some(Request::IpcCall(
                h,
                op,
                [args[0], args[1], extra[0], extra[1]],
            )),
            other => Some(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_request_survives_the_registers() {
        let all = [
            Request::ActivateTask(TaskId::new(3)),
            Request::GetTaskId,
            Request::GetTaskState(TaskId::new(1)),
            Request::Schedule,
            Request::SetEvent(TaskId::new(2), 0x8000_0001),
            Request::ClearEvent(4),
            Request::GetEvent(TaskId::new(0)),
            Request::WaitEvent(6),
            Request::GetResource(ResourceId::new(5)),
            Request::ReleaseResource(ResourceId::new(5)),
            Request::IncrementCounter(CounterId::new(1)),
            Request::GetCounterValue(CounterId::new(1)),
            Request::GetElapsedValue(CounterId::new(0), 77),
            Request::SetRelAlarm(AlarmId::new(2), 10, 20),
            Request::SetAbsAlarm(AlarmId::new(2), 30, 0),
            Request::CancelAlarm(AlarmId::new(1)),
            Request::GetAlarm(AlarmId::new(1)),
            Request::ElapsedTicks,
            Request::DisableAllInterrupts,
            Request::EnableAllInterrupts,
            Request::SuspendAllInterrupts,
            Request::ResumeAllInterrupts,
            Request::SuspendOsInterrupts,
            Request::ResumeOsInterrupts,
            Request::ShutdownOs(7),
            Request::GetApplicationId,
            Request::GetApplicationState(AppId::new(1)),
            Request::TerminateApplication(AppId::new(2), true),
            Request::AllowAccess,
            Request::CheckObjectAccess(AppId::new(1), ObjectKind::Alarm, 4),
            Request::CheckObjectOwnership(ObjectKind::Counter, 0),
            Request::GetIsrId,
            Request::StartScheduleTableRel(ScheduleTableId::new(1), 5),
            Request::StartScheduleTableAbs(ScheduleTableId::new(0), 9),
            Request::StopScheduleTable(ScheduleTableId::new(2)),
            Request::NextScheduleTable(ScheduleTableId::new(0), ScheduleTableId::new(1)),
            Request::GetScheduleTableStatus(ScheduleTableId::new(3)),
            Request::GetActiveApplicationMode,
            Request::CallTrustedFunction(TrustedFunctionId::new(1), 0xdead_beef),
            Request::GetAlarmBase(AlarmId::new(2), 1),
            Request::CanTransmit(
                ecu_com::BusId(3),
                ecu_com::CanFrame::data(
                    ecu_com::CanId::extended(0x1ABC_DEF0).unwrap(),
                    &[1, 2, 3, 4, 5, 6, 7, 8],
                )
                .unwrap(),
            ),
            Request::CanTransmit(
                ecu_com::BusId(0),
                ecu_com::CanFrame::data(ecu_com::CanId::standard(0x123).unwrap(), &[9]).unwrap(),
            ),
            Request::CanTransmit(
                ecu_com::BusId(1),
                ecu_com::CanFrame::remote(ecu_com::CanId::standard(0x7FF).unwrap(), 4).unwrap(),
            ),
            Request::CanReceive(ecu_com::BusId(2)),
            Request::CanReceiveData,
        ];
        for request in all {
            assert_eq!(Request::from_words(request.to_words()), Some(request));
        }
        for request in [
            Request::IpcCall(3, 2, [1, u32::MAX, 7, 0x8000_0000]),
            Request::IpcSend(1, 4, 99),
            Request::IpcReceive(65535, 65535),
            Request::AuditRead(crate::ipc::AuditQuery::RuleDenies, 12),
            Request::IpcTakeReply,
            Request::IpcAccept,
            Request::IpcArgs(3),
            Request::IpcReply(u32::MAX),
            Request::IpcReplyTerminate(7),
        ] {
            assert_eq!(
                Request::from_words6(request.to_words(), request.extra_words()),
                Some(request)
            );
        }
        assert_eq!(Request::from_words([0, 0, 0, 0]), None);
        assert_eq!(Request::from_words([99, 0, 0, 0]), None);
        assert_eq!(
            Request::from_words([1, 70_000, 0, 0]),
            Some(Request::ActivateTask(TaskId::new(255)))
        );
    }
}
