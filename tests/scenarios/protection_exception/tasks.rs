//! Scenario `protection_exception`: A fault of a task's own code (here a Rust panic, the simulation's CPU exception) is a protection error E_OS_PROTECTION_EXCEPTION; PRO_TERMINATETASKISR kills the task and the system goes on; the simulation lists the contained fault after the trace.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 use ecu_os::{ProtectionInfo, ProtectionReaction};
 pub fn protection_hook(_info: &ProtectionInfo) -> ProtectionReaction { ProtectionReaction::TerminateTaskIsr }
 pub fn bad(_os: &Os) -> Exit { panic!("deliberate") }
 pub fn good(os: &Os) -> Exit { os.terminate_task() }
