//! The IPC fast paths (the call handed straight to a suspended server task, the reply handed
//! straight back to the waiting caller) against the general paths: random operation
//! sequences on two kernels, fast paths on and off, compared after every step: replies,
//! decisions, traces as text, hook calls, task, call and policy state.

extern crate std;

use std::boxed::Box;
use std::cell::RefCell;
use std::string::{String, ToString};
use std::vec;
use std::vec::Vec;

use ecu_policy::compiler::{self, Field, FieldType, Interface, Operation, Options, System};
use ecu_policy::{Engine, OwnedStorage};
use proptest::prelude::*;

use super::Kernel;
use crate::api::{Exit, Os};
use crate::config::*;
use crate::ipc::{
    ArgType, CallSlot, EndpointConfig, EndpointKind, EntryCall, IpcConfig, OperationConfig,
    NO_QUEUE,
};
use crate::request::Request;
use crate::trace::{ConfigNames, Context};

const TASKS: usize = 5;
/// Task 2 serves `Echo` (endpoint 0) for OS-Application 1, task 3 serves `Other`
/// (endpoint 1) for OS-Application 2; tasks 0 and 1 are clients, task 4 a task of
/// OS-Application 1 that may call `Other`.
const ECHO_SERVER: u8 = 2;
const OTHER_SERVER: u8 = 3;

/// Rate and argument clauses give denials too; OS-Application 2 may call back into Echo.
const POLICY: &str = "\
grant Client: Echo, Other;
grant ServerA: Other;
grant ServerB: Echo;
allow Client call Echo.Ping(value in 0..=1000) with handle;
allow Client call Other.Op;
allow ServerA call Other.Op rate 4 per 3;
allow ServerB call Echo.Ping;
";

fn body(os: &Os) -> Exit {
    os.terminate_task()
}

fn isr_body(_: &Os) {}

std::thread_local! {
    /// The hooks' calls of the kernel stepping now, in order.
    static HOOKS: RefCell<Vec<(char, u8)>> = const { RefCell::new(Vec::new()) };
}

fn pre_task(task: TaskId) {
    HOOKS.with(|h| h.borrow_mut().push(('+', task.index() as u8)));
}

fn post_task(task: TaskId) {
    HOOKS.with(|h| h.borrow_mut().push(('-', task.index() as u8)));
}

fn protection(_: &ProtectionInfo) -> ProtectionReaction {
    ProtectionReaction::Ignore
}

#[derive(Clone, Debug)]
struct TaskSpec {
    priority: u8,
    limit: u8,
}

#[derive(Clone, Copy, Debug)]
enum Op {
    /// ActivateTask from what runs (from idle as an alarm would).
    Activate(u8),
    Terminate,
    Get,
    Release,
    /// IpcCall with this handle and word; `direct`: as a port serves it
    /// (`ipc_call_service`, the service path where that declines).
    Call {
        handle: u16,
        word: u32,
        direct: bool,
    },
    ReplyTerminate {
        value: u32,
        direct: bool,
    },
    Reply(u32),
    Accept,
    TakeReply,
    Schedule,
    Tick,
    /// The port's clock moves on (time frames, rate windows are in ticks).
    Advance,
    Kill(u8, bool),
    /// SuspendOSInterrupts or ResumeOSInterrupts.
    Mask(bool),
    /// The category 2 ISR's interrupt comes (it runs, or waits while masked).
    Interrupt,
    /// The running ISR's body returns.
    IsrReturn,
    /// A system call of arbitrary words (any service number, ids, handles, values), as a
    /// hostile partition may make it.
    Raw([u32; 4], [u32; 2]),
}

