//! Kernel-mediated IPC on the simulation: the example ECU's policy (policy/tests/policies/
//! example.policy, plus sender-receiver rules) compiled at test time, the kernel ruling on
//! every call, message and audit read of six partitions.
//!
//! A trusted `Init` task plays a script: for each step it activates the worker task of the
//! step's partition (higher priority), which makes the request through `Os` and records what
//! came back. Server handlers run in server tasks of their partitions (higher still) and record
//! what reached them, so a test sees both sides.

use std::sync::Mutex;

use ecu_os::ipc::{
    ArgType, Audit, AuditQuery, CallSlot, EndpointConfig, EndpointKind, EntryCall, IpcConfig,
    OperationConfig, QueueConfig, QueueState, BY_INTERFACE, NO_QUEUE, REPLY_PENDING,
};
use ecu_os::{
    AlarmAction, AlarmConfig, AppConfig, AppId, Config, Context, CounterConfig, CounterId,
    DirectAnswer, Dispatch, Error, Exit, Os, Request, TaskConfig, TaskId,
};
use ecu_policy::compiler::{compile, Compiled, Field, FieldType, Operation, Options, System};
use ecu_policy::{Engine, OwnedStorage};

// Partitions, in OS-Application order (= policy partition order).
const POWERTRAIN: usize = 0;
const COMFORT: usize = 1;
const DIAG: usize = 2;
const GATEWAY: usize = 3;
const SECURITY: usize = 4;
const INFOTAINMENT: usize = 5;
const APP_NAMES: [&str; 6] = [
    "Powertrain",
    "Comfort",
    "Diag",
    "Gateway",
    "Security",
    "Infotainment",
];

// Endpoints (= policy interfaces) and operations.
const FLASH: u16 = 0;
const DIAGNOSTICS: u16 = 1;
const LIGHTS: u16 = 2;
const VEHICLE: u16 = 3;
const STATUS: u16 = 4;
const ERASE: u16 = 0;
const WRITE: u16 = 1;
const START_SESSION: u16 = 0;
const READ_DTC: u16 = 1;
const CLEAR_DTC: u16 = 2;
const SET: u16 = 0;
const SET_MODE: u16 = 0;
const SPEED: u16 = 1;
const SPEED_ELEMENT: u16 = 0;
const MODE_ELEMENT: u16 = 1;

const SESSION_DEFAULT: u32 = 1;
const SESSION_PROGRAMMING: u32 = 2;
const SESSION_EXTENDED: u32 = 3;
const DRIVING: u32 = 1;

const POLICY_EXTRA: &str = "
# Sender-receiver: vehicle status.
allow Powertrain send Status.Speed;
allow Comfort receive Status.Speed;
allow Powertrain send Status.Mode;
allow role Tester receive Status.Mode;
";

fn system() -> System {
    let session = FieldType::enumeration(&[("default", 1), ("programming", 2), ("extended", 3)]);
    System::new(&APP_NAMES)
        .interface(
            "Flash",
            vec![
                Operation::new("Erase", vec![]),
                Operation::new(
                    "Write",
                    vec![
                        Field::new("addr", FieldType::U32),
                        Field::new("len", FieldType::U16),
                    ],
                ),
            ],
        )
        .interface(
            "Diagnostics",
            vec![
                Operation::new("StartSession", vec![Field::new("session", session)]),
                Operation::new("ReadDtc", vec![]),
                Operation::new("ClearDtc", vec![]),
            ],
        )
        .interface(
            "Lights",
            vec![Operation::new(
                "Set",
                vec![Field::new("level", FieldType::U8)],
            )],
        )
        .interface(
            "Vehicle",
            vec![
                Operation::new(
                    "SetMode",
                    vec![Field::new(
                        "mode",
                        FieldType::enumeration(&[("parked", 0), ("driving", 1)]),
                    )],
                ),
                Operation::new("Speed", vec![]),
            ],
        )
        .interface(
            "Status",
            vec![
                Operation::new("Speed", vec![Field::new("value", FieldType::U16)]),
                Operation::new("Mode", vec![Field::new("value", FieldType::U8)]),
            ],
        )
        .can_bus("Body", &[0x200, 0x100, 0x7DF])
}

