//! Scenario `event_errors`: Event services on the wrong task: SetEvent/GetEvent on a basic task and ClearEvent/WaitEvent from a basic task give E_OS_ACCESS; SetEvent/GetEvent on a suspended extended task give E_OS_STATE.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 pub fn caller(os: &Os) -> Exit {
     assert_eq!(os.set_event(BASIC, EV), Err(Error::Access));
     assert_eq!(os.get_event(BASIC), Err(Error::Access));
     assert_eq!(os.set_event(EXT, EV), Err(Error::State));
     assert_eq!(os.get_event(EXT), Err(Error::State));
     assert_eq!(os.clear_event(EV), Err(Error::Access));
     assert_eq!(os.wait_event(EV), Err(Error::Access));
     os.terminate_task()
 }
 pub fn basic(os: &Os) -> Exit { os.terminate_task() }
 pub fn ext(os: &Os) -> Exit { os.terminate_task() }
