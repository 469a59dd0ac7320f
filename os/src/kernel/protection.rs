//! Timing protection and the protection hook.
//!
//! The port tells the kernel the time (`advance_time`); the kernel charges it to whatever ran,
//! and finds a task or ISR past its execution budget, a resource or interrupt lock held past
//! its budget (both count the holder's own execution time, as AUTOSAR's budgets do), or an
//! activation sooner than the time frame allows. The protection hook
//! decides the reaction; without a hook the OS shuts down, as AUTOSAR specifies.

use super::{Kernel, Masking};
use crate::config::{IsrId, ProtectionInfo, ProtectionReaction, ResourceId};
use crate::error::Error;
use crate::trace::{Context, TraceEvent};

impl<
        const TASKS: usize,
        const ALARMS: usize,
        const COUNTERS: usize,
        const RESOURCES: usize,
        const ISRS: usize,
        const TABLES: usize,
    > Kernel<TASKS, ALARMS, COUNTERS, RESOURCES, ISRS, TABLES>
{
    pub fn now_ns(&self) -> u64 {
        self.now_ns
    }

    /// The port's clock moved to `now_ns`: the time since the last call is charged to what
    /// executed (the current task or ISR), and every budget it runs under is checked.
    pub fn advance_time(&mut self, now_ns: u64) {
        let delta = now_ns.saturating_sub(self.now_ns);
        self.now_ns = self.now_ns.max(now_ns);
        let Some(context) = self.current.filter(|_| delta > 0) else {
            return;
        };
        match context {
            Context::Task(t) => self.tasks[t.index()].used_ns += delta,
            Context::Isr(i) => self.isrs[i.index()].used_ns += delta,
        }
        if let Some(error) = self.overrun(context) {
            self.protection(error, context);
        }
    }

    #[inline]
    fn timing_of(&self, context: Context) -> &'static crate::config::Timing {
        match context {
            Context::Task(t) => &self.config.tasks[t.index()].timing,
            Context::Isr(i) => &self.config.isrs[i.index()].timing,
        }
    }

    /// The held-resource chain of a context, newest first.
    fn held_resources(&self, context: Context) -> impl Iterator<Item = ResourceId> + '_ {
        let mut next = match context {
            Context::Task(t) => self.tasks[t.index()].held,
            Context::Isr(i) => self.isrs[i.index()].held,
        };
        core::iter::from_fn(move || {
            let resource = next?;
            next = self.resources[resource.index()].below;
            Some(resource)
        })
        .take(RESOURCES)
    }

    /// Execution time of `context` in its current activation.
    /// Execution time of `context`'s current activation, as charged by `advance_time` (the
    /// boards' `busy_us` spins on it).
    pub fn execution_time(&self, context: Context) -> u64 {
        self.used_ns(context)
    }

    pub(super) fn used_ns(&self, context: Context) -> u64 {
        match context {
            Context::Task(t) => self.tasks[t.index()].used_ns,
            Context::Isr(i) => self.isrs[i.index()].used_ns,
        }
    }

    /// The earliest absolute time at which a budget of `context` runs out, if it has any,
    /// provided it keeps executing (budgets count its own execution time, so preemption by
    /// ISRs does not eat into them).
    fn budget_deadline(&self, context: Context) -> Option<u64> {
        let timing = self.timing_of(context);
        let used = self.used_ns(context);
        // A budget is overrun when exceeded, so the deadline is one nanosecond past it.
        let left = |spent: u64, budget: u64| self.now_ns + budget.saturating_sub(spent) + 1;
        let execution =
            (timing.execution_budget_ns > 0).then(|| left(used, timing.execution_budget_ns));
        let locks = self.held_resources(context).filter_map(|r| {
            let budget = timing.lock_budget(r);
            let spent = used - self.resources[r.index()].used_at_lock_ns;
            (budget > 0).then(|| left(spent, budget))
        });
        let interrupts = (self.masking.owner == Some(context)
            && timing.interrupt_lock_budget_ns > 0)
            .then(|| {
                left(
                    used - self.masking.used_at_mask_ns,
                    timing.interrupt_lock_budget_ns,
                )
            });
        execution.into_iter().chain(locks).chain(interrupts).min()
    }

    /// When the port must call `advance_time` at the latest, for a budget of what executes
    /// now to be caught the moment it runs out.
    pub fn next_budget_deadline_ns(&self) -> Option<u64> {
        self.current.and_then(|c| self.budget_deadline(c))
    }

    fn overrun(&self, context: Context) -> Option<Error> {
        let timing = self.timing_of(context);
        let used = self.used_ns(context);
        if timing.execution_budget_ns > 0 && used > timing.execution_budget_ns {
            return Some(Error::ProtectionTime);
        }
        let lock_overrun = self.held_resources(context).any(|r| {
            let budget = timing.lock_budget(r);
            budget > 0 && used - self.resources[r.index()].used_at_lock_ns > budget
        });
        let interrupt_overrun = self.masking.owner == Some(context)
            && timing.interrupt_lock_budget_ns > 0
            && used - self.masking.used_at_mask_ns > timing.interrupt_lock_budget_ns;
        (lock_overrun || interrupt_overrun).then_some(Error::ProtectionLocked)
    }

    /// An arrival of `context` now: refused (and reported) if sooner than its time frame.
    pub(super) fn arrival_allowed(&mut self, context: Context) -> bool {
        let frame = self.timing_of(context).time_frame_ns;
        if frame == 0 {
            // Without a time frame no arrival is ever refused, so none is kept.
            return true;
        }
        let last = match context {
            Context::Task(t) => &mut self.tasks[t.index()].last_arrival_ns,
            Context::Isr(i) => &mut self.isrs[i.index()].last_arrival_ns,
        };
        if last.is_some_and(|at| self.now_ns < at + frame) {
            self.protection(Error::ProtectionArrival, context);
            return false;
        }
        *last = Some(self.now_ns);
        true
    }

    /// A protection error: traced, then the hook's reaction (or shutdown without a hook).
    pub fn protection(&mut self, error: Error, culprit: Context) {
        self.decided = false;
        self.record(TraceEvent::Protection(error, culprit));
        let app = self.app_of(culprit);
        let reaction = match self.config.hooks.protection {
            Some(hook) => hook(&ProtectionInfo {
                error,
                culprit,
                app,
            }),
            None => ProtectionReaction::Shutdown,
        };
        match reaction {
            // Ignoring is allowed for an arrival only: the activation was refused already.
            ProtectionReaction::Ignore if error == Error::ProtectionArrival => {}
            ProtectionReaction::Ignore | ProtectionReaction::Shutdown => {
                self.shutdown_os(Some(error))
            }
            ProtectionReaction::TerminateTaskIsr => {
                if error != Error::ProtectionArrival {
                    self.kill(culprit, true);
                }
            }
            ProtectionReaction::TerminateApplication => self.terminate_application(app, false),
            ProtectionReaction::TerminateApplicationRestart => {
                self.terminate_application(app, true)
            }
        }
    }

    /// Ends a task or ISR by force: its resources and masks are freed without error reports
    /// (the protection error was the report; the unlocks still show in the trace), the
    /// activation is gone, its port context is stale.
    /// With `all`, a task's queued activations and waiting state go too.
    pub(super) fn kill(&mut self, context: Context, all: bool) {
        self.decided = false;
        if self.masking.owner == Some(context) {
            self.masking = Masking::default();
        }
        self.release_all_resources(context);
        match context {
            Context::Task(task) => {
                let control = &mut self.tasks[task.index()];
                if control.queued.is_empty() {
                    return;
                }
                if all {
                    while control.queued.pop().is_some() {}
                } else {
                    control.queued.pop();
                }
                control.started = false;
                control.fresh = false;
                control.waiting = false;
                control.incarnation = control.incarnation.wrapping_add(1);
                control.level = self.config.tasks[task.index()].priority as crate::config::Level;
                if self.running == Some(task) {
                    self.running = None;
                }
                // Out of the ready queue, or back in it for the next activation.
                self.ready.remove(task.index());
                self.refile(task);
            }
            Context::Isr(isr) => {
                if !self.isrs[isr.index()].active {
                    return;
                }
                self.remove_from_isr_stack(isr);
                let control = &mut self.isrs[isr.index()];
                control.active = false;
                control.started = false;
                control.incarnation = control.incarnation.wrapping_add(1);
                control.level = self.config.isrs[isr.index()].level();
            }
        }
        if self.current == Some(context) {
            self.current = None;
        }
        self.record(TraceEvent::Kill(context));
        match context {
            // Its open call, or as a server task the calls waiting for it (ipc.rs); an image
            // without IPC has none.
            Context::Task(task) if cfg!(feature = "ipc") => self.ipc_task_ended(task, true),
            _ => {}
        }
    }

    fn remove_from_isr_stack(&mut self, isr: IsrId) {
        let depth = self.isr_depth;
        if let Some(at) = self.isr_stack[..depth].iter().position(|i| *i == Some(isr)) {
            self.isr_stack.copy_within(at + 1..depth, at);
            self.isr_depth -= 1;
            self.isr_stack[self.isr_depth] = None;
        }
    }

    /// Which start of `context` the kernel is on: a port resuming a context whose number
    /// changed must drop it (the kernel ended it) instead of continuing it.
    pub fn incarnation(&self, context: Context) -> u32 {
        match context {
            Context::Task(t) => self.tasks.get(t.index()).map_or(0, |c| c.incarnation),
            Context::Isr(i) => self.isrs.get(i.index()).map_or(0, |c| c.incarnation),
        }
    }
}