fn compiled() -> &'static Compiled {
    static COMPILED: std::sync::OnceLock<Compiled> = std::sync::OnceLock::new();
    COMPILED.get_or_init(|| {
        let source = format!(
            "{}{}",
            include_str!("../../../policy/tests/policies/example.policy"),
            POLICY_EXTRA
        );
        compile(&system(), "example.policy", &source, &Options::default())
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

// ---- servers: they record what reached them ----

static DELIVERED: Mutex<Vec<(u16, u16, [u32; 4])>> = Mutex::new(Vec::new());

fn deliver(endpoint: u16, op: u16, args: [u32; 4]) -> u32 {
    DELIVERED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push((endpoint, op, args));
    answer(endpoint, op, args)
}
/// What the servers answer, without recording a delivery.
fn answer(endpoint: u16, op: u16, args: [u32; 4]) -> u32 {
    1000 * endpoint as u32 + 100 * op as u32 + (args[0] & 0xff)
}
fn flash_server(op: u16, args: [u32; 4]) -> u32 {
    deliver(FLASH, op, args)
}
fn diagnostics_server(op: u16, args: [u32; 4]) -> u32 {
    deliver(DIAGNOSTICS, op, args)
}
fn lights_server(op: u16, args: [u32; 4]) -> u32 {
    deliver(LIGHTS, op, args)
}
fn vehicle_server(op: u16, args: [u32; 4]) -> u32 {
    deliver(VEHICLE, op, args)
}

/// A server task's body, as the configurator generates it: take the call, run the handler,
/// answer.
fn serve(os: &Os, handler: fn(u16, [u32; 4]) -> u32) -> Exit {
    if let Ok((op, args)) = os.ipc_accept(4) {
        let _ = os.ipc_reply(handler(op, args));
    }
    os.terminate_task()
}
fn flash_task(os: &Os) -> Exit {
    serve(os, flash_server)
}
fn diagnostics_task(os: &Os) -> Exit {
    serve(os, diagnostics_server)
}
fn lights_task(os: &Os) -> Exit {
    serve(os, lights_server)
}
fn vehicle_task(os: &Os) -> Exit {
    serve(os, vehicle_server)
}
/// Lights' handler as a port that starts the server task with its call runs it.
fn lights_handler(_os: &Os, op: u16, args: [u32; 4]) -> u32 {
    lights_server(op, args)
}

const FLASH_TASK: u8 = 9;
const DIAGNOSTICS_TASK: u8 = 10;
const LIGHTS_TASK: u8 = 11;
const VEHICLE_TASK: u8 = 12;
const TASK_COUNT: usize = 13;

const SESSION_MASK: u32 = 0b1110;
static ENDPOINTS: [EndpointConfig; 5] = [
    EndpointConfig {
        name: "Flash",
        kind: EndpointKind::Server {
            app: AppId::new(DIAG as u8),
            task: TaskId::new(FLASH_TASK),
        },
        operations: &[
            OperationConfig {
                name: "Erase",
                args: &[],
                queue: NO_QUEUE,
            },
            OperationConfig {
                name: "Write",
                args: &[ArgType::U32, ArgType::U16],
                queue: NO_QUEUE,
            },
        ],
        handler: None,
    },
    EndpointConfig {
        name: "Diagnostics",
        kind: EndpointKind::Server {
            app: AppId::new(DIAG as u8),
            task: TaskId::new(DIAGNOSTICS_TASK),
        },
        operations: &[
            OperationConfig {
                name: "StartSession",
                args: &[ArgType::Enum(SESSION_MASK)],
                queue: NO_QUEUE,
            },
            OperationConfig {
                name: "ReadDtc",
                args: &[],
                queue: NO_QUEUE,
            },
            OperationConfig {
                name: "ClearDtc",
                args: &[],
                queue: NO_QUEUE,
            },
        ],
        handler: None,
    },
    EndpointConfig {
        name: "Lights",
        kind: EndpointKind::Server {
            app: AppId::new(COMFORT as u8),
            task: TaskId::new(LIGHTS_TASK),
        },
        operations: &[OperationConfig {
            name: "Set",
            args: &[ArgType::U8],
            queue: NO_QUEUE,
        }],
        handler: Some(lights_handler),
    },
    EndpointConfig {
        name: "Vehicle",
        kind: EndpointKind::Server {
            app: AppId::new(POWERTRAIN as u8),
            task: TaskId::new(VEHICLE_TASK),
        },
        operations: &[
            OperationConfig {
                name: "SetMode",
                args: &[ArgType::Enum(0b11)],
                queue: NO_QUEUE,
            },
            OperationConfig {
                name: "Speed",
                args: &[],
                queue: NO_QUEUE,
            },
        ],
        handler: None,
    },
    EndpointConfig {
        name: "Status",
        kind: EndpointKind::Data,
        operations: &[
            OperationConfig {
                name: "Speed",
                args: &[ArgType::U16],
                queue: 0,
            },
            OperationConfig {
                name: "Mode",
                args: &[ArgType::U8],
                queue: 1,
            },
        ],
        handler: None,
    },
];

/// Handle tables: Diag's and Comfort's start with what the policy grants them (Diag: 0 =
/// Flash, 1 = Diagnostics; Comfort: 0 = Lights). Infotainment holds no handle at all.
static HANDLES: [&[u16]; 6] = [
    &[FLASH, DIAGNOSTICS, LIGHTS, VEHICLE, STATUS],
    &[LIGHTS, FLASH, DIAGNOSTICS, VEHICLE, STATUS],
    &[FLASH, DIAGNOSTICS, LIGHTS, VEHICLE, STATUS],
    &[FLASH, DIAGNOSTICS, LIGHTS, VEHICLE, STATUS],
    &[FLASH, DIAGNOSTICS, LIGHTS, VEHICLE, STATUS],
    &[],
];

fn handle(app: usize, endpoint: u16) -> u16 {
    HANDLES[app]
        .iter()
        .position(|&e| e == endpoint)
        .expect("a handle") as u16
}

static IPC: IpcConfig = IpcConfig {
    endpoints: &ENDPOINTS,
    handles: &HANDLES,
    queues: &[
        QueueConfig {
            capacity: 4,
            first_slot: 0,
        },
        QueueConfig {
            capacity: 0,
            first_slot: 4,
        },
    ],
    slots: 5,
};

// ---- the script ----

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Call(usize, u16, u16, [u32; 4]),
    Send(usize, u16, u16, u32),
    Receive(usize, u16, u16),
    /// The partition reads the audit ring (only Security may).
    AuditPop(usize),
    /// Virtual time passes in Init (ticks of 1 ms).
    Sleep(u32),
    /// Gateway floods denied calls for about 20 ticks (or only computes, if false).
    Flood(bool),
}

struct Run {
    script: Vec<Step>,
    current: Option<Step>,
    results: Vec<Result<u32, Error>>,
    audit: Vec<Audit>,
    counters: Vec<u64>,
    flood_results: Vec<Result<u32, Error>>,
}

static RUN: Mutex<Run> = Mutex::new(Run {
    script: Vec::new(),
    current: None,
    results: Vec::new(),
    audit: Vec::new(),
    counters: Vec::new(),
    flood_results: Vec::new(),
});
/// Tests share the globals: one run at a time.
static SERIAL: Mutex<()> = Mutex::new(());
static FLOOD_IPC: Mutex<bool> = Mutex::new(true);

fn worker(os: &Os) -> Exit {
    let step = RUN
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .current
        .take()
        .expect("a step");
    let result = match step {
        Step::Call(_, h, op, args) => os.ipc_call(h, op, args),
        Step::Send(_, h, el, v) => os.ipc_send(h, el, v).map(|()| 0),
        Step::Receive(_, h, el) => os.ipc_receive(h, el),
        Step::AuditPop(_) => os.audit_read(AuditQuery::Pop, 0).map(|w| w as u32),
        Step::Sleep(_) | Step::Flood(_) => unreachable!(),
    };
    RUN.lock()
        .unwrap_or_else(|p| p.into_inner())
        .results
        .push(result);
    os.terminate_task()
}

fn flood(os: &Os) -> Exit {
    let ipc = *FLOOD_IPC.lock().unwrap();
    for i in 0..500u32 {
        if ipc {
            // Gateway: an explicit deny, then a guessed handle, then a word out of type.
            let r = match i % 3 {
                0 => os.ipc_call(handle(GATEWAY, LIGHTS), SET, [10, 0, 0, 0]),
                1 => os.ipc_call(40 + i as u16, 0, [0; 4]),
                _ => os.ipc_call(handle(GATEWAY, LIGHTS), SET, [1000, 0, 0, 0]),
            };
            RUN.lock()
                .unwrap_or_else(|p| p.into_inner())
                .flood_results
                .push(r);
        }
        let _ = os.busy_us(40);
    }
    os.terminate_task()
}

fn blink(os: &Os) -> Exit {
    let _ = os.busy_us(200);
    os.terminate_task()
}

fn init(os: &Os) -> Exit {
    loop {
        let step = {
            let mut run = RUN.lock().unwrap_or_else(|p| p.into_inner());
            if run.script.is_empty() {
                break;
            }
            run.script.remove(0)
        };
        match step {
            Step::Sleep(ticks) => {
                let _ = os.busy_us(ticks * 1000);
            }
            Step::Flood(ipc) => {
                *FLOOD_IPC.lock().unwrap() = ipc;
                os.activate_task(TaskId::new(7)).unwrap();
            }
            Step::Call(app, ..)
            | Step::Send(app, ..)
            | Step::Receive(app, ..)
            | Step::AuditPop(app) => {
                RUN.lock().unwrap_or_else(|p| p.into_inner()).current = Some(step);
                os.activate_task(TaskId::new(app as u8)).unwrap();
            }
        }
    }
    // Security reads everything the audit ring kept, and the counters.
    let mut audit = Vec::new();
    while let Some(record) = os.audit_pop().unwrap() {
        audit.push(record);
    }
    let mut counters = Vec::new();
    for (query, index) in [
        (AuditQuery::TakeLost, 0),
        (AuditQuery::DefaultDenies, 0),
        (AuditQuery::MalformedDenies, 0),
        (AuditQuery::QueueOverflows, 0),
        (AuditQuery::QueueLength, 0),
    ] {
        counters.push(os.audit_read(query, index).unwrap());
    }
    for rule in 0..compiled().tables().rules.len() as u16 {
        counters.push(os.audit_read(AuditQuery::RuleDenies, rule).unwrap());
    }
    let mut run = RUN.lock().unwrap_or_else(|p| p.into_inner());
    run.audit = audit;
    run.counters = counters;
    os.terminate_task()
}

const fn task(
    name: &'static str,
    app: usize,
    priority: u8,
    entry: ecu_os::TaskEntry,
) -> TaskConfig {
    TaskConfig {
        activation_limit: 1,
        ..TaskConfig::basic(name, AppId::new(app as u8), priority, entry)
    }
}

static TASKS: [TaskConfig; TASK_COUNT] = [
    task("W_Powertrain", POWERTRAIN, 10, worker),
    task("W_Comfort", COMFORT, 10, worker),
    task("W_Diag", DIAG, 10, worker),
    task("W_Gateway", GATEWAY, 10, worker),
    task("W_Security", SECURITY, 10, worker),
    task("W_Infotainment", INFOTAINMENT, 10, worker),
    TaskConfig {
        autostart: true,
        ..task("Init", SECURITY, 1, init)
    },
    task("Flood", GATEWAY, 5, flood),
    task("Blink", COMFORT, 20, blink),
    task("S_Flash", DIAG, 15, flash_task),
    task("S_Diagnostics", DIAG, 15, diagnostics_task),
    task("S_Lights", COMFORT, 15, lights_task),
    task("S_Vehicle", POWERTRAIN, 15, vehicle_task),
];

const fn app(name: &'static str, trusted: bool) -> AppConfig {
    AppConfig {
        name,
        trusted,
        restart_task: None,
        hooks: ecu_os::AppHooks::NONE,
    }
}

static APPS: [AppConfig; 6] = [
    app("Powertrain", false),
    app("Comfort", false),
    app("Diag", false),
    app("Gateway", false),
    app("Security", true),
    app("Infotainment", false),
];

static CONFIG: Config = Config {
    name: "IpcEcu",
    apps: &APPS,
    tasks: &TASKS,
    counters: &[CounterConfig {
        name: "SystemCounter",
        max_allowed_value: 0xffff,
        ticks_per_base: 1,
        min_cycle: 1,
    }],
    alarms: &[AlarmConfig {
        name: "BlinkAlarm",
        app: AppId::new(COMFORT as u8),
        access: 0,
        counter: CounterId::new(0),
        action: AlarmAction::ActivateTask(TaskId::new(8)),
        autostart: Some((2, 2)),
        autostart_modes: ecu_os::ALL_MODES,
    }],
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

type K = ecu_os::Kernel<TASK_COUNT, 1, 1, 0, 0, 0>;

struct Outcome {
    results: Vec<Result<u32, Error>>,
    audit: Vec<Audit>,
    /// lost, default denies, malformed denies, queue 0 overflows, queue 0 length, then one
    /// per rule.
    counters: Vec<u64>,
    delivered: Vec<(u16, u16, [u32; 4])>,
    flood: Vec<Result<u32, Error>>,
    trace: Vec<String>,
    faults: Vec<String>,
}

/// The IPC tables, a fresh policy engine and fresh storage for `kernel`.
fn attach(kernel: &mut K) -> Result<(), String> {
    let tables = compiled().tables();
    let storage: &'static mut OwnedStorage = Box::leak(Box::new(OwnedStorage::for_tables(
        &tables,
        compiled().audit_capacity,
    )));
    let engine = Engine::new(tables, storage.state()).map_err(|e| format!("{e:?}"))?;
    let queues = Box::leak(Box::new([QueueState::NEW; 2]));
    let slots = Box::leak(Box::new([0u32; 5]));
    let calls = Box::leak(Box::new([CallSlot::NEW; TASK_COUNT]));
    kernel
        .attach_ipc(&IPC, engine, queues, slots, calls)
        .map_err(|e| format!("{e:?}"))
}

