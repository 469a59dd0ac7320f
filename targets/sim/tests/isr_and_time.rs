//! ISRs, interrupt masking, the time model and shutdown on the simulation, with hand-written
//! tables.

use ecu_os::{
    AlarmConfig, AppConfig, AppId, Config, CounterConfig, CounterId, Exit, Hooks, IsrConfig, IsrId,
    Os, ResourceConfig, ResourceId, TaskConfig, TaskId, ISR_LEVEL_BASE,
};
use ecu_sim::{run, Options, Outcome, Stimulus};

const HANDLER: TaskId = TaskId::new(1);
const RX: IsrId = IsrId::new(0);
const SHARED: ResourceId = ResourceId::new(0);

/// Busy for 2.5 ticks, the middle of it with the resource it shares with the ISR held,
/// the end with OS interrupts suspended.
fn worker(os: &Os) -> Exit {
    os.busy_us(500).unwrap();
    os.with_resource(SHARED, || os.busy_us(1000).unwrap())
        .unwrap();
    os.suspend_os_interrupts();
    os.busy_us(500).unwrap();
    os.resume_os_interrupts();
    os.busy_us(500).unwrap();
    os.terminate_task()
}

fn handler(os: &Os) -> Exit {
    // Services while no interrupt is masked work; ActivateTask from here only queues.
    os.terminate_task()
}

fn rx(os: &Os) {
    os.get_resource(SHARED).unwrap();
    os.release_resource(SHARED).unwrap();
    os.activate_task(HANDLER).unwrap();
    // Not allowed from an ISR: the kernel says so, and nothing else happens.
    assert_eq!(os.wait_event(1), Err(ecu_os::Error::CallLevel));
}

macro_rules! task {
    ($name:expr, $prio:expr, $auto:expr, $res:expr, $entry:expr) => {
        TaskConfig {
            name: $name,
            app: AppId::new(0),
            priority: $prio,
            activation_limit: 1,
            stack_size: 1024,
            autostart: $auto,
            autostart_modes: ecu_os::ALL_MODES,
            extended: false,
            events: 0,
            internal_resource: None,
            resources: $res,
            timing: ecu_os::Timing::NONE,
            access: ecu_os::ALL_APPLICATIONS,
            entry: $entry,
        }
    };
}

static APPS: [AppConfig; 1] = [AppConfig {
    name: "A",
    trusted: true,
    restart_task: None,
    hooks: ecu_os::AppHooks::NONE,
}];
static TASKS: [TaskConfig; 2] = [
    task!("Worker", 1, true, 1, worker),
    task!("Handler", 5, false, 0, handler),
];
static COUNTERS: [CounterConfig; 1] = [CounterConfig {
    name: "Tick",
    max_allowed_value: 1000,
    ticks_per_base: 1,
    min_cycle: 1,
}];
static RESOURCES: [ResourceConfig; 1] = [ResourceConfig {
    name: "Shared",
    ceiling: ISR_LEVEL_BASE + 3,
    internal: false,
}];
static ISRS: [IsrConfig; 1] = [IsrConfig {
    name: "Rx",
    app: AppId::new(0),
    timing: ecu_os::Timing::NONE,
    category: 2,
    priority: 3,
    resources: 1,
    entry: rx,
}];
static ALARMS: [AlarmConfig; 0] = [];
static CONFIG: Config = Config {
    name: "Isr",
    apps: &APPS,
    tasks: &TASKS,
    counters: &COUNTERS,
    alarms: &ALARMS,
    resources: &RESOURCES,
    isrs: &ISRS,
    schedule_tables: &[],
    trusted_functions: &[],
    app_modes: &["Default"],
    hooks: Hooks::NONE,
    events: &[],
    system_counter: CounterId::new(0),
    tick_ns: 1_000_000,
};

fn simulate(stimuli: &'static [Stimulus], ticks: u64, seed: u64) -> Outcome {
    let outcome = run::<2, 0, 1, 1, 1, 0>(
        &CONFIG,
        Options {
            run_ticks: ticks,
            seed,
            stimuli,
        },
    )
    .unwrap();
    assert!(outcome.faults.is_empty(), "{:?}", outcome.faults);
    outcome
}

