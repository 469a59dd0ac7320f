//! Scenario `task_chain_limit`: ChainTask to a task already at its activation limit: E_OS_LIMIT reported. (The Rust API makes ChainTask the body's return value, so the caller ends either way; see README "API adaptations".)
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 pub fn init(os: &Os) -> Exit {
     assert_eq!(os.activate_task(WORKER), Ok(()));
     os.chain_task(WORKER)
 }
 pub fn worker(os: &Os) -> Exit { os.terminate_task() }
