//! Scenario `event_set_wait_clear_get`: SetEvent releases a waiting extended task only for an awaited event; GetEvent reports the set events; ClearEvent clears them; WaitEvent returns at once when an awaited event is already set.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 pub fn ext(os: &Os) -> Exit {
     assert_eq!(os.get_event(EXT), Ok(0));
     assert_eq!(os.wait_event(EV_A), Ok(()));
     assert_eq!(os.get_event(EXT), Ok(EV_A | EV_B));
     assert_eq!(os.clear_event(EV_A), Ok(()));
     assert_eq!(os.get_event(EXT), Ok(EV_B));
     // EvB is set already: no wait.
     assert_eq!(os.wait_event(EV_B), Ok(()));
     os.terminate_task()
 }
 pub fn setter(os: &Os) -> Exit {
     // EvB is not awaited: Ext stays waiting.
     assert_eq!(os.set_event(EXT, EV_B), Ok(()));
     assert_eq!(os.get_event(EXT), Ok(EV_B));
     assert_eq!(os.set_event(EXT, EV_A), Ok(()));
     os.terminate_task()
 }
