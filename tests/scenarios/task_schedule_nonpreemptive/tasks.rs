//! Scenario `task_schedule_nonpreemptive`: A non-preemptive task is not preempted by the higher-priority tasks it activates; Schedule() is its rescheduling point, where they run by priority before it resumes.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 pub fn non_pre(os: &Os) -> Exit {
     assert_eq!(os.activate_task(HIGH), Ok(()));
     assert_eq!(os.activate_task(MID), Ok(()));
     assert_eq!(os.schedule(), Ok(()));
     os.terminate_task()
 }
 pub fn high(os: &Os) -> Exit { os.terminate_task() }
 pub fn mid(os: &Os) -> Exit { os.terminate_task() }
