//! Counters and alarms: the system counter driven by the tick, software counters driven by
//! IncrementCounter, and alarms that act when their counter reaches their expiry.

use super::{AlarmControl, Failure, Kernel};
use crate::config::{AlarmAction, AlarmId, CounterId};
use crate::error::{Error, ServiceId};
use crate::request::Reply;
use crate::trace::{Object, TraceEvent};

impl<
        const TASKS: usize,
        const ALARMS: usize,
        const COUNTERS: usize,
        const RESOURCES: usize,
        const ISRS: usize,
        const TABLES: usize,
    > Kernel<TASKS, ALARMS, COUNTERS, RESOURCES, ISRS, TABLES>
{
    /// One tick of the system counter: the port's timer interrupt.
    pub fn tick(&mut self) {
        self.decided = false;
        self.ticks += 1;
        self.increment_counter(self.config.system_counter, 0);
    }

    pub fn counter_value(&self, counter: CounterId) -> Result<u32, Failure> {
        self.counters
            .get(counter.index())
            .copied()
            .ok_or((Error::Id, Object::None))
    }

    fn modulus(&self, counter: CounterId) -> u64 {
        self.config.counters[counter.index()].max_allowed_value as u64 + 1
    }

    fn counter_add(&self, counter: CounterId, value: u32, delta: u32) -> u32 {
        ((value as u64 + delta as u64) % self.modulus(counter)) as u32
    }

    pub(super) fn arm_autostart_alarms(&mut self) {
        for index in 0..ALARMS {
            let alarm = &self.config.alarms[index];
            if !self.in_mode(alarm.autostart_modes) {
                continue;
            }
            if let Some((offset, cycle)) = alarm.autostart {
                let now = self.counters[alarm.counter.index()];
                self.alarms[index] = AlarmControl {
                    armed: true,
                    expiry: self.counter_add(alarm.counter, now, offset),
                    cycle,
                };
            }
        }
    }

    /// IncrementCounter: software counters only; the tick drives the system counter.
    pub(super) fn increment_counter_service(
        &mut self,
        counter: CounterId,
    ) -> Result<Reply, Failure> {
        if counter.index() >= COUNTERS || counter == self.config.system_counter {
            return Err((Error::Id, Object::Counter(counter)));
        }
        self.increment_counter(counter, 0);
        Ok(0)
    }

    /// Advances `counter` and runs the alarms that expire. An alarm may increment another
    /// counter; the configurator rejects cycles, and `depth` stops one that slipped through.
    fn increment_counter(&mut self, counter: CounterId, depth: usize) {
        if depth > COUNTERS {
            self.report(
                ServiceId::IncrementCounter,
                Error::Limit,
                Object::Counter(counter),
            );
            return;
        }
        let value = self.counter_add(counter, self.counters[counter.index()], 1);
        self.counters[counter.index()] = value;
        self.process_schedule_tables(counter, value);
        for index in 0..ALARMS {
            let state = self.alarms[index];
            if !state.armed || self.config.alarms[index].counter != counter || state.expiry != value
            {
                continue;
            }
            self.alarms[index] = if state.cycle == 0 {
                AlarmControl::default()
            } else {
                AlarmControl {
                    expiry: self.counter_add(counter, value, state.cycle),
                    ..state
                }
            };
            self.record(TraceEvent::AlarmExpired(AlarmId::new(index as u8)));
            // Refused actions are reported to the trace by the service itself.
            match self.config.alarms[index].action {
                AlarmAction::ActivateTask(task) => {
                    let _ = self.activate_task(task);
                }
                AlarmAction::SetEvent(task, mask) => {
                    let _ = self.set_event(task, mask);
                }
                AlarmAction::IncrementCounter(next) => self.increment_counter(next, depth + 1),
                AlarmAction::Callback(callback) => callback(),
            }
        }
    }

    /// GetElapsedValue: (current value, ticks since `previous`), packed low/high.
    pub(super) fn elapsed_value(
        &self,
        counter: CounterId,
        previous: u32,
    ) -> Result<Reply, Failure> {
        let now = self.counter_value(counter)?;
        if previous as u64 >= self.modulus(counter) {
            return Err((Error::Value, Object::Counter(counter)));
        }
        let elapsed =
            (now as u64 + self.modulus(counter) - previous as u64) % self.modulus(counter);
        Ok(now as u64 | elapsed << 32)
    }

    /// GetAlarmBase, one field: 0 max allowed value, 1 ticks per base, 2 min cycle.
    pub(super) fn alarm_base(&self, alarm: AlarmId, field: u8) -> Result<Reply, Failure> {
        let counter = &self.config.counters[self.alarm_checked(alarm)?.index()];
        Ok(match field {
            0 => counter.max_allowed_value,
            1 => counter.ticks_per_base,
            2 => counter.min_cycle,
            _ => return Err((Error::Value, Object::Alarm(alarm))),
        } as Reply)
    }

    fn alarm_checked(&self, alarm: AlarmId) -> Result<CounterId, Failure> {
        self.config
            .alarms
            .get(alarm.index())
            .map(|a| a.counter)
            .ok_or((Error::Id, Object::None))
    }

    fn check_cycle(&self, alarm: AlarmId, counter: CounterId, cycle: u32) -> Result<(), Failure> {
        let config = &self.config.counters[counter.index()];
        if cycle != 0 && (cycle < config.min_cycle || cycle > config.max_allowed_value) {
            return Err((Error::Value, Object::Alarm(alarm)));
        }
        Ok(())
    }

    pub(super) fn set_rel_alarm(
        &mut self,
        alarm: AlarmId,
        increment: u32,
        cycle: u32,
    ) -> Result<Reply, Failure> {
        let counter = self.alarm_checked(alarm)?;
        if self.alarms[alarm.index()].armed {
            return Err((Error::State, Object::Alarm(alarm)));
        }
        if increment == 0 || increment > self.config.counters[counter.index()].max_allowed_value {
            return Err((Error::Value, Object::Alarm(alarm)));
        }
        self.check_cycle(alarm, counter, cycle)?;
        let expiry = self.counter_add(counter, self.counters[counter.index()], increment);
        self.alarms[alarm.index()] = AlarmControl {
            armed: true,
            expiry,
            cycle,
        };
        Ok(0)
    }

    pub(super) fn set_abs_alarm(
        &mut self,
        alarm: AlarmId,
        start: u32,
        cycle: u32,
    ) -> Result<Reply, Failure> {
        let counter = self.alarm_checked(alarm)?;
        if self.alarms[alarm.index()].armed {
            return Err((Error::State, Object::Alarm(alarm)));
        }
        if start > self.config.counters[counter.index()].max_allowed_value {
            return Err((Error::Value, Object::Alarm(alarm)));
        }
        self.check_cycle(alarm, counter, cycle)?;
        self.alarms[alarm.index()] = AlarmControl {
            armed: true,
            expiry: start,
            cycle,
        };
        Ok(0)
    }

    pub(super) fn cancel_alarm(&mut self, alarm: AlarmId) -> Result<Reply, Failure> {
        self.alarm_checked(alarm)?;
        if !self.alarms[alarm.index()].armed {
            return Err((Error::NoFunc, Object::Alarm(alarm)));
        }
        self.alarms[alarm.index()] = AlarmControl::default();
        Ok(0)
    }

    /// GetAlarm: counter ticks until the alarm expires.
    pub(super) fn get_alarm(&self, alarm: AlarmId) -> Result<Reply, Failure> {
        let counter = self.alarm_checked(alarm)?;
        let state = self.alarms[alarm.index()];
        if !state.armed {
            return Err((Error::NoFunc, Object::Alarm(alarm)));
        }
        let modulus = self.modulus(counter);
        let now = self.counters[counter.index()] as u64;
        let left = (state.expiry as u64 + modulus - now) % modulus;
        // Expiry equal to now means one full round of the counter.
        Ok(if left == 0 { modulus } else { left })
    }
}
