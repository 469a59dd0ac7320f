//! The kernel state machine driven directly, the way a port drives it.

use ecu_os::{
    AlarmAction, AlarmConfig, AppConfig, AppId, Config, Context, CounterConfig, CounterId,
    Dispatch, Error, Exit, Kernel, Os, TaskConfig, TaskId,
};

fn body(os: &Os) -> Exit {
    os.terminate_task()
}

static APPS: [AppConfig; 1] = [AppConfig {
    name: "A",
    trusted: true,
    restart_task: None,
    hooks: ecu_os::AppHooks::NONE,
}];
static TASKS: [TaskConfig; 3] = [
    TaskConfig {
        name: "T0",
        app: AppId::new(0),
        priority: 3,
        activation_limit: 1,
        stack_size: 512,
        autostart: false,
        autostart_modes: ecu_os::ALL_MODES,
        extended: false,
        events: 0,
        internal_resource: None,
        resources: 0,
        timing: ecu_os::Timing::NONE,
        access: ecu_os::ALL_APPLICATIONS,
        entry: body,
    },
    TaskConfig {
        name: "T1",
        app: AppId::new(0),
        priority: 3,
        activation_limit: 3,
        stack_size: 512,
        autostart: false,
        autostart_modes: ecu_os::ALL_MODES,
        extended: false,
        events: 0,
        internal_resource: None,
        resources: 0,
        timing: ecu_os::Timing::NONE,
        access: ecu_os::ALL_APPLICATIONS,
        entry: body,
    },
    TaskConfig {
        name: "T2",
        app: AppId::new(0),
        priority: 7,
        activation_limit: 1,
        stack_size: 512,
        autostart: true,
        autostart_modes: ecu_os::ALL_MODES,
        extended: false,
        events: 0,
        internal_resource: None,
        resources: 0,
        timing: ecu_os::Timing::NONE,
        access: ecu_os::ALL_APPLICATIONS,
        entry: body,
    },
];
static COUNTERS: [CounterConfig; 1] = [CounterConfig {
    name: "C",
    max_allowed_value: 4,
    ticks_per_base: 1,
    min_cycle: 1,
}];
static ALARMS: [AlarmConfig; 2] = [
    AlarmConfig {
        name: "Once",
        app: AppId::new(0),
        access: 0,
        counter: CounterId::new(0),
        action: AlarmAction::ActivateTask(TaskId::new(0)),
        autostart: Some((2, 0)),
        autostart_modes: ecu_os::ALL_MODES,
    },
    AlarmConfig {
        name: "Cyclic",
        app: AppId::new(0),
        access: 0,
        counter: CounterId::new(0),
        action: AlarmAction::ActivateTask(TaskId::new(1)),
        autostart: Some((4, 3)),
        autostart_modes: ecu_os::ALL_MODES,
    },
];
static CONFIG: Config = Config {
    name: "K",
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
    tick_ns: 1000,
};

type K = Kernel<3, 2, 1, 0, 0, 0>;

fn kernel() -> K {
    let mut k = K::new(&CONFIG).unwrap();
    k.start_os();
    k
}

const T0: TaskId = TaskId::new(0);
const T1: TaskId = TaskId::new(1);
const T2: TaskId = TaskId::new(2);

#[test]
fn autostart_then_idle() {
    let mut k = kernel();
    assert_eq!(
        k.dispatch(),
        Dispatch::Switch {
            to: Context::Task(T2),
            fresh: true
        }
    );
    assert_eq!(k.dispatch(), Dispatch::Keep);
    k.terminate_running().unwrap();
    assert_eq!(k.dispatch(), Dispatch::Idle);
    assert_eq!(k.running(), None);
}

