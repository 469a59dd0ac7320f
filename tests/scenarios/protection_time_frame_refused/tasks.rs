//! Scenario `protection_time_frame_refused`: Only a successful activation starts a time frame: an activation refused with E_OS_LIMIT at 2.5 ms does not, so an activation at 4 ms (4 ms after the last successful one at 0, frame 2 ms) is accepted.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 use ecu_os::{ProtectionInfo, ProtectionReaction};
 pub fn protection_hook(_info: &ProtectionInfo) -> ProtectionReaction { ProtectionReaction::Ignore }
 pub fn main_task(os: &Os) -> Exit {
     assert_eq!(os.activate_task(BURST), Ok(()));
     os.busy_us(2500).unwrap();
     assert_eq!(os.activate_task(BURST), Err(Error::Limit));
     os.busy_us(400).unwrap();
     os.terminate_task()
 }
 pub fn burst(os: &Os) -> Exit { os.terminate_task() }