fn task_spec() -> impl Strategy<Value = TaskSpec> {
    (0u8..4, 1u8..3).prop_map(|(priority, limit)| TaskSpec { priority, limit })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0u8..6).prop_map(Op::Activate),
        1 => Just(Op::Terminate),
        1 => Just(Op::Get),
        1 => Just(Op::Release),
        // Handle 2 is nobody's; words past 1000 are denied, past 0xffff malformed.
        4 => (0u16..3, prop_oneof![0u32..1001, 1001u32..70000], any::<bool>())
            .prop_map(|(handle, word, direct)| Op::Call { handle, word, direct }),
        3 => (0u32..100, any::<bool>()).prop_map(|(value, direct)| Op::ReplyTerminate { value, direct }),
        1 => (0u32..100).prop_map(Op::Reply),
        1 => Just(Op::Accept),
        1 => Just(Op::TakeReply),
        1 => Just(Op::Schedule),
        1 => Just(Op::Tick),
        1 => Just(Op::Advance),
        1 => (0u8..5, any::<bool>()).prop_map(|(t, all)| Op::Kill(t, all)),
        1 => any::<bool>().prop_map(Op::Mask),
        1 => Just(Op::Interrupt),
        1 => Just(Op::IsrReturn),
        1 => (0u32..60, prop_oneof![0u32..8, Just(u16::MAX as u32), any::<u32>()], prop_oneof![0u32..8, Just(u16::MAX as u32), any::<u32>()], prop_oneof![0u32..8, Just(u16::MAX as u32), any::<u32>()], prop_oneof![0u32..8, Just(u16::MAX as u32), any::<u32>()], prop_oneof![0u32..8, Just(u16::MAX as u32), any::<u32>()])
            .prop_map(|(service, a, b, c, d, e)| Op::Raw([service, a, b, c], [d, e])),
    ]
}

fn leak<T>(items: Vec<T>) -> &'static [T] {
    Box::leak(items.into_boxed_slice())
}

/// Static tables from the specs (leaked: a test's lifetime is the process's). Task 0 is
/// non-preemptive when asked; the Echo server has a time frame when asked.
fn config(specs: &[TaskSpec], non_preemptive: bool, time_frame: bool) -> &'static Config {
    let apps = [0, 0, 1, 2, 1];
    let tasks: Vec<TaskConfig> = specs
        .iter()
        .enumerate()
        .map(|(i, s)| TaskConfig {
            activation_limit: s.limit,
            // The clients do not use R: its ceiling can be below them, so a client may call a
            // server that holds it (inheritance through a held resource).
            resources: if i < 2 { 0 } else { 1 },
            internal_resource: (i == 0 && non_preemptive).then(|| ResourceId::new(1)),
            timing: Timing {
                time_frame_ns: if i == ECHO_SERVER as usize && time_frame {
                    1_500_000
                } else {
                    0
                },
                ..Timing::NONE
            },
            ..TaskConfig::basic(
                Box::leak(std::format!("T{i}").into_boxed_str()),
                AppId::new(apps[i]),
                s.priority,
                body,
            )
        })
        .collect();
    let top = specs.iter().map(|s| s.priority).max().unwrap_or(0) as Level;
    let r_ceiling = specs[2..].iter().map(|s| s.priority).max().unwrap_or(0) as Level;
    let app = |name: &'static str, trusted| AppConfig {
        name,
        trusted,
        restart_task: None,
        hooks: AppHooks::NONE,
    };
    Box::leak(Box::new(Config {
        name: "RandomIpc",
        apps: leak(std::vec![
            app("Client", true),
            app("ServerA", false),
            app("ServerB", false)
        ]),
        tasks: leak(tasks),
        counters: leak(std::vec![CounterConfig {
            name: "C",
            max_allowed_value: 100,
            ticks_per_base: 1,
            min_cycle: 1,
        }]),
        alarms: &[],
        resources: leak(std::vec![
            ResourceConfig {
                name: "R",
                ceiling: r_ceiling,
                internal: false,
            },
            ResourceConfig {
                name: "RES_SCHEDULER_INTERNAL",
                ceiling: top,
                internal: true,
            },
        ]),
        isrs: leak(vec![IsrConfig {
            name: "I",
            app: AppId::new(0),
            timing: Timing::NONE,
            category: 2,
            priority: 0,
            resources: 0,
            entry: isr_body,
        }]),
        schedule_tables: &[],
        trusted_functions: &[],
        app_modes: &["Default"],
        hooks: Hooks {
            pre_task: Some(pre_task),
            post_task: Some(post_task),
            protection: Some(protection),
            ..Hooks::NONE
        },
        events: &[],
        system_counter: CounterId::new(0),
        tick_ns: 1_000_000,
    }))
}

