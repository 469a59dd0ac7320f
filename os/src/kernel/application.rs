//! OS-Applications: who owns what, who may touch what, and terminating (and restarting) an
//! application as a whole.

use super::{Failure, Kernel};
use crate::config::{AppId, TaskId};
use crate::error::Error;
use crate::request::{ObjectKind, Reply, Request};
use crate::trace::{Context, Object, TraceEvent};

/// ApplicationStateType.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ApplicationState {
    Accessible = 0,
    Restarting = 1,
    Terminated = 2,
}

impl ApplicationState {
    pub const fn from_code(code: u64) -> Option<Self> {
        Some(match code {
            0 => ApplicationState::Accessible,
            1 => ApplicationState::Restarting,
            2 => ApplicationState::Terminated,
            _ => return None,
        })
    }
}

fn bit(app: AppId) -> u64 {
    1u64.checked_shl(app.index() as u32).unwrap_or(0)
}

impl<
        const TASKS: usize,
        const ALARMS: usize,
        const COUNTERS: usize,
        const RESOURCES: usize,
        const ISRS: usize,
        const TABLES: usize,
    > Kernel<TASKS, ALARMS, COUNTERS, RESOURCES, ISRS, TABLES>
{
    #[inline]
    pub(super) fn app_of(&self, context: Context) -> AppId {
        match context {
            Context::Task(t) => self.config.tasks[t.index()].app,
            Context::Isr(i) => self.config.isrs[i.index()].app,
        }
    }

    /// Terminated or restarting. Usually no application is: one test before the bit's.
    #[inline]
    pub(super) fn app_unavailable(&self, app: AppId) -> bool {
        let unavailable = self.apps_terminated | self.apps_restarting;
        unavailable != 0 && unavailable & bit(app) != 0
    }

    /// Its own application may reach an object unless terminated (a restarting one is busy
    /// restarting itself); others need a listed right and an accessible owner. The usual
    /// case, its own object while no application is terminated, is decided inline.
    #[inline(always)]
    pub(super) fn may_access(&self, caller: AppId, owner: AppId, access: u64) -> bool {
        (caller == owner && self.apps_terminated == 0)
            || self.may_access_by_masks(caller, owner, access)
    }

    fn may_access_by_masks(&self, caller: AppId, owner: AppId, access: u64) -> bool {
        if caller == owner {
            self.apps_terminated & bit(owner) == 0
        } else {
            !self.app_unavailable(owner) && access & bit(caller) != 0
        }
    }

    /// Access rights of the caller's application to the object a request names
    /// (E_OS_ACCESS). Objects of a terminated application are out of reach for everyone.
    pub(super) fn check_access(&self, caller: Context, request: &Request) -> Result<(), Failure> {
        let app = self.app_of(caller);
        let task = |t: TaskId| -> Result<(), Failure> {
            match self.config.tasks.get(t.index()) {
                // An unknown id is the service's E_OS_ID, not an access matter.
                None => Ok(()),
                Some(c) if self.may_access(app, c.app, c.access) => Ok(()),
                Some(_) => Err((Error::Access, Object::Task(t))),
            }
        };
        match *request {
            Request::ActivateTask(t)
            | Request::SetEvent(t, _)
            | Request::GetTaskState(t)
            | Request::GetEvent(t) => task(t),
            Request::SetRelAlarm(a, ..)
            | Request::SetAbsAlarm(a, ..)
            | Request::CancelAlarm(a)
            | Request::GetAlarm(a) => match self.config.alarms.get(a.index()) {
                None => Ok(()),
                Some(c) if self.may_access(app, c.app, c.access) => Ok(()),
                Some(_) => Err((Error::Access, Object::Alarm(a))),
            },
            _ => Ok(()),
        }
    }

    pub(super) fn application_state(&self, app: AppId) -> Result<ApplicationState, Failure> {
        if app.index() >= self.config.apps.len() {
            return Err((Error::Id, Object::None));
        }
        Ok(if self.apps_terminated & bit(app) != 0 {
            ApplicationState::Terminated
        } else if self.apps_restarting & bit(app) != 0 {
            ApplicationState::Restarting
        } else {
            ApplicationState::Accessible
        })
    }

    /// CheckObjectAccess: whether `app` may access the object.
    pub(super) fn object_access(
        &self,
        app: AppId,
        kind: ObjectKind,
        id: u8,
    ) -> Result<bool, Failure> {
        if app.index() >= self.config.apps.len() {
            return Err((Error::Id, Object::None));
        }
        let index = id as usize;
        let (owner, access) = match kind {
            ObjectKind::Task => self.config.tasks.get(index).map(|t| (t.app, t.access)),
            ObjectKind::Alarm => self.config.alarms.get(index).map(|a| (a.app, a.access)),
            ObjectKind::Isr => self.config.isrs.get(index).map(|i| (i.app, 0)),
            // Resources are granted per task and ISR, counters to the alarms on them: no
            // per-application rights yet.
            ObjectKind::Resource | ObjectKind::Counter => None,
        }
        .ok_or((Error::Id, Object::None))?;
        Ok(self.may_access(app, owner, access))
    }

    /// CheckObjectOwnership: the application that owns the object.
    pub(super) fn object_owner(&self, kind: ObjectKind, id: u8) -> Result<AppId, Failure> {
        let index = id as usize;
        match kind {
            ObjectKind::Task => self.config.tasks.get(index).map(|t| t.app),
            ObjectKind::Alarm => self.config.alarms.get(index).map(|a| a.app),
            ObjectKind::Isr => self.config.isrs.get(index).map(|i| i.app),
            ObjectKind::Resource | ObjectKind::Counter => None,
        }
        .ok_or((Error::Id, Object::None))
    }

    /// TerminateApplication from a task or ISR: a non-trusted application may end only itself.
    pub(super) fn terminate_application_service(
        &mut self,
        caller: Context,
        app: AppId,
        restart: bool,
    ) -> Result<Reply, Failure> {
        let Some(config) = self.config.apps.get(app.index()) else {
            return Err((Error::Id, Object::None));
        };
        let own = self.app_of(caller);
        if own != app && !self.config.apps[own.index()].trusted {
            return Err((Error::Access, Object::None));
        }
        if self.apps_terminated & bit(app) != 0 || (restart && config.restart_task.is_none()) {
            return Err((Error::State, Object::None));
        }
        // A restarting application is left to its restart: others may not end it
        // (SWS_Os_00508), and it may not restart itself again (SWS_Os_00548).
        if self.apps_restarting & bit(app) != 0 && (own != app || restart) {
            return Err((Error::State, Object::None));
        }
        self.terminate_application(app, restart);
        Ok(0)
    }

    /// Ends every task and ISR of `app`, cancels its alarms; with `restart`, activates its
    /// restart task, and the application stays RESTARTING until that task calls AllowAccess.
    pub(super) fn terminate_application(&mut self, app: AppId, restart: bool) {
        for index in 0..TASKS {
            if self.config.tasks[index].app == app {
                self.kill(Context::Task(TaskId::new(index as u8)), true);
            }
        }
        for index in 0..ISRS {
            if self.config.isrs[index].app == app && self.isrs[index].active {
                self.kill(Context::Isr(crate::config::IsrId::new(index as u8)), true);
            }
            if self.config.isrs[index].app == app {
                self.isrs[index].pending = false;
            }
        }
        for index in 0..ALARMS {
            if self.config.alarms[index].app == app {
                self.alarms[index] = Default::default();
            }
        }
        for index in 0..TABLES {
            if self.config.schedule_tables[index].app == app {
                self.tables[index] = Default::default();
            }
        }
        self.record(TraceEvent::AppTerminated(app, restart));
        let restart_task = self.config.apps[app.index()]
            .restart_task
            .filter(|_| restart);
        match restart_task {
            Some(task) => {
                self.apps_restarting |= bit(app);
                // The restart task belongs to the application: activate it past the state check.
                let _ = self.activate_task(task);
            }
            None => self.apps_terminated |= bit(app),
        }
    }

    /// AllowAccess: the caller's restarting application becomes accessible.
    pub(super) fn allow_access(&mut self, caller: Context) -> Result<Reply, Failure> {
        let app = self.app_of(caller);
        if self.apps_restarting & bit(app) == 0 {
            return Err((Error::State, Object::None));
        }
        self.apps_restarting &= !bit(app);
        Ok(0)
    }
}
