//! Scenario `resource_shared_with_isr`: A resource shared with a category 2 ISR masks that ISR while a task holds it: the interrupt pends and its ISR runs right at ReleaseResource.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 pub fn holder(os: &Os) -> Exit {
     assert_eq!(os.get_resource(RES), Ok(()));
     os.busy_us(700).unwrap();
     assert_eq!(os.release_resource(RES), Ok(()));
     os.terminate_task()
 }
 pub fn rx(os: &Os) {
     assert_eq!(os.get_resource(RES), Ok(()));
     assert_eq!(os.release_resource(RES), Ok(()));
 }
