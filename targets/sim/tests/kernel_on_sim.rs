//! The kernel core on the host port, with hand-written tables.

use ecu_os::{
    AlarmAction, AlarmConfig, AppConfig, AppId, Config, CounterConfig, CounterId, Exit, Os,
    TaskConfig, TaskId,
};
use ecu_sim::{run, Options};
use std::cell::Cell;

const LOW: TaskId = TaskId::new(0);
const HIGH: TaskId = TaskId::new(1);
const BURST: TaskId = TaskId::new(2);

fn low(os: &Os) -> Exit {
    os.activate_task(HIGH).expect("HIGH is suspended");
    // HIGH has run to completion before ActivateTask returns: it preempted us.
    assert_eq!(os.get_task_id(), Some(LOW));
    os.terminate_task()
}
fn high(os: &Os) -> Exit {
    os.terminate_task()
}
thread_local! {
    // Each run has its own task threads, so this counts Burst's runs within one run.
    static BURST_RUNS: Cell<u32> = const { Cell::new(0) };
}

fn burst(os: &Os) -> Exit {
    let runs = BURST_RUNS.get();
    BURST_RUNS.set(runs + 1);
    if runs > 0 {
        return os.terminate_task();
    }
    // Activation limit 2: the running activation plus one queued; a third is refused.
    assert_eq!(os.activate_task(BURST), Ok(()));
    assert_eq!(os.activate_task(BURST), Err(ecu_os::Error::Limit));
    os.chain_task(LOW)
}
fn panics(_os: &Os) -> Exit {
    panic!("task body bug")
}

static APPS: [AppConfig; 1] = [AppConfig {
    name: "App",
    trusted: true,
    restart_task: None,
    hooks: ecu_os::AppHooks::NONE,
}];
static COUNTERS: [CounterConfig; 1] = [CounterConfig {
    name: "Tick",
    max_allowed_value: 7,
    ticks_per_base: 1,
    min_cycle: 1,
}];

macro_rules! task {
    ($name:expr, $prio:expr, $limit:expr, $auto:expr, $entry:expr) => {
        TaskConfig {
            name: $name,
            app: AppId::new(0),
            priority: $prio,
            activation_limit: $limit,
            stack_size: 1024,
            autostart: $auto,
            autostart_modes: ecu_os::ALL_MODES,
            extended: false,
            events: 0,
            internal_resource: None,
            resources: 0,
            timing: ecu_os::Timing::NONE,
            access: ecu_os::ALL_APPLICATIONS,
            entry: $entry,
        }
    };
}

static TASKS: [TaskConfig; 3] = [
    task!("Low", 1, 1, false, low),
    task!("High", 9, 1, false, high),
    task!("Burst", 1, 2, true, burst),
];
static ALARMS: [AlarmConfig; 1] = [AlarmConfig {
    name: "Every3",
    app: AppId::new(0),
    access: 0,
    counter: CounterId::new(0),
    action: AlarmAction::ActivateTask(LOW),
    autostart: Some((3, 3)),
    autostart_modes: ecu_os::ALL_MODES,
}];
static CONFIG: Config = Config {
    name: "Test",
    apps: &APPS,
    tasks: &TASKS,
    counters: &COUNTERS,
    alarms: &ALARMS,
    resources: &[],
    isrs: &[],
    schedule_tables: &[],
    trusted_functions: &[],
    app_modes: &["Default"],
    hooks: ecu_os::Hooks::NONE,
    events: &[],
    system_counter: CounterId::new(0),
    tick_ns: 1_000_000,
};

