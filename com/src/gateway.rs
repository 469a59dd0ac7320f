//! The gateway: routes frames between buses by a static route table.
//!
//! A [`Route`] takes frames from one source bus whose id matches its [`IdFilter`] to one or
//! more destination buses ([`BusMask`]), optionally under another identifier, after checking
//! the payload length, the route's minimum cycle time and its rate limit (at most `frames`
//! frames per window). Each route counts what it forwarded and what it dropped, by reason; a
//! frame no route takes is counted per source bus. Nothing is dropped silently.
//!
//! # Bounded lookup
//!
//! Exact-id routes sit in an open-addressing hash table ([`Slot`]s, a power of two long) keyed
//! by (source bus, id); the builder picks the hash seed and size so that no key lies more than
//! [`RouteTable::max_probe`] slots from its home (at most [`MAX_PROBE`]). Routes with a mask
//! go in a separate list of at most [`MAX_MASK_ROUTES`] entries. A lookup therefore costs at
//! most `MAX_PROBE + MAX_MASK_ROUTES` comparisons whatever the number of routes. Routes of the
//! same source bus never overlap (the builder rejects it), so at most one route matches.
//!
//! The tables are plain data: the configurator emits them as `static`s (see
//! [`RouteTable`]); on the host, [`build`] (feature `std`) checks route specs and builds them.

use crate::filter::IdFilter;
use crate::frame::{BusId, CanId};

/// The most buses a gateway serves (bits of a [`BusMask`]).
pub const MAX_BUSES: usize = 32;
/// The longest probe sequence the builder accepts in the exact-route hash table.
pub const MAX_PROBE: u8 = 8;
/// The most routes with a non-exact mask.
pub const MAX_MASK_ROUTES: usize = 32;

/// A set of buses: bit `b` for bus `b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct BusMask(pub u32);

impl BusMask {
    pub const fn contains(self, bus: BusId) -> bool {
        (bus.0 as usize) < MAX_BUSES && self.0 >> bus.0 & 1 == 1
    }
    pub const fn with(self, bus: BusId) -> Self {
        Self(self.0 | 1 << bus.0)
    }
    pub fn iter(self) -> impl Iterator<Item = BusId> {
        (0..MAX_BUSES as u8)
            .filter(move |b| self.0 >> b & 1 == 1)
            .map(BusId)
    }
}

/// The payload lengths a route accepts, inclusive (the DLC for remote frames).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LengthRule {
    pub min: u8,
    pub max: u8,
}

impl LengthRule {
    pub const fn exactly(len: u8) -> Self {
        Self { min: len, max: len }
    }
    pub const ANY_CLASSIC: Self = Self { min: 0, max: 8 };
    pub const ANY_FD: Self = Self { min: 0, max: 64 };
    pub const fn accepts(self, len: usize) -> bool {
        len >= self.min as usize && len <= self.max as usize
    }
}

/// At most `frames` frames in each window of `window_ns`. Windows are consecutive: one opens
/// at the first frame after the previous one closed. (So any interval of `window_ns` sees at
/// most `2 × frames`; in any window-aligned interval at most `frames`.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RateLimit {
    pub frames: u16,
    pub window_ns: u64,
}

/// One route of the static table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route<'a> {
    /// For counters, reports and errors.
    pub name: &'a str,
    pub source: BusId,
    pub filter: IdFilter,
    pub destinations: BusMask,
    /// Sent under this id instead of the received one.
    pub translate: Option<CanId>,
    pub length: LengthRule,
    pub rate: Option<RateLimit>,
    /// A frame less than this long after the last forwarded one is dropped (0: no minimum).
    pub min_cycle_ns: u64,
}

impl Route<'_> {
    /// The output id for a received id.
    pub const fn output_id(&self, id: CanId) -> CanId {
        match self.translate {
            Some(t) => t,
            None => id,
        }
    }
}

/// A slot of the exact-route hash table: the key and the route's index, or empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    pub key: u64,
    pub route: u16,
}

impl Slot {
    pub const EMPTY: Slot = Slot {
        key: u64::MAX,
        route: u16::MAX,
    };
}

/// The (bus, id) key of the exact-route table.
pub const fn route_key(bus: BusId, id: CanId) -> u64 {
    (bus.0 as u64) << 32 | id.to_bits() as u64
}

/// The home slot of a key in a table of `1 << bits` slots.
pub const fn slot_of(key: u64, seed: u64, bits: u32) -> usize {
    if bits == 0 {
        return 0;
    }
    ((key ^ seed).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
}

/// The static route table: what the configurator generates.
#[derive(Clone, Copy, Debug)]
pub struct RouteTable<'a> {
    pub routes: &'a [Route<'a>],
    /// `1 << slot_bits` slots.
    pub slots: &'a [Slot],
    pub slot_bits: u32,
    pub seed: u64,
    /// Probes a lookup makes at most (checked ≤ [`MAX_PROBE`]).
    pub max_probe: u8,
    /// Indices of the routes whose filter is not exact (≤ [`MAX_MASK_ROUTES`]).
    pub mask_routes: &'a [u16],
}

