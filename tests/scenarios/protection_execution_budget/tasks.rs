//! Scenario `protection_execution_budget`: Execution budget: a task running past its budget (300 us of a 500 us computation) makes the kernel call the protection hook with E_OS_PROTECTION_TIME at the moment it runs out; the reaction PRO_TERMINATETASKISR kills it and the next task runs.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 use ecu_os::{ProtectionInfo, ProtectionReaction};
 pub fn protection_hook(_info: &ProtectionInfo) -> ProtectionReaction {
     ProtectionReaction::TerminateTaskIsr
 }

 pub fn hog(os: &Os) -> Exit { os.busy_us(500).unwrap(); os.terminate_task() }
 pub fn next(os: &Os) -> Exit { os.terminate_task() }
