//! Scenario `hooks_shutdown`: ShutdownOS from a trusted task: the shutdown hook is called with the given error and the system stops (no later tick or task). The hook prints a line, which the image prints before its trace.
#![allow(unused_imports, dead_code)]

use ecu_os::{Error, Exit, Os};

use crate::ecu::*;

 pub fn shutdown_hook(error: Option<Error>) {
     println!("hook: shutdown {}", error.map_or("E_OK", |e| e.name()));
 }
 pub fn main_task(os: &Os) -> Exit {
     os.shutdown_os(Some(Error::Value));
     os.terminate_task()
 }
 pub fn never(os: &Os) -> Exit { os.terminate_task() }