fn play(script: &[Step], ticks: u64) -> Outcome {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    {
        let mut run = RUN.lock().unwrap_or_else(|p| p.into_inner());
        run.script = script.to_vec();
        run.current = None;
        run.results.clear();
        run.audit.clear();
        run.counters.clear();
        run.flood_results.clear();
    }
    DELIVERED.lock().unwrap_or_else(|p| p.into_inner()).clear();
    let options = ecu_sim::Options {
        run_ticks: ticks,
        seed: 7,
        stimuli: &[],
    };
    let outcome = ecu_sim::run_in_mode_with::<TASK_COUNT, 1, 1, 0, 0, 0>(
        &CONFIG,
        options,
        ecu_os::AppModeId::new(0),
        attach,
    )
    .unwrap();
    let mut run = RUN.lock().unwrap_or_else(|p| p.into_inner());
    assert!(
        run.script.is_empty(),
        "the script did not finish in {ticks} ticks"
    );
    Outcome {
        results: std::mem::take(&mut run.results),
        audit: std::mem::take(&mut run.audit),
        counters: std::mem::take(&mut run.counters),
        delivered: std::mem::take(&mut DELIVERED.lock().unwrap_or_else(|p| p.into_inner())),
        flood: std::mem::take(&mut run.flood_results),
        trace: outcome.trace,
        faults: outcome.faults,
    }
}

