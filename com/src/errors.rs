//! Controller error states (ISO 11898-1 fault confinement).
//!
//! Transmit and receive error counters move with each error and success; the state follows
//! them: error active while both are ≤ 127, error passive when either exceeds 127, bus-off
//! when TEC exceeds 255. A bus-off controller stays off until it has seen 128 occurrences of
//! 11 consecutive recessive bits ([`Recovery::Automatic`]), or that many after the application
//! asked for it ([`Recovery::Manual`]); then it is error active with both counters at zero.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorState {
    Active,
    Passive,
    BusOff,
}

/// How a controller leaves bus-off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recovery {
    /// After `sequences` occurrences of 11 recessive bits (ISO: 128).
    Automatic { sequences: u16 },
    /// Only after [`ErrorCounters::request_recovery`], then as `Automatic`.
    Manual { sequences: u16 },
}

impl Recovery {
    pub const ISO: Recovery = Recovery::Automatic { sequences: 128 };

    const fn sequences(self) -> u16 {
        match self {
            Recovery::Automatic { sequences } | Recovery::Manual { sequences } => sequences,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorCounters {
    tec: u16,
    rec: u16,
    state: ErrorState,
    recovery: Recovery,
    recovery_requested: bool,
    recessive_sequences: u16,
    bus_off_count: u32,
}

impl ErrorCounters {
    pub const fn new(recovery: Recovery) -> Self {
        Self {
            tec: 0,
            rec: 0,
            state: ErrorState::Active,
            recovery,
            recovery_requested: false,
            recessive_sequences: 0,
            bus_off_count: 0,
        }
    }

    pub const fn tec(&self) -> u16 {
        self.tec
    }
    pub const fn rec(&self) -> u16 {
        self.rec
    }
    pub const fn state(&self) -> ErrorState {
        self.state
    }
    /// How often the controller went bus-off.
    pub const fn bus_off_count(&self) -> u32 {
        self.bus_off_count
    }
    pub const fn can_transmit(&self) -> bool {
        !matches!(self.state, ErrorState::BusOff)
    }

    fn update(&mut self) -> ErrorState {
        if self.state == ErrorState::BusOff {
            return self.state;
        }
        self.state = if self.tec > 255 {
            self.bus_off_count = self.bus_off_count.saturating_add(1);
            self.recessive_sequences = 0;
            self.recovery_requested = false;
            ErrorState::BusOff
        } else if self.tec > 127 || self.rec > 127 {
            ErrorState::Passive
        } else {
            ErrorState::Active
        };
        self.state
    }

    /// A transmit error (TEC += 8). Returns the new state.
    pub fn transmit_error(&mut self) -> ErrorState {
        if self.state != ErrorState::BusOff {
            self.tec += 8;
        }
        self.update()
    }

    /// A frame sent successfully (TEC −= 1).
    pub fn transmit_ok(&mut self) -> ErrorState {
        if self.state != ErrorState::BusOff {
            self.tec = self.tec.saturating_sub(1);
        }
        self.update()
    }

    /// A receive error (REC += 1; `primary` errors, detected first by this node, count 8).
    pub fn receive_error(&mut self, primary: bool) -> ErrorState {
        if self.state != ErrorState::BusOff {
            self.rec = (self.rec + if primary { 8 } else { 1 }).min(255);
        }
        self.update()
    }

    /// A frame received successfully: REC −= 1, or back to 119..=127 (here 120) from passive.
    pub fn receive_ok(&mut self) -> ErrorState {
        if self.state != ErrorState::BusOff {
            self.rec = if self.rec > 127 {
                120
            } else {
                self.rec.saturating_sub(1)
            };
        }
        self.update()
    }

    /// Drives TEC past 255 at once (fault injection).
    pub fn force_bus_off(&mut self) -> ErrorState {
        if self.state != ErrorState::BusOff {
            self.tec = 256;
        }
        self.update()
    }

    /// For [`Recovery::Manual`]: start counting recessive sequences.
    pub fn request_recovery(&mut self) {
        self.recovery_requested = true;
    }

    /// `n` more occurrences of 11 consecutive recessive bits seen on the bus. Returns true when
    /// this ends bus-off.
    pub fn recessive_sequences(&mut self, n: u32) -> bool {
        if self.state != ErrorState::BusOff {
            return false;
        }
        if matches!(self.recovery, Recovery::Manual { .. }) && !self.recovery_requested {
            return false;
        }
        let total = (self.recessive_sequences as u32 + n).min(u16::MAX as u32) as u16;
        self.recessive_sequences = total;
        if total >= self.recovery.sequences() {
            self.tec = 0;
            self.rec = 0;
            self.recessive_sequences = 0;
            self.recovery_requested = false;
            self.state = ErrorState::Active;
            true
        } else {
            false
        }
    }

    /// Bus-off and counting towards recovery (automatic, or manual and requested).
    pub const fn recovering(&self) -> bool {
        matches!(self.state, ErrorState::BusOff)
            && (matches!(self.recovery, Recovery::Automatic { .. }) || self.recovery_requested)
    }

    /// Occurrences still needed to leave bus-off (0 when not bus-off).
    pub const fn sequences_to_recovery(&self) -> u16 {
        match self.state {
            ErrorState::BusOff => self
                .recovery
                .sequences()
                .saturating_sub(self.recessive_sequences),
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passive_bus_off_and_recovery() {
        let mut c = ErrorCounters::new(Recovery::ISO);
        for _ in 0..15 {
            assert_eq!(c.transmit_error(), ErrorState::Active);
        }
        // 16 × 8 = 128 > 127
        assert_eq!(c.transmit_error(), ErrorState::Passive);
        assert_eq!(c.tec(), 128);
        for _ in 0..15 {
            c.transmit_error();
        }
        assert_eq!(c.state(), ErrorState::Passive);
        assert_eq!(c.transmit_error(), ErrorState::BusOff);
        assert_eq!(c.tec(), 256);
        assert_eq!(c.state(), ErrorState::BusOff);
        assert!(!c.can_transmit());
        assert!(!c.recessive_sequences(127));
        assert_eq!(c.sequences_to_recovery(), 1);
        assert!(c.recessive_sequences(1));
        assert_eq!((c.state(), c.tec(), c.rec()), (ErrorState::Active, 0, 0));
        assert_eq!(c.bus_off_count(), 1);
    }

    #[test]
    fn tec_255_is_not_bus_off() {
        let mut c = ErrorCounters::new(Recovery::ISO);
        for _ in 0..31 {
            c.transmit_error();
        }
        c.transmit_ok();
        c.transmit_ok();
        c.transmit_ok();
        c.transmit_ok();
        c.transmit_ok();
        c.transmit_ok();
        c.transmit_ok(); // 248 - 7 = 241
        c.transmit_error(); // 249
        assert_eq!(c.tec(), 249);
        assert_eq!(c.state(), ErrorState::Passive);
    }

    #[test]
    fn manual_recovery_waits_for_request_and_receive_side() {
        let mut c = ErrorCounters::new(Recovery::Manual { sequences: 128 });
        c.force_bus_off();
        assert!(!c.recessive_sequences(1000));
        c.request_recovery();
        assert!(c.recessive_sequences(128));
        for _ in 0..128 {
            c.receive_error(false);
        }
        assert_eq!(c.state(), ErrorState::Passive);
        c.receive_ok();
        assert_eq!((c.rec(), c.state()), (120, ErrorState::Active));
    }
}
