//! Response-time analysis of tasks and ISRs under fixed-priority preemptive scheduling with
//! the immediate priority ceiling protocol (Joseph & Pandya; Audsley, Burns, Tindell; the
//! busy-period form of Lehoczky and Tindell for deadlines beyond the period).
//!
//! What the analysis assumes, so that a reviewer can check the argument:
//!
//! - **Critical instant, no offsets.** Every object is released together with all the work that
//!   can interfere with it, and the longest lower-priority critical section that can block it
//!   has just begun. Alarm offsets are ignored, which can only overestimate response times.
//! - **Arrivals.** A task's arrivals are the cyclic alarms that activate it (or, for an extended
//!   task, set one of its events: AUTOSAR counts a release from waiting as an arrival) on the
//!   counter the tick drives: each such alarm is one periodic stream of period `cycle × tick`.
//!   Several alarms are several streams (not the smallest cycle alone, which could undercount:
//!   two alarms of cycle 10 bring two arrivals every 10 ticks). Autostart and one-shot alarms
//!   add one job each. The description is taken to name every activation source: a task that
//!   code activates (ActivateTask, ChainTask, SetEvent from a body) needs `time_frame_us`.
//!   An alarm that code arms at run time, or one on a software counter, leaves the arrivals
//!   unknown unless `time_frame_us` is given. Without any of those, `time_frame_us` (enforced
//!   by timing protection) is the minimum inter-arrival time; ISRs have only this.
//! - **No release jitter.** Alarm expiry is exact in ticks; the tick interrupt itself, alarm
//!   callbacks and the kernel's interrupt-locked sections have no budget in the description and
//!   are not counted: give their cost as an ISR with a budget to cover them.
//! - **Interference.** A task suffers every task of higher **or equal** priority (equal ones
//!   run first when queued earlier, FIFO: counting them whole is pessimistic but sound) and
//!   every ISR. An ISR suffers every ISR of higher or equal priority.
//! - **Blocking** (at most one section under the immediate ceiling protocol): for a task, the
//!   longest lock budget of a resource taken by a lower-priority task whose ceiling reaches the
//!   task's priority (a resource shared with an ISR lifts its holder above every task), and the
//!   whole budget of a lower-priority task holding an internal resource (non-preemptive tasks)
//!   whose ceiling reaches it, for it runs to its end or to Schedule(), which the analysis does
//!   not see. For an ISR: the longest lock budget of a resource, taken by any task or by a
//!   lower-priority ISR, whose ISR ceiling reaches it. A holder without a lock budget counts
//!   with its whole execution budget.
//! - **Queued activations.** Every job of the object's level busy period is checked (so a
//!   deadline beyond the period, with `activation_limit > 1`, is analysed soundly, and so is a
//!   non-preemptive task pushing its own next job). The pending activations the busy period
//!   can hold must fit `activation_limit`, or activations are lost with E_OS_LIMIT.
//! - **Worst-case stack use is not computed**: it needs the call graph and frame sizes of the
//!   compiled bodies. Only the configured stacks are reported.
//!
//! Iterations are bounded: each fixed point stops when it converges, when the response time
//! passes the deadline (then at most [`STEPS_AFTER_MISS`] further steps, only to report the
//! value), or when the object has used [`MAX_STEPS`] steps; a busy period longer than
//! [`MAX_JOBS`] activations is "not analysable". The cost per object is thus bounded by
//! `MAX_STEPS` × the number of tasks and ISRs.

use std::fmt;

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::model::{AlarmAction, Ecu, Timing};

/// Fixed-point steps one object may take, over all the jobs of its busy period.
pub const MAX_STEPS: u32 = 100_000;
/// Steps after a deadline miss, only to report the response time it reaches.
pub const STEPS_AFTER_MISS: u32 = 100;
/// Jobs of one level busy period examined before giving up.
pub const MAX_JOBS: u64 = 1_000;
/// Stand-in deadline when there is none: one hour.
const HORIZON_NS: u64 = 3_600_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Task,
    Isr,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::Task => "task",
            Kind::Isr => "ISR",
        }
    }

    fn element(self) -> &'static str {
        match self {
            Kind::Task => "tasks",
            Kind::Isr => "isrs",
        }
    }
}

/// How often an object can be released.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrivals {
    /// Periodic (or sporadic, minimum inter-arrival) streams, nanoseconds, ascending.
    pub periods_ns: Vec<u64>,
    /// Jobs released once only (autostart, one-shot alarms).
    pub once: u64,
    /// Where the bound comes from, for the report.
    pub from: String,
}