fn trace(ticks: u64, seed: u64) -> Vec<String> {
    let outcome = run::<3, 1, 1, 0, 0, 0>(
        &CONFIG,
        Options {
            run_ticks: ticks,
            seed,
            stimuli: &[],
        },
    )
    .unwrap();
    assert!(outcome.faults.is_empty(), "{:?}", outcome.faults);
    assert_eq!(outcome.ticks, ticks);
    outcome
        .trace
        .iter()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn preemption_multiple_activation_chain_and_alarms() {
    let expected = [
        "0 activate Burst",
        "0 start Burst",
        "0 activate Burst",
        "0 error ActivateTask(Burst) E_OS_LIMIT",
        // ChainTask(Low): Low joins the FIFO of priority 1 behind Burst's queued activation.
        "0 terminate Burst",
        "0 activate Low",
        "0 start Burst",
        "0 terminate Burst",
        "0 start Low",
        "0 activate High",
        "0 preempt Low",
        "0 start High",
        "0 terminate High",
        "0 resume Low",
        "0 terminate Low",
        "3 alarm Every3",
        "3 activate Low",
        "3 start Low",
        "3 activate High",
        "3 preempt Low",
        "3 start High",
        "3 terminate High",
        "3 resume Low",
        "3 terminate Low",
        // The counter wraps after 7: 0..=7 is 8 ticks, so the alarm at 6 then at 1 (= 9).
        "6 alarm Every3",
    ];
    let got = trace(6, 0);
    assert_eq!(
        &got[..expected.len()],
        &expected[..],
        "full trace: {got:#?}"
    );
    let at9 = trace(9, 0);
    assert!(at9.contains(&"9 alarm Every3".to_owned()), "{at9:#?}");
}

#[test]
fn trace_does_not_depend_on_host_scheduling() {
    let reference = trace(40, 0);
    for seed in 1..8 {
        assert_eq!(trace(40, seed), reference, "seed {seed}");
    }
}

static PANIC_TASKS: [TaskConfig; 2] = [
    task!("Faulty", 2, 1, true, panics),
    task!("High", 9, 1, false, high),
];
static PANIC_ALARMS: [AlarmConfig; 1] = [AlarmConfig {
    name: "Tick2",
    app: AppId::new(0),
    access: 0,
    counter: CounterId::new(0),
    action: AlarmAction::ActivateTask(TaskId::new(1)),
    autostart: Some((2, 2)),
    autostart_modes: ecu_os::ALL_MODES,
}];
fn terminate_the_culprit(_: &ecu_os::ProtectionInfo) -> ecu_os::ProtectionReaction {
    ecu_os::ProtectionReaction::TerminateTaskIsr
}

static PANIC_CONFIG: Config = Config {
    name: "Faulty",
    apps: &APPS,
    tasks: &PANIC_TASKS,
    counters: &COUNTERS,
    alarms: &PANIC_ALARMS,
    resources: &[],
    isrs: &[],
    schedule_tables: &[],
    trusted_functions: &[],
    app_modes: &["Default"],
    hooks: ecu_os::Hooks {
        protection: Some(terminate_the_culprit),
        ..ecu_os::Hooks::NONE
    },
    events: &[],
    system_counter: CounterId::new(0),
    tick_ns: 1_000_000,
};

#[test]
fn a_panicking_task_is_contained_and_others_keep_their_schedule() {
    let outcome = run::<2, 1, 1, 0, 0, 0>(
        &PANIC_CONFIG,
        Options {
            run_ticks: 6,
            seed: 3,
            stimuli: &[],
        },
    )
    .unwrap();
    assert_eq!(
        outcome.faults,
        vec!["fault: task Faulty panicked at tick 0: task body bug".to_owned()]
    );
    let starts_of_high = outcome
        .trace
        .iter()
        .filter(|l| l.ends_with("start     High"))
        .count();
    assert_eq!(starts_of_high, 3, "{:#?}", outcome.trace);
    // The panic went to the protection hook, whose reaction ended the task.
    let squeezed: Vec<String> = outcome
        .trace
        .iter()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        &squeezed[..4],
        [
            "0 activate Faulty",
            "0 start Faulty",
            "0 protect E_OS_PROTECTION_EXCEPTION Faulty",
            "0 kill Faulty"
        ]
    );
}

#[test]
fn without_a_protection_hook_a_protection_error_shuts_the_os_down() {
    static CONFIG_NO_HOOK: Config = Config {
        hooks: ecu_os::Hooks::NONE,
        ..PANIC_CONFIG
    };
    let outcome = run::<2, 1, 1, 0, 0, 0>(
        &CONFIG_NO_HOOK,
        Options {
            run_ticks: 6,
            seed: 3,
            stimuli: &[],
        },
    )
    .unwrap();
    assert_eq!(
        outcome.shutdown,
        Some(Some(ecu_os::Error::ProtectionException))
    );
    assert!(!outcome.trace.iter().any(|l| l.ends_with("start     High")));
}

#[test]
fn tables_that_do_not_fit_the_kernel_are_refused() {
    assert!(run::<2, 1, 1, 0, 0, 0>(
        &CONFIG,
        Options {
            run_ticks: 1,
            seed: 0,
            stimuli: &[]
        }
    )
    .is_err());
}

fn spinner(os: &Os) -> Exit {
    // Re-activates itself for ever within one tick: a livelock in zero simulated time.
    let _ = os.activate_task(TaskId::new(0));
    os.terminate_task()
}
static SPIN_TASKS: [TaskConfig; 1] = [task!("Spinner", 1, 2, true, spinner)];
static SPIN_CONFIG: Config = Config {
    name: "Spin",
    apps: &APPS,
    tasks: &SPIN_TASKS,
    counters: &COUNTERS,
    alarms: &[],
    resources: &[],
    isrs: &[],
    schedule_tables: &[],
    trusted_functions: &[],
    app_modes: &["Default"],
    hooks: ecu_os::Hooks::NONE,
    events: &[],
    system_counter: CounterId::new(0),
    tick_ns: 1_000_000,
};

#[test]
fn a_livelock_within_one_tick_stops_the_run_with_a_fault() {
    let outcome = run::<1, 0, 1, 0, 0, 0>(
        &SPIN_CONFIG,
        Options {
            run_ticks: 5,
            seed: 0,
            stimuli: &[],
        },
    )
    .unwrap();
    assert_eq!(outcome.ticks, 0);
    assert_eq!(outcome.faults.len(), 1, "{:?}", outcome.faults);
    assert!(
        outcome.faults[0].starts_with("fault: livelock at tick 0"),
        "{:?}",
        outcome.faults
    );
}
