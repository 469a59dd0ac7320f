//! Scenario `schedtable_relative_repeating`: StartScheduleTableRel: the first round starts Offset ticks from now, expiry points fire at their offsets, a repeating table starts its next round at the end of its duration; starting a running table is E_OS_STATE; offset 0 is E_OS_VALUE.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 use ecu_os::ScheduleTableStatus;
 pub fn init(os: &Os) -> Exit {
     assert_eq!(os.get_schedule_table_status(TAB), Ok(ScheduleTableStatus::Stopped));
     assert_eq!(os.start_schedule_table_rel(TAB, 1), Ok(()));
     assert_eq!(os.get_schedule_table_status(TAB), Ok(ScheduleTableStatus::Running));
     assert_eq!(os.start_schedule_table_rel(TAB, 1), Err(Error::State));
     assert_eq!(os.stop_schedule_table(TAB), Ok(()));
     assert_eq!(os.start_schedule_table_rel(TAB, 0), Err(Error::Value));
     assert_eq!(os.start_schedule_table_rel(TAB, 1), Ok(()));
     os.terminate_task()
 }
 pub fn task_a(os: &Os) -> Exit { os.terminate_task() }
 pub fn task_b(os: &Os) -> Exit { os.terminate_task() }
