//! Scenario `app_terminate`: TerminateApplication (no restart) by a trusted application: the target's tasks are killed (a waiting one too) and its alarms cancelled; its objects are then out of reach (E_OS_ACCESS), its state is TERMINATED and terminating it again is E_OS_STATE.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 use ecu_os::ApplicationState;
 pub fn worker(os: &Os) -> Exit { let _ = os.wait_event(EV); os.terminate_task() }
 pub fn peer(os: &Os) -> Exit { os.terminate_task() }
 pub fn restart(os: &Os) -> Exit { os.terminate_task() }
 pub fn boss(os: &Os) -> Exit {
     assert_eq!(os.get_application_state(COMFORT), Ok(ApplicationState::Accessible));
     assert_eq!(os.terminate_application(COMFORT, false), Ok(()));
     assert_eq!(os.get_application_state(COMFORT), Ok(ApplicationState::Terminated));
     assert_eq!(os.activate_task(PEER), Err(Error::Access));
     assert_eq!(os.terminate_application(COMFORT, false), Err(Error::State));
     os.terminate_task()
 }
