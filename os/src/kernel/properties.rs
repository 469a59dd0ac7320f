//! Property tests over random configurations and random service sequences, checking the
//! kernel's invariants after every step (they need the kernel's private state).

extern crate std;

use std::boxed::Box;
use std::vec;
use std::vec::Vec;

use proptest::prelude::*;

use super::Kernel;
use crate::api::{Exit, Os};
use crate::config::*;
use crate::error::Error;
use crate::request::{Reply, Request};
use crate::trace::Context;

fn body(os: &Os) -> Exit {
    os.terminate_task()
}

#[derive(Clone, Debug)]
struct TaskSpec {
    priority: u8,
    limit: u8,
    extended: bool,
    resources: u64,
    /// Owned by application 0 or 1; `access`: the applications that may activate it.
    app: u8,
    access: u64,
}

#[derive(Clone, Debug)]
enum Op {
    Activate(u8),
    Terminate,
    Chain(u8),
    Get(u8),
    Release(u8),
    Wait,
    Set(u8),
    Schedule,
    Tick,
    /// A protection kill of a task: its running activation, or with `all` every one.
    Kill(u8, bool),
    /// An interrupt masking service (index into `MASKING`).
    Mask(u8),
    /// TerminateApplication of the caller's own application, restarting it or not.
    TerminateApp(bool),
}

const MASKING: [Request; 4] = [
    Request::DisableAllInterrupts,
    Request::EnableAllInterrupts,
    Request::SuspendOsInterrupts,
    Request::ResumeOsInterrupts,
];

const TASKS: usize = 5;
const RESOURCES: usize = 3;

fn task_spec() -> impl Strategy<Value = TaskSpec> {
    (0u8..4, 1u8..4, any::<bool>(), 0u64..8, 0u8..2, 0u64..4).prop_map(
        |(priority, limit, extended, resources, app, access)| TaskSpec {
            priority,
            limit: if extended { 1 } else { limit },
            extended,
            resources,
            app,
            access,
        },
    )
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..6).prop_map(Op::Activate),
        Just(Op::Terminate),
        (0u8..5).prop_map(Op::Chain),
        (0u8..4).prop_map(Op::Get),
        (0u8..4).prop_map(Op::Release),
        Just(Op::Wait),
        (0u8..5).prop_map(Op::Set),
        Just(Op::Schedule),
        Just(Op::Tick),
        (0u8..5, any::<bool>()).prop_map(|(t, all)| Op::Kill(t, all)),
        (0u8..4).prop_map(Op::Mask),
        any::<bool>().prop_map(Op::TerminateApp),
    ]
}

/// Static tables from the specs (leaked: a test's lifetime is the process's).
fn config(specs: &[TaskSpec], non_preemptive: u8) -> &'static Config {
    let tasks: Vec<TaskConfig> = specs
        .iter()
        .enumerate()
        .map(|(i, s)| TaskConfig {
            activation_limit: s.limit,
            extended: s.extended,
            events: if s.extended { 1 } else { 0 },
            resources: s.resources,
            access: s.access,
            // Task 0 is non-preemptive when asked (internal RES_SCHEDULER twin, index 3).
            internal_resource: (i == 0 && non_preemptive == 1).then(|| ResourceId::new(3)),
            // Names tell the tasks apart in traces compared as text.
            ..TaskConfig::basic(
                std::boxed::Box::leak(std::format!("T{i}").into_boxed_str()),
                AppId::new(s.app),
                s.priority,
                body,
            )
        })
        .collect();
    let top = specs.iter().map(|s| s.priority).max().unwrap_or(0) as Level;
    let mut resources: Vec<ResourceConfig> = (0..RESOURCES)
        .map(|r| ResourceConfig {
            name: "R",
            ceiling: specs
                .iter()
                .filter(|s| s.resources & (1 << r) != 0)
                .map(|s| s.priority as Level)
                .max()
                .unwrap_or(0),
            internal: false,
        })
        .collect();
    resources.push(ResourceConfig {
        name: "RES_SCHEDULER_INTERNAL",
        ceiling: top,
        internal: true,
    });
    Box::leak(Box::new(Config {
        name: "Random",
        apps: Box::leak(Box::new([
            AppConfig {
                name: "A",
                trusted: true,
                restart_task: None,
                hooks: AppHooks::NONE,
            },
            AppConfig {
                name: "B",
                trusted: false,
                restart_task: None,
                hooks: AppHooks::NONE,
            },
        ])),
        tasks: Box::leak(tasks.into_boxed_slice()),
        counters: Box::leak(Box::new([CounterConfig {
            name: "C",
            max_allowed_value: 100,
            ticks_per_base: 1,
            min_cycle: 1,
        }])),
        alarms: &[],
        resources: Box::leak(resources.into_boxed_slice()),
        isrs: &[],
        schedule_tables: &[],
        trusted_functions: &[],
        app_modes: &["Default"],
        hooks: Hooks::NONE,
        events: &[],
        system_counter: CounterId::new(0),
        tick_ns: 1_000_000,
    }))
}

