//! Scenario `protection_time_frame`: Time frame (inter-arrival) protection: a second activation within 2 ms of the first is refused and reported to the protection hook with E_OS_PROTECTION_ARRIVAL (PRO_IGNORE is allowed for arrivals: the activation is dropped); an activation 2.5 ms after the first is accepted.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 use ecu_os::{ProtectionInfo, ProtectionReaction};
 pub fn protection_hook(_info: &ProtectionInfo) -> ProtectionReaction {
     ProtectionReaction::Ignore
 }

 pub fn main_task(os: &Os) -> Exit {
     assert_eq!(os.activate_task(BURST), Ok(()));
     let _ = os.activate_task(BURST); // too soon: refused
     os.busy_us(2500).unwrap();
     assert_eq!(os.activate_task(BURST), Ok(()));
     os.terminate_task()
 }
 pub fn burst(os: &Os) -> Exit { os.terminate_task() }