fn reason(a: &Audit) -> ecu_policy::Reason {
    use ecu_policy::Reason::*;
    [
        NoRule,
        Malformed,
        Denied,
        NoCapability,
        WrongState,
        BadArgument,
        RateLimited,
        TooSoon,
        OutsideWindow,
        OutOfOrder,
    ][a.reason as usize]
}

/// Every (partition, interface, operation) through the kernel, each in a fresh system (the
/// initial state: Session = default, Vehicle = parked, nothing called yet), with one typical
/// argument vector per operation. The expectation is written from the policy by hand.
#[test]
#[allow(clippy::needless_range_loop)]
fn exhaustive_matrix_every_caller_every_operation() {
    // (endpoint, operation, args, partitions allowed in the initial state)
    let cases: &[(u16, u16, [u32; 4], &[usize])] = &[
        (FLASH, ERASE, [0; 4], &[]),
        (FLASH, WRITE, [0x0800_0000, 16, 0, 0], &[]),
        (
            DIAGNOSTICS,
            START_SESSION,
            [SESSION_EXTENDED, 0, 0, 0],
            &[DIAG, GATEWAY],
        ),
        (DIAGNOSTICS, READ_DTC, [0; 4], &[DIAG, GATEWAY]),
        (DIAGNOSTICS, CLEAR_DTC, [0; 4], &[]),
        (LIGHTS, SET, [50, 0, 0, 0], &[COMFORT]),
        (VEHICLE, SET_MODE, [DRIVING, 0, 0, 0], &[POWERTRAIN]),
        (VEHICLE, SPEED, [0; 4], &[DIAG, GATEWAY, COMFORT]),
    ];
    let mut tried = 0;
    for &(endpoint, op, args, allowed) in cases {
        for app in 0..APP_NAMES.len() {
            let Some(h) = HANDLES[app].iter().position(|&e| e == endpoint) else {
                continue; // Infotainment: see the capability test
            };
            let out = play(&[Step::Call(app, h as u16, op, args)], 5);
            let what = format!(
                "{} {}.{op}",
                APP_NAMES[app], ENDPOINTS[endpoint as usize].name
            );
            assert!(out.faults.is_empty(), "{what}: {:?}", out.faults);
            tried += 1;
            if allowed.contains(&app) {
                assert_eq!(
                    out.results,
                    [Ok(1000 * endpoint as u32
                        + 100 * op as u32
                        + (args[0] & 0xff))],
                    "{what}: allowed, the reply comes back"
                );
                assert_eq!(out.delivered, [(endpoint, op, args)], "{what}");
                assert!(out.audit.is_empty(), "{what}: {:?}", out.audit);
            } else {
                assert_eq!(out.results, [Err(Error::Access)], "{what}: denied");
                assert!(out.delivered.is_empty(), "{what}: never delivered");
                assert_eq!(out.audit.len(), 1, "{what}: audited");
                let a = out.audit[0];
                assert_eq!(
                    (a.caller as usize, a.interface, a.operation),
                    (app, endpoint, op),
                    "{what}"
                );
                let counted: u64 =
                    out.counters[1..3].iter().sum::<u64>() + out.counters[5..].iter().sum::<u64>();
                assert_eq!(counted, 1, "{what}: counted once");
                assert!(
                    out.trace
                        .iter()
                        .any(|l| l.contains("ipc-deny") && l.contains(APP_NAMES[app])),
                    "{what}: traced"
                );
            }
        }
    }
    // Sender-receiver: send and receive of both elements by every partition with a handle.
    let sr: &[(u16, &[usize], &[usize])] = &[
        (SPEED_ELEMENT, &[POWERTRAIN], &[COMFORT]),
        (MODE_ELEMENT, &[POWERTRAIN], &[DIAG, GATEWAY]),
    ];
    for &(element, senders, receivers) in sr {
        for app in 0..APP_NAMES.len() {
            let Some(h) = HANDLES[app].iter().position(|&e| e == STATUS) else {
                continue;
            };
            let h = h as u16;
            // Powertrain fills the element first, so a permitted receive finds data.
            let out = play(
                &[
                    Step::Send(POWERTRAIN, handle(POWERTRAIN, STATUS), element, 77),
                    Step::Send(app, h, element, 5),
                    Step::Receive(app, h, element),
                ],
                5,
            );
            tried += 2;
            let send_ok = senders.contains(&app);
            let recv_ok = receivers.contains(&app);
            assert_eq!(out.results[0], Ok(0));
            assert_eq!(out.results[1].is_ok(), send_ok, "{app} send {element}");
            assert_eq!(out.results[2].is_ok(), recv_ok, "{app} receive {element}");
            if !recv_ok {
                assert_eq!(out.results[2], Err(Error::Access));
            }
            let denials = usize::from(!send_ok) + usize::from(!recv_ok);
            assert_eq!(out.audit.len(), denials, "{app}: {:?}", out.audit);
        }
    }
    assert_eq!(tried, 8 * 5 + 2 * 5 * 2);
}