type K = KernelWith<0>;

type KernelWith<const ISRS: usize> = Kernel<TASKS, 0, 1, { RESOURCES + 1 }, ISRS, 0>;

/// One task-level operation, as the tests drive it: services from what runs; an activation
/// from idle as an alarm would make it; TerminateApplication of the running task's own
/// application (of application 0 from idle, which the kernel refuses).
fn apply<const ISRS: usize>(k: &mut KernelWith<ISRS>, op: &Op) -> Result<Reply, Error> {
    match *op {
        Op::Activate(t) if k.current.is_some() => k.service(Request::ActivateTask(TaskId::new(t))),
        Op::Activate(t) => k.activate_task(TaskId::new(t)).map(|()| 0),
        Op::Terminate => k.terminate_running().map(|()| 0),
        Op::Chain(t) => k.chain_running(TaskId::new(t)).map(|()| 0),
        Op::Get(r) => k.service(Request::GetResource(ResourceId::new(r))),
        Op::Release(r) => k.service(Request::ReleaseResource(ResourceId::new(r))),
        Op::Wait => k.service(Request::WaitEvent(1)),
        Op::Set(t) => k.service(Request::SetEvent(TaskId::new(t), 1)),
        Op::Schedule => k.service(Request::Schedule),
        Op::Tick => {
            k.tick();
            Ok(0)
        }
        Op::Kill(t, all) => {
            k.kill(Context::Task(TaskId::new(t)), all);
            Ok(0)
        }
        Op::Mask(m) => k.service(MASKING[m as usize]),
        Op::TerminateApp(restart) => {
            let app = match k.current {
                Some(Context::Task(t)) => k.config.tasks[t.index()].app,
                _ => AppId::new(0),
            };
            k.service(Request::TerminateApplication(app, restart))
        }
    }
}

/// Two kernels over `config`, started: one with the fast paths, one with the general paths
/// alone, to run the same operations on and compare.
fn twins<const ISRS: usize>(config: &'static Config) -> (KernelWith<ISRS>, KernelWith<ISRS>) {
    let start = |fast_paths| {
        let mut k = KernelWith::<ISRS>::new(config).unwrap();
        k.fast_paths = fast_paths;
        k.start_os();
        k.dispatch();
        k
    };
    (start(true), start(false))
}

/// The trace records written since the last call, as text: a fast path's compound record
/// and the general path's separate ones read the same.
fn drained_trace<const ISRS: usize>(k: &mut KernelWith<ISRS>) -> std::string::String {
    let names = crate::trace::ConfigNames {
        config: k.config,
        ipc: None,
    };
    let mut trace = std::string::String::new();
    while let Some(record) = k.trace_pop() {
        record.write(&names, &mut trace).unwrap();
        trace.push('\n');
    }
    trace
}

