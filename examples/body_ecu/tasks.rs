//! Task bodies of the BodyEcu example. Compiled as the `app` module of the image, beside the
//! generated tables (`crate::ecu`), so task ids are typed constants.

use core::sync::atomic::{AtomicU32, Ordering};

use ecu_os::{Exit, Os};

use crate::ecu;

static SPEED_SAMPLES: AtomicU32 = AtomicU32::new(0);
static LIGHT_CYCLES: AtomicU32 = AtomicU32::new(0);

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
/// out) and queues two log activations.
pub fn light_control(os: &Os) -> Exit {
    let cycle = LIGHT_CYCLES.fetch_add(1, Ordering::Relaxed);
    if cycle % 2 == 1 {
        // Refused with E_OS_LIMIT only if a sample is still pending, which it never is here.
        let _ = os.activate_task(ecu::SPEED_MONITOR);
    }
    let _ = os.activate_task(ecu::LOGGER);
    let _ = os.activate_task(ecu::LOGGER);
    os.terminate_task()
}

pub fn logger(os: &Os) -> Exit {
    os.terminate_task()
}
