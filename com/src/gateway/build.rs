//! Host side: checks route specs and builds the static route table (feature `std`).
//!
//! Rejected, each with an error naming the routes: empty or out-of-range destinations, a bad
//! length rule or rate limit, duplicate names, two routes of the same source bus whose filters
//! overlap (a frame would have two routes), and loops: a chain of routes (following
//! translations) along which some frame could come back to the bus it started from.
//! [`OwnedRouteTable::to_rust`] prints the table as the `static`s the configurator emits.

use std::collections::HashSet;
use std::fmt::{self, Write as _};
use std::string::{String, ToString};
use std::vec::Vec;

use super::{
    route_key, slot_of, BusMask, LengthRule, RateLimit, Route, RouteTable, Slot, MAX_BUSES,
    MAX_MASK_ROUTES, MAX_PROBE,
};
use crate::filter::IdFilter;
use crate::frame::{BusId, CanId};

/// A route as the description gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteSpec {
    pub name: String,
    pub source: BusId,
    pub filter: IdFilter,
    pub destinations: Vec<BusId>,
    pub translate: Option<CanId>,
    pub length: LengthRule,
    pub rate: Option<RateLimit>,
    pub min_cycle_ns: u64,
}

impl RouteSpec {
    /// An exact-id route with no translation, any classic length, no limits.
    pub fn exact(name: &str, source: BusId, id: CanId, destinations: &[BusId]) -> Self {
        Self {
            name: name.to_string(),
            source,
            filter: IdFilter::exact(id),
            destinations: destinations.to_vec(),
            translate: None,
            length: LengthRule::ANY_CLASSIC,
            rate: None,
            min_cycle_ns: 0,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteError {
    NoDestination {
        route: String,
    },
    BusOutOfRange {
        route: String,
        bus: BusId,
    },
    BadLength {
        route: String,
        rule: LengthRule,
    },
    BadRate {
        route: String,
    },
    DuplicateName {
        route: String,
    },
    /// Both routes take some frame from the same bus.
    Conflict {
        first: String,
        second: String,
        bus: BusId,
        /// A filter both accept.
        overlap: IdFilter,
    },
    /// Following `chain` (route names in order), a frame from `bus` comes back to `bus`.
    Loop {
        chain: Vec<String>,
        bus: BusId,
    },
    TooManyMaskRoutes {
        count: usize,
        max: usize,
    },
    TooManyRoutes {
        count: usize,
    },
    /// No hash seed and size kept every probe within [`MAX_PROBE`] (not expected in practice).
    HashFailed,
}

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteError::NoDestination { route } => {
                write!(f, "route `{route}` has no destination bus")
            }
            RouteError::BusOutOfRange { route, bus } => write!(
                f,
                "route `{route}` names bus {} but at most {MAX_BUSES} buses exist",
                bus.0
            ),
            RouteError::BadLength { route, rule } => write!(
                f,
                "route `{route}`: length rule {}..={} is empty or above 64 bytes",
                rule.min, rule.max
            ),
            RouteError::BadRate { route } => {
                write!(f, "route `{route}`: a rate limit needs frames > 0 and a window > 0")
            }
            RouteError::DuplicateName { route } => write!(f, "two routes are called `{route}`"),
            RouteError::Conflict {
                first,
                second,
                bus,
                overlap,
            } => write!(
                f,
                "routes `{first}` and `{second}` both take frames from bus {} (e.g. id {:#x}, mask {:#x}); give each id one route",
                bus.0,
                overlap.id.raw(),
                overlap.mask
            ),
            RouteError::Loop { chain, bus } => write!(
                f,
                "route loop: a frame from bus {} comes back to it through {}",
                bus.0,
                chain
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(" -> ")
            ),
            RouteError::TooManyMaskRoutes { count, max } => write!(
                f,
                "{count} routes use a mask; at most {max} may (use exact ids for the others)"
            ),
            RouteError::TooManyRoutes { count } => {
                write!(f, "{count} routes; at most {} fit the table", u16::MAX - 1)
            }
            RouteError::HashFailed => write!(f, "could not build the route hash table"),
        }
    }
}

impl std::error::Error for RouteError {}

/// A built table, owning its arrays; [`OwnedRouteTable::table`] borrows it as a [`RouteTable`].
#[derive(Clone, Debug)]
pub struct OwnedRouteTable<'a> {
    pub routes: Vec<Route<'a>>,
    pub slots: Vec<Slot>,
    pub slot_bits: u32,
    pub seed: u64,
    pub max_probe: u8,
    pub mask_routes: Vec<u16>,
}

