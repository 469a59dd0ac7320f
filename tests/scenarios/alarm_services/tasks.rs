//! Scenario `alarm_services`: SetRelAlarm/SetAbsAlarm/CancelAlarm/GetAlarm: GetAlarm gives the ticks left; setting an armed alarm is E_OS_STATE; cancelling or reading one that is not armed is E_OS_NOFUNC; increment 0, a cycle above the maximum and an absolute start above the maximum are E_OS_VALUE; a single-shot relative alarm expires once, a cyclic absolute one every cycle.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 pub fn main_task(os: &Os) -> Exit {
     assert_eq!(os.set_rel_alarm(ONCE, 5, 0), Ok(()));
     assert_eq!(os.get_alarm(ONCE), Ok(5));
     assert_eq!(os.set_rel_alarm(ONCE, 3, 0), Err(Error::State));
     assert_eq!(os.cancel_alarm(ONCE), Ok(()));
     assert_eq!(os.cancel_alarm(ONCE), Err(Error::NoFunc));
     assert_eq!(os.get_alarm(ONCE), Err(Error::NoFunc));
     assert_eq!(os.set_rel_alarm(ONCE, 0, 0), Err(Error::Value));
     assert_eq!(os.set_rel_alarm(ONCE, 1, 70000), Err(Error::Value));
     assert_eq!(os.set_abs_alarm(EVERY, 70000, 0), Err(Error::Value));
     assert_eq!(os.set_rel_alarm(ONCE, 2, 0), Ok(()));
     assert_eq!(os.set_abs_alarm(EVERY, 3, 2), Ok(()));
     os.terminate_task()
 }
 pub fn job(os: &Os) -> Exit { os.terminate_task() }
 pub fn cyclic(os: &Os) -> Exit { os.terminate_task() }
