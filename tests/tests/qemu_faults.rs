//! Fault injection on both QEMU Cortex-R boards (tests/fixtures/faults): a hostile
//! non-trusted partition tries to leave its partition in every way below; each attempt is
//! stopped by the MPU, the CPU or the kernel, reported with its cause, and answered with the
//! protection hook's reaction, while the well-behaved partition keeps its period.

use std::path::PathBuf;
use std::process::Command;

use ecu_configurator::image::{self, Target};
use ecu_configurator::memory;
use ecu_tests::{repo_root, run};

const TICKS: u64 = 100;
/// The last scenario (Doom) shuts the system down at this tick.
const DOOM_TICK: u64 = 86;

fn fixture() -> ecu_configurator::Ecu {
    let path: PathBuf = repo_root().join("tests/fixtures/faults/ecu.toml");
    ecu_configurator::load(&[path]).unwrap_or_else(|d| panic!("{d}"))
}

/// (task, what the port prints after `exception`, the protection error). The scenario and
/// its expected cause in the same row.
const STOPPED: &[(&str, &str, &str)] = &[
    // Writes kernel data (.bss of the kernel).
    ("WriteKernel", "data-abort", "E_OS_PROTECTION_MEMORY"),
    // Reads kernel data.
    ("ReadKernel", "data-abort", "E_OS_PROTECTION_MEMORY"),
    // Reads another partition's static (safe Rust).
    ("ReadOther", "data-abort", "E_OS_PROTECTION_MEMORY"),
    // Writes another partition's static (safe Rust).
    ("WriteOther", "data-abort", "E_OS_PROTECTION_MEMORY"),
    // Writes its own code.
    ("WriteCode", "data-abort", "E_OS_PROTECTION_MEMORY"),
    // Executes from its own data block (never executable).
    ("ExecData", "prefetch-abort", "E_OS_PROTECTION_MEMORY"),
    // Overflows its stack by recursion: the region boundary is the guard.
    ("StackOverflow", "data-abort", "E_OS_PROTECTION_MEMORY"),
    // Calls the kernel with 16 bytes of stack left: the kernel's save runs into the guard.
    ("EntryOverflow", "data-abort", "E_OS_PROTECTION_MEMORY"),
    // Touches the console UART.
    ("TouchUart", "data-abort", "E_OS_PROTECTION_MEMORY"),
    // Touches the tick's device (SP804 timer / GIC distributor).
    ("TouchTimer", "data-abort", "E_OS_PROTECTION_MEMORY"),
    // Reads a system register (SCTLR).
    ("PrivRegister", "undefined", "E_OS_PROTECTION_EXCEPTION"),
    // Writes SCTLR to turn the MPU off.
    ("PrivMpu", "undefined", "E_OS_PROTECTION_EXCEPTION"),
    // `cps`/`msr` to SYS mode (ignored in User mode), then a device write.
    ("ModeEscalate", "data-abort", "E_OS_PROTECTION_MEMORY"),
    // Panics: User mode has no console, the panic ends as an exception of its own.
    ("HostilePanic", "undefined", "E_OS_PROTECTION_EXCEPTION"),
    // An ISR of the hostile partition reads another partition's static (User mode, own stack).
    ("HostileIsr", "data-abort", "E_OS_PROTECTION_MEMORY"),
    // Faults in partition Rogue, whose reaction terminates the application.
    ("RogueFault", "data-abort", "E_OS_PROTECTION_MEMORY"),
    // Faults in partition Doomed, whose reaction shuts the system down.
    ("Doom", "data-abort", "E_OS_PROTECTION_MEMORY"),
];

