//! Scenario `event_release_fifo`: Tasks released from waiting become ready in the order of release, last in their priority queue: W2 (released first) runs before W1.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 pub fn w1(os: &Os) -> Exit { assert_eq!(os.wait_event(EV), Ok(())); os.terminate_task() }
 pub fn w2(os: &Os) -> Exit { assert_eq!(os.wait_event(EV), Ok(())); os.terminate_task() }
 pub fn kick(os: &Os) -> Exit { assert_eq!(os.activate_task(SETTER), Ok(())); os.terminate_task() }
 pub fn setter(os: &Os) -> Exit {
     assert_eq!(os.set_event(W2, EV), Ok(()));
     assert_eq!(os.set_event(W1, EV), Ok(()));
     os.terminate_task()
 }
