//! Scenario `resource_scheduler`: RES_SCHEDULER: a task holding it is not preempted by any task (its ceiling is the highest task priority) until it releases it.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 pub fn low(os: &Os) -> Exit {
     assert_eq!(os.get_resource(RES_SCHEDULER), Ok(()));
     assert_eq!(os.activate_task(HIGH), Ok(()));
     assert_eq!(os.release_resource(RES_SCHEDULER), Ok(()));
     os.terminate_task()
 }
 pub fn high(os: &Os) -> Exit { os.terminate_task() }
