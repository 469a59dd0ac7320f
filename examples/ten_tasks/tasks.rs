//! Task bodies of the TenTasks benchmark: each takes its share of simulated CPU time.

use ecu_os::{Error, Exit, Os, ProtectionInfo, ProtectionReaction};

use crate::ecu;

pub fn protection(info: &ProtectionInfo) -> ProtectionReaction {
    match info.error {
        Error::ProtectionArrival => ProtectionReaction::Ignore,
        _ => ProtectionReaction::TerminateTaskIsr,
    }
}

pub fn cam_edge(os: &Os) {
    let _ = os.busy_us(10);
    let _ = os.activate_task(ecu::CRANK);
}

pub fn crank(os: &Os) -> Exit {
    let _ = os.with_resource(ecu::SENSORS, || os.busy_us(12));
    let _ = os.busy_us(38);
    os.terminate_task()
}

pub fn injection(os: &Os) -> Exit {
    let _ = os.with_resource(ecu::ACTUATORS, || os.busy_us(30));
    let _ = os.busy_us(90);
    os.terminate_task()
}

pub fn ignition(os: &Os) -> Exit {
    let _ = os.with_resource(ecu::SENSORS, || os.busy_us(25));
    let _ = os.busy_us(75);
    os.terminate_task()
}

pub fn knock(os: &Os) -> Exit {
    let _ = os.with_resource(ecu::ACTUATORS, || os.busy_us(37));
    let _ = os.busy_us(113);
    os.terminate_task()
}

pub fn lambda(os: &Os) -> Exit {
    let _ = os.with_resource(ecu::SENSORS, || os.busy_us(50));
    let _ = os.busy_us(150);
    os.terminate_task()
}

pub fn throttle(os: &Os) -> Exit {
    let _ = os.with_resource(ecu::ACTUATORS, || os.busy_us(62));
    let _ = os.busy_us(188);
    os.terminate_task()
}

pub fn cooling(os: &Os) -> Exit {
    let _ = os.with_resource(ecu::SENSORS, || os.busy_us(75));
    let _ = os.busy_us(225);
    os.terminate_task()
}

pub fn diag(os: &Os) -> Exit {
    let _ = os.with_resource(ecu::ACTUATORS, || os.busy_us(100));
    let _ = os.busy_us(300);
    os.terminate_task()
}

pub fn logger(os: &Os) -> Exit {
    let _ = os.with_resource(ecu::SENSORS, || os.busy_us(125));
    let _ = os.busy_us(375);
    os.terminate_task()
}

pub fn housekeeping(os: &Os) -> Exit {
    let _ = os.with_resource(ecu::ACTUATORS, || os.busy_us(200));
    let _ = os.busy_us(600);
    os.terminate_task()
}
