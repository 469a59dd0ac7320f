//! Scenario `task_id_and_states`: GetTaskID names the running task; GetTaskState reports RUNNING, SUSPENDED, WAITING and READY.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 use ecu_os::TaskState;
 pub fn main_task(os: &Os) -> Exit {
     assert_eq!(os.get_task_id(), Some(MAIN));
     assert_eq!(os.get_task_state(MAIN), Ok(TaskState::Running));
     assert_eq!(os.get_task_state(IDLE), Ok(TaskState::Suspended));
     assert_eq!(os.activate_task(WAITER), Ok(()));
     assert_eq!(os.get_task_state(WAITER), Ok(TaskState::Waiting));
     assert_eq!(os.activate_task(LOW), Ok(()));
     assert_eq!(os.get_task_state(LOW), Ok(TaskState::Ready));
     assert_eq!(os.set_event(WAITER, GO), Ok(()));
     assert_eq!(os.get_task_state(WAITER), Ok(TaskState::Suspended));
     os.terminate_task()
 }
 pub fn waiter(os: &Os) -> Exit {
     assert_eq!(os.get_task_id(), Some(WAITER));
     assert_eq!(os.wait_event(GO), Ok(()));
     os.terminate_task()
 }
 pub fn low(os: &Os) -> Exit {
     assert_eq!(os.get_task_id(), Some(LOW));
     os.terminate_task()
 }
 pub fn idle(os: &Os) -> Exit { os.terminate_task() }