fn squeeze(trace: &[String]) -> Vec<String> {
    trace
        .iter()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// Interrupts at 0.2 ms (runs at once), 0.8 ms (resource held: waits until released at
/// 1.5 ms), 1.7 ms (OS interrupts suspended: waits until 2.0 ms) and 2.2 ms (at once).
static FOUR: [Stimulus; 4] = [
    Stimulus {
        isr: RX,
        offset_ns: 200_000,
        period_ns: 0,
        jitter_ns: 0,
    },
    Stimulus {
        isr: RX,
        offset_ns: 800_000,
        period_ns: 0,
        jitter_ns: 0,
    },
    Stimulus {
        isr: RX,
        offset_ns: 1_700_000,
        period_ns: 0,
        jitter_ns: 0,
    },
    Stimulus {
        isr: RX,
        offset_ns: 2_200_000,
        period_ns: 0,
        jitter_ns: 0,
    },
];

#[test]
fn isrs_preempt_tasks_wait_for_masks_and_ceilings_and_reschedule_at_their_end() {
    let outcome = simulate(&FOUR, 4, 0);
    let trace = squeeze(&outcome.trace);
    let expected_prefix = [
        "0 activate Worker",
        "0 start Worker",
        // 0.2 ms: accepted at once; its ActivateTask takes effect at its end.
        "0 isr Rx",
        "0 lock Shared Rx",
        "0 unlock Shared Rx",
        "0 activate Handler",
        "0 error WaitEvent(Rx) E_OS_CALLEVEL",
        "0 isr-end Rx",
        "0 preempt Worker",
        "0 start Handler",
        "0 terminate Handler",
        "0 resume Worker",
        "0 lock Shared Worker",
        // 0.8 ms: the Worker holds Shared, whose ceiling masks Rx.
        "0 isr-wait Rx",
        // 1.0 ms: the tick.
        // 1.5 ms: released: Rx runs at once.
        "1 unlock Shared Worker",
        "1 isr Rx",
    ];
    assert_eq!(
        &trace[..expected_prefix.len()],
        &expected_prefix,
        "{trace:#?}"
    );
    // Suspended OS interrupts hold the third one back; it runs on resume (2.0 ms, tick 2).
    let waits: Vec<&String> = trace.iter().filter(|l| l.contains("isr-wait")).collect();
    assert_eq!(waits.len(), 2, "{trace:#?}");
    assert!(trace.contains(&"2 isr Rx".to_owned()), "{trace:#?}");
    assert_eq!(trace.iter().filter(|l| l.ends_with("isr Rx")).count(), 4);
    assert_eq!(
        trace
            .iter()
            .filter(|l| l.ends_with("start Handler"))
            .count(),
        4
    );
    assert!(
        trace.contains(&"2 terminate Worker".to_owned()),
        "{trace:#?}"
    );
    assert_eq!(outcome.end_ns, 4_000_000);
}

static PERIODIC: [Stimulus; 1] = [Stimulus {
    isr: RX,
    offset_ns: 100_000,
    period_ns: 300_000,
    jitter_ns: 150_000,
}];

#[test]
fn jittered_arrivals_follow_the_seed() {
    let a = simulate(&PERIODIC, 30, 1);
    let b = simulate(&PERIODIC, 30, 1);
    let c = simulate(&PERIODIC, 30, 2);
    assert_eq!(a.trace, b.trace, "same seed, same run");
    assert_ne!(a.trace, c.trace, "the seed moves the jittered arrivals");
    let count = |suffix: &str| a.trace.iter().filter(|l| l.ends_with(suffix)).count();
    let (accepted, lost) = (count("isr       Rx"), count("isr-lost  Rx"));
    // 30 ms at one arrival per 0.3 ms: 100 arrivals. While the Worker masks Rx (0.5 to
    // 2.0 ms) one request pends and the later ones are lost, each said so in the trace.
    assert_eq!(accepted + lost, 100, "{accepted} accepted, {lost} lost");
    assert!((2..=5).contains(&lost), "{lost} lost");
}

fn stop(os: &Os) -> Exit {
    os.busy_us(300).unwrap();
    os.shutdown_os(Some(ecu_os::Error::State));
    unreachable!("ShutdownOS does not return")
}

static STOP_TASKS: [TaskConfig; 1] = [task!("Stop", 1, true, 0, stop)];
static STOP_CONFIG: Config = Config {
    tasks: &STOP_TASKS,
    resources: &[],
    isrs: &[],
    schedule_tables: &[],
    trusted_functions: &[],
    app_modes: &["Default"],
    ..CONFIG
};

#[test]
fn shutdown_os_stops_the_run_with_its_error() {
    let outcome = run::<1, 0, 1, 0, 0, 0>(
        &STOP_CONFIG,
        Options {
            run_ticks: 10,
            seed: 0,
            stimuli: &[],
        },
    )
    .unwrap();
    assert_eq!(outcome.shutdown, Some(Some(ecu_os::Error::State)));
    assert_eq!(
        squeeze(&outcome.trace).last().unwrap(),
        "0 shutdown E_OS_STATE"
    );
}
