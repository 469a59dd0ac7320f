//! Scenario `event_cleared_on_activation`: An extended task's events are cleared when it is activated again: an event set during the previous activation does not satisfy the next WaitEvent.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 use core::sync::atomic::{AtomicU32, Ordering};
 static RUNS: AtomicU32 = AtomicU32::new(0);
 pub fn ext(os: &Os) -> Exit {
     if RUNS.fetch_add(1, Ordering::Relaxed) == 0 {
         // Ends with Ev still set.
         assert_eq!(os.wait_event(EV), Ok(()));
         return os.terminate_task();
     }
     assert_eq!(os.get_event(EXT), Ok(0));
     assert_eq!(os.wait_event(EV), Ok(()));
     os.terminate_task()
 }
 pub fn main_task(os: &Os) -> Exit {
     assert_eq!(os.set_event(EXT, EV), Ok(()));
     assert_eq!(os.activate_task(EXT), Ok(()));
     os.terminate_task()
 }
