//! Scenario `hooks_error_pre_post_startup`: Hooks: the startup hook runs before the first task; PreTaskHook runs each time a task enters RUNNING and PostTaskHook each time it leaves it (preemption and termination); the error hook sees the failed service and its code. The tasks check the hooks' records (a failed check would show as a fault line).
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
 use ecu_os::{ErrorInfo, ServiceId, TaskId};
 static STARTED: AtomicBool = AtomicBool::new(false);
 static PRE: AtomicU32 = AtomicU32::new(0);
 static POST: AtomicU32 = AtomicU32::new(0);
 static LAST_PRE: AtomicU32 = AtomicU32::new(u32::MAX);
 static ERRORS: AtomicU32 = AtomicU32::new(0);
 pub fn startup_hook() { STARTED.store(true, Ordering::Relaxed); }
 pub fn error_hook(info: &ErrorInfo) {
     assert_eq!(info.service, ServiceId::ActivateTask);
     assert_eq!(info.error, Error::Id);
     ERRORS.fetch_add(1, Ordering::Relaxed);
 }
 pub fn pre_task_hook(task: TaskId) {
     PRE.fetch_add(1, Ordering::Relaxed);
     LAST_PRE.store(task.index() as u32, Ordering::Relaxed);
 }
 pub fn post_task_hook(_task: TaskId) { POST.fetch_add(1, Ordering::Relaxed); }
 fn counts() -> (u32, u32) { (PRE.load(Ordering::Relaxed), POST.load(Ordering::Relaxed)) }
 pub fn main_task(os: &Os) -> Exit {
     assert!(STARTED.load(Ordering::Relaxed));
     assert_eq!(counts(), (1, 0));
     assert_eq!(LAST_PRE.load(Ordering::Relaxed), MAIN.index() as u32);
     assert_eq!(os.activate_task(ecu_os::TaskId::new(200)), Err(Error::Id));
     assert_eq!(ERRORS.load(Ordering::Relaxed), 1);
     assert_eq!(os.activate_task(HIGH), Ok(()));
     // Main left RUNNING (post), High ran (pre, post), Main again (pre).
     assert_eq!(counts(), (3, 2));
     assert_eq!(LAST_PRE.load(Ordering::Relaxed), MAIN.index() as u32);
     os.terminate_task()
 }
 pub fn high(os: &Os) -> Exit {
     assert_eq!(counts(), (2, 1));
     assert_eq!(LAST_PRE.load(Ordering::Relaxed), HIGH.index() as u32);
     os.terminate_task()
 }
