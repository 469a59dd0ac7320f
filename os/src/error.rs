//! AUTOSAR OS status codes and the services that report them.

/// The `E_OS_*` status codes a service can return (SWS_Os / OSEK StatusType), `E_OK` being `Ok`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    Access,
    CallLevel,
    Id,
    Limit,
    NoFunc,
    Resource,
    State,
    Value,
    /// An unknown service number (AUTOSAR E_OS_SERVICEID).
    ServiceId,
    /// A service called with interrupts disabled, or a task/ISR that ended so (E_OS_DISABLEDINT).
    DisabledInt,
    /// An execution budget overrun (E_OS_PROTECTION_TIME).
    ProtectionTime,
    /// Activated or arrived sooner than its time frame allows (E_OS_PROTECTION_ARRIVAL).
    ProtectionArrival,
    /// A resource or interrupt lock held past its budget (E_OS_PROTECTION_LOCKED).
    ProtectionLocked,
    /// A fault of the code itself, e.g. a panic or a CPU exception (E_OS_PROTECTION_EXCEPTION).
    ProtectionException,
    /// An access the memory protection refused (E_OS_PROTECTION_MEMORY).
    ProtectionMemory,
}

impl Error {
    /// The StatusType value of the specification.
    pub const fn code(self) -> u8 {
        match self {
            Error::Access => 1,
            Error::CallLevel => 2,
            Error::Id => 3,
            Error::Limit => 4,
            Error::NoFunc => 5,
            Error::Resource => 6,
            Error::State => 7,
            Error::Value => 8,
            // AUTOSAR leaves the values of its own codes to the implementation.
            Error::ServiceId => 9,
            Error::DisabledInt => 10,
            Error::ProtectionTime => 11,
            Error::ProtectionArrival => 12,
            Error::ProtectionLocked => 13,
            Error::ProtectionException => 14,
            Error::ProtectionMemory => 15,
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            Error::Access => "E_OS_ACCESS",
            Error::CallLevel => "E_OS_CALLEVEL",
            Error::Id => "E_OS_ID",
            Error::Limit => "E_OS_LIMIT",
            Error::NoFunc => "E_OS_NOFUNC",
            Error::Resource => "E_OS_RESOURCE",
            Error::State => "E_OS_STATE",
            Error::Value => "E_OS_VALUE",
            Error::ServiceId => "E_OS_SERVICEID",
            Error::DisabledInt => "E_OS_DISABLEDINT",
            Error::ProtectionTime => "E_OS_PROTECTION_TIME",
            Error::ProtectionArrival => "E_OS_PROTECTION_ARRIVAL",
            Error::ProtectionLocked => "E_OS_PROTECTION_LOCKED",
            Error::ProtectionException => "E_OS_PROTECTION_EXCEPTION",
            Error::ProtectionMemory => "E_OS_PROTECTION_MEMORY",
        }
    }

    /// The inverse of [`Error::code`].
    pub const fn from_code(code: u32) -> Option<Self> {
        Some(match code {
            1 => Error::Access,
            2 => Error::CallLevel,
            3 => Error::Id,
            4 => Error::Limit,
            5 => Error::NoFunc,
            6 => Error::Resource,
            7 => Error::State,
            8 => Error::Value,
            9 => Error::ServiceId,
            10 => Error::DisabledInt,
            11 => Error::ProtectionTime,
            12 => Error::ProtectionArrival,
            13 => Error::ProtectionLocked,
            14 => Error::ProtectionException,
            15 => Error::ProtectionMemory,
            _ => return None,
        })
    }
}

macro_rules! services {
    ($($name:ident),* $(,)?) => {
        /// The service that reported an error (what the error hook's OSErrorGetServiceId gives).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum ServiceId {
            $($name,)*
        }

        impl ServiceId {
            const ALL: &'static [ServiceId] = &[$(ServiceId::$name,)*];

            pub const fn name(self) -> &'static str {
                match self {
                    $(ServiceId::$name => stringify!($name),)*
                }
            }

            /// The inverse of `service as u8` (how trace records carry it).
            pub fn from_index(index: u8) -> Option<Self> {
                Self::ALL.get(index as usize).copied()
            }
        }
    };
}

