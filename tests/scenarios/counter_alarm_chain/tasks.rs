//! Scenario `counter_alarm_chain`: An alarm whose action increments a counter: a cyclic alarm on the tick counter drives the software counter Soft, whose cyclic alarm activates Job every third tick.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 pub fn job(os: &Os) -> Exit { os.terminate_task() }