fn check(target: Target) {
    let ecu = fixture();
    let output = run(&ecu, target, TICKS, 0);
    let out = &output.stdout;
    let lines: Vec<&str> = out.lines().collect();
    let has = |text: &str| lines.iter().any(|l| l.trim_start().contains(text));
    // The last scenario's reaction is a shutdown: exit status 10 + E_OS_PROTECTION_MEMORY.
    assert_eq!(output.exit_code, Some(25), "{}:\n{out}", target.name());
    assert!(
        !out.contains("fault:"),
        "a fault escaped its partition:\n{out}"
    );
    assert!(has("shutdown E_OS_PROTECTION_MEMORY"), "{out}");

    for (task, kind, error) in STOPPED {
        let exception = lines
            .iter()
            .find(|l| l.contains(&format!(" exception {kind} {task} ")))
            .unwrap_or_else(|| {
                panic!("{task}: no `{kind}` exception on {}:\n{out}", target.name())
            });
        // The cause registers are reported with the address.
        if *kind != "undefined" {
            assert!(exception.contains("addr=0x"), "{exception}");
            assert!(
                exception.contains("DFSR=") || exception.contains("IFSR="),
                "{exception}"
            );
            assert!(
                exception.ends_with("permission") || exception.ends_with("background"),
                "{exception}"
            );
        }
        assert!(
            has(&format!("protect   {error} {task}")),
            "{task}: no {error}:\n{out}"
        );
        if *task != "Doom" {
            assert!(
                has(&format!("kill      {task}")),
                "{task} was not killed:\n{out}"
            );
        }
    }
    // The attacks hit what they aimed at.
    let exception_of = |task: &str| {
        lines
            .iter()
            .find(|l| l.contains(&format!(" {task} pc=")))
            .copied()
            .unwrap_or_default()
    };
    let (uart, tick_device) = match target {
        Target::QemuR52 => ("addr=0xe7c00000", "addr=0xf0000000"),
        _ => ("addr=0x101f1000", "addr=0x101e2008"),
    };
    assert!(exception_of("TouchUart").contains(uart));
    assert!(exception_of("TouchTimer").contains(tick_device));
    assert!(exception_of("ModeEscalate").contains(uart));

    // Interrupts cannot be masked from User mode: the tick preempts the `cpsid` loop.
    assert!(has("preempt   MaskIrq"), "{out}");
    assert!(has("terminate MaskIrq"), "{out}");
    // Forged requests are refused, reported, and the task goes on.
    assert!(has("error     Unknown(-) E_OS_SERVICEID"), "{out}");
    assert!(has("error     ActivateTask(-) E_OS_ID"), "{out}");
    // A service called with a pointer into another partition: no service reads through one.
    assert!(has("error     GetTaskState(-) E_OS_ID"), "{out}");
    assert!(
        has("error     ActivateTask(Heartbeat) E_OS_ACCESS"),
        "{out}"
    );
    assert!(has("terminate ForgedService"), "{out}");
    // Semihosting from User mode does not end the emulator.
    assert!(has("terminate SemihostExit"), "{out}");
    // The execution budget (tick granularity) and the time frame.
    assert!(has("protect   E_OS_PROTECTION_TIME Overrun"), "{out}");
    assert!(has("kill      Overrun"), "{out}");
    assert!(has("protect   E_OS_PROTECTION_ARRIVAL Framed"), "{out}");
    // TerminateApplication ends every task of Rogue, the preempted worker too.
    assert!(has("kill      RogueWorker"), "{out}");
    assert!(has("terminate-app Rogue"), "{out}");

    // The well-behaved partition keeps its schedule: Heartbeat at every odd tick until the
    // shutdown, and never faults (it checks that its static is in its own block).
    for tick in (1..DOOM_TICK).step_by(2) {
        let line = format!("{tick:>8} start     Heartbeat");
        assert!(
            out.contains(&line),
            "Heartbeat missed tick {tick} on {}:\n{out}",
            target.name()
        );
    }
    assert!(
        !has("exception undefined Heartbeat") && !has("Heartbeat pc="),
        "{out}"
    );
}

/// The build put each partition's static in that partition's block: checked on the ELF's
/// symbol table against the layout the configurator computed.
fn statics_in_their_blocks(target: Target) {
    let ecu = fixture();
    let elf = image::build(&ecu, target, TICKS).unwrap_or_else(|e| panic!("{e}"));
    let layout = image::memory_layout(&ecu, target)
        .unwrap()
        .expect("a partitioned board");
    let symbols = Command::new("readelf")
        .arg("-sW")
        .arg(&elf)
        .output()
        .expect("readelf (binutils) runs");
    let symbols = String::from_utf8_lossy(&symbols.stdout);
    let address = |name: &str| {
        symbols
            .lines()
            .find(|l| l.contains(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|a| u32::from_str_radix(a, 16).ok())
            .unwrap_or_else(|| panic!("no symbol {name} in {}", elf.display()))
    };
    let block = |app: &str| {
        let b = layout.apps.iter().find(|a| a.name == app).unwrap();
        (b.base.0, b.base.0 + b.size.0)
    };
    for (symbol, app) in [
        ("BEATS", "Good"),
        ("SCRATCH", "Hostile"),
        ("CODE_BUF", "Hostile"),
    ] {
        let at = address(symbol);
        let (start, end) = block(app);
        assert!(
            (start..end).contains(&at),
            "{symbol} at {at:#x} is not in {app}'s block {start:#x}..{end:#x}"
        );
    }
    // Stacks: power-of-two blocks on their own alignment (PMSAv7) or 64-byte granules.
    for task in &layout.tasks {
        let (base, size) = (task.stack_base.0, task.stack_size.0);
        match layout.board.mpu {
            memory::Mpu::Pmsav7 => assert!(size.is_power_of_two() && base % size == 0),
            memory::Mpu::Pmsav8 => assert!(size % 64 == 0 && base % 64 == 0),
        }
    }
}

#[test]
fn hostile_partition_is_contained_on_qemu_r5() {
    check(Target::QemuR5);
}

#[test]
fn hostile_partition_is_contained_on_qemu_r52() {
    check(Target::QemuR52);
}

#[test]
fn partition_statics_land_in_their_regions_on_qemu_r5() {
    statics_in_their_blocks(Target::QemuR5);
}

#[test]
fn partition_statics_land_in_their_regions_on_qemu_r52() {
    statics_in_their_blocks(Target::QemuR52);
}
