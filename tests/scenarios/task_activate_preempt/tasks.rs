//! Scenario `task_activate_preempt`: ActivateTask E_OK: a higher-priority task preempts the caller at once (full preemption); a lower-priority one only becomes ready and starts when the caller terminates.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 pub fn low(os: &Os) -> Exit {
     assert_eq!(os.activate_task(HIGH), Ok(()));
     assert_eq!(os.activate_task(BACK), Ok(()));
     os.terminate_task()
 }
 pub fn high(os: &Os) -> Exit { os.terminate_task() }
 pub fn back(os: &Os) -> Exit { os.terminate_task() }
