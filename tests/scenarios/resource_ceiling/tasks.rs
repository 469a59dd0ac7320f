//! Scenario `resource_ceiling`: Immediate priority ceiling: while Low holds Res (ceiling 5) neither High (5, shares Res) nor Mid (3) preempts it, Top (7) does; at ReleaseResource the waiting higher tasks run at once, by priority.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 pub fn low(os: &Os) -> Exit {
     assert_eq!(os.get_resource(RES), Ok(()));
     assert_eq!(os.activate_task(TOP), Ok(()));
     assert_eq!(os.activate_task(MID), Ok(()));
     assert_eq!(os.activate_task(HIGH), Ok(()));
     assert_eq!(os.release_resource(RES), Ok(()));
     os.terminate_task()
 }
 pub fn mid(os: &Os) -> Exit { os.terminate_task() }
 pub fn high(os: &Os) -> Exit { assert_eq!(os.with_resource(RES, || ()), Ok(())); os.terminate_task() }
 pub fn top(os: &Os) -> Exit { os.terminate_task() }
