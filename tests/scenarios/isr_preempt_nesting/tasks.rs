//! Scenario `isr_preempt_nesting`: Category 2 ISRs preempt the running task; a higher-priority ISR nests in a lower one; a task activated from an ISR is dispatched only when the last ISR ends (rescheduling at ISR end), preempting the interrupted task.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 pub fn worker(os: &Os) -> Exit { os.busy_us(3000).unwrap(); os.terminate_task() }
 pub fn job(os: &Os) -> Exit { os.terminate_task() }
 pub fn isr_lo(os: &Os) {
     assert_eq!(os.get_isr_id(), Some(ISR_LO));
     os.busy_us(300).unwrap();
     assert_eq!(os.activate_task(JOB), Ok(()));
 }
 pub fn isr_hi(os: &Os) {
     assert_eq!(os.get_isr_id(), Some(ISR_HI));
     os.busy_us(100).unwrap();
 }
