//! The task side of the system call interface: `svc #0` with the service in r0, the argument
//! in r1, results in r0 (and r1). The kernel side is `port::service`.

use core::arch::asm;

use ecu_os::{Error, Exit, Os, Syscalls, TaskEntry, TaskId};

pub const SVC_START: u32 = 0;
pub const SVC_ACTIVATE_TASK: u32 = 1;
pub const SVC_GET_TASK_ID: u32 = 2;
pub const SVC_ELAPSED_TICKS: u32 = 3;
pub const SVC_TERMINATE: u32 = 4;
pub const SVC_CHAIN: u32 = 5;

/// r0 for "no task" and for an unknown service.
pub const NONE: u32 = u32::MAX;

pub struct Svc;

pub static SVC: Svc = Svc;
pub static OS: Os = Os::new(&SVC);

/// Issues one supervisor call; returns (r0, r1).
#[inline(always)]
pub fn svc(service: u32, arg: u32) -> (u32, u32) {
    let r0: u32;
    let r1: u32;
    // SAFETY: `svc #0` enters the kernel, which saves and restores every register of this
    // context (r0/r1 carry the results); memory is only changed through the kernel's own state.
    unsafe {
        asm!("svc #0", inlateout("r0") service => r0, inlateout("r1") arg => r1);
    }
    (r0, r1)
}

pub fn error_from_code(code: u32) -> Error {
    match code {
        1 => Error::Access,
        2 => Error::CallLevel,
        3 => Error::Id,
        4 => Error::Limit,
        5 => Error::NoFunc,
        6 => Error::Resource,
        7 => Error::State,
        _ => Error::Value,
    }
}

impl Syscalls for Svc {
    fn activate_task(&self, task: TaskId) -> Result<(), Error> {
        match svc(SVC_ACTIVATE_TASK, task.index() as u32).0 {
            0 => Ok(()),
            code => Err(error_from_code(code)),
        }
    }

    fn get_task_id(&self) -> Option<TaskId> {
        let (id, _) = svc(SVC_GET_TASK_ID, 0);
        (id != NONE).then(|| TaskId::new(id as u8))
    }

    fn elapsed_ticks(&self) -> u64 {
        let (low, high) = svc(SVC_ELAPSED_TICKS, 0);
        (high as u64) << 32 | low as u64
    }
}

/// Where every task activation starts (see `Frame::fresh`): runs the body, then hands its
/// ending to the kernel, which never returns here.
pub extern "C" fn task_trampoline(entry: usize) -> ! {
    // SAFETY: the kernel puts a `TaskEntry` from the generated tables in r0 (port::switch_to).
    let entry: TaskEntry = unsafe { core::mem::transmute::<usize, TaskEntry>(entry) };
    match entry(&OS) {
        Exit::Terminate => svc(SVC_TERMINATE, 0),
        Exit::Chain(next) => svc(SVC_CHAIN, next.index() as u32),
    };
    // The kernel discards this activation's context on TerminateTask/ChainTask.
    unreachable!("a terminated task was resumed")
}
