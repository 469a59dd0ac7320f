//! Scenario `alarm_activation_limit`: A cyclic alarm whose task is still running when it expires again: the activation is refused with E_OS_LIMIT (reported to the error hook as ActivateTask), the alarm stays armed.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 pub fn slow(os: &Os) -> Exit { os.busy_us(1500).unwrap(); os.terminate_task() }
