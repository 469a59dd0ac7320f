//! Scenario `task_activate_id`: ActivateTask with an invalid task id (a forged TaskId 200): E_OS_ID (extended status), reported to the error hook with no valid object.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 pub fn low(os: &Os) -> Exit {
     assert_eq!(os.activate_task(ecu_os::TaskId::new(200)), Err(Error::Id));
     os.terminate_task()
 }
