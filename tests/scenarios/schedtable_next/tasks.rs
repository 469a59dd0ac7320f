//! Scenario `schedtable_next`: NextScheduleTable: the next table is NEXT until the current one's round ends, then starts (its offsets count from there) while the first stops; from a table that is not running is E_OS_NOFUNC; to a table that is not stopped is E_OS_STATE.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 use ecu_os::ScheduleTableStatus;
 pub fn init(os: &Os) -> Exit {
     assert_eq!(os.start_schedule_table_rel(FIRST, 1), Ok(()));
     assert_eq!(os.next_schedule_table(FIRST, SECOND), Ok(()));
     assert_eq!(os.get_schedule_table_status(SECOND), Ok(ScheduleTableStatus::Next));
     assert_eq!(os.next_schedule_table(SECOND, FIRST), Err(Error::NoFunc));
     assert_eq!(os.next_schedule_table(FIRST, FIRST), Err(Error::State));
     os.terminate_task()
 }
 pub fn task_a(os: &Os) -> Exit { os.terminate_task() }
 pub fn task_b(os: &Os) -> Exit { os.terminate_task() }
 pub fn checker(os: &Os) -> Exit {
     assert_eq!(os.get_schedule_table_status(FIRST), Ok(ScheduleTableStatus::Stopped));
     assert_eq!(os.get_schedule_table_status(SECOND), Ok(ScheduleTableStatus::Running));
     os.terminate_task()
 }
