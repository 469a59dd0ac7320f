//! Scenario `app_access_ownership`: GetApplicationID in tasks of two OS-Applications; CheckObjectOwnership; CheckObjectAccess (granted by accessing_applications, or not); ActivateTask of another application's task without the right is E_OS_ACCESS.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 use ecu_os::ObjectKind;
 pub fn main_sys(os: &Os) -> Exit {
     assert_eq!(os.get_application_id(), Some(SYS));
     assert_eq!(os.check_object_ownership(ObjectKind::Task, SHARED.index() as u8), Ok(COMFORT));
     assert_eq!(os.check_object_ownership(ObjectKind::Task, PRIVATE.index() as u8), Ok(SYS));
     assert_eq!(os.check_object_access(SYS, ObjectKind::Task, SHARED.index() as u8), Ok(true));
     assert_eq!(os.check_object_access(COMFORT, ObjectKind::Task, PRIVATE.index() as u8), Ok(false));
     assert_eq!(os.check_object_access(COMFORT, ObjectKind::Task, SHARED.index() as u8), Ok(true));
     assert_eq!(os.activate_task(SHARED), Ok(()));
     os.terminate_task()
 }
 pub fn private(os: &Os) -> Exit { os.terminate_task() }
 pub fn shared(os: &Os) -> Exit {
     assert_eq!(os.get_application_id(), Some(COMFORT));
     assert_eq!(os.activate_task(PRIVATE), Err(Error::Access));
     os.terminate_task()
 }
 pub fn restart(os: &Os) -> Exit { os.terminate_task() }
