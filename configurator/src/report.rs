//! `ecuconf report`: the checked model and its response-time analysis as plain-text tables,
//! in description order, so that the same description always prints the same bytes.

use std::fmt::Write as _;

use crate::analysis::{format_ns, Analysis, Arrivals, Kind, Verdict};
use crate::model::{AlarmAction, Ecu};

/// Columns left-aligned, two spaces apart, no trailing blanks.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::from("  ");
        for (i, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < row.len() {
                let pad = widths[i] - cell.chars().count() + 2;
                line.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn list(items: Vec<String>) -> String {
    if items.is_empty() {
        "-".to_owned()
    } else {
        items.join(", ")
    }
}

fn yes(flag: bool) -> String {
    if flag { "yes" } else { "no" }.to_owned()
}

fn resource_names(ecu: &Ecu, mask: u64) -> Vec<String> {
    (0..ecu.resources.len().min(64))
        .filter(|r| mask & (1 << r) != 0)
        .map(|r| ecu.resources[r].name.clone())
        .collect()
}

fn arrival_text(arrivals: &Arrivals) -> String {
    let mut parts: Vec<String> = arrivals.periods_ns.iter().map(|p| format_ns(*p)).collect();
    if arrivals.once > 0 {
        parts.push(if arrivals.once == 1 {
            "once".to_owned()
        } else {
            format!("{}x once", arrivals.once)
        });
    }
    parts.join(" + ")
}

/// The whole report of `ecu`.
pub fn report(ecu: &Ecu, analysis: &Analysis) -> String {
    let mut out = String::new();
    let tick = format_ns(u64::from(ecu.tick_ns));
    let _ = writeln!(
        out,
        "ECU {} ({}), tick {tick} on counter `{}`",
        ecu.name,
        ecu.sources.join(", "),
        ecu.counters
            .get(ecu.system_counter)
            .map_or("-", |c| c.name.as_str())
    );

    out.push_str("\nOS-Applications\n");
    let rows: Vec<Vec<String>> = ecu
        .apps
        .iter()
        .enumerate()
        .map(|(a, app)| {
            let tasks = ecu
                .tasks
                .iter()
                .filter(|t| t.app == a)
                .map(|t| t.name.clone())
                .collect();
            let isrs = ecu
                .isrs
                .iter()
                .filter(|i| i.app == Some(a))
                .map(|i| i.name.clone())
                .collect();
            vec![app.name.clone(), yes(app.trusted), list(tasks), list(isrs)]
        })
        .collect();
    out.push_str(&table(&["name", "trusted", "tasks", "isrs"], &rows));

    out.push_str("\nTasks\n");
    let rows: Vec<Vec<String>> = ecu
        .tasks
        .iter()
        .map(|t| {
            vec![
                t.name.clone(),
                ecu.apps.get(t.app).map_or("-", |a| &a.name).to_owned(),
                t.priority.to_string(),
                t.activation_limit.to_string(),
                if t.extended { "extended" } else { "basic" }.to_owned(),
                yes(t.autostart),
                t.stack_size.to_string(),
                t.internal_resource
                    .map_or("-".to_owned(), |r| ecu.resources[r].name.clone()),
                list(resource_names(ecu, t.resource_mask)),
            ]
        })
        .collect();
    out.push_str(&table(
        &[
            "name",
            "app",
            "prio",
            "act",
            "kind",
            "autostart",
            "stack",
            "internal resource",
            "resources",
        ],
        &rows,
    ));
    let total = ecu.total_stack_bytes();
    let _ = writeln!(
        out,
        "  stacks: {total} bytes configured; worst-case use per task is not computed yet"
    );

    if !ecu.isrs.is_empty() {
        out.push_str("\nISRs\n");
        let rows: Vec<Vec<String>> = ecu
            .isrs
            .iter()
            .map(|i| {
                vec![
                    i.name.clone(),
                    i.category.to_string(),
                    i.priority.to_string(),
                    i.app
                        .and_then(|a| ecu.apps.get(a))
                        .map_or("-", |a| &a.name)
                        .to_owned(),
                    list(resource_names(ecu, i.resource_mask)),
                ]
            })
            .collect();
        out.push_str(&table(
            &["name", "category", "prio", "app", "resources"],
            &rows,
        ));
    }

    if !ecu.resources.is_empty() {
        out.push_str("\nResources\n");
        let rows: Vec<Vec<String>> = ecu
            .resources
            .iter()
            .enumerate()
            .map(|(r, res)| {
                let mut users: Vec<String> = ecu
                    .tasks
                    .iter()
                    .filter(|t| {
                        (r < 64 && t.resource_mask & (1 << r) != 0)
                            || t.internal_resource == Some(r)
                    })
                    .map(|t| format!("{} ({})", t.name, t.priority))
                    .collect();
                users.extend(
                    ecu.isrs
                        .iter()
                        .filter(|i| r < 64 && i.resource_mask & (1 << r) != 0)
                        .map(|i| format!("ISR {} ({})", i.name, i.priority)),
                );
                vec![
                    res.name.clone(),
                    if res.internal { "internal" } else { "standard" }.to_owned(),
                    res.ceiling.to_string(),
                    res.isr_ceiling.map_or("-".to_owned(), |c| c.to_string()),
                    list(users),
                ]
            })
            .collect();
        out.push_str(&table(
            &["name", "kind", "ceiling", "isr ceiling", "users"],
            &rows,
        ));
    }

    if !ecu.alarms.is_empty() {
        out.push_str("\nAlarms\n");
        let rows: Vec<Vec<String>> = ecu
            .alarms
            .iter()
            .map(|a| {
                let action = match &a.action {
                    AlarmAction::ActivateTask { task } => {
                        format!("activate {}", ecu.tasks[*task].name)
                    }
                    AlarmAction::SetEvent { task, mask } => {
                        let events: Vec<&str> = ecu
                            .events
                            .iter()
                            .filter(|e| e.mask & mask != 0)
                            .map(|e| e.name.as_str())
                            .collect();
                        format!("set {} of {}", events.join("|"), ecu.tasks[*task].name)
                    }
                    AlarmAction::IncrementCounter { counter } => {
                        format!("increment {}", ecu.counters[*counter].name)
                    }
                    AlarmAction::Callback { function } => format!("call {function}"),
                };
                let (offset, cycle, period) = match a.autostart {
                    None => ("-".to_owned(), "-".to_owned(), "armed by code".to_owned()),
                    Some((offset, cycle)) => (
                        offset.to_string(),
                        cycle.to_string(),
                        if cycle == 0 {
                            "one-shot".to_owned()
                        } else if a.counter == ecu.system_counter {
                            format_ns(u64::from(cycle) * u64::from(ecu.tick_ns))
                        } else {
                            "software counter".to_owned()
                        },
                    ),
                };
                vec![
                    a.name.clone(),
                    ecu.counters[a.counter].name.clone(),
                    action,
                    offset,
                    cycle,
                    period,
                ]
            })
            .collect();
        out.push_str(&table(
            &["name", "counter", "action", "offset", "cycle", "period"],
            &rows,
        ));
    }

    out.push_str(
        "\nResponse times (critical instant, no offsets; T arrivals, C budget, B blocking, R response, D deadline)\n\
         T is the time frame where one is given (the kernel enforces it), else the period of the\n\
         alarms that activate the task, which assumes no ActivateTask/SetEvent from code reaches it\n",
    );
    let dash = || "-".to_owned();
    let rows: Vec<Vec<String>> = analysis
        .rows
        .iter()
        .map(|row| {
            let r = row.response.as_ref().map_or_else(dash, |r| {
                if r.converged {
                    format_ns(r.ns)
                } else {
                    format!(">{}", format_ns(r.ns))
                }
            });
            let b = match &row.blocking {
                Ok(None) => "0".to_owned(),
                Ok(Some(b)) => format_ns(b.ns),
                Err(_) => "?".to_owned(),
            };
            let blocked_by = match &row.blocking {
                Ok(Some(b)) => {
                    let by = crate::analysis::name_of(ecu, b.kind, b.by);
                    match b.resource {
                        Some(r) => format!("{by}/{}", ecu.resources[r].name),
                        None => format!("{by} (non-preemptive)"),
                    }
                }
                _ => dash(),
            };
            vec![
                match row.kind {
                    Kind::Task => row.name.clone(),
                    Kind::Isr => format!("ISR {}", row.name),
                },
                row.priority.to_string(),
                row.arrivals
                    .as_ref()
                    .map_or_else(|_| "?".to_owned(), arrival_text),
                row.c_ns.map_or_else(|| "?".to_owned(), format_ns),
                b,
                blocked_by,
                r,
                row.d_ns.map_or_else(dash, format_ns),
                row.verdict.to_string(),
            ]
        })
        .collect();
    out.push_str(&table(
        &[
            "object",
            "prio",
            "T",
            "C",
            "B",
            "blocked by",
            "R",
            "D",
            "verdict",
        ],
        &rows,
    ));
    let count = |f: fn(&Verdict) -> bool| analysis.rows.iter().filter(|r| f(&r.verdict)).count();
    let _ = writeln!(
        out,
        "  {} schedulable, {} unschedulable, {} not analysable",
        count(|v| matches!(v, Verdict::Schedulable)),
        count(|v| matches!(v, Verdict::DeadlineMiss | Verdict::ActivationsLost { .. })),
        count(|v| matches!(v, Verdict::NotAnalysable(_))),
    );
    if !ecu.can.is_empty() {
        out.push_str(&crate::can::report(ecu));
    }
    out
}
