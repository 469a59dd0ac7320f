//! Timing protection, the protection hook's reactions and OS-Application rights on the
//! simulation, with hand-written tables.

use std::sync::atomic::{AtomicU32, Ordering};

use ecu_os::{
    AlarmAction, AlarmConfig, AppConfig, AppId, ApplicationState, Config, CounterConfig, CounterId,
    Error, Exit, Hooks, Os, ProtectionInfo, ProtectionReaction, ResourceConfig, ResourceId,
    TaskConfig, TaskId, Timing,
};
use ecu_sim::{run, Options, Outcome};

const BODY: AppId = AppId::new(0);
const INFO: AppId = AppId::new(1);
const HOG: TaskId = TaskId::new(0);
const TICKER: TaskId = TaskId::new(1);
const LOCKER: TaskId = TaskId::new(2);
const RESTART: TaskId = TaskId::new(4);
const DOOR: ResourceId = ResourceId::new(0);

/// Runs 1 ms over its 300 µs budget.
fn hog(os: &Os) -> Exit {
    os.busy_us(1000).unwrap();
    os.terminate_task()
}
fn ticker(os: &Os) -> Exit {
    os.busy_us(50).unwrap();
    os.terminate_task()
}
/// Holds DOOR for 200 µs against a lock budget of 100 µs.
fn locker(os: &Os) -> Exit {
    os.with_resource(DOOR, || os.busy_us(200).unwrap()).unwrap();
    os.terminate_task()
}
/// Of another application, without the right to activate HOG.
fn stranger(os: &Os) -> Exit {
    assert_eq!(os.activate_task(HOG), Err(Error::Access));
    os.terminate_task()
}
static RESTARTS: AtomicU32 = AtomicU32::new(0);
fn restart(os: &Os) -> Exit {
    RESTARTS.fetch_add(1, Ordering::Relaxed);
    os.terminate_task()
}

fn react(info: &ProtectionInfo) -> ProtectionReaction {
    match info.error {
        Error::ProtectionArrival => ProtectionReaction::Ignore,
        Error::ProtectionLocked => ProtectionReaction::TerminateApplicationRestart,
        _ => ProtectionReaction::TerminateTaskIsr,
    }
}

static APPS: [AppConfig; 2] = [
    AppConfig {
        name: "Body",
        trusted: true,
        restart_task: Some(RESTART),
        hooks: ecu_os::AppHooks::NONE,
    },
    AppConfig {
        name: "Info",
        trusted: false,
        restart_task: None,
        hooks: ecu_os::AppHooks::NONE,
    },
];
static TASKS: [TaskConfig; 5] = [
    TaskConfig {
        timing: Timing {
            execution_budget_ns: 300_000,
            ..Timing::NONE
        },
        access: 0,
        ..TaskConfig::basic("Hog", BODY, 2, hog)
    },
    TaskConfig {
        timing: Timing {
            time_frame_ns: 3_000_000,
            ..Timing::NONE
        },
        ..TaskConfig::basic("Ticker", BODY, 5, ticker)
    },
    TaskConfig {
        resources: 1,
        timing: Timing {
            lock_budgets_ns: &[(DOOR, 100_000)],
            ..Timing::NONE
        },
        ..TaskConfig::basic("Locker", BODY, 3, locker)
    },
    TaskConfig {
        autostart: true,
        ..TaskConfig::basic("Stranger", INFO, 1, stranger)
    },
    TaskConfig::basic("Restart", BODY, 9, restart),
];
static COUNTERS: [CounterConfig; 1] = [CounterConfig {
    name: "Tick",
    max_allowed_value: 10_000,
    ticks_per_base: 1,
    min_cycle: 1,
}];
static RESOURCES: [ResourceConfig; 1] = [ResourceConfig {
    name: "Door",
    ceiling: 3,
    internal: false,
}];
static ALARMS: [AlarmConfig; 3] = [
    AlarmConfig {
        name: "HogEvery4",
        app: BODY,
        access: 0,
        counter: CounterId::new(0),
        action: AlarmAction::ActivateTask(HOG),
        autostart: Some((1, 4)),
        autostart_modes: ecu_os::ALL_MODES,
    },
    AlarmConfig {
        name: "TickerEvery1",
        app: BODY,
        access: 0,
        counter: CounterId::new(0),
        action: AlarmAction::ActivateTask(TICKER),
        autostart: Some((1, 1)),
        autostart_modes: ecu_os::ALL_MODES,
    },
    AlarmConfig {
        name: "LockerAt10",
        app: BODY,
        access: 0,
        counter: CounterId::new(0),
        action: AlarmAction::ActivateTask(LOCKER),
        autostart: Some((10, 0)),
        autostart_modes: ecu_os::ALL_MODES,
    },
];
static CONFIG: Config = Config {
    name: "Protected",
    apps: &APPS,
    tasks: &TASKS,
    counters: &COUNTERS,
    alarms: &ALARMS,
    resources: &RESOURCES,
    isrs: &[],
    schedule_tables: &[],
    trusted_functions: &[],
    app_modes: &["Default"],
    hooks: Hooks {
        protection: Some(react),
        ..Hooks::NONE
    },
    events: &[],
    system_counter: CounterId::new(0),
    tick_ns: 1_000_000,
};