impl<'a> OwnedRouteTable<'a> {
    pub fn table(&self) -> RouteTable<'_> {
        RouteTable {
            routes: &self.routes,
            slots: &self.slots,
            slot_bits: self.slot_bits,
            seed: self.seed,
            max_probe: self.max_probe,
            mask_routes: &self.mask_routes,
        }
    }

    /// The table as Rust `static`s named `{prefix}_ROUTES`, `{prefix}_SLOTS`,
    /// `{prefix}_MASK_ROUTES` and `{prefix}` (the [`RouteTable`]): what the configurator emits.
    pub fn to_rust(&self, prefix: &str) -> String {
        let mut s = String::new();
        let id = |id: CanId| {
            if id.is_extended() {
                format!("ecu_com::CanId::from_bits({:#010x}).unwrap()", id.to_bits())
            } else {
                format!("ecu_com::CanId::from_bits({:#05x}).unwrap()", id.to_bits())
            }
        };
        let _ = writeln!(
            s,
            "pub static {prefix}_ROUTES: [ecu_com::gateway::Route<'static>; {}] = [",
            self.routes.len()
        );
        for r in &self.routes {
            let _ = writeln!(
                s,
                "    ecu_com::gateway::Route {{ name: {:?}, source: ecu_com::BusId({}), filter: ecu_com::IdFilter::new({}, {:#x}), destinations: ecu_com::gateway::BusMask({:#b}), translate: {}, length: ecu_com::gateway::LengthRule {{ min: {}, max: {} }}, rate: {}, min_cycle_ns: {} }},",
                r.name,
                r.source.0,
                id(r.filter.id),
                r.filter.mask,
                r.destinations.0,
                r.translate.map_or("None".to_string(), |t| format!("Some({})", id(t))),
                r.length.min,
                r.length.max,
                r.rate.map_or("None".to_string(), |r| format!(
                    "Some(ecu_com::gateway::RateLimit {{ frames: {}, window_ns: {} }})",
                    r.frames, r.window_ns
                )),
                r.min_cycle_ns
            );
        }
        let _ = writeln!(s, "];");
        let _ = writeln!(
            s,
            "pub static {prefix}_SLOTS: [ecu_com::gateway::Slot; {}] = [",
            self.slots.len()
        );
        for slot in &self.slots {
            if slot.route == u16::MAX {
                let _ = writeln!(s, "    ecu_com::gateway::Slot::EMPTY,");
            } else {
                let _ = writeln!(
                    s,
                    "    ecu_com::gateway::Slot {{ key: {:#x}, route: {} }},",
                    slot.key, slot.route
                );
            }
        }
        let _ = writeln!(s, "];");
        let _ = writeln!(
            s,
            "pub static {prefix}_MASK_ROUTES: [u16; {}] = {:?};",
            self.mask_routes.len(),
            self.mask_routes
        );
        let _ = writeln!(
            s,
            "pub static {prefix}: ecu_com::gateway::RouteTable<'static> = ecu_com::gateway::RouteTable {{ routes: &{prefix}_ROUTES, slots: &{prefix}_SLOTS, slot_bits: {}, seed: {:#x}, max_probe: {}, mask_routes: &{prefix}_MASK_ROUTES }};",
            self.slot_bits, self.seed, self.max_probe
        );
        s
    }
}

/// Checks `specs` and builds the table. Route `i` of the table is `specs[i]`.
pub fn build(specs: &[RouteSpec]) -> Result<OwnedRouteTable<'_>, RouteError> {
    if specs.len() >= u16::MAX as usize {
        return Err(RouteError::TooManyRoutes { count: specs.len() });
    }
    let mut names = HashSet::new();
    for s in specs {
        if !names.insert(s.name.as_str()) {
            return Err(RouteError::DuplicateName {
                route: s.name.clone(),
            });
        }
        if s.destinations.is_empty() {
            return Err(RouteError::NoDestination {
                route: s.name.clone(),
            });
        }
        for &bus in s.destinations.iter().chain([&s.source]) {
            if bus.index() >= MAX_BUSES {
                return Err(RouteError::BusOutOfRange {
                    route: s.name.clone(),
                    bus,
                });
            }
        }
        if s.length.min > s.length.max || s.length.max > 64 {
            return Err(RouteError::BadLength {
                route: s.name.clone(),
                rule: s.length,
            });
        }
        if let Some(r) = s.rate {
            if r.frames == 0 || r.window_ns == 0 {
                return Err(RouteError::BadRate {
                    route: s.name.clone(),
                });
            }
        }
    }
    check_conflicts(specs)?;
    check_loops(specs)?;

    let routes: Vec<Route<'_>> = specs
        .iter()
        .map(|s| Route {
            name: &s.name,
            source: s.source,
            filter: IdFilter::new(s.filter.id, s.filter.mask),
            destinations: s.destinations.iter().fold(BusMask(0), |m, &b| m.with(b)),
            translate: s.translate,
            length: s.length,
            rate: s.rate,
            min_cycle_ns: s.min_cycle_ns,
        })
        .collect();
    let mask_routes: Vec<u16> = (0..routes.len() as u16)
        .filter(|&i| !routes[i as usize].filter.is_exact())
        .collect();
    if mask_routes.len() > MAX_MASK_ROUTES {
        return Err(RouteError::TooManyMaskRoutes {
            count: mask_routes.len(),
            max: MAX_MASK_ROUTES,
        });
    }
    let exact: Vec<(u64, u16)> = (0..routes.len() as u16)
        .filter(|&i| routes[i as usize].filter.is_exact())
        .map(|i| {
            let r = &routes[i as usize];
            (route_key(r.source, r.filter.id), i)
        })
        .collect();
    let (slots, slot_bits, seed, max_probe) = hash_table(&exact)?;
    Ok(OwnedRouteTable {
        routes,
        slots,
        slot_bits,
        seed,
        max_probe,
        mask_routes,
    })
}

