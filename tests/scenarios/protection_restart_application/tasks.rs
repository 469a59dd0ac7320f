//! Scenario `protection_restart_application`: Protection reaction PRO_TERMINATEAPPL_RESTART: a non-trusted application's task overruns its budget; the whole application is terminated (its other ready task is killed too) and its restart task runs, while the trusted application's task is untouched.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 use ecu_os::{ProtectionInfo, ProtectionReaction};
 pub fn protection_hook(_info: &ProtectionInfo) -> ProtectionReaction {
     ProtectionReaction::TerminateApplicationRestart
 }

 pub fn hog(os: &Os) -> Exit { os.busy_us(500).unwrap(); os.terminate_task() }
 pub fn mate(os: &Os) -> Exit { os.terminate_task() }
 pub fn safe(os: &Os) -> Exit { os.terminate_task() }
 pub fn restart(os: &Os) -> Exit { assert_eq!(os.allow_access(), Ok(())); os.terminate_task() }
