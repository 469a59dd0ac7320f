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

pub fn lights_server(_op: u16, args: [u32; 4]) -> u32 {
    LIGHT_LEVEL.store(args[0], Ordering::Relaxed);
    args[0]
}

pub fn diagnostics_server(op: u16, _args: [u32; 4]) -> u32 {
    // ReadDtc: one stored trouble code.
    if op == ecu::diagnostics::READ_DTC {
        0x00C1_2300
    } else {
        0
    }
}

pub fn flash_server(op: u16, args: [u32; 4]) -> u32 {
    if op == ecu::flash::WRITE {
        FLASHED.fetch_add(args[1], Ordering::Relaxed);
        args[1]
    } else {
        0
    }
}

// ---- clients ----

/// Powertrain, every 10 ms: sets the lights and publishes speed and mode.
pub fn drive(os: &Os) -> Exit {
    let n = DRIVES.fetch_add(1, Ordering::Relaxed);
    let _ = ecu::lights::set(os, (n * 10 % 120) as u8); // above 100: denied by the policy
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
    let _ = ecu::diagnostics::start_session(os, Session::Extended);
    let _ = ecu::diagnostics::start_session(os, Session::Programming);
    let _ = ecu::flash::write(os, 0x0800_0000, 64);
    let _ = ecu::flash::erase(os);
    let _ = ecu::flash::write(os, 0x0800_0000, 64);
    let _ = ecu::diagnostics::start_session(os, Session::Default);
    os.terminate_task()
}

/// Gateway, hostile: lights it may not touch, flash it has no rule for, too many DTC reads,
/// a forged handle.
pub fn intruder(os: &Os) -> Exit {
    let _ = ecu::lights::set(os, 100);
    let _ = ecu::flash::erase(os);
    for _ in 0..4 {
        let _ = ecu::diagnostics::read_dtc(os);
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
