//! CAN through the Cortex-R port on both QEMU boards (tests/fixtures/can_loopback): the board's
//! loopback controller brings every frame sent on a bus back as a reception there, so the
//! whole path runs on the CPU, with partitions in User mode under the MPU:
//! - the transmit check in the kernel;
//! - the port handing the frame to the controller;
//! - the controller's reception;
//! - the delivery to the partitions the permission table grants it;
//! - the gateway's route to the other bus, under the translated id.

use std::path::PathBuf;

use ecu_configurator::image::Target;
use ecu_tests::{repo_root, run, squeezed_output};

fn check(target: Target) {
    let path: PathBuf = repo_root().join("tests/fixtures/can_loopback/ecu.toml");
    let ecu = ecu_configurator::load(&[path]).unwrap_or_else(|d| panic!("{d}"));
    let output = run(&ecu, target, 10, 0);
    assert_eq!(output.exit_code, Some(0), "{}", output.stdout);
    let lines = squeezed_output(&output);
    let has = |line: &str| lines.iter().any(|l| l.ends_with(line));
    // The granted id went out; the other was refused by the kernel, before any controller.
    assert!(
        has("error CanTransmit(bus0:0x200) E_OS_ACCESS"),
        "{}",
        output.stdout
    );
    assert!(has("activate SentAsGranted"), "{}", output.stdout);
    // The frame came back through the controller to the partition granted it, once, with its
    // data.
    assert!(has("activate GotGrantedFrame"), "{}", output.stdout);
    assert!(!has("activate GotMore"), "{}", output.stdout);
    // The gateway routed it to `chassis` as 0x101, where the partition granted that id got it.
    assert!(has("activate GotRoutedFrame"), "{}", output.stdout);
    // The partition granted only another id saw nothing of the bus.
    assert!(has("terminate Peek"), "{}", output.stdout);
    assert!(!has("activate Leak"), "{}", output.stdout);
    // The counters, as the simulation prints them: one forward, one refusal, nothing lost.
    assert!(
        has("can route body_to_chassis forwarded 1 length 0 rate 0 cycle 0"),
        "{}",
        output.stdout
    );
    assert!(
        has("can partition Sender denied 1 rx-overflow 0"),
        "{}",
        output.stdout
    );
    assert!(
        has("can partition Listener denied 0 rx-overflow 0"),
        "{}",
        output.stdout
    );
}

#[test]
fn frames_cross_the_port_and_the_gateway_to_granted_partitions_only_on_qemu_r5() {
    check(Target::QemuR5);
}

#[test]
fn frames_cross_the_port_and_the_gateway_to_granted_partitions_only_on_qemu_r52() {
    check(Target::QemuR52);
}
