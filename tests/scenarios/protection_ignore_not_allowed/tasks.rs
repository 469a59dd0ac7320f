//! Scenario `protection_ignore_not_allowed`: The protection hook answering PRO_IGNORE to an execution-budget violation (it is allowed only for E_OS_PROTECTION_ARRIVAL): the OS shuts down.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 use ecu_os::{ProtectionInfo, ProtectionReaction};
 pub fn protection_hook(_info: &ProtectionInfo) -> ProtectionReaction {
     ProtectionReaction::Ignore
 }

 pub fn hog(os: &Os) -> Exit { os.busy_us(500).unwrap(); os.terminate_task() }