impl Arrivals {
    /// Most releases in any window of `window_ns`.
    pub fn jobs_in(&self, window_ns: u64) -> u64 {
        self.periods_ns
            .iter()
            .map(|p| window_ns.div_ceil(*p))
            .fold(self.once, u64::saturating_add)
    }

    /// The period of the analysis: the shortest stream.
    pub fn period_ns(&self) -> Option<u64> {
        self.periods_ns.first().copied()
    }
}

/// Who blocks an object, and for how long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocking {
    pub ns: u64,
    pub kind: Kind,
    pub by: usize,
    /// The resource held; None for a whole non-preemptive run.
    pub resource: Option<usize>,
}

/// One share of a response time, for the hint of a missed deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interference {
    pub kind: Kind,
    pub index: usize,
    pub jobs: u64,
    pub ns: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Worst response time found, or a lower bound when `converged` is false.
    pub ns: u64,
    pub converged: bool,
    /// Job of the busy period with this response (0: the first).
    pub job: u64,
    /// Shares of the worst job's completion time: its own work, the blocking, each interferer.
    pub own_ns: u64,
    pub interference: Vec<Interference>,
    /// Activations of the object that can be pending at once.
    pub pending: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Schedulable,
    /// Misses its deadline.
    DeadlineMiss,
    /// More activations pending than `activation_limit` allows.
    ActivationsLost {
        pending: u64,
        limit: u8,
    },
    NotAnalysable(String),
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Schedulable => write!(f, "schedulable"),
            Verdict::DeadlineMiss => write!(f, "UNSCHEDULABLE: misses its deadline"),
            Verdict::ActivationsLost { pending, limit } => write!(
                f,
                "UNSCHEDULABLE: {pending} activations pending, activation_limit {limit}"
            ),
            Verdict::NotAnalysable(reason) => write!(f, "not analysable: {reason}"),
        }
    }
}

/// The analysis of one task or ISR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub kind: Kind,
    pub index: usize,
    pub name: String,
    pub priority: u8,
    pub arrivals: Result<Arrivals, String>,
    pub c_ns: Option<u64>,
    pub d_ns: Option<u64>,
    pub blocking: Result<Option<Blocking>, String>,
    pub response: Option<Response>,
    pub verdict: Verdict,
}

impl Row {
    pub fn is_unschedulable(&self) -> bool {
        matches!(
            self.verdict,
            Verdict::DeadlineMiss | Verdict::ActivationsLost { .. }
        )
    }
}

/// Rows for every task (model order), then every ISR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    pub rows: Vec<Row>,
}

/// What an object is, seen by the analysis.
struct Object<'a> {
    kind: Kind,
    index: usize,
    name: &'a str,
    priority: u8,
    resource_mask: u64,
    timing: &'a Timing,
}

fn objects(ecu: &Ecu) -> Vec<Object<'_>> {
    let tasks = ecu.tasks.iter().enumerate().map(|(index, t)| Object {
        kind: Kind::Task,
        index,
        name: &t.name,
        priority: t.priority,
        resource_mask: t.resource_mask,
        timing: &t.timing,
    });
    let isrs = ecu.isrs.iter().enumerate().map(|(index, i)| Object {
        kind: Kind::Isr,
        index,
        name: &i.name,
        priority: i.priority,
        resource_mask: i.resource_mask,
        timing: &i.timing,
    });
    tasks.chain(isrs).collect()
}

fn us(value: u32) -> u64 {
    u64::from(value) * 1000
}

fn budget(timing: &Timing) -> Option<u64> {
    timing.execution_budget_us.map(us)
}

fn time_frame(timing: &Timing) -> Option<Arrivals> {
    timing.time_frame_us.map(|frame| Arrivals {
        periods_ns: vec![us(frame)],
        once: 0,
        from: "time_frame_us".to_owned(),
    })
}