fn simulate(ticks: u64) -> (Outcome, Vec<String>) {
    let outcome = run::<5, 3, 1, 1, 0, 0>(
        &CONFIG,
        Options {
            run_ticks: ticks,
            seed: 1,
            stimuli: &[],
        },
    )
    .unwrap();
    assert!(outcome.faults.is_empty(), "{:?}", outcome.faults);
    let trace = outcome
        .trace
        .iter()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    (outcome, trace)
}

#[test]
fn an_execution_budget_overrun_kills_the_task_at_its_budget_and_it_starts_afresh_later() {
    let (_, trace) = simulate(9);
    let hog: Vec<&String> = trace.iter().filter(|l| l.ends_with(" Hog")).collect();
    assert_eq!(
        hog,
        [
            "1 activate Hog",
            "1 start Hog",
            "1 protect E_OS_PROTECTION_TIME Hog",
            "1 kill Hog",
            "5 activate Hog",
            "5 start Hog",
            "5 protect E_OS_PROTECTION_TIME Hog",
            "5 kill Hog",
            "9 activate Hog",
            "9 start Hog",
        ],
        "{trace:#?}"
    );
}

#[test]
fn activations_sooner_than_the_time_frame_are_refused_and_the_rest_run() {
    let (_, trace) = simulate(9);
    let started: Vec<&String> = trace
        .iter()
        .filter(|l| l.ends_with("start Ticker"))
        .collect();
    // Alarm every 1 ms, time frame 3 ms: activations at 1, 4, 7 get through.
    assert_eq!(
        started,
        ["1 start Ticker", "4 start Ticker", "7 start Ticker"],
        "{trace:#?}"
    );
    let refused = trace
        .iter()
        .filter(|l| l.ends_with("E_OS_PROTECTION_ARRIVAL Ticker"))
        .count();
    assert_eq!(refused, 6, "2, 3, 5, 6, 8, 9: {trace:#?}");
}

#[test]
fn a_lock_held_past_its_budget_restarts_the_application() {
    RESTARTS.store(0, Ordering::Relaxed);
    let (_, trace) = simulate(12);
    let at10: Vec<&String> = trace.iter().filter(|l| l.starts_with("10 ")).collect();
    let locked = at10
        .iter()
        .position(|l| l.as_str() == "10 protect E_OS_PROTECTION_LOCKED Locker");
    let locked = locked.unwrap_or_else(|| panic!("{at10:#?}"));
    assert_eq!(at10[locked + 1], "10 unlock Door Locker", "{at10:#?}");
    assert_eq!(at10[locked + 2], "10 kill Locker", "{at10:#?}");
    assert!(at10.contains(&&"10 restart Body".to_owned()), "{at10:#?}");
    assert!(at10.contains(&&"10 start Restart".to_owned()), "{at10:#?}");
    // Restarting: the Body application's alarms were cancelled, so its tasks stay quiet.
    assert!(
        !trace
            .iter()
            .any(|l| l.starts_with("11 ") && l.contains("activate")),
        "{trace:#?}"
    );
    assert_eq!(RESTARTS.load(Ordering::Relaxed), 1);
}

#[test]
fn an_application_without_the_right_gets_e_os_access() {
    let (_, trace) = simulate(1);
    assert!(
        trace.contains(&"0 error ActivateTask(Hog) E_OS_ACCESS".to_owned()),
        "{trace:#?}"
    );
}

#[test]
fn application_states_follow_termination() {
    assert_eq!(
        ApplicationState::from_code(2),
        Some(ApplicationState::Terminated)
    );
}
