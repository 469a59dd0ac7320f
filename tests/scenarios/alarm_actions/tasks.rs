//! Scenario `alarm_actions`: Alarm actions: a single-shot autostart alarm sets an event (releasing the waiting extended task); an alarm callback runs (its effect is seen by a task a tick later); GetAlarm and CancelAlarm on a cyclic alarm stop it.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 use core::sync::atomic::{AtomicBool, Ordering};
 static CALLED: AtomicBool = AtomicBool::new(false);
 pub fn callback() { CALLED.store(true, Ordering::Relaxed); }
 pub fn ext(os: &Os) -> Exit { assert_eq!(os.wait_event(EV), Ok(())); os.terminate_task() }
 pub fn poll(os: &Os) -> Exit {
     if CALLED.swap(false, Ordering::Relaxed) {
         assert_eq!(os.activate_task(SEEN), Ok(()));
     }
     assert_eq!(os.get_alarm(POLL_ALARM), Ok(2));
     assert_eq!(os.cancel_alarm(POLL_ALARM), Ok(()));
     os.terminate_task()
 }
 pub fn seen(os: &Os) -> Exit { os.terminate_task() }
