//! Scenario `resource_nesting_errors`: Nested resources are released LIFO; releasing out of order or one not held gives E_OS_NOFUNC; taking one already held or not granted gives E_OS_ACCESS; an invalid id gives E_OS_ID.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 pub fn user(os: &Os) -> Exit {
     assert_eq!(os.get_resource(RES_A), Ok(()));
     assert_eq!(os.get_resource(RES_B), Ok(()));
     assert_eq!(os.release_resource(RES_A), Err(Error::NoFunc));
     assert_eq!(os.release_resource(RES_B), Ok(()));
     assert_eq!(os.release_resource(RES_A), Ok(()));
     assert_eq!(os.release_resource(RES_A), Err(Error::NoFunc));
     assert_eq!(os.get_resource(RES_C), Err(Error::Access));
     assert_eq!(os.get_resource(RES_A), Ok(()));
     assert_eq!(os.get_resource(RES_A), Err(Error::Access));
     assert_eq!(os.release_resource(RES_A), Ok(()));
     assert_eq!(os.get_resource(ecu_os::ResourceId::new(200)), Err(Error::Id));
     os.terminate_task()
 }
 pub fn other(os: &Os) -> Exit { os.terminate_task() }