fn check_invariants<const ISRS: usize>(k: &KernelWith<ISRS>) -> Result<(), TestCaseError> {
    for (index, control) in k.tasks.iter().enumerate() {
        let limit = k.config.tasks[index].activation_limit as usize;
        prop_assert!(
            control.queued.len() <= limit,
            "task {index} over its activation limit"
        );
    }
    match k.current {
        Some(Context::Task(running)) => {
            let defended = k.running_level(running);
            for (index, control) in k.tasks.iter().enumerate() {
                let ready = !control.queued.is_empty() && !control.waiting;
                if ready && index != running.index() {
                    prop_assert!(
                        control.level <= defended,
                        "ready task {index} at level {} outranks running {running:?} at {defended}",
                        control.level
                    );
                }
            }
            prop_assert!(!k.tasks[running.index()].waiting, "a waiting task runs");
        }
        None => {
            let ready = k.tasks.iter().any(|c| !c.queued.is_empty() && !c.waiting);
            prop_assert!(!ready, "idle while a task is ready");
        }
        Some(Context::Isr(_)) => prop_assert!(ISRS > 0, "an ISR runs without ISRs configured"),
    }
    check_ready_queue(k)?;
    for (r, state) in k.resources.iter().enumerate() {
        if let Some(Context::Task(holder)) = state.holder {
            let ceiling = k.config.resources[r].ceiling;
            prop_assert!(
                k.tasks[holder.index()].level >= ceiling,
                "holder below the ceiling"
            );
        }
    }
    Ok(())
}

/// The ready queue holds exactly the ready tasks but the running one, and its choice is the
/// plain scan's: highest level, then oldest stamp.
fn check_ready_queue<const ISRS: usize>(k: &KernelWith<ISRS>) -> Result<(), TestCaseError> {
    let candidate = |index: usize| {
        let control = &k.tasks[index];
        !control.queued.is_empty()
            && !control.waiting
            && k.running.is_none_or(|r| r.index() != index)
    };
    for index in 0..TASKS {
        prop_assert_eq!(
            k.ready.contains(index),
            candidate(index),
            "task {} filed wrongly",
            index
        );
    }
    let scanned = crate::ready::highest((0..TASKS).filter(|&i| candidate(i)).map(|i| {
        let control = &k.tasks[i];
        (i, control.level, control.queued.oldest().unwrap())
    }));
    prop_assert_eq!(k.ready.highest(), scanned.map(|(index, _)| index));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_running_task_is_always_a_ready_task_of_highest_priority(
        specs in proptest::collection::vec(task_spec(), TASKS),
        non_preemptive in 0u8..2,
        ops in proptest::collection::vec(op(), 1..80),
    ) {
        let mut k = K::new(config(&specs, non_preemptive)).unwrap();
        k.start_os();
        k.dispatch();
        for op in ops {
            let _ = apply(&mut k, &op);
            check_ready_queue(&k)?;
            k.dispatch();
            while k.trace_pop().is_some() {}
            prop_assert_eq!(k.trace_take_lost(), 0);
            check_invariants(&k)?;
        }
    }

    /// The ActivateTask fast path ends in the same state, trace and decision as the general
    /// path (activation, then deciding), whatever state the operations led to.
    #[test]
    fn the_activation_fast_path_is_the_general_path(
        specs in proptest::collection::vec(task_spec(), TASKS),
        non_preemptive in 0u8..2,
        ops in proptest::collection::vec(op(), 1..80),
        as_the_port_does in any::<bool>(),
    ) {
        let config = config(&specs, non_preemptive);
        let (mut fast, mut general) = twins::<0>(config);
        for op in ops {
            let mut replies = Vec::new();
            for k in [&mut fast, &mut general] {
                // The Cortex-R port asks for the switch itself (`activate_switching`); the
                // simulation takes it from the next dispatch.
                let switched = match op {
                    Op::Activate(t) if as_the_port_does && k.fast_paths && k.current.is_some() => {
                        k.activate_switching(TaskId::new(t))
                    }
                    _ => false,
                };
                let (reply, decision) = match op {
                    Op::Activate(t) if switched => (
                        Ok(0),
                        super::Dispatch::Switch { to: Context::Task(TaskId::new(t)), fresh: true },
                    ),
                    _ => (apply(k, &op), k.dispatch()),
                };
                let trace = drained_trace(k);
                replies.push((reply, decision, trace));
            }
            prop_assert_eq!(&replies[0], &replies[1], "after {:?}", op);
            prop_assert_eq!(fast.running, general.running);
            prop_assert_eq!(fast.current, general.current);
            for (a, b) in fast.tasks.iter().zip(&general.tasks) {
                prop_assert_eq!(a.queued.len(), b.queued.len());
                prop_assert_eq!(a.queued.oldest(), b.queued.oldest());
                prop_assert_eq!((a.started, a.fresh, a.waiting, a.level), (b.started, b.fresh, b.waiting, b.level));
                prop_assert_eq!((a.incarnation, a.events_set), (b.incarnation, b.events_set));
            }
            prop_assert_eq!((fast.next_stamp, fast.next_front_stamp), (general.next_stamp, general.next_front_stamp));
            check_invariants(&fast)?;
        }
    }

    #[test]
    fn no_lock_is_held_past_its_budget(
        hold_ns in 1u64..5_000_000,
        budget_ns in 1u64..5_000_000,
        steps in proptest::collection::vec(1u64..400_000, 1..40),
    ) {
        let lock_budgets: &'static [(ResourceId, u64)] = Box::leak(Box::new([(ResourceId::new(0), budget_ns)]));
        let tasks: &'static [TaskConfig] = Box::leak(Box::new([TaskConfig {
            resources: 1,
            autostart: true,
            timing: Timing { lock_budgets_ns: lock_budgets, ..Timing::NONE },
            ..TaskConfig::basic("Holder", AppId::new(0), 1, body)
        }]));
        let config: &'static Config = Box::leak(Box::new(Config {
            tasks,
            resources: Box::leak(Box::new([ResourceConfig { name: "R", ceiling: 1, internal: false }])),
            ..*config(&[], 0)
        }));
        let mut k = Kernel::<1, 0, 1, 1, 0, 0>::new(config).unwrap();
        k.start_os();
        k.dispatch();
        k.service(Request::GetResource(ResourceId::new(0))).unwrap();
        let mut now = 0;
        for step in steps {
            // The port calls advance_time at the deadline the kernel names, at the latest.
            let deadline = k.next_budget_deadline_ns().unwrap_or(u64::MAX);
            now = (now + step).min(deadline).min(hold_ns.max(now));
            k.advance_time(now);
            if k.is_shut_down() {
                // The overrun was caught (the moment it happened: one ns past the budget);
                // nothing runs any more.
                prop_assert!(hold_ns > budget_ns);
                break;
            }
            let held = k.resources[0].holder.is_some();
            let used = k.used_ns(Context::Task(TaskId::new(0)));
            if held {
                prop_assert!(used - k.resources[0].used_at_lock_ns <= budget_ns);
            }
            if now >= hold_ns && held {
                k.service(Request::ReleaseResource(ResourceId::new(0))).unwrap();
            }
        }
        // Held longer than its budget: the kernel must have ended the task (shutdown here,
        // no protection hook).
        let overran = hold_ns > budget_ns && now > budget_ns;
        if overran {
            prop_assert!(k.is_shut_down() || k.resources[0].holder.is_none());
        }
    }
}

