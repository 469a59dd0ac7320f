//! The ECU's CAN configuration: buses, gateway routes, per-partition permissions, and for the
//! simulation scripted and hostile peers and faults; and its generation into the static
//! tables of `ecu-com` (`src/can.rs` of an image: route table, permission table, hardware
//! acceptance filters per controller, bus constants for task code).
//!
//! Route checks (overlaps, loops, lengths, rates) are `ecu_com::gateway::build`'s own, run by
//! the loader on the description so that its errors point at the route that causes them.

use std::fmt::Write as _;

use ecu_com::filter::compute_filters;
use ecu_com::gateway::build::{build, OwnedRouteTable, RouteSpec};
use ecu_com::gateway::{LengthRule, RateLimit};
use ecu_com::{BusId, CanId, IdFilter};
use serde::Serialize;

use crate::model::Ecu;

/// Acceptance filters a controller has unless the description says otherwise (DCAN message
/// objects set aside for reception).
pub const DEFAULT_FILTER_SLOTS: u32 = 16;

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct CanModel {
    pub buses: Vec<Bus>,
    pub routes: Vec<Route>,
    /// One entry per OS-Application, in application order.
    pub permissions: Vec<Permissions>,
    pub peers: Vec<Peer>,
    pub faults: Vec<Fault>,
}