/// Open addressing with linear probing; tries seeds, then doubles the size.
fn hash_table(keys: &[(u64, u16)]) -> Result<(Vec<Slot>, u32, u64, u8), RouteError> {
    let mut bits = 0;
    // load factor at most 1/2
    while (1usize << bits) < keys.len() * 2 {
        bits += 1;
    }
    for _ in 0..4 {
        let len = 1usize << bits;
        let mut seed = 0x5EED_u64;
        for _ in 0..64 {
            let mut slots = std::vec![Slot::EMPTY; len];
            let mut worst = 0usize;
            for &(key, route) in keys {
                let home = slot_of(key, seed, bits);
                let mut p = 0;
                while slots[(home + p) & (len - 1)].route != u16::MAX {
                    p += 1;
                }
                slots[(home + p) & (len - 1)] = Slot { key, route };
                worst = worst.max(p + 1);
            }
            if worst <= MAX_PROBE as usize {
                return Ok((slots, bits, seed, worst as u8));
            }
            // next seed: splitmix step
            seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
            seed ^= seed >> 31;
        }
        bits += 1;
    }
    Err(RouteError::HashFailed)
}

fn check_conflicts(specs: &[RouteSpec]) -> Result<(), RouteError> {
    // exact routes: by key; then every mask route against everything of its source bus
    let mut exact = std::collections::HashMap::new();
    for (i, s) in specs.iter().enumerate() {
        if s.filter.is_exact() {
            if let Some(&j) = exact.get(&route_key(s.source, s.filter.id)) {
                let first: &RouteSpec = &specs[j];
                return Err(RouteError::Conflict {
                    first: first.name.clone(),
                    second: s.name.clone(),
                    bus: s.source,
                    overlap: s.filter,
                });
            }
            exact.insert(route_key(s.source, s.filter.id), i);
        }
    }
    for (i, m) in specs.iter().enumerate() {
        if m.filter.is_exact() {
            continue;
        }
        for (j, s) in specs.iter().enumerate() {
            if i == j || s.source != m.source || (!s.filter.is_exact() && j < i) {
                continue;
            }
            if let Some(overlap) = m.filter.intersect(&s.filter) {
                let (first, second) = if i < j { (m, s) } else { (s, m) };
                return Err(RouteError::Conflict {
                    first: first.name.clone(),
                    second: second.name.clone(),
                    bus: m.source,
                    overlap,
                });
            }
        }
    }
    Ok(())
}

fn check_loops(specs: &[RouteSpec]) -> Result<(), RouteError> {
    let mut by_bus: std::collections::HashMap<BusId, Vec<usize>> = Default::default();
    for (i, s) in specs.iter().enumerate() {
        by_bus.entry(s.source).or_default().push(i);
    }
    for (start, s) in specs.iter().enumerate() {
        let mut seen = HashSet::new();
        let mut chain = std::vec![start];
        if let Some(chain) = walk(
            specs, &by_bus, s.source, start, s.filter, &mut chain, &mut seen,
        ) {
            return Err(RouteError::Loop {
                chain: chain.iter().map(|&i| specs[i].name.clone()).collect(),
                bus: s.source,
            });
        }
    }
    Ok(())
}

/// Follows route `r` carrying the ids `set`; returns the chain if some frame reaches `origin`.
fn walk(
    specs: &[RouteSpec],
    by_bus: &std::collections::HashMap<BusId, Vec<usize>>,
    origin: BusId,
    r: usize,
    set: IdFilter,
    chain: &mut Vec<usize>,
    seen: &mut HashSet<(usize, IdFilter)>,
) -> Option<Vec<usize>> {
    let route = &specs[r];
    let out = match route.translate {
        Some(t) => IdFilter::exact(t),
        None => set,
    };
    for &d in &route.destinations {
        if d == origin {
            return Some(chain.clone());
        }
        for &next in by_bus.get(&d).map(Vec::as_slice).unwrap_or(&[]) {
            let Some(carried) = out.intersect(&specs[next].filter) else {
                continue;
            };
            if !seen.insert((next, carried)) {
                continue;
            }
            chain.push(next);
            if let Some(found) = walk(specs, by_bus, origin, next, carried, chain, seen) {
                return Some(found);
            }
            chain.pop();
        }
    }
    None
}