fn isr_body(_os: &Os) {}

/// What the ISR property test does: task operations, masking, and the interrupts.
#[derive(Clone, Debug)]
enum IsrOp {
    Task(Op),
    /// An interrupt request of ISR 0 or 1.
    Interrupt(u8),
    /// The current ISR's body returns.
    IsrReturn,
    /// A masking service and, before any dispatch, an interrupt request: an unsettled state
    /// (the ports never leave one, but the kernel's interface allows it).
    MaskThenInterrupt(u8, u8),
}

fn isr_op() -> impl Strategy<Value = IsrOp> {
    prop_oneof![
        op().prop_map(IsrOp::Task),
        (0u8..2).prop_map(IsrOp::Interrupt),
        Just(IsrOp::IsrReturn),
        (0u8..4, 0u8..2).prop_map(|(m, i)| IsrOp::MaskThenInterrupt(m, i)),
    ]
}

const ISRS: usize = 2;
type KI = KernelWith<ISRS>;

/// The task tables of `config`, and two ISRs of random priority and category.
fn isr_config(specs: &[TaskSpec], isrs: &[(u8, u8)]) -> &'static Config {
    let isrs: Vec<IsrConfig> = isrs
        .iter()
        .enumerate()
        .map(|(i, &(priority, category))| IsrConfig {
            name: Box::leak(std::format!("I{i}").into_boxed_str()),
            app: AppId::new(0),
            timing: Timing::NONE,
            category,
            priority,
            resources: 0,
            entry: isr_body,
        })
        .collect();
    Box::leak(Box::new(Config {
        isrs: Box::leak(isrs.into_boxed_slice()),
        ..*config(specs, 0)
    }))
}

