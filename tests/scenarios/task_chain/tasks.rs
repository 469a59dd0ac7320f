//! Scenario `task_chain`: ChainTask: the caller terminates and the successor is activated after it, so an already-ready task of the same priority runs first (FIFO); chaining oneself is allowed and gives a fresh activation (no E_OS_LIMIT).
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 use core::sync::atomic::{AtomicU32, Ordering};
 static ROUNDS: AtomicU32 = AtomicU32::new(0);
 pub fn init(os: &Os) -> Exit {
     assert_eq!(os.activate_task(FIRST), Ok(()));
     os.chain_task(CHAINED)
 }
 pub fn first(os: &Os) -> Exit { os.terminate_task() }
 pub fn chained(os: &Os) -> Exit {
     if ROUNDS.fetch_add(1, Ordering::Relaxed) == 0 {
         return os.chain_task(CHAINED);
     }
     os.terminate_task()
 }
