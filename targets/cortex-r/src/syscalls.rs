//! The task side of the system call interface: `svc #0` with a request's four words in r0-r3
//! (`ecu_os::Request::to_words`), the status in r0 and the reply in r1 (low) and r2 (high).
//! The kernel side is `port::ecu_cortex_r_svc`.

use core::arch::asm;

use ecu_os::ipc::{EntryCall, ServerHandler};
use ecu_os::{Error, Exit, IsrEntry, Os, Reply, Syscalls, TaskEntry};

/// Port-level calls beside the kernel's requests (which use numbers 1..=99, see
/// `ecu_os::Request::to_words`).
pub const SVC_START: u32 = 0;
pub const SVC_TERMINATE: u32 = 100;
pub const SVC_CHAIN: u32 = 101;
/// The current ISR's body returned (`isr_trampoline`).
pub const SVC_ISR_RETURN: u32 = 102;
/// The caller's execution time (ns, r1-r2): what `busy_us` spins on.
pub const SVC_EXECUTION_TIME: u32 = 103;
/// The two halves of an IPC call, with the words of `Request::IpcCall` and
/// `Request::IpcReplyTerminate`: served without decoding a request (`port::serve`), and
/// numbered beside the port's own calls so other services do not pay for telling them apart.
pub const SVC_IPC_CALL: u32 = 104;
pub const SVC_IPC_REPLY_TERMINATE: u32 = 105;

pub struct Svc;

pub static SVC: Svc = Svc;
pub static OS: Os = Os::new(&SVC);

/// What a category 1 ISR on FIQ gets: no service (AUTOSAR: E_OS_CALLEVEL). It must not enter
/// the kernel at all: the FIQ may have interrupted it.
pub struct OutsideTheOs;

impl Syscalls for OutsideTheOs {
    fn call(&self, _words: [u32; 4], _extra: [u32; 2]) -> Result<Reply, Error> {
        Err(Error::CallLevel)
    }
}

pub static FIQ_OS: Os = Os::new(&OutsideTheOs);

/// Issues one supervisor call with `words` in r0-r3; returns r0-r2.
#[inline(always)]
pub fn svc(words: [u32; 4]) -> [u32; 3] {
    let (r0, r1, r2): (u32, u32, u32);
    // SAFETY: `svc #0` enters the kernel, which saves and restores every register of this
    // context (r0-r2 carry the results); memory is only changed through the kernel's own state.
    unsafe {
        asm!(
            "svc #0",
            inlateout("r0") words[0] => r0,
            inlateout("r1") words[1] => r1,
            inlateout("r2") words[2] => r2,
            in("r3") words[3],
        );
    }
    [r0, r1, r2]
}

/// As [`svc`], with two more words in r4-r5 (`ecu_os::Request::extra_words`: argument
/// words 2 and 3 of an IPC call).
#[inline(always)]
pub fn svc6(words: [u32; 4], extra: [u32; 2]) -> [u32; 3] {
    let (r0, r1, r2): (u32, u32, u32);
    // SAFETY: as for `svc`; r4-r5 are only read by the kernel.
    unsafe {
        asm!(
            "svc #0",
            inlateout("r0") words[0] => r0,
            inlateout("r1") words[1] => r1,
            inlateout("r2") words[2] => r2,
            in("r3") words[3],
            in("r4") extra[0],
            in("r5") extra[1],
        );
    }
    [r0, r1, r2]
}

impl Syscalls for Svc {
    fn call(&self, words: [u32; 4], extra: [u32; 2]) -> Result<Reply, Error> {
        status_reply(svc6(words, extra))
    }

    fn ipc_call(&self, handle: u16, operation: u16, args: [u32; 4]) -> Result<Reply, Error> {
        let words = [
            SVC_IPC_CALL,
            handle as u32 | (operation as u32) << 16,
            args[0],
            args[1],
        ];
        status_reply(svc6(words, [args[2], args[3]]))
    }

    /// Spins until the caller's own execution time has grown by `ns`: what preempts it
    /// (ticks, ISRs, other tasks) does not count, as in the simulation's time model.
    fn busy(&self, ns: u64) -> Result<(), Error> {
        let execution_time = || match svc([SVC_EXECUTION_TIME, 0, 0, 0]) {
            [0, low, high] => Ok((high as u64) << 32 | low as u64),
            [code, ..] => Err(Error::from_code(code).unwrap_or(Error::ServiceId)),
        };
        let start = execution_time()?;
        while execution_time()?.saturating_sub(start) < ns {}
        Ok(())
    }
}

/// A service's outcome from the caller's r0-r2: the status, then the reply's two halves.
#[inline(always)]
fn status_reply([status, low, high]: [u32; 3]) -> Result<Reply, Error> {
    match status {
        0 => Ok((high as u64) << 32 | low as u64),
        code => Err(Error::from_code(code).unwrap_or(Error::ServiceId)),
    }
}

/// Where every task activation starts (see `Frame::fresh`): runs the body, then hands its
/// ending to the kernel, which never returns here.
pub extern "C" fn task_trampoline(entry: usize) -> ! {
    // SAFETY: the kernel puts a `TaskEntry` from the generated tables in r0 (port::switch_to).
    let entry: TaskEntry = unsafe { core::mem::transmute::<usize, TaskEntry>(entry) };
    match entry(&OS) {
        Exit::Terminate => svc([SVC_TERMINATE, 0, 0, 0]),
        Exit::Chain(next) => svc([SVC_CHAIN, next.index() as u32, 0, 0]),
    };
    // The kernel discards this activation's context on TerminateTask/ChainTask.
    unreachable!("a terminated task was resumed")
}

/// Where every ISR activation starts: runs the body, then tells the kernel it returned; the
/// kernel resumes what the ISR interrupted and never comes back here.
pub extern "C" fn isr_trampoline(entry: usize) -> ! {
    // SAFETY: the kernel puts an `IsrEntry` from the generated tables in r0 (port::switch_to).
    let entry: IsrEntry = unsafe { core::mem::transmute::<usize, IsrEntry>(entry) };
    entry(&OS);
    svc([SVC_ISR_RETURN, 0, 0, 0]);
    unreachable!("a returned ISR was resumed")
}

/// Where a server task's activation starts when the port took its call for it
/// (`port::start_with_call`): runs the handler on the call (above the first frame on this
/// task's own stack), then answers and ends in one kernel entry, which never returns here.
pub extern "C" fn server_trampoline(handler: usize, call: &EntryCall) -> ! {
    // SAFETY: the kernel puts a `ServerHandler` from the generated tables in r0.
    let handler: ServerHandler = unsafe { core::mem::transmute::<usize, ServerHandler>(handler) };
    let reply = handler(&OS, call.operation as u16, call.args);
    svc([SVC_IPC_REPLY_TERMINATE, reply, 0, 0]);
    unreachable!("an answered server task was resumed")
}