/// The arrival bound of task `index`: its time frame if it has one (the kernel enforces it, so
/// it bounds every source of activation, code included), else the alarms that activate it
/// (which assumes no code activates it: ActivateTask, ChainTask and SetEvent from tasks and
/// ISRs are not visible in the description).
pub fn task_arrivals(ecu: &Ecu, index: usize) -> Result<Arrivals, String> {
    let task = &ecu.tasks[index];
    if let Some(frame) = time_frame(&task.timing) {
        return Ok(frame);
    }
    let mut periods = Vec::new();
    let mut once = u64::from(task.autostart);
    let mut names = Vec::new();
    let mut unknown = None;
    for alarm in &ecu.alarms {
        let target = match alarm.action {
            AlarmAction::ActivateTask { task } | AlarmAction::SetEvent { task, .. } => task,
            _ => continue,
        };
        if target != index {
            continue;
        }
        match alarm.autostart {
            None => {
                unknown.get_or_insert_with(|| {
                    format!(
                        "alarm `{}` is armed by code, at a rate not known",
                        alarm.name
                    )
                });
            }
            Some((_, 0)) => once += 1,
            Some((_, cycle)) if alarm.counter == ecu.system_counter => {
                periods.push(u64::from(cycle) * u64::from(ecu.tick_ns));
                names.push(format!("`{}`", alarm.name));
            }
            Some(_) => {
                unknown.get_or_insert_with(|| {
                    format!(
                        "alarm `{}` counts software counter `{}`, whose rate is not known",
                        alarm.name, ecu.counters[alarm.counter].name
                    )
                });
            }
        }
    }
    if let Some(reason) = unknown {
        return time_frame(&task.timing).ok_or(format!("{reason}; give time_frame_us"));
    }
    if !periods.is_empty() {
        periods.sort_unstable();
        let from = format!(
            "alarm{} {}",
            if names.len() == 1 { "" } else { "s" },
            names.join(", ")
        );
        return Ok(Arrivals {
            periods_ns: periods,
            once,
            from,
        });
    }
    if let Some(frame) = time_frame(&task.timing) {
        return Ok(frame);
    }
    if once > 0 {
        return Ok(Arrivals {
            periods_ns: Vec::new(),
            once,
            from: "start-up only".to_owned(),
        });
    }
    Err("no cyclic alarm activates it and it has no time_frame_us".to_owned())
}

fn arrivals_of(ecu: &Ecu, object: &Object<'_>) -> Result<Arrivals, String> {
    match object.kind {
        Kind::Task => task_arrivals(ecu, object.index),
        Kind::Isr => time_frame(object.timing).ok_or_else(|| "it has no time_frame_us".to_owned()),
    }
}

fn lock_budget(timing: &Timing, resource: usize) -> Option<u64> {
    timing
        .lock_budgets_us
        .iter()
        .find(|(r, _)| *r == resource)
        .map(|(_, t)| us(*t))
}

fn uses(mask: u64, resource: usize) -> bool {
    resource < 64 && mask & (1 << resource) != 0
}

/// The level a resource lifts its holder to: ISR ceilings sit above every task priority.
fn resource_level(ecu: &Ecu, resource: usize) -> u16 {
    let r = &ecu.resources[resource];
    match r.isr_ceiling {
        Some(isr) => 256 + u16::from(isr),
        None => u16::from(r.ceiling),
    }
}

fn level(object: &Object<'_>) -> u16 {
    match object.kind {
        Kind::Task => u16::from(object.priority),
        Kind::Isr => 256 + u16::from(object.priority),
    }
}

