//! Scenario `protection_lock_budget`: Resource lock budget: holding Res past its 200 us lock budget calls the protection hook with E_OS_PROTECTION_LOCKED; PRO_TERMINATETASKISR kills the task and the kernel frees the resource, so the higher-priority task sharing it can take it.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 use ecu_os::{ProtectionInfo, ProtectionReaction};
 pub fn protection_hook(_info: &ProtectionInfo) -> ProtectionReaction {
     ProtectionReaction::TerminateTaskIsr
 }

 pub fn locker(os: &Os) -> Exit {
     assert_eq!(os.get_resource(RES), Ok(()));
     assert_eq!(os.activate_task(OTHER), Ok(()));
     os.busy_us(500).unwrap();
     let _ = os.release_resource(RES);
     os.terminate_task()
 }
 pub fn other(os: &Os) -> Exit { assert_eq!(os.with_resource(RES, || ()), Ok(())); os.terminate_task() }
