//! Scenario `task_activate_limit`: ActivateTask past the activation limit (BCC2, limit 2): the third request is refused with E_OS_LIMIT; the two queued activations run one after the other.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 pub fn low(os: &Os) -> Exit {
     assert_eq!(os.activate_task(WORKER), Ok(()));
     assert_eq!(os.activate_task(WORKER), Ok(()));
     assert_eq!(os.activate_task(WORKER), Err(Error::Limit));
     os.terminate_task()
 }
 pub fn worker(os: &Os) -> Exit { os.terminate_task() }
