//! Scenario `task_schedule_errors`: Schedule and WaitEvent while the caller holds a resource are E_OS_RESOURCE; Schedule from a category 2 ISR is E_OS_CALLEVEL.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 pub fn ext(os: &Os) -> Exit {
     assert_eq!(os.get_resource(RES), Ok(()));
     assert_eq!(os.schedule(), Err(Error::Resource));
     assert_eq!(os.wait_event(EV), Err(Error::Resource));
     assert_eq!(os.release_resource(RES), Ok(()));
     os.busy_us(200).unwrap();
     os.terminate_task()
 }
 pub fn rx(os: &Os) { assert_eq!(os.schedule(), Err(Error::CallLevel)); }