#[test]
fn session_state_machine_gates_the_flash_write() {
    let d = |h| handle(DIAG, h);
    let out = play(
        &[
            Step::Call(DIAG, d(FLASH), WRITE, [0x0800_0000, 16, 0, 0]),
            Step::Call(
                DIAG,
                d(DIAGNOSTICS),
                START_SESSION,
                [SESSION_EXTENDED, 0, 0, 0],
            ),
            Step::Call(
                DIAG,
                d(DIAGNOSTICS),
                START_SESSION,
                [SESSION_PROGRAMMING, 0, 0, 0],
            ),
            // Ordering: no write before an erase.
            Step::Call(DIAG, d(FLASH), WRITE, [0x0800_0000, 16, 0, 0]),
            Step::Call(DIAG, d(FLASH), ERASE, [0; 4]),
            Step::Call(DIAG, d(FLASH), WRITE, [0x0800_0000, 16, 0, 0]),
            // Outside the flash range.
            Step::Call(DIAG, d(FLASH), WRITE, [0x0900_0000, 16, 0, 0]),
            // Back to default: writing is refused again.
            Step::Call(
                DIAG,
                d(DIAGNOSTICS),
                START_SESSION,
                [SESSION_DEFAULT, 0, 0, 0],
            ),
            Step::Call(DIAG, d(FLASH), WRITE, [0x0800_0000, 16, 0, 0]),
        ],
        5,
    );
    let ok: Vec<bool> = out.results.iter().map(Result::is_ok).collect();
    assert_eq!(
        ok,
        [false, true, true, false, true, true, false, true, false]
    );
    let reasons: Vec<_> = out.audit.iter().map(reason).collect();
    use ecu_policy::Reason::*;
    assert_eq!(reasons, [WrongState, OutOfOrder, BadArgument, WrongState]);
    assert_eq!(
        out.delivered
            .iter()
            .filter(|(e, op, _)| (*e, *op) == (FLASH, WRITE))
            .count(),
        1,
        "exactly one write reached the flash server"
    );
}

