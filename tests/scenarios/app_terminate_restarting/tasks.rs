//! Scenario `app_terminate_restarting`: TerminateApplication on an application that is RESTARTING, from another (trusted) application: E_OS_STATE; the restart goes on and the restart task completes.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 use ecu_os::ApplicationState;
 pub fn worker(os: &Os) -> Exit {
     let _ = os.terminate_application(COMFORT, true);
     unreachable!("TerminateApplication of the caller's own application does not return")
 }
 pub fn restart(os: &Os) -> Exit {
     assert_eq!(os.activate_task(BOSS), Ok(()));
     assert_eq!(os.allow_access(), Ok(()));
     os.terminate_task()
 }
 pub fn boss(os: &Os) -> Exit {
     assert_eq!(os.get_application_state(COMFORT), Ok(ApplicationState::Restarting));
     assert_eq!(os.terminate_application(COMFORT, false), Err(Error::State));
     os.terminate_task()
 }
