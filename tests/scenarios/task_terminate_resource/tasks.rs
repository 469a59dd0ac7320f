//! Scenario `task_terminate_resource`: TerminateTask while still holding a resource: E_OS_RESOURCE is reported, the kernel frees the resource (AUTOSAR) and the task ends.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 pub fn holder(os: &Os) -> Exit {
     assert_eq!(os.get_resource(RES), Ok(()));
     os.terminate_task()
 }