#[test]
fn equal_priorities_run_in_activation_order_and_limits_hold() {
    let mut k = kernel();
    k.dispatch();
    k.terminate_running().unwrap();
    k.activate_task(T1).unwrap();
    k.activate_task(T0).unwrap();
    k.activate_task(T1).unwrap();
    assert_eq!(k.activate_task(T0), Err(Error::Limit));
    k.activate_task(T1).unwrap();
    assert_eq!(k.activate_task(T1), Err(Error::Limit));
    let mut order = Vec::new();
    while let Dispatch::Switch {
        to: Context::Task(to),
        fresh,
    } = k.dispatch()
    {
        assert!(fresh);
        order.push(to);
        k.terminate_running().unwrap();
    }
    assert_eq!(order, [T1, T0, T1, T1]);
}

#[test]
fn forged_ids_and_wrong_context_are_refused() {
    let mut k = kernel();
    assert_eq!(k.activate_task(TaskId::new(200)), Err(Error::Id));
    assert_eq!(
        k.terminate_running(),
        Err(Error::CallLevel),
        "no task is running"
    );
    k.dispatch();
    assert_eq!(k.chain_running(TaskId::new(3)), Err(Error::Id));
    assert_eq!(
        k.running(),
        None,
        "the task ended anyway: its body had returned"
    );
}

#[test]
fn chain_to_self_always_succeeds_and_chain_past_limit_is_reported() {
    let mut k = kernel();
    k.dispatch();
    k.chain_running(T2).unwrap();
    assert_eq!(
        k.dispatch(),
        Dispatch::Switch {
            to: Context::Task(T2),
            fresh: true
        }
    );
    k.activate_task(T0).unwrap();
    k.terminate_running().unwrap();
    assert_eq!(
        k.dispatch(),
        Dispatch::Switch {
            to: Context::Task(T0),
            fresh: true
        }
    );
    // T2 preempts T0; T0 (limit 1) is still queued, so chaining T2 into T0 fails.
    k.activate_task(T2).unwrap();
    assert_eq!(
        k.dispatch(),
        Dispatch::Switch {
            to: Context::Task(T2),
            fresh: true
        }
    );
    assert_eq!(k.activate_task(T0), Err(Error::Limit));
    assert_eq!(k.chain_running(T0), Err(Error::Limit));
    assert_eq!(
        k.dispatch(),
        Dispatch::Switch {
            to: Context::Task(T0),
            fresh: false
        },
        "T0 resumes"
    );
}

#[test]
fn alarms_expire_on_a_wrapping_counter() {
    let mut k = kernel();
    k.dispatch();
    k.terminate_running().unwrap();
    let mut expiries = Vec::new();
    for _ in 0..12 {
        k.tick();
        while let Dispatch::Switch {
            to: Context::Task(to),
            ..
        } = k.dispatch()
        {
            expiries.push((k.elapsed_ticks(), to));
            k.terminate_running().unwrap();
        }
    }
    // Counter modulus 5: "Once" at tick 2 only; "Cyclic" at 4, then every 3 ticks.
    assert_eq!(expiries, [(2, T0), (4, T1), (7, T1), (10, T1)]);
    assert_eq!(k.counter_value(CounterId::new(0)), Ok(12 % 5));
    assert_eq!(
        k.service(ecu_os::Request::GetCounterValue(CounterId::new(0))),
        Err(Error::CallLevel),
        "services need a running task"
    );
}

#[test]
fn tables_of_the_wrong_size_are_refused() {
    assert!(Kernel::<2, 2, 1, 0, 0, 0>::new(&CONFIG).is_err());
    assert!(Kernel::<3, 1, 1, 0, 0, 0>::new(&CONFIG).is_err());
    assert!(Kernel::<3, 2, 2, 0, 0, 0>::new(&CONFIG).is_err());
}

#[test]
fn the_trace_ring_counts_what_it_drops() {
    let mut k = kernel();
    for _ in 0..200 {
        let _ = k.activate_task(T0);
    }
    let mut kept = 0;
    while k.trace_pop().is_some() {
        kept += 1;
    }
    assert_eq!(kept, ecu_os::trace::TRACE_CAPACITY);
    assert!(k.trace_take_lost() > 0);
    assert_eq!(k.trace_take_lost(), 0, "taken once");
}