static IPC: IpcConfig = IpcConfig {
    endpoints: &[
        EndpointConfig {
            name: "Echo",
            kind: EndpointKind::Server {
                app: AppId::new(1),
                task: TaskId::new(ECHO_SERVER),
            },
            operations: &[OperationConfig {
                name: "Ping",
                args: &[ArgType::U16],
                queue: NO_QUEUE,
            }],
            handler: None,
        },
        EndpointConfig {
            name: "Other",
            kind: EndpointKind::Server {
                app: AppId::new(2),
                task: TaskId::new(OTHER_SERVER),
            },
            operations: &[OperationConfig {
                name: "Op",
                args: &[ArgType::U8],
                queue: NO_QUEUE,
            }],
            handler: None,
        },
    ],
    handles: &[&[0, 1], &[1], &[0]],
    queues: &[],
    slots: 0,
};

/// The policy engine over [`POLICY`], with storage of its own.
fn engine() -> Engine<'static, 'static> {
    let field = |ty| {
        std::vec![Field {
            name: "value".to_string(),
            ty,
        }]
    };
    let interface = |name: &str, operation: &str, ty| Interface {
        name: name.to_string(),
        operations: std::vec![Operation {
            name: operation.to_string(),
            fields: field(ty),
        }],
    };
    let system = System {
        partitions: ["Client", "ServerA", "ServerB"].map(String::from).to_vec(),
        interfaces: std::vec![
            interface("Echo", "Ping", FieldType::U16),
            interface("Other", "Op", FieldType::U8)
        ],
        can_buses: Vec::new(),
    };
    let compiled = compiler::compile(&system, "random.policy", POLICY, &Options::default())
        .expect("the test policy compiles");
    let compiled = Box::leak(Box::new(compiled));
    let storage = Box::leak(Box::new(OwnedStorage::for_tables(&compiled.tables(), 16)));
    Engine::new(compiled.tables(), storage.state()).expect("the storage fits")
}

type K = Kernel<TASKS, 0, 1, 2, 1, 0>;

fn kernel(config: &'static Config, fast_paths: bool) -> K {
    let mut k = K::new(config).unwrap();
    k.fast_paths = fast_paths;
    let calls = leak(std::vec![CallSlot::NEW; TASKS]).to_vec();
    k.attach_ipc(
        &IPC,
        engine(),
        Box::leak(Box::new([])),
        Box::leak(Box::new([])),
        Box::leak(calls.into_boxed_slice()),
    )
    .unwrap();
    k
}

/// What one step left: the reply, the decision, the port's start of a server task with its
/// call, the trace as text and the hooks' calls.
type Step = (
    Result<u64, crate::error::Error>,
    super::Dispatch,
    Option<EntryCall>,
    String,
    Vec<(char, u8)>,
);

