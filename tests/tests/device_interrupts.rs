//! Device interrupt lines on both QEMU boards (tests/fixtures/device_irq): a line raised by
//! software as its device would raise it reaches its ISR through the real IRQ path, nests the
//! ISR over the task, and the task the ISR activates runs when the ISR ends; raised while OS
//! interrupts are suspended, it waits (pends) and runs at the resume. The task's own asserts
//! (it counts the ISR's runs) end the run with a fault if the ISR ran at the wrong time.

use ecu_configurator::image::Target;
use ecu_tests::{repo_root, run, squeezed_output};

/// One request served: the ISR runs over Kick, activates Bottom, which preempts Kick when
/// the ISR ends.
const SERVED: &[&str] = &[
    "0 isr RxIsr",
    "0 activate Bottom",
    "0 isr-end RxIsr",
    "0 preempt Kick",
    "0 start Bottom",
    "0 terminate Bottom",
    "0 resume Kick",
];

fn expected() -> Vec<&'static str> {
    let mut lines = vec!["0 activate Kick", "0 start Kick"];
    lines.extend(SERVED);
    // The second request came while OS interrupts were suspended.
    lines.push("0 isr-wait RxIsr");
    lines.extend(SERVED);
    lines.extend(["0 terminate Kick", "end 3"]);
    lines
}

/// Runs a fixture for 3 ticks; its lines, the run having ended well.
fn lines_of(fixture: &str, target: Target) -> Vec<String> {
    let path = repo_root()
        .join("tests/fixtures")
        .join(fixture)
        .join("ecu.toml");
    let ecu = ecu_configurator::load(&[path]).unwrap_or_else(|d| panic!("{d}"));
    let output = run(&ecu, target, 3, 0);
    assert_eq!(output.exit_code, Some(0), "{}", output.stdout);
    squeezed_output(&output)
}

fn check(target: Target) {
    assert_eq!(
        lines_of("device_irq", target),
        expected(),
        "on {}",
        target.name()
    );
}

#[test]
fn a_device_line_raises_its_isr_on_qemu_r5() {
    check(Target::QemuR5);
}

#[test]
fn a_device_line_raises_its_isr_on_qemu_r52() {
    check(Target::QemuR52);
}

#[test]
fn a_line_the_board_keeps_for_itself_is_refused_before_the_build() {
    let path = repo_root().join("tests/fixtures/device_irq/ecu.toml");
    let mut ecu = ecu_configurator::load(&[path]).unwrap_or_else(|d| panic!("{d}"));
    // Line 4 is the versatileab tick's, INTID 27 the mps3-an536 tick's.
    for (target, line) in [(Target::QemuR5, 4), (Target::QemuR52, 27)] {
        ecu.isrs[0].irq = Some(line);
        let error = ecu_configurator::image::write_image(&ecu, target, 3)
            .expect_err("a reserved line")
            .to_string();
        assert!(
            error.contains(&format!("RxIsr: interrupt line {line}")),
            "{error}"
        );
    }
}

/// The TMS570 parts take ISRs on VIM channels: the image has the ISR's stack block in the
/// partition window, and the configurator refuses stimuli there (no stimulus timer: a
/// device raises its ISR).
#[test]
fn the_tms570_parts_build_isrs_on_their_vim_channels() {
    let path = repo_root().join("tests/fixtures/device_irq/ecu.toml");
    let mut ecu = ecu_configurator::load(&[path]).unwrap_or_else(|d| panic!("{d}"));
    for target in [Target::Tms570, Target::Tms570Ls1224] {
        let elf = ecu_configurator::image::build(&ecu, target, 3)
            .unwrap_or_else(|e| panic!("{}: {e}", target.name()));
        let sections = std::process::Command::new("readelf")
            .arg("-SW")
            .arg(&elf)
            .output()
            .expect("readelf (binutils) runs");
        let sections = String::from_utf8_lossy(&sections.stdout);
        assert!(sections.contains(".stack.isr_rxisr"), "{sections}");
    }
    ecu.stimuli.push(ecu_configurator::model::Stimulus {
        isr: 0,
        offset_us: 500,
        period_us: 0,
        jitter_us: 0,
    });
    let error = ecu_configurator::image::write_image(&ecu, Target::Tms570, 3)
        .expect_err("stimuli on a TMS570")
        .to_string();
    assert!(error.contains("stimuli"), "{error}");
}

