//! Scenario `isr_masking`: Interrupts arriving while masked by DisableAllInterrupts, (nested) SuspendAllInterrupts and SuspendOSInterrupts pend and run when unmasked (the innermost Resume of a nest does not unmask); the highest pending ISR goes first; a second request while one pends is lost and reported (isr-lost).
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 pub fn main_task(os: &Os) -> Exit {
     os.disable_all_interrupts();
     os.busy_us(300).unwrap(); // Rx at 100, Lost at 150 and 250 pend
     os.enable_all_interrupts();
     os.suspend_all_interrupts();
     os.suspend_all_interrupts();
     os.busy_us(400).unwrap(); // Rx at 600 pends
     os.resume_all_interrupts(); // still suspended once
     os.busy_us(100).unwrap();
     os.resume_all_interrupts(); // Rx runs
     os.suspend_os_interrupts();
     os.busy_us(400).unwrap(); // tick at 1000; Rx at 1100 pends
     os.resume_os_interrupts(); // Rx runs
     os.terminate_task()
 }
 pub fn rx(_os: &Os) {}
 pub fn lost(_os: &Os) {}