#[test]
fn rate_limit_and_minimum_interval_hold_through_the_kernel() {
    let g = handle(GATEWAY, DIAGNOSTICS);
    let p = handle(POWERTRAIN, LIGHTS);
    let mut script = vec![Step::Call(GATEWAY, g, READ_DTC, [0; 4]); 6];
    script.push(Step::Call(POWERTRAIN, p, SET, [20, 0, 0, 0]));
    script.push(Step::Call(POWERTRAIN, p, SET, [20, 0, 0, 0]));
    script.push(Step::Sleep(1001));
    script.push(Step::Call(GATEWAY, g, READ_DTC, [0; 4]));
    script.push(Step::Call(POWERTRAIN, p, SET, [20, 0, 0, 0]));
    let out = play(&script, 1300);
    let ok: Vec<bool> = out.results.iter().map(Result::is_ok).collect();
    assert_eq!(
        ok,
        [true, true, true, true, true, false, true, false, true, true]
    );
    let reasons: Vec<_> = out.audit.iter().map(reason).collect();
    assert_eq!(
        reasons,
        [ecu_policy::Reason::RateLimited, ecu_policy::Reason::TooSoon]
    );
}

#[test]
fn a_partition_without_capabilities_cannot_reach_an_endpoint_by_guessing() {
    let mut script = Vec::new();
    // Its handles by number, and by interface (what the typed stubs pass): none of them.
    let by_interface = (0..=STATUS).map(|endpoint| BY_INTERFACE | endpoint);
    for h in (0..16)
        .chain([255, 1000, u16::MAX - 1, u16::MAX])
        .chain(by_interface)
    {
        script.push(Step::Call(INFOTAINMENT, h, 0, [0; 4]));
        script.push(Step::Send(INFOTAINMENT, h, 0, 1));
        script.push(Step::Receive(INFOTAINMENT, h, 0));
    }
    // Comfort holds 5 handles: 5 and beyond name nothing, whatever the number.
    for h in [5, 6, 77, u16::MAX] {
        script.push(Step::Call(COMFORT, h, 0, [50, 0, 0, 0]));
    }
    let n = script.len();
    let out = play(&script, 5);
    assert_eq!(out.results, vec![Err(Error::Access); n]);
    assert!(out.delivered.is_empty(), "{:?}", out.delivered);
    assert_eq!(out.counters[2], n as u64, "all counted as malformed");
    // Each audited, those past the ring's capacity as lost.
    assert_eq!(out.audit.len() as u64 + out.counters[0], n as u64);
    assert!(out
        .audit
        .iter()
        .all(|a| reason(a) == ecu_policy::Reason::Malformed));
}