fn step(k: &mut K, op: Op, port_takes_calls: bool) -> Step {
    HOOKS.with(|h| h.borrow_mut().clear());
    let reply = match op {
        Op::Activate(t) if k.current.is_some() => k.service(Request::ActivateTask(TaskId::new(t))),
        Op::Activate(t) => k.activate_task(TaskId::new(t)).map(|()| 0),
        Op::Terminate => k.terminate_running().map(|()| 0),
        Op::Get => k.service(Request::GetResource(ResourceId::new(0))),
        Op::Release => k.service(Request::ReleaseResource(ResourceId::new(0))),
        Op::Call {
            handle,
            word,
            direct,
        } => {
            let args = [word, 0, 0, 0];
            match direct
                .then(|| k.ipc_call_service(handle, 0, args))
                .flatten()
            {
                Some(result) => result,
                None => k.service(Request::IpcCall(handle, 0, args)),
            }
        }
        Op::ReplyTerminate { value, direct } => {
            match direct
                .then(|| k.ipc_reply_terminate_direct(value))
                .flatten()
            {
                Some(answer) => Ok(match answer {
                    super::DirectAnswer::Deliver(client) => 1000 + client.index() as u64,
                    super::DirectAnswer::NoTaker => 2000,
                }),
                None => k.service(Request::IpcReplyTerminate(value)),
            }
        }
        Op::Reply(value) => k.service(Request::IpcReply(value)),
        Op::Accept => k.service(Request::IpcAccept),
        Op::TakeReply => k.service(Request::IpcTakeReply),
        Op::Schedule => k.service(Request::Schedule),
        Op::Tick => {
            k.tick();
            Ok(0)
        }
        Op::Advance => {
            k.advance_time(k.now_ns + 400_000);
            Ok(0)
        }
        Op::Kill(t, all) => {
            k.kill(Context::Task(TaskId::new(t)), all);
            Ok(0)
        }
        Op::Mask(true) => k.service(Request::SuspendOsInterrupts),
        Op::Mask(false) => k.service(Request::ResumeOsInterrupts),
        Op::Interrupt => {
            k.interrupt(IsrId::new(0));
            Ok(0)
        }
        Op::IsrReturn => k.isr_return().map(|()| 0),
        Op::Raw(words, extra) => match Request::from_words6(words, extra) {
            Some(request) => k.service(request),
            None => Err(k.unknown_service()),
        },
    };
    let decision = k.dispatch();
    // A port that starts server tasks with their call takes it now, as the Cortex-R port does.
    let entry = match decision {
        super::Dispatch::Switch {
            to: Context::Task(task),
            fresh: true,
        } if port_takes_calls => {
            let mut call = EntryCall::default();
            k.ipc_entry_call(task, &mut call).then_some(call)
        }
        _ => None,
    };
    let names = ConfigNames {
        config: k.config,
        ipc: Some(&IPC),
    };
    let mut trace = String::new();
    while let Some(record) = k.trace_pop() {
        record.write(&names, &mut trace).unwrap();
        trace.push('\n');
    }
    assert_eq!(k.trace_take_lost(), 0);
    let hooks = HOOKS.with(|h| core::mem::take(&mut *h.borrow_mut()));
    (reply, decision, entry, trace, hooks)
}

/// Priority inheritance: a server task with an activation runs at least at the level of
/// every caller waiting for it, queued or being served (through a resource it holds and
/// releases too).
fn servers_outrank_their_callers(k: &K) -> Result<(), TestCaseError> {
    let Some(ipc) = k.ipc.as_ref() else {
        return Ok(());
    };
    for server in [ECHO_SERVER, OTHER_SERVER] {
        let control = &k.tasks[server as usize];
        if control.queued.is_empty() {
            continue;
        }
        let slot = &ipc.calls[server as usize];
        let mut waiting = Vec::new();
        let mut at = slot.head;
        while at != crate::ipc::NO_TASK && waiting.len() < TASKS {
            waiting.push(at);
            at = ipc.calls[at as usize].next;
        }
        waiting.extend((slot.serving != crate::ipc::NO_TASK).then_some(slot.serving));
        for caller in waiting {
            prop_assert!(
                control.level >= k.tasks[caller as usize].level,
                "server {} at level {} below its caller {} at {}",
                server,
                control.level,
                caller,
                k.tasks[caller as usize].level
            );
        }
    }
    Ok(())
}

