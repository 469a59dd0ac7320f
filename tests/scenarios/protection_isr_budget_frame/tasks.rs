//! Scenario `protection_isr_budget_frame`: Timing protection of a category 2 ISR: an interrupt within its time frame (1 ms) is refused with E_OS_PROTECTION_ARRIVAL (hook: PRO_IGNORE); an ISR running past its 100 us execution budget gets E_OS_PROTECTION_TIME and is killed (hook: PRO_TERMINATETASKISR), the interrupted task goes on.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 use core::sync::atomic::{AtomicU32, Ordering};
 use ecu_os::{ProtectionInfo, ProtectionReaction};
 static RUNS: AtomicU32 = AtomicU32::new(0);
 pub fn protection_hook(info: &ProtectionInfo) -> ProtectionReaction {
     if info.error == Error::ProtectionArrival {
         ProtectionReaction::Ignore
     } else {
         ProtectionReaction::TerminateTaskIsr
     }
 }
 pub fn main_task(os: &Os) -> Exit { os.busy_us(2000).unwrap(); os.terminate_task() }
 pub fn rx(os: &Os) {
     let us = if RUNS.fetch_add(1, Ordering::Relaxed) == 0 { 50 } else { 200 };
     os.busy_us(us).unwrap();
 }
