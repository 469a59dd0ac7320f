//! Task bodies of the BodyEcu example. Compiled as the `app` module of the image, beside the
//! generated tables (`crate::ecu`), so task, event and resource ids are typed constants.

use core::sync::atomic::{AtomicU32, Ordering};

use ecu_os::{Exit, Os};

use crate::ecu;

static SPEED_SAMPLES: AtomicU32 = AtomicU32::new(0);
static LIGHT_CYCLES: AtomicU32 = AtomicU32::new(0);
/// Written under LightState by LightControl, read under it by Logger.
static LIGHT_LEVEL: AtomicU32 = AtomicU32::new(0);
static LOGGED_LEVEL: AtomicU32 = AtomicU32::new(0);

/// Autostart: hands over to the logger once (ChainTask).
pub fn init(os: &Os) -> Exit {
    os.chain_task(ecu::LOGGER)
}

/// Cyclic, highest priority: preempts whatever runs.
pub fn speed_monitor(os: &Os) -> Exit {
    SPEED_SAMPLES.fetch_add(1, Ordering::Relaxed);
    os.terminate_task()
}

/// Cyclic: every other cycle it asks for a fresh speed sample at once (preempting itself
/// out), updates the light level under LightState and queues two log activations.
pub fn light_control(os: &Os) -> Exit {
    let cycle = LIGHT_CYCLES.fetch_add(1, Ordering::Relaxed);
    if cycle % 2 == 1 {
        // Refused with E_OS_LIMIT only if a sample is still pending, which it never is here.
        let _ = os.activate_task(ecu::SPEED_MONITOR);
    }
    let _ = os.with_resource(ecu::LIGHT_STATE, || {
        LIGHT_LEVEL.store(cycle % 4 * 25, Ordering::Relaxed);
    });
    let _ = os.activate_task(ecu::LOGGER);
    let _ = os.activate_task(ecu::LOGGER);
    os.terminate_task()
}

pub fn logger(os: &Os) -> Exit {
    let _ = os.with_resource(ecu::LIGHT_STATE, || {
        LOGGED_LEVEL.store(LIGHT_LEVEL.load(Ordering::Relaxed), Ordering::Relaxed);
    });
    os.terminate_task()
}

/// Extended task: sleeps until the door opens, then asks for a light update. It never ends.
pub fn door_watch(os: &Os) -> Exit {
    loop {
        if os.wait_event(ecu::DOOR_OPENED).is_err() {
            return os.terminate_task();
        }
        let _ = os.clear_event(ecu::DOOR_OPENED);
        let _ = os.activate_task(ecu::LIGHT_CONTROL);
    }
}