/// The longest section of lower-level work that can delay `object` once it is released.
fn blocking(
    ecu: &Ecu,
    all: &[Object<'_>],
    object: &Object<'_>,
) -> Result<Option<Blocking>, String> {
    let mine = level(object);
    let mut worst: Option<Blocking> = None;
    let mut consider = |candidate: Blocking| {
        if worst.as_ref().is_none_or(|w| candidate.ns > w.ns) {
            worst = Some(candidate);
        }
    };
    for other in all.iter().filter(|o| level(o) < mine) {
        for resource in 0..ecu.resources.len() {
            if !uses(other.resource_mask, resource) || resource_level(ecu, resource) < mine {
                continue;
            }
            let ns = lock_budget(other.timing, resource)
                .or(budget(other.timing))
                .ok_or_else(|| {
                    format!(
                        "blocking unknown: {} `{}` holds `{}` with no lock or execution budget",
                        other.kind.word(),
                        other.name,
                        ecu.resources[resource].name
                    )
                })?;
            consider(Blocking {
                ns,
                kind: other.kind,
                by: other.index,
                resource: Some(resource),
            });
        }
        if other.kind == Kind::Task {
            if let Some(internal) = ecu.tasks[other.index].internal_resource {
                if u16::from(ecu.resources[internal].ceiling) >= mine {
                    let ns = budget(other.timing).ok_or_else(|| {
                        format!(
                            "blocking unknown: non-preemptive task `{}` has no execution_budget_us",
                            other.name
                        )
                    })?;
                    consider(Blocking {
                        ns,
                        kind: Kind::Task,
                        by: other.index,
                        resource: None,
                    });
                }
            }
        }
    }
    Ok(worst)
}

/// Work that can preempt (or, at equal priority, precede) `object`.
fn interferes(object: &Object<'_>, other: &Object<'_>) -> bool {
    let same = other.kind == object.kind && other.index == object.index;
    !same && level(other) >= level(object)
}

struct Interferer {
    kind: Kind,
    index: usize,
    arrivals: Arrivals,
    c_ns: u64,
}

/// Completion time of the first jobs of the busy period whose own work and blocking is
/// `base_ns`: the least fixed point of w = base + Σ η_j(w)·C_j, iterated from `start_ns` (a
/// lower bound: the previous job's completion). Returns (w, converged). Each step takes one
/// of `steps`; once `w - release` passes the deadline, at most [`STEPS_AFTER_MISS`] more steps
/// run, only to report the value.
fn completion(
    base_ns: u64,
    start_ns: u64,
    interferers: &[Interferer],
    release_ns: u64,
    deadline_ns: u64,
    steps: &mut u32,
) -> (u64, bool) {
    let demand = |w: u64| {
        interferers.iter().fold(base_ns, |sum, j| {
            sum.saturating_add(j.arrivals.jobs_in(w).saturating_mul(j.c_ns))
        })
    };
    let mut w = base_ns.max(start_ns);
    let mut after_miss: Option<u32> = None;
    loop {
        let next = demand(w);
        if next == w {
            return (w, true);
        }
        w = next;
        if w == u64::MAX || *steps == 0 {
            return (w, false);
        }
        *steps -= 1;
        if w.saturating_sub(release_ns) > deadline_ns {
            let left = after_miss.get_or_insert(STEPS_AFTER_MISS);
            if *left == 0 {
                return (w, false);
            }
            *left -= 1;
        }
    }
}

fn analyse_object(ecu: &Ecu, all: &[Object<'_>], object: &Object<'_>) -> Row {
    let arrivals = arrivals_of(ecu, object);
    let c_ns = budget(object.timing);
    let d_ns = object
        .timing
        .deadline_us
        .map(us)
        .or_else(|| arrivals.as_ref().ok().and_then(Arrivals::period_ns));
    let blocking = blocking(ecu, all, object);
    let mut row = Row {
        kind: object.kind,
        index: object.index,
        name: object.name.to_owned(),
        priority: object.priority,
        arrivals: arrivals.clone(),
        c_ns,
        d_ns,
        blocking: blocking.clone(),
        response: None,
        verdict: Verdict::Schedulable,
    };
    let not = |reason: String| Verdict::NotAnalysable(reason);
    let Some(c_ns) = c_ns else {
        row.verdict = not("no execution_budget_us".to_owned());
        return row;
    };
    let own = match arrivals {
        Ok(own) => own,
        Err(reason) => {
            row.verdict = not(format!("no arrival bound: {reason}"));
            return row;
        }
    };
    let blocking = match blocking {
        Ok(b) => b,
        Err(reason) => {
            row.verdict = not(reason);
            return row;
        }
    };
    let mut interferers = Vec::new();
    for other in all.iter().filter(|o| interferes(object, o)) {
        let what = format!("{} `{}`", other.kind.word(), other.name);
        let Some(c) = budget(other.timing) else {
            row.verdict = not(format!(
                "interference unbounded: {what} has no execution_budget_us"
            ));
            return row;
        };
        match arrivals_of(ecu, other) {
            Ok(a) => interferers.push(Interferer {
                kind: other.kind,
                index: other.index,
                arrivals: a,
                c_ns: c,
            }),
            Err(reason) => {
                row.verdict = not(format!(
                    "interference unbounded: {what} has no arrival bound ({reason})"
                ));
                return row;
            }
        }
    }
    // The object's own jobs beyond the analysed stream (other alarms, start-up jobs) count
    // as equal-priority interference.
    let period = own.period_ns();
    let extra = Arrivals {
        periods_ns: own.periods_ns.iter().skip(1).copied().collect(),
        once: own.once.saturating_sub(u64::from(period.is_none())),
        from: String::new(),
    };
    if extra.once > 0 || !extra.periods_ns.is_empty() {
        interferers.push(Interferer {
            kind: object.kind,
            index: object.index,
            arrivals: extra,
            c_ns,
        });
    }
    let b_ns = blocking.as_ref().map_or(0, |b| b.ns);
    let deadline = d_ns.unwrap_or(HORIZON_NS);

    // Every job of the level busy period: job q is released at q·T at the earliest.
    let mut worst: Option<Response> = None;
    let mut missed = false;
    let mut finishes = Vec::new();
    let mut closed = false;
    let mut steps = MAX_STEPS;
    let mut previous = 0;
    for q in 0..MAX_JOBS {
        let release = period.map_or(0, |t| q.saturating_mul(t));
        let own_ns = (q + 1).saturating_mul(c_ns);
        let (w, converged) = completion(
            b_ns.saturating_add(own_ns),
            previous,
            &interferers,
            release,
            deadline,
            &mut steps,
        );
        previous = w;
        finishes.push(w);
        let r = w.saturating_sub(release);
        if worst.as_ref().is_none_or(|x| r > x.ns) || !converged {
            worst = Some(Response {
                ns: r,
                converged,
                job: q,
                own_ns,
                interference: interferers
                    .iter()
                    .map(|j| {
                        let jobs = j.arrivals.jobs_in(w);
                        Interference {
                            kind: j.kind,
                            index: j.index,
                            jobs,
                            ns: jobs.saturating_mul(j.c_ns),
                        }
                    })
                    .filter(|i| i.jobs > 0)
                    .collect(),
                pending: 1,
            });
        }
        if r > deadline || !converged {
            missed = r > deadline;
            closed = true;
            break;
        }
        match period {
            Some(t) if w > (q + 1).saturating_mul(t) => continue,
            _ => {
                closed = true;
                break;
            }
        }
    }
    let mut response = worst.expect("at least one job is analysed");
    // Activations pending at once: jobs released, not yet finished (start-up jobs aside).
    if let Some(t) = period {
        let mut pending = 1;
        for (q, _) in finishes.iter().enumerate() {
            let release = (q as u64).saturating_mul(t);
            let open = finishes[..=q].iter().filter(|f| **f > release).count() as u64;
            pending = pending.max(open);
        }
        // Other streams of the same object add theirs.
        pending += own.periods_ns[1..]
            .iter()
            .map(|p| response.ns.div_ceil(*p))
            .sum::<u64>();
        response.pending = pending;
    }
    row.verdict = if missed {
        Verdict::DeadlineMiss
    } else if !closed {
        not(format!(
            "the busy period holds more than {MAX_JOBS} activations (load at or above 100 %)"
        ))
    } else if !response.converged {
        not(format!("no fixed point within {MAX_STEPS} iterations"))
    } else if object.kind == Kind::Task
        && response.pending > u64::from(ecu.tasks[object.index].activation_limit)
    {
        Verdict::ActivationsLost {
            pending: response.pending,
            limit: ecu.tasks[object.index].activation_limit,
        }
    } else if d_ns.is_none() {
        not("no deadline: activated at start-up only; give deadline_us".to_owned())
    } else {
        Verdict::Schedulable
    };
    row.response = Some(response);
    row
}

/// Analyses every task and ISR of `ecu`.
pub fn analyse(ecu: &Ecu) -> Analysis {
    let all = objects(ecu);
    Analysis {
        rows: all.iter().map(|o| analyse_object(ecu, &all, o)).collect(),
    }
}

/// `12.5 ms`, `250 us`, `40 ns`: exact, trailing zeros dropped.
pub fn format_ns(ns: u64) -> String {
    fn decimal(whole: u64, fraction: u64, digits: usize) -> String {
        let fraction = format!("{fraction:0digits$}");
        let fraction = fraction.trim_end_matches('0');
        if fraction.is_empty() {
            whole.to_string()
        } else {
            format!("{whole}.{fraction}")
        }
    }
    if ns >= 1_000_000 {
        format!("{} ms", decimal(ns / 1_000_000, ns % 1_000_000, 6))
    } else if ns >= 1000 {
        format!("{} us", decimal(ns / 1000, ns % 1000, 3))
    } else {
        format!("{ns} ns")
    }
}

impl Analysis {
    /// True when no object is proven to fail.
    pub fn is_schedulable(&self) -> bool {
        !self.rows.iter().any(Row::is_unschedulable)
    }

    /// A located diagnostic for every unschedulable task or ISR.
    pub fn diagnostics(&self, ecu: &Ecu) -> Vec<Diagnostic> {
        self.rows
            .iter()
            .filter(|row| row.is_unschedulable())
            .map(|row| diagnostic(ecu, row))
            .collect()
    }

    /// Err with the diagnostics when an object is unschedulable.
    pub fn check(&self, ecu: &Ecu) -> Result<(), Diagnostics> {
        let diagnostics = self.diagnostics(ecu);
        if diagnostics.is_empty() {
            Ok(())
        } else {
            Err(Diagnostics(diagnostics))
        }
    }
}

fn defined_at(ecu: &Ecu, kind: Kind, index: usize) -> Option<Location> {
    match kind {
        Kind::Task => ecu.tasks[index].defined_at.clone(),
        Kind::Isr => ecu.isrs[index].defined_at.clone(),
    }
}

pub fn name_of(ecu: &Ecu, kind: Kind, index: usize) -> &str {
    match kind {
        Kind::Task => &ecu.tasks[index].name,
        Kind::Isr => &ecu.isrs[index].name,
    }
}

fn diagnostic(ecu: &Ecu, row: &Row) -> Diagnostic {
    let location = defined_at(ecu, row.kind, row.index).unwrap_or_else(|| {
        Location::file(std::path::Path::new(
            ecu.sources.first().map_or("", String::as_str),
        ))
    });
    let response = row.response.as_ref().expect("a verdict has a response");
    let what = format!("{} `{}`", row.kind.word(), row.name);
    let r = if response.converged {
        format_ns(response.ns)
    } else {
        format!("at least {}", format_ns(response.ns))
    };
    let message = match &row.verdict {
        Verdict::ActivationsLost { pending, limit } => format!(
            "{what} loses activations: {pending} can be pending (response time {r}) but activation_limit is {limit}"
        ),
        _ => format!(
            "{what} misses its deadline: response time {r} > deadline {}",
            format_ns(row.d_ns.unwrap_or(HORIZON_NS))
        ),
    };
    let mut d = Diagnostic::error(location, message);
    d.element(format!("{}[{}]", row.kind.element(), row.name));
    // What dominates: the largest interferer, or the blocking.
    let top = response
        .interference
        .iter()
        .filter(|i| !(i.kind == row.kind && i.index == row.index))
        .max_by_key(|i| (i.ns, std::cmp::Reverse((i.kind == Kind::Task, i.index))));
    let blocking = row.blocking.as_ref().ok().and_then(Option::as_ref);
    let mut parts = vec![if response.job == 0 {
        format!("own work {}", format_ns(response.own_ns))
    } else {
        format!(
            "own work {} ({} queued activations)",
            format_ns(response.own_ns),
            response.job + 1
        )
    }];
    if let Some(b) = blocking {
        let by = name_of(ecu, b.kind, b.by);
        parts.push(match b.resource {
            Some(r) => format!(
                "blocking {} ({} `{by}` holding `{}`)",
                format_ns(b.ns),
                b.kind.word(),
                ecu.resources[r].name
            ),
            None => format!(
                "blocking {} (non-preemptive task `{by}` running to its end)",
                format_ns(b.ns)
            ),
        });
    }
    let total: u64 = response.interference.iter().map(|i| i.ns).sum();
    if total > 0 {
        parts.push(format!("interference {}", format_ns(total)));
    }
    let dominant = match (top, blocking) {
        (Some(i), b) if b.is_none_or(|b| i.ns >= b.ns) => {
            let name = name_of(ecu, i.kind, i.index);
            if let Some(at) = defined_at(ecu, i.kind, i.index) {
                d.related(at, format!("{} `{name}` is defined here", i.kind.word()));
            }
            format!(
                "most of it is {} `{name}` ({} × {}); lower its budget or rate, or raise `{}`'s priority above it",
                i.kind.word(),
                i.jobs,
                format_ns(i.ns / i.jobs.max(1)),
                row.name
            )
        }
        (_, Some(b)) => {
            let by = name_of(ecu, b.kind, b.by);
            if let Some(at) = defined_at(ecu, b.kind, b.by) {
                d.related(at, format!("{} `{by}` is defined here", b.kind.word()));
            }
            match b.resource {
                Some(_) => format!("the blocking dominates: shorten `{by}`'s lock budget"),
                None => format!("the blocking dominates: make `{by}` preemptive or split it"),
            }
        }
        _ => format!(
            "its own work alone exceeds the deadline: lower the budget of `{}`",
            row.name
        ),
    };
    if let Verdict::ActivationsLost { pending, .. } = row.verdict {
        d.hint(format!(
            "raise activation_limit to {pending}, or shorten the busy period ({}; {dominant})",
            parts.join(", ")
        ));
    } else {
        d.hint(format!("{}; {dominant}", parts.join(", ")));
    }
    d
}
