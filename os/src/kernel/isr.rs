//! Interrupts: category 2 ISRs accepted by level, nested, pended while masked or outranked;
//! and the services that mask them (Disable/EnableAllInterrupts, Suspend/ResumeAll-,
//! Suspend/ResumeOSInterrupts).

use super::{Kernel, Masking};
use crate::config::IsrId;
use crate::error::{Error, ServiceId};
use crate::request::Request;
use crate::trace::{Context, Object, TraceEvent};

impl<
        const TASKS: usize,
        const ALARMS: usize,
        const COUNTERS: usize,
        const RESOURCES: usize,
        const ISRS: usize,
        const TABLES: usize,
    > Kernel<TASKS, ALARMS, COUNTERS, RESOURCES, ISRS, TABLES>
{
    #[inline(always)]
    pub(super) fn current_isr(&self) -> Option<IsrId> {
        self.isr_depth
            .checked_sub(1)
            .and_then(|top| self.isr_stack[top])
    }

    #[inline]
    fn masked(&self, isr: IsrId) -> bool {
        if !self.masking.any() {
            return false;
        }
        let m = &self.masking;
        let category_1 = self.config.isrs[isr.index()].category == 1;
        m.all_disabled || m.all_suspended > 0 || (!category_1 && m.os_suspended > 0)
    }

    fn can_start(&self, isr: IsrId) -> bool {
        !self.masked(isr) && self.isrs[isr.index()].level > self.current_level()
    }

    fn accept(&mut self, isr: IsrId) {
        let control = &mut self.isrs[isr.index()];
        control.active = true;
        control.started = false;
        control.pending = false;
        control.used_ns = 0;
        control.incarnation = control.incarnation.wrapping_add(1);
        self.isr_stack[self.isr_depth] = Some(isr);
        self.isr_depth += 1;
        self.record(TraceEvent::IsrStart(isr));
    }

    /// An interrupt request for `isr` (the port's interrupt entry). It starts at the next
    /// dispatch if it outranks what runs, else it waits, pending; a second request while one
    /// pends is lost and said so in the trace.
    pub fn interrupt(&mut self, isr: IsrId) {
        self.decided = false;
        if isr.index() >= ISRS {
            self.report(ServiceId::IsrReturn, Error::Id, Object::None);
            return;
        }
        if !self.arrival_allowed(Context::Isr(isr)) {
            return;
        }
        let control = self.isrs[isr.index()];
        if control.pending || control.active {
            self.record(TraceEvent::IsrOverrun(isr));
            self.isrs[isr.index()].pending = true;
            return;
        }
        if self.can_start(isr) {
            self.accept(isr);
        } else {
            self.isrs[isr.index()].pending = true;
            self.record(TraceEvent::IsrPending(isr));
        }
    }

    /// The current ISR's body returned. What it left locked or masked is reported and undone.
    pub fn isr_return(&mut self) -> Result<(), Error> {
        self.decided = false;
        let Some(isr) = self.current_isr() else {
            return Err(self.report(ServiceId::IsrReturn, Error::CallLevel, Object::None));
        };
        let context = Context::Isr(isr);
        if self.masking.owner == Some(context) {
            self.report(ServiceId::IsrReturn, Error::DisabledInt, Object::Isr(isr));
            self.masking = Masking::default();
        }
        if self.isrs[isr.index()].held.is_some() {
            self.report(ServiceId::IsrReturn, Error::Resource, Object::Isr(isr));
            self.release_all_resources(context);
        }
        let control = &mut self.isrs[isr.index()];
        control.active = false;
        control.started = false;
        control.level = self.config.isrs[isr.index()].level();
        self.isr_depth -= 1;
        self.isr_stack[self.isr_depth] = None;
        self.current = None;
        self.record(TraceEvent::IsrEnd(isr));
        self.accept_pending();
        Ok(())
    }

    /// Accepts the highest pending ISR that may run now, if any.
    pub(super) fn accept_pending(&mut self) {
        if let Some(isr) = self.best_pending() {
            self.accept(isr);
        }
    }

    /// The pending ISR that would start now: the highest of those above the current level.
    fn best_pending(&self) -> Option<IsrId> {
        let mut best: Option<IsrId> = None;
        for index in 0..ISRS {
            let isr = IsrId::new(index as u8);
            if self.isrs[index].pending
                && !self.isrs[index].active
                && self.can_start(isr)
                && best.is_none_or(|b| self.isrs[index].level > self.isrs[b.index()].level)
            {
                best = Some(isr);
            }
        }
        best
    }

    /// [`Self::interrupt`] for a port that switches at once: `true` when `isr` was accepted
    /// over what ran and starts now, the decision the next dispatch would give (a switch to
    /// it, fresh) already taken. `false` where anything else follows (it pends, another ISR
    /// would start on top of it, a switch is prepared, the OS shuts down): the general
    /// `dispatch` then decides. With an ISR accepted, a decision never weighs the tasks, so
    /// what changed at task level before does not matter.
    pub fn interrupt_switching(&mut self, isr: IsrId) -> bool {
        self.interrupt(isr);
        #[cfg(test)]
        if !self.fast_paths {
            return false;
        }
        let accepted_now = self.current_isr() == Some(isr) && !self.isrs[isr.index()].started;
        if !accepted_now
            || self.prepared
            || self.shutdown.is_some()
            || self.best_pending().is_some()
        {
            return false;
        }
        // decide: nothing pending to accept, the innermost ISR is the target, fresh.
        self.decided = true;
        self.current = Some(Context::Isr(isr));
        self.isrs[isr.index()].started = true;
        true
    }

    /// The interrupt masking services. An Enable/Resume without its Disable/Suspend is
    /// ignored, as AUTOSAR specifies.
    pub(super) fn interrupt_api(&mut self, caller: Context, request: Request) {
        let was_masked = self.masking.any();
        let used = self.used_ns(caller);
        let m = &mut self.masking;
        match request {
            Request::DisableAllInterrupts => m.all_disabled = true,
            Request::EnableAllInterrupts => m.all_disabled = false,
            Request::SuspendAllInterrupts => m.all_suspended = m.all_suspended.saturating_add(1),
            Request::ResumeAllInterrupts => m.all_suspended = m.all_suspended.saturating_sub(1),
            Request::SuspendOsInterrupts => m.os_suspended = m.os_suspended.saturating_add(1),
            Request::ResumeOsInterrupts => m.os_suspended = m.os_suspended.saturating_sub(1),
            _ => return,
        }
        // Unmasked, what came meanwhile runs at the next dispatch if it outranks the caller.
        m.owner = m.counted().then_some(caller);
        if m.owner.is_some() && !was_masked {
            m.used_at_mask_ns = used;
        }
    }
}