services!(
    ActivateTask,
    TerminateTask,
    ChainTask,
    Schedule,
    GetTaskID,
    GetTaskState,
    SetEvent,
    ClearEvent,
    GetEvent,
    WaitEvent,
    GetResource,
    ReleaseResource,
    IncrementCounter,
    GetCounterValue,
    GetElapsedValue,
    SetRelAlarm,
    SetAbsAlarm,
    CancelAlarm,
    GetAlarm,
    ElapsedTicks,
    DisableAllInterrupts,
    EnableAllInterrupts,
    SuspendAllInterrupts,
    ResumeAllInterrupts,
    SuspendOSInterrupts,
    ResumeOSInterrupts,
    ShutdownOS,
    GetApplicationID,
    GetApplicationState,
    TerminateApplication,
    AllowAccess,
    CheckObjectAccess,
    CheckObjectOwnership,
    GetISRID,
    StartScheduleTableRel,
    StartScheduleTableAbs,
    StopScheduleTable,
    NextScheduleTable,
    GetScheduleTableStatus,
    GetActiveApplicationMode,
    CallTrustedFunction,
    GetAlarmBase,
    CanTransmit,
    CanReceive,
    IsrReturn,
    Unknown,
    IpcCall,
    IpcSend,
    IpcReceive,
    AuditRead,
    IpcAccept,
    IpcReply,
);

impl ServiceId {
    pub const fn of(request: &crate::request::Request) -> Self {
        use crate::request::Request as R;
        match request {
            R::ActivateTask(_) => ServiceId::ActivateTask,
            R::GetTaskId => ServiceId::GetTaskID,
            R::GetTaskState(_) => ServiceId::GetTaskState,
            R::Schedule => ServiceId::Schedule,
            R::SetEvent(..) => ServiceId::SetEvent,
            R::ClearEvent(_) => ServiceId::ClearEvent,
            R::GetEvent(_) => ServiceId::GetEvent,
            R::WaitEvent(_) => ServiceId::WaitEvent,
            R::GetResource(_) => ServiceId::GetResource,
            R::ReleaseResource(_) => ServiceId::ReleaseResource,
            R::IncrementCounter(_) => ServiceId::IncrementCounter,
            R::GetCounterValue(_) => ServiceId::GetCounterValue,
            R::GetElapsedValue(..) => ServiceId::GetElapsedValue,
            R::SetRelAlarm(..) => ServiceId::SetRelAlarm,
            R::SetAbsAlarm(..) => ServiceId::SetAbsAlarm,
            R::CancelAlarm(_) => ServiceId::CancelAlarm,
            R::GetAlarm(_) => ServiceId::GetAlarm,
            R::ElapsedTicks => ServiceId::ElapsedTicks,
            R::DisableAllInterrupts => ServiceId::DisableAllInterrupts,
            R::EnableAllInterrupts => ServiceId::EnableAllInterrupts,
            R::SuspendAllInterrupts => ServiceId::SuspendAllInterrupts,
            R::ResumeAllInterrupts => ServiceId::ResumeAllInterrupts,
            R::SuspendOsInterrupts => ServiceId::SuspendOSInterrupts,
            R::ResumeOsInterrupts => ServiceId::ResumeOSInterrupts,
            R::ShutdownOs(_) => ServiceId::ShutdownOS,
            R::GetApplicationId => ServiceId::GetApplicationID,
            R::GetApplicationState(_) => ServiceId::GetApplicationState,
            R::TerminateApplication(..) => ServiceId::TerminateApplication,
            R::AllowAccess => ServiceId::AllowAccess,
            R::CheckObjectAccess(..) => ServiceId::CheckObjectAccess,
            R::CheckObjectOwnership(..) => ServiceId::CheckObjectOwnership,
            R::GetIsrId => ServiceId::GetISRID,
            R::StartScheduleTableRel(..) => ServiceId::StartScheduleTableRel,
            R::StartScheduleTableAbs(..) => ServiceId::StartScheduleTableAbs,
            R::StopScheduleTable(_) => ServiceId::StopScheduleTable,
            R::NextScheduleTable(..) => ServiceId::NextScheduleTable,
            R::GetScheduleTableStatus(_) => ServiceId::GetScheduleTableStatus,
            R::GetActiveApplicationMode => ServiceId::GetActiveApplicationMode,
            R::CallTrustedFunction(..) => ServiceId::CallTrustedFunction,
            R::GetAlarmBase(..) => ServiceId::GetAlarmBase,
            R::CanTransmit(..) => ServiceId::CanTransmit,
            R::CanReceive(_) | R::CanReceiveData => ServiceId::CanReceive,
            R::IpcCall(..) => ServiceId::IpcCall,
            R::IpcSend(..) => ServiceId::IpcSend,
            R::IpcReceive(..) => ServiceId::IpcReceive,
            R::AuditRead(..) => ServiceId::AuditRead,
            // The outcome of a call is the call's.
            R::IpcTakeReply => ServiceId::IpcCall,
            R::IpcAccept | R::IpcArgs(_) => ServiceId::IpcAccept,
            R::IpcReply(_) | R::IpcReplyTerminate(_) => ServiceId::IpcReply,
        }
    }
}