/// A handle by interface (what the generated typed stubs pass) is the caller's own handle for
/// it: the same verdict and the same delivery as the number in its table.
#[test]
fn a_handle_by_interface_is_the_callers_own_handle() {
    let by_number = handle(COMFORT, LIGHTS);
    let out = play(
        &[
            Step::Call(COMFORT, by_number, SET, [50, 0, 0, 0]),
            Step::Call(COMFORT, BY_INTERFACE | LIGHTS, SET, [50, 0, 0, 0]),
            // Diag holds a handle for Lights too, but the policy does not let it set them.
            Step::Call(DIAG, BY_INTERFACE | LIGHTS, SET, [50, 0, 0, 0]),
        ],
        5,
    );
    let answered = answer(LIGHTS, SET, [50, 0, 0, 0]);
    assert_eq!(
        out.results,
        [Ok(answered), Ok(answered), Err(Error::Access)],
        "{:#?}",
        out.trace
    );
    assert_eq!(out.delivered, [(LIGHTS, SET, [50, 0, 0, 0]); 2]);
    assert_eq!(out.audit.len(), 1);
    assert_ne!(reason(&out.audit[0]), ecu_policy::Reason::Malformed);
}

#[test]
fn hostile_arguments_and_unknown_operations_are_denied_and_counted() {
    let c = handle(COMFORT, LIGHTS);
    let d = handle(DIAG, DIAGNOSTICS);
    let out = play(
        &[
            Step::Call(COMFORT, c, SET, [300, 0, 0, 0]), // u8 field
            Step::Call(COMFORT, c, SET, [50, 1, 0, 0]),  // word beyond the fields
            Step::Call(COMFORT, c, SET, [50, 0, 0, u32::MAX]), // word beyond the fields
            Step::Call(COMFORT, c, 1, [0; 4]),           // no such operation
            Step::Call(COMFORT, c, u16::MAX, [0; 4]),    // no such operation
            Step::Send(COMFORT, c, SET, 50),             // a server is not a data element
            Step::Call(DIAG, d, START_SESSION, [0, 0, 0, 0]), // not an enum value
            Step::Call(DIAG, d, START_SESSION, [31, 0, 0, 0]), // not an enum value
            Step::Call(DIAG, d, START_SESSION, [1 << 31, 0, 0, 0]),
            Step::Call(COMFORT, c, SET, [101, 0, 0, 0]), // in type, outside the rule
            Step::Call(COMFORT, c, SET, [100, 0, 0, 0]), // allowed
            Step::AuditPop(COMFORT),                     // not trusted
        ],
        5,
    );
    let mut expect = vec![Err(Error::Access); 12];
    expect[10] = Ok(1000 * LIGHTS as u32 + 100);
    assert_eq!(out.results, expect);
    assert_eq!(out.delivered, [(LIGHTS, SET, [100, 0, 0, 0])]);
    assert_eq!(out.counters[2], 9, "nine malformed at the boundary");
    assert_eq!(
        out.audit.len(),
        10,
        "every denial audited (the audit read is not IPC)"
    );
    assert_eq!(reason(&out.audit[9]), ecu_policy::Reason::BadArgument);
}

#[test]
fn queued_messages_overflow_with_e_os_limit_and_keep_order() {
    let p = handle(POWERTRAIN, STATUS);
    let c = handle(COMFORT, STATUS);
    let g = handle(GATEWAY, STATUS);
    let mut script: Vec<Step> = (1..=6)
        .map(|v| Step::Send(POWERTRAIN, p, SPEED_ELEMENT, v))
        .collect();
    script.extend((0..5).map(|_| Step::Receive(COMFORT, c, SPEED_ELEMENT)));
    // Last-is-best: only the last value, read without being consumed.
    script.push(Step::Receive(GATEWAY, g, MODE_ELEMENT));
    script.push(Step::Send(POWERTRAIN, p, MODE_ELEMENT, 1));
    script.push(Step::Send(POWERTRAIN, p, MODE_ELEMENT, 2));
    script.push(Step::Receive(GATEWAY, g, MODE_ELEMENT));
    script.push(Step::Receive(GATEWAY, g, MODE_ELEMENT));
    // Out of type for a u16 element.
    script.push(Step::Send(POWERTRAIN, p, SPEED_ELEMENT, 70_000));
    let out = play(&script, 5);
    assert_eq!(
        out.results,
        [
            Ok(0),
            Ok(0),
            Ok(0),
            Ok(0),
            Err(Error::Limit),
            Err(Error::Limit),
            Ok(1),
            Ok(2),
            Ok(3),
            Ok(4),
            Err(Error::NoFunc),
            Err(Error::NoFunc),
            Ok(0),
            Ok(0),
            Ok(2),
            Ok(2),
            Err(Error::Access),
        ]
    );
    assert_eq!(out.counters[3], 2, "two overflows counted");
    assert_eq!(out.counters[4], 0, "queue drained");
    assert_eq!(out.audit.len(), 1);
}

