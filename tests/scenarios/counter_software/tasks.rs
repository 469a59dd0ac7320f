//! Scenario `counter_software`: IncrementCounter on a software counter advances it and expires its alarm (which activates Job); IncrementCounter on the hardware (tick) counter is E_OS_ID; GetCounterValue; GetElapsedValue across the counter's wrap, and E_OS_VALUE for a previous value above its maximum.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 pub fn main_task(os: &Os) -> Exit {
     assert_eq!(os.increment_counter(SYS_TICK), Err(Error::Id));
     assert_eq!(os.get_counter_value(SOFT), Ok(0));
     assert_eq!(os.set_rel_alarm(SOFT_ALARM, 2, 0), Ok(()));
     assert_eq!(os.increment_counter(SOFT), Ok(()));
     assert_eq!(os.increment_counter(SOFT), Ok(())); // SoftAlarm expires: Job preempts
     assert_eq!(os.get_counter_value(SOFT), Ok(2));
     for _ in 0..4 {
         os.increment_counter(SOFT).unwrap();
     }
     let previous = os.get_counter_value(SOFT).unwrap();
     assert_eq!(previous, 6);
     os.increment_counter(SOFT).unwrap();
     os.increment_counter(SOFT).unwrap(); // 7 -> 0: the counter wraps
     let elapsed = os.get_elapsed_value(SOFT, previous).unwrap();
     assert_eq!((elapsed.value, elapsed.elapsed), (0, 2));
     assert_eq!(os.get_elapsed_value(SOFT, 8), Err(Error::Value));
     os.terminate_task()
 }
 pub fn job(os: &Os) -> Exit { os.terminate_task() }
