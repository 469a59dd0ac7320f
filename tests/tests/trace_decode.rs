//! The boards carry no trace text: they print each record as a line of numbers, and the host
//! names them with the description (what `ecuconf run` and `ecuconf decode` do).

use std::process::Stdio;

use ecu_configurator::image::{self, Target};
use ecu_tests::{example, run};

const TICKS: u64 = 20;

#[test]
fn the_board_prints_numbers_and_the_host_gives_the_simulations_text() {
    let ecu = example("body_ecu");
    let elf = image::build(&ecu, Target::QemuR5, TICKS).unwrap_or_else(|e| panic!("{e}"));
    let image = std::fs::read(&elf).expect("the image was just built");
    // Words only the trace text has (debug information names identifiers, not these).
    for word in ["terminate-app", "isr-lost", "isr-wait", "ipc-deny"] {
        assert!(
            !image.windows(word.len()).any(|w| w == word.as_bytes()),
            "the image still carries the trace word {word:?}"
        );
    }
    let output = image::qemu_command(Target::QemuR5, &elf)
        .expect("QEMU emulates the R5F")
        .stdin(Stdio::null())
        .output()
        .expect("QEMU runs");
    assert_eq!(output.status.code(), Some(0));
    let console = String::from_utf8_lossy(&output.stdout).replace('\r', "");
    let records = console.lines().filter(|l| l.starts_with('@')).count();
    assert!(records > 10, "{console}");
    assert!(!console.contains("start"), "{console}");
    let named = ecu_configurator::trace::decode(&ecu, &console);
    let sim = run(&ecu, Target::Sim, TICKS, 0);
    let trace = |text: &str| {
        text.lines()
            .filter(|l| !l.starts_with("end "))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(trace(&named), trace(&sim.stdout));
    // Each record names at least one event (a preemption by ActivateTask names three).
    assert!(trace(&named).len() >= records);
}