fn same_state(fast: &K, general: &K) -> Result<(), TestCaseError> {
    prop_assert_eq!(fast.running, general.running);
    prop_assert_eq!(fast.current, general.current);
    prop_assert_eq!(
        (fast.decided, fast.prepared),
        (general.decided, general.prepared)
    );
    for (a, b) in fast.tasks.iter().zip(&general.tasks) {
        prop_assert_eq!(a.queued.len(), b.queued.len());
        prop_assert_eq!(a.queued.oldest(), b.queued.oldest());
        prop_assert_eq!(
            (a.started, a.fresh, a.waiting, a.level, a.held),
            (b.started, b.fresh, b.waiting, b.level, b.held)
        );
        prop_assert_eq!(
            (
                a.incarnation,
                a.events_set,
                a.events_waited,
                a.last_arrival_ns
            ),
            (
                b.incarnation,
                b.events_set,
                b.events_waited,
                b.last_arrival_ns
            )
        );
    }
    for task in 0..TASKS {
        prop_assert_eq!(fast.ready.contains(task), general.ready.contains(task));
    }
    prop_assert_eq!(fast.ready.highest(), general.ready.highest());
    prop_assert_eq!(fast.isr_depth, general.isr_depth);
    prop_assert_eq!(
        (fast.isrs[0].pending, fast.isrs[0].active),
        (general.isrs[0].pending, general.isrs[0].active)
    );
    prop_assert_eq!(
        (fast.next_stamp, fast.next_front_stamp, fast.rescheduling),
        (
            general.next_stamp,
            general.next_front_stamp,
            general.rescheduling
        )
    );
    let (a, b) = (fast.ipc.as_ref().unwrap(), general.ipc.as_ref().unwrap());
    prop_assert_eq!(&a.calls[..], &b.calls[..]);
    prop_assert_eq!(
        (a.engine.default_denies(), a.engine.malformed_denies()),
        (b.engine.default_denies(), b.engine.malformed_denies())
    );
    for rule in 0..a.engine.tables().rules.len() as u16 {
        prop_assert_eq!(a.engine.deny_count(rule), b.engine.deny_count(rule));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// The call and reply fast paths end in the same replies, decisions, traces, hook calls
    /// and state as the general paths, whatever state the operations led to.
    #[test]
    fn the_ipc_fast_paths_are_the_general_paths(
        specs in proptest::collection::vec(task_spec(), TASKS),
        non_preemptive in any::<bool>(),
        time_frame in any::<bool>(),
        port_takes_calls in any::<bool>(),
        ops in proptest::collection::vec(op(), 1..100),
    ) {
        let config = config(&specs, non_preemptive, time_frame);
        let mut fast = kernel(config, true);
        let mut general = kernel(config, false);
        for k in [&mut fast, &mut general] {
            // A client runs first, so calls come early.
            start_with(k, 0);
            while k.trace_pop().is_some() {}
        }
        for op in ops {
            let a = step(&mut fast, op, port_takes_calls);
            let b = step(&mut general, op, port_takes_calls);
            prop_assert_eq!(&a, &b, "after {:?}", op);
            same_state(&fast, &general)?;
            servers_outrank_their_callers(&general)?;
        }
    }
}

/// The fast paths do apply where they should (a test of the test above): a call from task 0
/// to the suspended Echo server, which outranks it, and the answer back.
#[test]
fn a_plain_call_and_answer_take_the_fast_paths() {
    let specs = [1, 1, 2, 2, 0].map(|priority| TaskSpec { priority, limit: 1 });
    let mut k = kernel(config(&specs, false, false), true);
    start_with(&mut k, 0);
    let reply = k.ipc_call_service(0, 0, [41, 0, 0, 0]);
    assert_eq!(reply, Some(Ok(crate::ipc::REPLY_PENDING)));
    assert!(k.prepared, "the call was not handed off");
    let server = TaskId::new(ECHO_SERVER);
    assert_eq!(
        k.dispatch(),
        super::Dispatch::Switch {
            to: Context::Task(server),
            fresh: true
        }
    );
    let mut call = EntryCall::default();
    assert!(k.ipc_entry_call(server, &mut call));
    assert_eq!(call.args, [41, 0, 0, 0]);
    let answer = k.ipc_reply_terminate_direct(42);
    assert_eq!(answer, Some(super::DirectAnswer::Deliver(TaskId::new(0))));
    assert!(k.prepared, "the answer was not handed back");
    assert_eq!(
        k.dispatch(),
        super::Dispatch::Switch {
            to: Context::Task(TaskId::new(0)),
            fresh: false
        }
    );
}

/// The kernel started with `task` activated, as the first decision has it.
fn start_with(k: &mut K, task: u8) {
    k.activate_task(TaskId::new(task)).unwrap();
    k.start_os();
    k.dispatch();
}

/// A call of the running task, which waits for the answer, and the next decision.
fn call_and_wait(k: &mut K, handle: u16, word: u32) {
    assert_eq!(
        k.service(Request::IpcCall(handle, 0, [word, 0, 0, 0])),
        Ok(crate::ipc::REPLY_PENDING)
    );
    k.dispatch();
}

/// `task` activated as an alarm would, and the next decision.
fn arrive(k: &mut K, task: u8) {
    k.activate_task(TaskId::new(task)).unwrap();
    k.dispatch();
}

/// Inheritance through a held resource: the Echo server takes R while serving a low caller,
/// a high caller preempts it and calls too, and the server, raised to the high caller's level,
/// releases R: it must stay at that level (not fall to where it took R) until its activation
/// ends, or a middle task would hold up the high caller.
#[test]
fn a_server_keeps_its_inherited_level_past_a_resource_release() {
    // T0: the high caller; T1: the low caller; T2: the Echo server; R's ceiling is T2's.
    let specs = [3, 1, 0, 0, 0].map(|priority| TaskSpec { priority, limit: 1 });
    let mut k = kernel(config(&specs, false, false), true);
    let server = TaskId::new(ECHO_SERVER);
    start_with(&mut k, 1);
    call_and_wait(&mut k, 0, 1);
    assert_eq!(k.running, Some(server));
    k.service(Request::GetResource(ResourceId::new(0))).unwrap();
    // The high caller comes (as an alarm would activate it) and calls Echo in turn.
    arrive(&mut k, 0);
    assert_eq!(k.running, Some(TaskId::new(0)));
    call_and_wait(&mut k, 0, 2);
    assert_eq!(k.running, Some(server));
    assert_eq!(
        k.tasks[server.index()].level,
        3,
        "inherited from the high caller"
    );
    k.service(Request::ReleaseResource(ResourceId::new(0)))
        .unwrap();
    assert_eq!(
        k.tasks[server.index()].level,
        3,
        "released R, the server fell below its waiting caller"
    );
}

/// Inheritance along a chain of calls: the Other server, serving a low caller, waits in a call
/// to Echo; a high caller then calls Other. Echo, which Other waits for, must rise with Other,
/// or a middle task would hold up the high caller by preempting Echo.
#[test]
fn inheritance_follows_a_chain_of_calls() {
    // T0: the high caller; T1: the low caller; T2: Echo; T3: Other (calls Echo); T4: middle.
    let specs = [3, 1, 0, 0, 2].map(|priority| TaskSpec { priority, limit: 1 });
    let mut k = kernel(config(&specs, false, false), true);
    let (echo, other) = (TaskId::new(ECHO_SERVER), TaskId::new(OTHER_SERVER));
    start_with(&mut k, 1);
    // The low caller calls Other (its handle 1), which calls Echo (its handle 0).
    call_and_wait(&mut k, 1, 1);
    assert_eq!(k.running, Some(other));
    call_and_wait(&mut k, 0, 2);
    assert_eq!(k.running, Some(echo));
    // The high caller comes (as an alarm would activate it) and calls Other.
    arrive(&mut k, 0);
    assert_eq!(k.running, Some(TaskId::new(0)));
    call_and_wait(&mut k, 1, 3);
    assert_eq!(
        k.tasks[other.index()].level,
        3,
        "Other inherits from the high caller"
    );
    assert_eq!(
        k.tasks[echo.index()].level,
        3,
        "Echo inherits through Other"
    );
    // The middle task cannot preempt Echo now.
    arrive(&mut k, 4);
    assert_eq!(k.running, Some(echo));
}