/// Category 1 ISRs on FIQ (tests/fixtures/fiq_isr): the task's own asserts check that the ISR
/// runs at once, outside the kernel (its service call is refused with E_OS_CALLEVEL), waits
/// while all interrupts are disabled or (nested) suspended, and not while only OS interrupts
/// are suspended. The kernel's trace never names it; the category 2 ISR beside it pends as
/// usual.
fn check_fiq(target: Target) {
    let expected = [
        "0 activate Kick",
        "0 start Kick",
        "0 isr-wait RxIsr",
        "0 isr RxIsr",
        "0 isr-end RxIsr",
        "0 terminate Kick",
        "end 3",
    ];
    assert_eq!(
        lines_of("fiq_isr", target),
        expected,
        "on {}",
        target.name()
    );
}

#[test]
fn a_category_1_isr_takes_a_fiq_outside_the_kernel_on_qemu_r5() {
    check_fiq(Target::QemuR5);
}

#[test]
fn a_category_1_isr_takes_a_fiq_outside_the_kernel_on_qemu_r52() {
    check_fiq(Target::QemuR52);
}

/// A FIQ runs privileged and outside the partitions: only a trusted OS-Application may own one.
#[test]
fn a_category_1_isr_of_a_non_trusted_application_is_refused() {
    let path = repo_root().join("tests/fixtures/fiq_isr/ecu.toml");
    let mut ecu = ecu_configurator::load(&[path]).unwrap_or_else(|d| panic!("{d}"));
    ecu.apps[0].trusted = false;
    for target in [
        Target::QemuR5,
        Target::QemuR52,
        Target::Tms570,
        Target::Tms570Ls1224,
    ] {
        let error = ecu_configurator::image::write_image(&ecu, target, 3)
            .expect_err("a non-trusted FIQ")
            .to_string();
        assert!(
            error.contains("ISR FastIsr: a category 1 ISR on a device line runs as a FIQ")
                && error.contains("trusted OS-Application"),
            "{error}"
        );
    }
}

/// On the TMS570 parts a category 1 ISR's VIM channel is put on FIQ (the board's
/// `route_to_fiq` sets its FIRQPR bit): the generated tables list it as a FIQ line, apart from
/// the category 2 ISR's IRQ line, and the image builds. (No board in CI: the VIM side is
/// tested on fake registers in targets/tms570.)
#[test]
fn the_tms570_parts_take_category_1_isrs_as_fiqs() {
    let path = repo_root().join("tests/fixtures/fiq_isr/ecu.toml");
    let ecu = ecu_configurator::load(&[path]).unwrap_or_else(|d| panic!("{d}"));
    for target in [Target::Tms570, Target::Tms570Ls1224] {
        let dir = ecu_configurator::image::write_image(&ecu, target, 3)
            .unwrap_or_else(|e| panic!("{}: {e}", target.name()));
        let main = std::fs::read_to_string(dir.join("src/main.rs")).expect("generated main.rs");
        let squeezed: String = main.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            squeezed.contains(
                "fiq_lines: &[ ecu_cortex_r::FiqLine { line: 11, entry: crate::app::fast_isr }, ]"
            ),
            "{}: {main}",
            target.name()
        );
        assert!(
            squeezed.contains("lines: &[ ecu_cortex_r::IsrLine { isr: ecu::RX_ISR, line: 10 }, ]"),
            "{}: {main}",
            target.name()
        );
    }
    ecu_configurator::image::build(&ecu, Target::Tms570, 3).unwrap_or_else(|e| panic!("{e}"));
}