impl<'a> RouteTable<'a> {
    pub const EMPTY: RouteTable<'static> = RouteTable {
        routes: &[],
        slots: &[Slot::EMPTY],
        slot_bits: 0,
        seed: 0,
        max_probe: 0,
        mask_routes: &[],
    };

    /// The route a frame from `bus` with `id` takes, if any. Bounded: at most
    /// `max_probe` slots and `mask_routes.len()` filters. Inlined into each gateway's `route`
    /// (an image with a board gateway has two): it is the whole of the common case.
    #[inline]
    pub fn lookup(&self, bus: BusId, id: CanId) -> Option<u16> {
        let key = route_key(bus, id);
        let len = self.slots.len();
        if len.is_power_of_two() {
            let home = slot_of(key, self.seed, self.slot_bits);
            for p in 0..self.max_probe.min(MAX_PROBE) as usize {
                let slot = self.slots[(home + p) & (len - 1)];
                if slot.key == key && slot.route != u16::MAX {
                    return Some(slot.route);
                }
                if slot.route == u16::MAX {
                    break;
                }
            }
        }
        for &r in self.mask_routes.iter().take(MAX_MASK_ROUTES) {
            if let Some(route) = self.routes.get(r as usize) {
                if route.source == bus && route.filter.matches(id) {
                    return Some(r);
                }
            }
        }
        None
    }
}

/// Why a frame was not forwarded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DropReason {
    /// No route takes this id from this bus.
    NoRoute,
    /// Its length is outside the route's [`LengthRule`].
    Length,
    /// The route's rate limit is used up for the current window.
    Rate,
    /// Sooner than the route's minimum cycle time after the last forwarded frame.
    Cycle,
}

/// What the gateway decided for one frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Forward {
        route: u16,
        id: CanId,
        destinations: BusMask,
    },
    Drop {
        route: Option<u16>,
        reason: DropReason,
    },
}

/// A route's counters and its rate/cycle state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RouteCounters {
    pub forwarded: u32,
    pub dropped_length: u32,
    pub dropped_rate: u32,
    pub dropped_cycle: u32,
    window_start: u64,
    window_count: u16,
    last_forward: Option<u64>,
}

impl RouteCounters {
    pub const NEW: RouteCounters = RouteCounters {
        forwarded: 0,
        dropped_length: 0,
        dropped_rate: 0,
        dropped_cycle: 0,
        window_start: 0,
        window_count: 0,
        last_forward: None,
    };

    pub const fn dropped(&self) -> u32 {
        self.dropped_length + self.dropped_rate + self.dropped_cycle
    }
}

/// The table was generated for more routes than the gateway has counters for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooManyRoutes {
    pub routes: usize,
    pub capacity: usize,
}

/// The run-time gateway: a static table and counters for up to `R` routes.
#[derive(Clone, Debug)]
pub struct Gateway<'a, const R: usize> {
    table: RouteTable<'a>,
    counters: [RouteCounters; R],
    no_route: [u32; MAX_BUSES],
}

impl<'a, const R: usize> Gateway<'a, R> {
    pub const fn new(table: RouteTable<'a>) -> Result<Self, TooManyRoutes> {
        if table.routes.len() > R {
            return Err(TooManyRoutes {
                routes: table.routes.len(),
                capacity: R,
            });
        }
        Ok(Self {
            table,
            counters: [RouteCounters::NEW; R],
            no_route: [0; MAX_BUSES],
        })
    }

    pub const fn table(&self) -> &RouteTable<'a> {
        &self.table
    }

    /// Decides for a frame with `id` and payload length `len` received on `bus` at `now_ns`,
    /// and counts the decision. The caller sends the frame (under the verdict's id) to the
    /// destinations.
    pub fn route(&mut self, bus: BusId, id: CanId, len: usize, now_ns: u64) -> Verdict {
        let Some(r) = self.table.lookup(bus, id) else {
            if let Some(n) = self.no_route.get_mut(bus.index()) {
                *n = n.saturating_add(1);
            }
            return Verdict::Drop {
                route: None,
                reason: DropReason::NoRoute,
            };
        };
        let route = &self.table.routes[r as usize];
        // `new` checked routes.len() <= R and lookup only returns indices into routes.
        let c = &mut self.counters[r as usize];
        let drop = |c: &mut RouteCounters, reason| {
            let n = match reason {
                DropReason::Length => &mut c.dropped_length,
                DropReason::Rate => &mut c.dropped_rate,
                _ => &mut c.dropped_cycle,
            };
            *n = n.saturating_add(1);
            Verdict::Drop {
                route: Some(r),
                reason,
            }
        };
        if !route.length.accepts(len) {
            return drop(c, DropReason::Length);
        }
        if let Some(last) = c.last_forward {
            if now_ns.saturating_sub(last) < route.min_cycle_ns {
                return drop(c, DropReason::Cycle);
            }
        }
        if let Some(rate) = route.rate {
            if c.window_count == 0 || now_ns.saturating_sub(c.window_start) >= rate.window_ns {
                c.window_start = now_ns;
                c.window_count = 0;
            }
            if c.window_count >= rate.frames {
                return drop(c, DropReason::Rate);
            }
            c.window_count += 1;
        }
        c.last_forward = Some(now_ns);
        c.forwarded = c.forwarded.saturating_add(1);
        Verdict::Forward {
            route: r,
            id: route.output_id(id),
            destinations: route.destinations,
        }
    }

    pub fn counters(&self, route: u16) -> Option<&RouteCounters> {
        self.counters[..self.table.routes.len()].get(route as usize)
    }

    /// Frames from `bus` that no route took.
    pub fn no_route(&self, bus: BusId) -> u32 {
        self.no_route.get(bus.index()).copied().unwrap_or(0)
    }

    /// The index of the route called `name`.
    pub fn route_index(&self, name: &str) -> Option<u16> {
        self.table
            .routes
            .iter()
            .position(|r| r.name == name)
            .map(|i| i as u16)
    }
}

#[cfg(feature = "std")]
pub mod build;
