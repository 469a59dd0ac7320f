//! Scenario `schedtable_absolute_single_stop`: StartScheduleTableAbs: the first expiry point fires when the counter reads Start + its offset; a single-shot table stays RUNNING through its final delay and is STOPPED after; StopScheduleTable stops a repeating table; stopping a stopped table is E_OS_NOFUNC; Start above the counter maximum is E_OS_VALUE.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 use core::sync::atomic::{AtomicU32, Ordering};
 use ecu_os::ScheduleTableStatus;
 static CHECKS: AtomicU32 = AtomicU32::new(0);
 pub fn init(os: &Os) -> Exit {
     assert_eq!(os.start_schedule_table_abs(SINGLE, 2), Ok(()));
     assert_eq!(os.start_schedule_table_abs(REP, 70000), Err(Error::Value));
     assert_eq!(os.start_schedule_table_rel(REP, 2), Ok(()));
     os.terminate_task()
 }
 pub fn task_a(os: &Os) -> Exit { os.terminate_task() }
 pub fn task_b(os: &Os) -> Exit { os.terminate_task() }
 pub fn checker(os: &Os) -> Exit {
     if CHECKS.fetch_add(1, Ordering::Relaxed) == 0 {
         // Tick 5: Single is in its final delay (ends at 6).
         assert_eq!(os.get_schedule_table_status(SINGLE), Ok(ScheduleTableStatus::Running));
         assert_eq!(os.stop_schedule_table(REP), Ok(()));
         assert_eq!(os.get_schedule_table_status(REP), Ok(ScheduleTableStatus::Stopped));
     } else {
         assert_eq!(os.get_schedule_table_status(SINGLE), Ok(ScheduleTableStatus::Stopped));
         assert_eq!(os.stop_schedule_table(SINGLE), Err(Error::NoFunc));
         assert_eq!(os.cancel_alarm(CHECK_ALARM), Ok(()));
     }
     os.terminate_task()
 }
