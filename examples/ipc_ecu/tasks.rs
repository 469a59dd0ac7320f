//! Task bodies and servers of the IpcEcu example. Clients use the typed stubs the
//! configurator generated (`ecu::lights::set`, `ecu::status::send_speed`, ...): the kernel
//! finds the caller's handle, copies the words and asks the policy before delivering.

use core::sync::atomic::{AtomicU32, Ordering};

use ecu_os::{Exit, Os};

use crate::ecu;

static LIGHT_LEVEL: AtomicU32 = AtomicU32::new(0);
static DRIVES: AtomicU32 = AtomicU32::new(0);
static FLASHED: AtomicU32 = AtomicU32::new(0);
static AUDITED: AtomicU32 = AtomicU32::new(0);

// ---- servers: the entries of the server tasks, run in their partition with the words the
// kernel copied (the generated body takes the call and answers) ----

pub fn lights_server(_os: &Os, _op: u16, args: [u32; 4]) -> u32 {
    LIGHT_LEVEL.store(args[0], Ordering::Relaxed);
    args[0]
}

pub fn diagnostics_server(_os: &Os, op: u16, _args: [u32; 4]) -> u32 {
    // ReadDtc: one stored trouble code.
    if op == ecu::diagnostics::READ_DTC {
        0x00C1_2300
    } else {
        0
    }
}

pub fn flash_server(_os: &Os, op: u16, args: [u32; 4]) -> u32 {
    if op == ecu::flash::WRITE {
        FLASHED.fetch_add(args[1], Ordering::Relaxed);
        args[1]
    } else {
        0
    }
}

// ---- clients ----

/// The server's reply reached the caller, or the trace shows it: a wrong reply makes a call
/// through a handle nobody holds (denied as malformed, `?.?`), which the tests would see.
fn expect(os: &Os, reply: Result<u32, ecu_os::Error>, want: Result<u32, ecu_os::Error>) {
    if reply != want {
        let _ = os.ipc_call(u16::MAX, 0, [0; 4]);
    }
}

/// Powertrain, every 10 ms: sets the lights and publishes speed and mode.
pub fn drive(os: &Os) -> Exit {
    let n = DRIVES.fetch_add(1, Ordering::Relaxed);
    let level = n * 10 % 120;
    let want = if level <= 100 {
        Ok(level)
    } else {
        Err(ecu_os::Error::Access) // above 100: denied by the policy
    };
    expect(os, ecu::lights::set(os, level as u8), want);
    let _ = ecu::status::send_speed(os, (50 + n) as u16);
    let _ = ecu::status::send_mode(os, (n % 2) as u8);
    os.terminate_task()
}

/// Comfort: drains the speed queue, reads the last mode.
pub fn dash(os: &Os) -> Exit {
    while ecu::status::receive_speed(os).is_ok() {}
    let _ = ecu::status::receive_mode(os);
    os.terminate_task()
}

/// Diag, once: through the session to a flash write (the first write, before the erase, is
/// refused: ordering).
pub fn tester(os: &Os) -> Exit {
    use ecu::diagnostics::Session;
    let denied = Err(ecu_os::Error::Access);
    expect(os, ecu::diagnostics::start_session(os, Session::Extended), Ok(0));
    expect(os, ecu::diagnostics::start_session(os, Session::Programming), Ok(0));
    expect(os, ecu::flash::write(os, 0x0800_0000, 64), denied);
    expect(os, ecu::flash::erase(os), Ok(0));
    expect(os, ecu::flash::write(os, 0x0800_0000, 64), Ok(64));
    expect(os, ecu::diagnostics::start_session(os, Session::Default), Ok(0));
    os.terminate_task()
}

/// Gateway, hostile: lights it may not touch, flash it has no rule for, too many DTC reads,
/// a forged handle.
pub fn intruder(os: &Os) -> Exit {
    let _ = ecu::lights::set(os, 100);
    let _ = ecu::flash::erase(os);
    for _ in 0..4 {
        // Within the rate the stored code comes back; past it, E_OS_ACCESS.
        let reply = ecu::diagnostics::read_dtc(os);
        let want = reply.and(Ok(0x00C1_2300));
        expect(os, reply, want);
    }
    let _ = os.ipc_call(9, 0, [0; 4]);
    // Its own Lights handle (1) with a fourth word Set does not have: malformed.
    let _ = os.ipc_call(1, ecu::lights::SET, [10, 0, 0, 7]);
    os.terminate_task()
}

/// Security (trusted): reads the audit ring.
pub fn auditor(os: &Os) -> Exit {
    while let Ok(Some(_record)) = os.audit_pop() {
        AUDITED.fetch_add(1, Ordering::Relaxed);
    }
    os.terminate_task()
}
