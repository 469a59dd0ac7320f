//! Scenario `protection_no_hook_shutdown`: A protection error without a protection hook shuts the OS down (ShutdownOS with the protection error); nothing runs afterwards.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 pub fn hog(os: &Os) -> Exit { os.busy_us(500).unwrap(); os.terminate_task() }
 pub fn next(os: &Os) -> Exit { os.terminate_task() }