impl CanModel {
    pub fn is_empty(&self) -> bool {
        self.buses.is_empty()
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Bus {
    pub name: String,
    pub const_name: String,
    pub bitrate: u32,
    /// CAN FD data-phase rate, 0 for classic.
    pub fd_bitrate: u32,
    pub filter_slots: u32,
}

/// An id/mask as `CanId::to_bits` and a mask within the format's bits.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Filter {
    pub id_bits: u32,
    pub mask: u32,
}

impl Filter {
    pub fn id_filter(&self) -> IdFilter {
        IdFilter::new(
            CanId::from_bits(self.id_bits).expect("checked by the loader"),
            self.mask,
        )
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Route {
    pub name: String,
    pub from: usize,
    pub filter: Filter,
    pub to: Vec<usize>,
    pub translate: Option<u32>,
    pub min_length: u8,
    pub max_length: u8,
    /// (frames, window in µs).
    pub rate: Option<(u16, u64)>,
    pub min_cycle_us: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Grant {
    pub bus: usize,
    pub filter: Filter,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Permissions {
    pub transmit: Vec<Grant>,
    pub receive: Vec<Grant>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ScriptedFrame {
    pub at_us: u64,
    pub id_bits: u32,
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PeerKind {
    Frames {
        frames: Vec<ScriptedFrame>,
    },
    Periodic {
        id_bits: u32,
        offset_us: u64,
        period_us: u64,
        jitter_us: u64,
        data: Vec<u8>,
        count: u32,
    },
    RandomId {
        offset_us: u64,
        period_us: u64,
        length: u8,
        count: u32,
    },
}

/// A node of the simulation (several generators of one `[[can_peers]]` entry become several
/// nodes on its bus).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Peer {
    pub name: String,
    pub bus: usize,
    #[serde(flatten)]
    pub kind: PeerKind,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Fault {
    pub bus: usize,
    pub at_us: u64,
    /// `bus_off` or `errors`.
    pub kind: String,
    pub count: u32,
}

/// The most identifiers one masked transmit grant may cover: the policy rules on every
/// identifier a partition may transmit one by one, so a mask is expanded into its ids.
pub const MAX_MASKED_TRANSMIT_IDS: u32 = 256;

impl Filter {
    /// The identifiers (as `CanId::to_bits`) this filter accepts, ascending; `None` when they
    /// are more than `limit`.
    pub fn covered_ids(&self, limit: u32) -> Option<Vec<u32>> {
        let id = self.id_filter().id;
        let format_bits = id.format_mask();
        let free = format_bits & !self.mask;
        if 1u64 << free.count_ones() > limit as u64 {
            return None;
        }
        let flag = id.to_bits() & !format_bits;
        let base = id.raw() & self.mask & format_bits;
        // Every subset of the free bits, in ascending order (the carry-rippling walk).
        let mut ids = Vec::new();
        let mut subset = 0u32;
        loop {
            ids.push(flag | base | subset);
            subset = subset.wrapping_sub(free) & free;
            if subset == 0 {
                break;
            }
        }
        Some(ids)
    }
}

/// The CAN part of the policy compiler's system: per bus, every identifier some partition
/// may transmit or receive there (exact grants, and the ids of masked transmit grants), so
/// that policy rules can name them as `bus.0x123`.
pub fn policy_buses(model: &CanModel) -> Vec<(String, Vec<u32>)> {
    model
        .buses
        .iter()
        .enumerate()
        .map(|(bus, b)| {
            let mut ids: Vec<u32> = Vec::new();
            for p in &model.permissions {
                for g in p.transmit.iter().filter(|g| g.bus == bus) {
                    ids.extend(
                        g.filter
                            .covered_ids(MAX_MASKED_TRANSMIT_IDS)
                            .unwrap_or_default(),
                    );
                }
                for g in p.receive.iter().filter(|g| g.bus == bus) {
                    if g.filter.id_filter().is_exact() {
                        ids.push(g.filter.id_bits);
                    }
                }
            }
            ids.sort_unstable();
            ids.dedup();
            (b.name.clone(), ids)
        })
        .collect()
}

/// The policy rules the description's transmit grants stand for: `allow APP transmit
/// BUS.0xID;` for every (partition, bus, id) it grants, except those `governed` says the
/// policy file already rules on (the file's rules then decide: rates, states, or deny).
pub fn grant_rules(
    model: &CanModel,
    apps: &[String],
    governed: impl Fn(&str, &str, u32) -> bool,
) -> String {
    let mut rules = String::new();
    for (app, p) in apps.iter().zip(&model.permissions) {
        for g in &p.transmit {
            let bus = &model.buses[g.bus].name;
            for id in g
                .filter
                .covered_ids(MAX_MASKED_TRANSMIT_IDS)
                .unwrap_or_default()
            {
                if !governed(app, bus, id) {
                    let _ = writeln!(rules, "allow {app} transmit {bus}.{id:#x};");
                }
            }
        }
    }
    rules
}

/// The route specs `ecu_com::gateway::build` checks.
pub fn route_specs(model: &CanModel) -> Vec<RouteSpec> {
    model
        .routes
        .iter()
        .map(|r| RouteSpec {
            name: r.name.clone(),
            source: BusId(r.from as u8),
            filter: r.filter.id_filter(),
            destinations: r.to.iter().map(|&b| BusId(b as u8)).collect(),
            translate: r.translate.and_then(CanId::from_bits),
            length: LengthRule {
                min: r.min_length,
                max: r.max_length,
            },
            rate: r.rate.map(|(frames, window_us)| RateLimit {
                frames,
                window_ns: window_us * 1000,
            }),
            min_cycle_ns: r.min_cycle_us * 1000,
        })
        .collect()
}

/// The ECU controller's acceptance filters on `bus`: every id a route takes from it or a
/// partition may receive on it, merged into at most the bus's filter slots.
pub fn controller_filters(model: &CanModel, bus: usize) -> Result<Vec<IdFilter>, String> {
    let mut wanted: Vec<IdFilter> = model
        .routes
        .iter()
        .filter(|r| r.from == bus)
        .map(|r| r.filter.id_filter())
        .collect();
    for p in &model.permissions {
        wanted.extend(
            p.receive
                .iter()
                .filter(|g| g.bus == bus)
                .map(|g| g.filter.id_filter()),
        );
    }
    // Masked filters stay as they are (minus those another covers); exact ids are merged.
    let mut masked: Vec<IdFilter> = Vec::new();
    for f in wanted.iter().filter(|f| !f.is_exact()) {
        if !masked.iter().any(|m| m.covers(f)) {
            masked.retain(|m| !f.covers(m));
            masked.push(*f);
        }
    }
    let ids: Vec<CanId> = wanted
        .iter()
        .filter(|f| f.is_exact() && !masked.iter().any(|m| m.matches(f.id)))
        .map(|f| f.id)
        .collect();
    let slots = model.buses[bus].filter_slots as usize;
    if masked.len() > slots || (masked.len() == slots && !ids.is_empty()) {
        return Err(format!(
            "bus `{}`: {} masked filters and {} ids do not fit {} filter slots",
            model.buses[bus].name,
            masked.len(),
            ids.len(),
            slots
        ));
    }
    let mut work = vec![IdFilter::exact(CanId::from_bits(0).expect("id 0")); ids.len()];
    let n = compute_filters(&ids, slots - masked.len(), &mut work)
        .map_err(|e| format!("bus `{}`: filters: {e:?}", model.buses[bus].name))?;
    masked.extend_from_slice(&work[..n]);
    Ok(masked)
}

/// The route table, checked (the loader has reported its errors already).
pub fn route_table(specs: &[RouteSpec]) -> Result<OwnedRouteTable<'_>, String> {
    build(specs).map_err(|e| e.to_string())
}

/// A TMS570 image runs the description's buses on DCAN1-3 (`targets/tms570/src/can.rs`): no
/// more buses than that, each at a rate the part's CAN clock makes exactly, and no ISR on the
/// interrupt channel of a controller in use. `part` is `lc4357` or `ls1224`.
pub fn check_tms570(ecu: &Ecu, part: &str) -> Result<(), String> {
    use ecu_tms570::drivers::dcan::BitTiming;
    use ecu_tms570::part::Part;
    let part = if part == "ls1224" {
        Part::Ls1224
    } else {
        Part::Lc4357
    };
    // The modules the board runs buses on, in bus order.
    let channels = ecu_tms570::can::MODULES.map(|module| module.channel);
    let buses = &ecu.can.buses;
    if buses.len() > channels.len() {
        return Err(format!(
            "{}: {} CAN buses, but the {} image drives {} DCAN modules (DCAN1-{}): bus `{}` has none",
            ecu.name,
            buses.len(),
            part.name(),
            channels.len(),
            channels.len(),
            buses[channels.len()].name
        ));
    }
    let clock = part.clock_plan().can_clk_hz();
    for (index, bus) in buses.iter().enumerate() {
        if BitTiming::new(clock, bus.bitrate).is_none() {
            let usual: Vec<String> = [125_000, 250_000, 500_000, 1_000_000]
                .into_iter()
                .filter(|&rate| BitTiming::new(clock, rate).is_some())
                .map(|rate| rate.to_string())
                .collect();
            return Err(format!(
                "{}: CAN bus `{}` (DCAN{}): {} bit/s cannot be made exactly from the {}'s CAN                  clock of {} Hz (rates it makes: {} bit/s)",
                ecu.name,
                bus.name,
                index + 1,
                bus.bitrate,
                part.name(),
                clock,
                usual.join(", ")
            ));
        }
    }
    for isr in &ecu.isrs {
        let taken = isr
            .irq
            .and_then(|line| channels[..buses.len()].iter().position(|&c| c == line));
        if let Some(bus) = taken {
            return Err(format!(
                "{}: ISR {}: VIM channel {} is DCAN{}'s interrupt, which the board serves for                  CAN bus `{}`",
                ecu.name,
                isr.name,
                channels[bus],
                bus + 1,
                buses[bus].name
            ));
        }
    }
    Ok(())
}

fn id_expr(bits: u32) -> String {
    format!("ecu_com::CanId::from_bits({bits:#x}).unwrap()")
}

fn filter_expr(f: &IdFilter) -> String {
    format!(
        "ecu_com::IdFilter::new({}, {:#x})",
        id_expr(f.id.to_bits()),
        f.mask
    )
}

/// `src/can.rs` of an image: the CAN tables as Rust statics.
pub fn can_tables(ecu: &Ecu) -> Result<String, String> {
    let model = &ecu.can;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "//! Generated by ecuconf: the CAN tables of {} (ecu-com types, read-only).",
        ecu.name
    );
    let _ = writeln!(s, "#![allow(dead_code)]\n");
    let _ = writeln!(
        s,
        "// Buses, for task code: `os.can_transmit(can::BODY, &frame)`."
    );
    for (i, b) in model.buses.iter().enumerate() {
        let _ = writeln!(
            s,
            "pub const {}: ecu_com::BusId = ecu_com::BusId({i});",
            b.const_name
        );
    }
    let _ = writeln!(s, "pub const BUS_COUNT: usize = {};", model.buses.len());
    let rates: Vec<String> = model.buses.iter().map(|b| b.bitrate.to_string()).collect();
    let _ = writeln!(
        s,
        "/// Each bus's bit rate (classic CAN, bit/s): how a board sets up its controller.\npub static BITRATES: [u32; {}] = [{}];\n",
        model.buses.len(),
        rates.join(", ")
    );
    let specs = route_specs(model);
    let table = route_table(&specs)?;
    let _ = writeln!(
        s,
        "// Gateway routes: at most {} probes and {} masked routes per lookup.",
        table.max_probe,
        table.mask_routes.len()
    );
    s.push_str(&table.to_rust("GATEWAY"));
    let _ = writeln!(
        s,
        "/// Routes in the table: the size of a board gateway's counters.\npub const ROUTE_COUNT: usize = {};",
        specs.len()
    );
    s.push('\n');
    let _ = writeln!(
        s,
        "// Per-partition permissions, indexed like the OS-Applications."
    );
    let mut partitions = Vec::new();
    for (i, app) in ecu.apps.iter().enumerate() {
        let empty = Permissions::default();
        let p = model.permissions.get(i).unwrap_or(&empty);
        for (dir, grants) in [("TX", &p.transmit), ("RX", &p.receive)] {
            let _ = writeln!(
                s,
                "static {}_{dir}: [ecu_com::permission::Grant; {}] = [",
                app.const_name,
                grants.len()
            );
            for g in grants {
                let _ = writeln!(
                    s,
                    "    ecu_com::permission::Grant {{ buses: ecu_com::gateway::BusMask({:#b}), filter: {} }},",
                    1u32 << g.bus,
                    filter_expr(&g.filter.id_filter())
                );
            }
            let _ = writeln!(s, "];");
        }
        partitions.push(format!(
            "    ecu_com::permission::PartitionGrants {{ name: {:?}, transmit: &{c}_TX, receive: &{c}_RX }},",
            app.name,
            c = app.const_name
        ));
    }
    let _ = writeln!(
        s,
        "pub static PERMISSIONS: ecu_com::permission::PermissionTable<'static> = ecu_com::permission::PermissionTable {{ partitions: &[\n{}\n] }};\n",
        partitions.join("\n")
    );
    let _ = writeln!(
        s,
        "// Hardware acceptance filters of the ECU's controller on each bus."
    );
    let mut per_bus = Vec::new();
    for (i, b) in model.buses.iter().enumerate() {
        let filters = controller_filters(model, i)?;
        let _ = writeln!(
            s,
            "static FILTERS_{}: [ecu_com::IdFilter; {}] = [",
            b.const_name,
            filters.len()
        );
        for f in &filters {
            let _ = writeln!(s, "    {},", filter_expr(f));
        }
        let _ = writeln!(s, "];");
        per_bus.push(format!("&FILTERS_{}", b.const_name));
    }
    let _ = writeln!(
        s,
        "pub static FILTERS: [&[ecu_com::IdFilter]; {}] = [{}];",
        per_bus.len(),
        per_bus.join(", ")
    );
    if !ecu.network.frames.is_empty() {
        let _ = writeln!(
            s,
            "\n/// Typed signal accessors, one module per frame of the network."
        );
        let _ = writeln!(s, "#[allow(clippy::all)]\npub mod frames {{");
        s.push_str(&crate::signals::frames_module(&ecu.network.frames));
        let _ = writeln!(s, "}}");
    }
    Ok(s)
}

/// The CAN part of `ecuconf report`: the route table, the permissions with the bound of
/// their check, each controller's acceptance filters, and what one lookup costs at most.
pub fn report(ecu: &Ecu) -> String {
    let model = &ecu.can;
    let bus = |b: usize| {
        model
            .buses
            .get(b)
            .map_or("?", |b| b.name.as_str())
            .to_owned()
    };
    let filter = |f: &Filter| {
        let f = f.id_filter();
        let full = f.id.format_mask();
        if f.mask == full {
            format!("{:#x}", f.id.raw())
        } else {
            format!("{:#x}/{:#x}", f.id.raw(), f.mask)
        }
    };
    let mut out = String::new();
    out.push_str("\nCAN buses\n");
    let rows: Vec<Vec<String>> = model
        .buses
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let filters = controller_filters(model, i).map_or_else(
                |e| e,
                |fs| {
                    fs.iter()
                        .map(|f| {
                            filter(&Filter {
                                id_bits: f.id.to_bits(),
                                mask: f.mask,
                            })
                        })
                        .collect::<Vec<_>>()
                        .join(" ")
                },
            );
            vec![
                b.name.clone(),
                b.bitrate.to_string(),
                if b.fd_bitrate > 0 {
                    b.fd_bitrate.to_string()
                } else {
                    "-".into()
                },
                format!(
                    "{} of {}",
                    filters.split_whitespace().count(),
                    b.filter_slots
                ),
                filters,
            ]
        })
        .collect();
    out.push_str(&crate::report::table(
        &["bus", "bit/s", "fd bit/s", "filters", "acceptance"],
        &rows,
    ));
    out.push_str("\nCAN routes\n");
    let rows: Vec<Vec<String>> = model
        .routes
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                bus(r.from),
                filter(&r.filter),
                r.to.iter().map(|&b| bus(b)).collect::<Vec<_>>().join(", "),
                r.translate
                    .map_or("-".into(), |t| format!("{:#x}", t & 0x1FFF_FFFF)),
                format!("{}..={}", r.min_length, r.max_length),
                r.rate
                    .map_or("-".into(), |(n, w)| format!("{n} per {w} us")),
                if r.min_cycle_us > 0 {
                    format!("{} us", r.min_cycle_us)
                } else {
                    "-".into()
                },
            ]
        })
        .collect();
    out.push_str(&crate::report::table(
        &[
            "route",
            "from",
            "id",
            "to",
            "as",
            "length",
            "rate",
            "min cycle",
        ],
        &rows,
    ));
    let specs = route_specs(model);
    if let Ok(table) = route_table(&specs) {
        let _ = writeln!(
            out,
            "  one lookup: at most {} probes + {} masked routes",
            table.max_probe,
            table.mask_routes.len()
        );
    }
    out.push_str("\nCAN permissions (default deny)\n");
    let grants = |gs: &[Grant]| {
        if gs.is_empty() {
            return "-".to_owned();
        }
        gs.iter()
            .map(|g| format!("{}:{}", bus(g.bus), filter(&g.filter)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let rows: Vec<Vec<String>> = ecu
        .apps
        .iter()
        .enumerate()
        .map(|(i, app)| {
            let empty = Permissions::default();
            let p = model.permissions.get(i).unwrap_or(&empty);
            vec![
                app.name.clone(),
                grants(&p.transmit),
                grants(&p.receive),
                format!("{} / {}", p.transmit.len(), p.receive.len()),
            ]
        })
        .collect();
    out.push_str(&crate::report::table(
        &[
            "os_application",
            "transmit",
            "receive",
            "check bound tx / rx",
        ],
        &rows,
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mask_covers_the_ids_its_free_bits_make() {
        let f = Filter {
            id_bits: 0x7E0,
            mask: 0x7F8,
        };
        assert_eq!(
            f.covered_ids(256),
            Some((0x7E0..=0x7E7).collect::<Vec<u32>>())
        );
        assert_eq!(f.covered_ids(7), None);
        let exact = Filter {
            id_bits: 0x123,
            mask: 0x7FF,
        };
        assert_eq!(exact.covered_ids(1), Some(vec![0x123]));
        // Extended ids keep their format flag; a mask over 29 bits covers too many.
        let ext = CanId::extended(0x1800_0010).unwrap().to_bits();
        let f = Filter {
            id_bits: ext,
            mask: 0x1FFF_FFFE,
        };
        assert_eq!(f.covered_ids(256), Some(vec![ext, ext | 1]));
        let wide = Filter {
            id_bits: ext,
            mask: 0,
        };
        assert_eq!(wide.covered_ids(MAX_MASKED_TRANSMIT_IDS), None);
    }
}
