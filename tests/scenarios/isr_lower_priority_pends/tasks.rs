//! Scenario `isr_lower_priority_pends`: An interrupt of lower priority than the running ISR pends until that ISR ends, then runs before the interrupted task resumes; tasks never block ISRs (a task of any priority is below every ISR).
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 pub fn top(os: &Os) -> Exit { os.busy_us(500).unwrap(); os.terminate_task() }
 pub fn isr_hi(os: &Os) { os.busy_us(200).unwrap(); }
 pub fn isr_lo(_os: &Os) {}