fn lines_of(trace: &[String], name: &str) -> Vec<String> {
    trace
        .iter()
        .filter(|l| l.split_whitespace().nth(2) == Some(name))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn a_flooding_partition_is_denied_counted_and_others_keep_their_schedule() {
    let quiet = play(&[Step::Flood(false)], 30);
    let flood = play(&[Step::Flood(true)], 30);
    assert!(
        quiet.faults.is_empty() && flood.faults.is_empty(),
        "{:?}",
        flood.faults
    );
    let blink_quiet = lines_of(&quiet.trace, "Blink");
    let blink_flood = lines_of(&flood.trace, "Blink");
    assert!(blink_quiet.len() >= 3 * 14, "{blink_quiet:?}");
    assert_eq!(
        blink_flood, blink_quiet,
        "Blink's schedule is the same under the flood"
    );
    assert_eq!(flood.flood.len(), 500);
    assert!(flood.flood.iter().all(|r| *r == Err(Error::Access)));
    assert!(flood.delivered.is_empty());
    // Every denial counted; the ring keeps the oldest 64 and counts the rest as lost.
    let deny_rule = compiled()
        .tables()
        .rules
        .iter()
        .position(|r| r.deny)
        .unwrap();
    let explicit = flood.counters[5 + deny_rule];
    let malformed = flood.counters[2];
    assert_eq!(explicit + malformed, 500);
    assert_eq!(explicit, 167);
    assert_eq!(flood.audit.len(), 64);
    assert_eq!(flood.counters[0], 500 - 64, "lost records counted");
    assert_eq!(flood.audit[0].time, 0, "the oldest evidence is kept");
}

/// An `Os` for a handler that asks nothing of it.
struct NoServices;
impl ecu_os::Syscalls for NoServices {
    fn call(&self, _: [u32; 4], _: [u32; 2]) -> Result<ecu_os::Reply, Error> {
        Err(Error::ServiceId)
    }
}
static NO_OS: Os = Os::new(&NoServices);

/// The two ways a port may carry a call: the whole service path (the call, then the server's
/// body takes it, answers, and the caller fetches the answer), or the Cortex-R port's (the
/// server task starts with the call taken, the answer goes into the caller's registers).
/// Both leave the same trace, the same answer and nothing behind.
#[test]
fn a_call_carried_by_the_port_ends_as_one_carried_by_services() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    const W_COMFORT: TaskId = TaskId::new(COMFORT as u8);
    const S_LIGHTS: TaskId = TaskId::new(11);
    let args = [50, 0, 0, 0];
    let expected = answer(LIGHTS, SET, args);
    let run = |by_port: bool| {
        let mut kernel = Box::new(K::new(&CONFIG).unwrap());
        attach(&mut kernel).unwrap();
        kernel.start_os();
        let switch_to = |kernel: &mut K, to: TaskId, fresh: bool| {
            assert_eq!(
                kernel.dispatch(),
                Dispatch::Switch {
                    to: Context::Task(to),
                    fresh
                }
            );
        };
        switch_to(&mut kernel, TaskId::new(6), true);
        kernel.service(Request::ActivateTask(W_COMFORT)).unwrap();
        switch_to(&mut kernel, W_COMFORT, true);
        let handle = handle(COMFORT, LIGHTS);
        let reply = if by_port {
            let pending = kernel.ipc_call_service(handle, SET, args);
            assert_eq!(pending, Some(Ok(REPLY_PENDING)));
            switch_to(&mut kernel, S_LIGHTS, true);
            let handler = kernel.ipc_handler(S_LIGHTS).expect("Lights has a handler");
            let mut call = EntryCall::default();
            assert!(kernel.ipc_entry_call(S_LIGHTS, &mut call));
            assert_eq!(
                call,
                EntryCall {
                    operation: SET as u32,
                    args
                }
            );
            let reply = handler(&NO_OS, call.operation as u16, call.args);
            assert_eq!(
                kernel.ipc_reply_terminate_direct(reply),
                Some(DirectAnswer::Deliver(W_COMFORT))
            );
            switch_to(&mut kernel, W_COMFORT, false);
            Ok(reply as u64)
        } else {
            let pending = kernel.service(Request::IpcCall(handle, SET, args));
            assert_eq!(pending, Ok(REPLY_PENDING));
            switch_to(&mut kernel, S_LIGHTS, true);
            let taken = kernel.service(Request::IpcAccept).unwrap();
            assert_eq!(taken, SET as u64 | (args[0] as u64) << 32);
            kernel
                .service(Request::IpcReplyTerminate(expected))
                .unwrap();
            switch_to(&mut kernel, W_COMFORT, false);
            kernel.service(Request::IpcTakeReply)
        };
        let mut trace = Vec::new();
        while let Some(record) = kernel.trace_pop() {
            let mut line = String::new();
            let names = ecu_os::ConfigNames {
                config: &CONFIG,
                ipc: kernel.ipc_config(),
            };
            let _ = record.write(&names, &mut line);
            trace.push(line);
        }
        // Nothing is left to collect either way.
        assert_eq!(kernel.service(Request::IpcTakeReply), Err(Error::NoFunc));
        (reply, trace)
    };
    let (by_services, trace) = run(false);
    assert_eq!(by_services, Ok(expected as u64));
    assert_eq!(run(true), (by_services, trace.clone()));
    // A compound record (the fast paths') reads as several lines.
    let released = |l: &str| l.split_whitespace().eq(["0", "release", "W_Comfort"]);
    assert!(
        trace.iter().flat_map(|r| r.lines()).any(released),
        "{trace:#?}"
    );
}
