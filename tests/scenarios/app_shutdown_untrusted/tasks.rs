//! Scenario `app_shutdown_untrusted`: ShutdownOS called from a task of a non-trusted OS-Application is ignored: the system goes on (the next task runs) until a trusted task shuts it down.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 pub fn untrusted(os: &Os) -> Exit { os.shutdown_os(Some(Error::Value)); os.terminate_task() }
 pub fn trusted(os: &Os) -> Exit { os.shutdown_os(None); os.terminate_task() }
 pub fn restart(os: &Os) -> Exit { os.terminate_task() }
