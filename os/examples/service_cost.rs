//! Runs one kernel service path N times, for instruction counting under callgrind (see
//! `cargo xtask bench`): `service_cost <path> <n>`. The difference between two counts of N,
//! divided by the difference of N, is the cost of one iteration; the `baseline` path measures
//! the loop alone.

use std::hint::black_box;

use ecu_os::{
    AlarmAction, AlarmConfig, AppConfig, AppId, Config, CounterConfig, CounterId, Exit, Hooks,
    Kernel, Os, Request, ResourceConfig, ResourceId, TaskConfig, TaskId,
};

fn body(os: &Os) -> Exit {
    os.terminate_task()
}

const fn task(priority: u8) -> TaskConfig {
    TaskConfig {
        resources: 1,
        ..TaskConfig::basic("T", AppId::new(0), priority, body)
    }
}

static TASKS: [TaskConfig; 10] = [
    TaskConfig {
        autostart: true,
        ..task(1)
    },
    task(2),
    task(3),
    task(4),
    task(5),
    task(6),
    task(7),
    task(8),
    task(9),
    task(10),
];

const fn alarm(task: u8, cycle: u32) -> AlarmConfig {
    AlarmConfig {
        name: "A",
        app: AppId::new(0),
        access: 0,
        counter: CounterId::new(0),
        action: AlarmAction::ActivateTask(TaskId::new(task)),
        autostart: Some((cycle, cycle)),
        autostart_modes: ecu_os::ALL_MODES,
    }
}

static ALARMS: [AlarmConfig; 10] = [
    alarm(1, 1000),
    alarm(2, 2000),
    alarm(3, 3000),
    alarm(4, 4000),
    alarm(5, 5000),
    alarm(6, 6000),
    alarm(7, 7000),
    alarm(8, 8000),
    alarm(9, 9000),
    alarm(9, 9999),
];

static CONFIG: Config = Config {
    name: "Bench",
    apps: &[AppConfig {
        name: "A",
        trusted: true,
        restart_task: None,
        hooks: ecu_os::AppHooks::NONE,
    }],
    tasks: &TASKS,
    counters: &[CounterConfig {
        name: "C",
        max_allowed_value: 65535,
        ticks_per_base: 1,
        min_cycle: 1,
    }],
    alarms: &ALARMS,
    resources: &[ResourceConfig {
        name: "R",
        ceiling: 10,
        internal: false,
    }],
    isrs: &[],
    schedule_tables: &[],
    trusted_functions: &[],
    app_modes: &["Default"],
    hooks: Hooks::NONE,
    events: &[],
    system_counter: CounterId::new(0),
    tick_ns: 1_000_000,
};

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_default();
    let n: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(1000);
    let mut k = Kernel::<10, 10, 1, 1, 0, 0>::new(&CONFIG).expect("tables fit");
    k.start_os();
    k.dispatch();
    let high = TaskId::new(9);
    for _ in 0..n {
        match path.as_str() {
            // ActivateTask of a higher-priority task, the switch to it, its termination and
            // the switch back: the preemption path.
            "activate_preempt" => {
                black_box(k.service(black_box(Request::ActivateTask(high)))).ok();
                black_box(k.dispatch());
                black_box(k.terminate_running()).ok();
                black_box(k.dispatch());
            }
            "get_release_resource" => {
                black_box(k.service(black_box(Request::GetResource(ResourceId::new(0))))).ok();
                black_box(k.service(black_box(Request::ReleaseResource(ResourceId::new(0))))).ok();
                black_box(k.dispatch());
            }
            "null_service" => {
                black_box(k.service(black_box(Request::GetTaskId))).ok();
            }
            // A tick of the system counter with ten alarms on it (none due).
            "tick" => {
                black_box(&mut k).tick();
            }
            _ => {
                black_box(&mut k);
            }
        }
        while k.trace_pop().is_some() {}
    }
}