/// A word a hostile partition might pass: small values (ids, masks that name objects), the
/// edges of the types, or anything.
fn hostile_word() -> impl Strategy<Value = u32> {
    prop_oneof![
        0u32..8,
        Just(u8::MAX as u32),
        Just(u16::MAX as u32),
        Just(u32::MAX),
        any::<u32>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// The interrupt fast path (`interrupt_switching`) ends in the same decision, trace and
    /// state as the general path (`interrupt`, then deciding), whatever tasks, ISRs and
    /// masking the operations led to.
    #[test]
    fn the_interrupt_fast_path_is_the_general_path(
        specs in proptest::collection::vec(task_spec(), TASKS),
        isrs in proptest::collection::vec((0u8..3, 1u8..3), ISRS),
        ops in proptest::collection::vec(isr_op(), 1..80),
    ) {
        let config = isr_config(&specs, &isrs);
        let (mut fast, mut general) = twins::<ISRS>(config);
        for op in ops {
            let mut replies = Vec::new();
            for k in [&mut fast, &mut general] {
                let (reply, decision) = match &op {
                    IsrOp::Interrupt(i) | IsrOp::MaskThenInterrupt(_, i) => {
                        if let IsrOp::MaskThenInterrupt(m, _) = &op {
                            let _ = k.service(MASKING[*m as usize]);
                        }
                        let isr = IsrId::new(*i);
                        if k.interrupt_switching(isr) {
                            (Ok(0), super::Dispatch::Switch { to: Context::Isr(isr), fresh: true })
                        } else {
                            (Ok(0), k.dispatch())
                        }
                    }
                    IsrOp::IsrReturn => (k.isr_return().map(|()| 0), k.dispatch()),
                    IsrOp::Task(task_op) => (apply(k, task_op), k.dispatch()),
                };
                let trace = drained_trace(k);
                replies.push((reply, decision, trace));
            }
            prop_assert_eq!(&replies[0], &replies[1], "after {:?}", op);
            prop_assert_eq!((fast.running, fast.current, fast.decided), (general.running, general.current, general.decided));
            prop_assert_eq!((fast.isr_depth, fast.isr_stack), (general.isr_depth, general.isr_stack));
            for (a, b) in fast.isrs.iter().zip(&general.isrs) {
                prop_assert_eq!((a.active, a.started, a.pending, a.level, a.incarnation), (b.active, b.started, b.pending, b.level, b.incarnation));
            }
            for (a, b) in fast.tasks.iter().zip(&general.tasks) {
                prop_assert_eq!((a.started, a.fresh, a.waiting, a.level, a.queued.len()), (b.started, b.fresh, b.waiting, b.level, b.queued.len()));
            }
        }
    }

    /// Whatever words a partition puts in its system call (any service number, any ids,
    /// masks and values), from whatever runs, the kernel answers with a status, never
    /// panics, and keeps its invariants; interrupts and ISR returns come in between.
    #[test]
    fn arbitrary_system_call_words_never_break_the_kernel(
        specs in proptest::collection::vec(task_spec(), TASKS),
        isrs in proptest::collection::vec((0u8..3, 1u8..3), ISRS),
        calls in proptest::collection::vec(
            (0u32..120, hostile_word(), hostile_word(), hostile_word(), hostile_word(), 0u8..8),
            1..80,
        ),
    ) {
        let mut k = KI::new(isr_config(&specs, &isrs)).unwrap();
        k.activate_task(TaskId::new(0)).unwrap();
        k.start_os();
        k.dispatch();
        for (service, a, b, c, d, other) in calls {
            match other {
                // Now and then an interrupt, an ISR's return or a tick instead.
                0 => k.interrupt(IsrId::new(a as u8 % ISRS as u8)),
                1 => { let _ = k.isr_return(); }
                2 => k.tick(),
                _ => {
                    let _ = match Request::from_words6([service, a, b, c], [d, a]) {
                        Some(request) => k.service(request),
                        None => Err(k.unknown_service()),
                    };
                }
            }
            k.dispatch();
            while k.trace_pop().is_some() {}
            if k.is_shut_down() {
                break;
            }
            check_invariants(&k)?;
        }
    }
}
