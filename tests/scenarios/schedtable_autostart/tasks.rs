//! Scenario `schedtable_autostart`: An autostarted (absolute) schedule table runs from StartOS without any task call; an expiry point may activate several tasks, which run by priority.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 pub fn task_a(os: &Os) -> Exit { os.terminate_task() }
 pub fn task_b(os: &Os) -> Exit { os.terminate_task() }
