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
        }
    }
}

/// The service that reported an error (what the error hook's OSErrorGetServiceId gives).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServiceId {
    ActivateTask,
    TerminateTask,
    ChainTask,
    AlarmExpiry,
}

impl ServiceId {
    pub const fn name(self) -> &'static str {
        match self {
            ServiceId::ActivateTask => "ActivateTask",
            ServiceId::TerminateTask => "TerminateTask",
            ServiceId::ChainTask => "ChainTask",
            ServiceId::AlarmExpiry => "AlarmExpiry",
        }
    }
}
