//! Scenario `isr_errors`: Errors around ISRs: a service called with interrupts disabled is E_OS_DISABLEDINT; WaitEvent from a category 2 ISR is E_OS_CALLEVEL; an ISR returning with a resource held (E_OS_RESOURCE) or interrupts suspended (E_OS_DISABLEDINT) is reported and the kernel undoes it; GetISRID is INVALID_ISR in a task.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 pub fn main_task(os: &Os) -> Exit {
     assert_eq!(os.get_isr_id(), None);
     os.disable_all_interrupts();
     assert_eq!(os.activate_task(OTHER), Err(Error::DisabledInt));
     os.enable_all_interrupts();
     os.busy_us(500).unwrap();
     os.terminate_task()
 }
 pub fn other(os: &Os) -> Exit { os.terminate_task() }
 pub fn rx(os: &Os) {
     assert_eq!(os.wait_event(EV), Err(Error::CallLevel));
     assert_eq!(os.get_resource(RES), Ok(()));
 }
 pub fn rx_two(os: &Os) {
     os.suspend_all_interrupts();
 }
