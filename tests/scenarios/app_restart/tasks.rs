//! Scenario `app_restart`: A non-trusted application may not terminate another one (E_OS_ACCESS); terminating itself with restart kills the caller and activates its restart task; while RESTARTING its objects are out of reach for others (E_OS_ACCESS) until the restart task calls AllowAccess; AllowAccess when not restarting is E_OS_STATE.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 use ecu_os::ApplicationState;
 pub fn worker(os: &Os) -> Exit {
     assert_eq!(os.terminate_application(SYS, false), Err(Error::Access));
     let _ = os.terminate_application(COMFORT, true);
     unreachable!("TerminateApplication of the caller's own application does not return")
 }
 pub fn peer(os: &Os) -> Exit { os.terminate_task() }
 pub fn restart(os: &Os) -> Exit {
     assert_eq!(os.get_application_state(COMFORT), Ok(ApplicationState::Restarting));
     assert_eq!(os.activate_task(BOSS), Ok(()));
     assert_eq!(os.allow_access(), Ok(()));
     assert_eq!(os.get_application_state(COMFORT), Ok(ApplicationState::Accessible));
     assert_eq!(os.allow_access(), Err(Error::State));
     assert_eq!(os.activate_task(PEER), Ok(()));
     os.terminate_task()
 }
 pub fn boss(os: &Os) -> Exit {
     assert_eq!(os.activate_task(PEER), Err(Error::Access));
     os.terminate_task()
 }
