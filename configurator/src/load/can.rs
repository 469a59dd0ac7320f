//! The CAN sections of a description: `[[can_buses]]`, `[[can_routes]]`,
//! `[[can_permissions]]`, and for the simulation `[[can_peers]]` and `[[can_faults]]`.
//! Every error points at the element that causes it; route overlaps and loops are
//! `ecu_com::gateway::build`'s verdicts, reported at the routes they name.

use std::collections::HashMap;

use serde::Deserialize;
use toml::Spanned;

use super::{collect, FileIn, Loader, NameTable};
use crate::can::{
    Bus, CanModel, Fault, Filter, Grant, Peer, PeerKind, Permissions, Route, ScriptedFrame,
    DEFAULT_FILTER_SLOTS,
};
use crate::model::const_name;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BusIn {
    name: Spanned<String>,
    bitrate: Spanned<i64>,
    fd_bitrate: Option<Spanned<i64>>,
    filter_slots: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RateIn {
    frames: Spanned<i64>,
    window_us: Spanned<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RouteIn {
    name: Spanned<String>,
    from: Spanned<String>,
    /// The id, or `frame`: the name of a frame of the ARXML network (its id, format and, when
    /// the route gives no length rule, its length).
    id: Option<Spanned<i64>>,
    frame: Option<Spanned<String>>,
    mask: Option<Spanned<i64>>,
    #[serde(default)]
    extended: bool,
    to: Spanned<Vec<Spanned<String>>>,
    translate: Option<Spanned<i64>>,
    length: Option<Spanned<i64>>,
    min_length: Option<Spanned<i64>>,
    max_length: Option<Spanned<i64>>,
    rate: Option<Spanned<RateIn>>,
    min_cycle_us: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GrantIn {
    bus: Spanned<String>,
    id: Option<Spanned<i64>>,
    /// A frame of the ARXML network instead of `id`.
    frame: Option<Spanned<String>>,
    mask: Option<Spanned<i64>>,
    #[serde(default)]
    extended: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PermissionIn {
    os_application: Spanned<String>,
    #[serde(default)]
    transmit: Vec<Spanned<GrantIn>>,
    #[serde(default)]
    receive: Vec<Spanned<GrantIn>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FrameIn {
    at_us: Spanned<i64>,
    id: Spanned<i64>,
    #[serde(default)]
    extended: bool,
    data: Option<Spanned<Vec<i64>>>,
}

/// A generator: `periodic` (the default), or the hostile ones with TESTING.md's published
/// parameters as defaults: `flood` (id 0x000 every 300 µs), `random_id` (every 500 µs),
/// `spoof` (a given id every 1 ms).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GeneratorIn {
    kind: Option<Spanned<String>>,
    id: Option<Spanned<i64>>,
    #[serde(default)]
    extended: bool,
    period_us: Option<Spanned<i64>>,
    offset_us: Option<Spanned<i64>>,
    jitter_us: Option<Spanned<i64>>,
    data: Option<Spanned<Vec<i64>>>,
    /// Frames to send; 0 or absent: until the end of the run.
    count: Option<Spanned<i64>>,
    /// random_id: the payload length (default 8).
    length: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PeerIn {
    name: Spanned<String>,
    bus: Spanned<String>,
    #[serde(default)]
    frames: Vec<Spanned<FrameIn>>,
    #[serde(default)]
    generators: Vec<Spanned<GeneratorIn>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FaultIn {
    bus: Spanned<String>,
    at_us: Spanned<i64>,
    /// `bus_off` (TEC past 255 at once) or `errors` (`count` error frames).
    kind: Spanned<String>,
    count: Option<Spanned<i64>>,
}

const MAX_BUSES: usize = 32;

/// The CAN sections of every file, resolved and checked.
pub(super) fn resolve_can(
    loader: &mut Loader,
    files: &mut [(usize, FileIn)],
    app_names: &NameTable,
    app_count: usize,
) -> CanModel {
    let buses = collect(files, |f| std::mem::take(&mut f.can_buses));
    let routes = collect(files, |f| std::mem::take(&mut f.can_routes));
    let permissions = collect(files, |f| std::mem::take(&mut f.can_permissions));
    let peers = collect(files, |f| std::mem::take(&mut f.can_peers));
    let faults = collect(files, |f| std::mem::take(&mut f.can_faults));
    let mut model = CanModel::default();
    if buses.is_empty() {
        let any = routes
            .first()
            .map(|r| (r.file, r.span.clone(), "can_routes"))
            .or(permissions
                .first()
                .map(|r| (r.file, r.span.clone(), "can_permissions")))
            .or(peers.first().map(|r| (r.file, r.span.clone(), "can_peers")))
            .or(faults
                .first()
                .map(|r| (r.file, r.span.clone(), "can_faults")));
        if let Some((file, span, what)) = any {
            loader
                .error(file, &span, format!("[[{what}]] without any [[can_buses]]"))
                .element(what)
                .hint("declare the buses first: [[can_buses]] name = \"body\", bitrate = 500000");
        }
        return model;
    }

    // Buses.
    let mut bus_names: HashMap<String, usize> = HashMap::new();
    for b in &buses {
        let v = &b.value;
        let name = v.name.get_ref();
        let el = |f: &str| format!("can_buses[{name}].{f}");
        if !super::is_identifier(name) {
            loader
                .error(
                    b.file,
                    &v.name.span(),
                    format!("`{name}` is not a valid bus name"),
                )
                .element(el("name"))
                .hint("bus names start with a letter and hold letters, digits and `_`");
        }
        if bus_names.contains_key(name) {
            loader
                .error(b.file, &v.name.span(), format!("duplicate bus `{name}`"))
                .element(el("name"))
                .hint("every bus needs its own name");
            continue;
        }
        if model.buses.len() == MAX_BUSES {
            loader
                .error(b.file, &b.span, format!("more than {MAX_BUSES} buses"))
                .element(el("name"));
            continue;
        }
        let bitrate = loader
            .int(
                b.file,
                &v.bitrate,
                10_000..=1_000_000,
                el("bitrate"),
                "bitrate",
            )
            .unwrap_or(500_000);
        let fd = v.fd_bitrate.as_ref().and_then(|r| {
            loader.int(
                b.file,
                r,
                10_000..=8_000_000,
                el("fd_bitrate"),
                "fd_bitrate",
            )
        });
        let slots = v
            .filter_slots
            .as_ref()
            .and_then(|r| loader.int(b.file, r, 1..=64, el("filter_slots"), "filter_slots"));
        bus_names.insert(name.clone(), model.buses.len());
        model.buses.push(Bus {
            name: name.clone(),
            const_name: const_name(name),
            bitrate: bitrate as u32,
            fd_bitrate: fd.unwrap_or(0) as u32,
            filter_slots: slots.map_or(DEFAULT_FILTER_SLOTS, |s| s as u32),
        });
    }
    let bus_ref = |loader: &mut Loader, file: usize, name: &Spanned<String>, element: String| {
        if let Some(&i) = bus_names.get(name.get_ref()) {
            return Some(i);
        }
        let mut known: Vec<&String> = bus_names.keys().collect();
        known.sort();
        let known = known
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        loader
            .error(
                file,
                &name.span(),
                format!("unknown bus `{}`", name.get_ref()),
            )
            .element(element)
            .hint(format!("known buses: {known}"));
        None
    };
    // An id (and mask) in its format's range.
    let id_of = |loader: &mut Loader,
                 file: usize,
                 id: &Spanned<i64>,
                 extended: bool,
                 element: String|
     -> Option<u32> {
        let max = if extended { 0x1FFF_FFFF } else { 0x7FF };
        let v = loader.int(file, id, 0..=max, element, "the id")? as u32;
        Some(if extended { v | 0x8000_0000 } else { v })
    };
    // The id given or the ARXML frame named, with the frame's length.
    let filter_of = |loader: &mut Loader,
                     file: usize,
                     span: &std::ops::Range<usize>,
                     (id, frame): (&Option<Spanned<i64>>, &Option<Spanned<String>>),
                     mask: &Option<Spanned<i64>>,
                     extended: bool,
                     element: String|
     -> Option<(Filter, Option<u32>)> {
        let (id_bits, extended, length) = match (id, frame) {
            (Some(id), None) => (
                id_of(loader, file, id, extended, format!("{element}.id"))?,
                extended,
                None,
            ),
            (None, Some(name)) => {
                let Some(f) = loader.can_frames.iter().find(|f| f.name == *name.get_ref()) else {
                    let mut known: Vec<String> = loader
                        .can_frames
                        .iter()
                        .map(|f| format!("`{}`", f.name))
                        .collect();
                    known.sort();
                    loader
                        .error(
                            file,
                            &name.span(),
                            format!("unknown frame `{}`", name.get_ref()),
                        )
                        .element(format!("{element}.frame"))
                        .hint(if known.is_empty() {
                            "frames come from the ARXML files of the description; none has any"
                                .to_owned()
                        } else {
                            format!("frames of the ARXML network: {}", known.join(", "))
                        });
                    return None;
                };
                let bits = if f.extended { f.id | 0x8000_0000 } else { f.id };
                (bits, f.extended, Some(f.length))
            }
            _ => {
                loader
                    .error(file, span, "give either `id` or `frame`")
                    .element(element)
                    .hint("`id = 0x123`, or `frame = \"Name\"` for a frame of the ARXML network");
                return None;
            }
        };
        let max = if extended { 0x1FFF_FFFF } else { 0x7FF };
        let mask = match mask {
            Some(m) => loader.int(file, m, 0..=max, format!("{element}.mask"), "the mask")? as u32,
            None => max as u32,
        };
        Some((Filter { id_bits, mask }, length))
    };
    let bytes = |loader: &mut Loader, file: usize, data: &Spanned<Vec<i64>>, element: String| {
        if data.get_ref().len() > 8 || data.get_ref().iter().any(|b| !(0..=255).contains(b)) {
            loader
                .error(
                    file,
                    &data.span(),
                    "data must be at most 8 bytes, each 0..=255",
                )
                .element(element)
                .hint("classic CAN frames carry 0 to 8 bytes");
            return None;
        }
        Some(data.get_ref().iter().map(|&b| b as u8).collect::<Vec<u8>>())
    };

    // Routes.
    let mut route_at: HashMap<String, (usize, std::ops::Range<usize>)> = HashMap::new();
    for r in &routes {
        let v = &r.value;
        let name = v.name.get_ref().clone();
        let el = |f: &str| format!("can_routes[{name}].{f}");
        route_at
            .entry(name.clone())
            .or_insert((r.file, v.name.span()));
        let from = bus_ref(loader, r.file, &v.from, el("from"));
        let filter = filter_of(
            loader,
            r.file,
            &r.span,
            (&v.id, &v.frame),
            &v.mask,
            v.extended,
            format!("can_routes[{name}]"),
        );
        let frame_length = filter.and_then(|(_, l)| l);
        let filter = filter.map(|(f, _)| f);
        let mut to = Vec::new();
        for d in v.to.get_ref() {
            if let Some(b) = bus_ref(loader, r.file, d, el("to")) {
                to.push(b);
            }
        }
        if v.to.get_ref().is_empty() {
            loader
                .error(
                    r.file,
                    &v.to.span(),
                    format!("route `{name}` has no destination bus"),
                )
                .element(el("to"))
                .hint("name one or more buses the route sends to");
        }
        let translate = v
            .translate
            .as_ref()
            .and_then(|t| id_of(loader, r.file, t, v.extended, el("translate")));
        let max_len = from.map_or(8, |b| if model.buses[b].fd_bitrate > 0 { 64 } else { 8 });
        let len = |loader: &mut Loader, f: &Option<Spanned<i64>>, what: &str| {
            f.as_ref()
                .and_then(|x| loader.int(r.file, x, 0..=max_len, el(what), what))
        };
        let mut exact = len(loader, &v.length, "length");
        if v.length.is_none() && v.min_length.is_none() && v.max_length.is_none() {
            // A frame of the ARXML network: exactly its length.
            exact = frame_length.map(|l| l.min(max_len as u32) as i64);
        }
        let min_length = exact
            .or(len(loader, &v.min_length, "min_length"))
            .unwrap_or(0);
        let max_length = exact
            .or(len(loader, &v.max_length, "max_length"))
            .unwrap_or(max_len.min(8));
        let rate = v.rate.as_ref().and_then(|rate| {
            let frames = loader.int(
                r.file,
                &rate.get_ref().frames,
                1..=65_535,
                el("rate.frames"),
                "rate.frames",
            )?;
            let window = loader.int(
                r.file,
                &rate.get_ref().window_us,
                1..=3_600_000_000,
                el("rate.window_us"),
                "rate.window_us",
            )?;
            Some((frames as u16, window as u64))
        });
        let min_cycle_us = v
            .min_cycle_us
            .as_ref()
            .and_then(|c| {
                loader.int(
                    r.file,
                    c,
                    0..=3_600_000_000,
                    el("min_cycle_us"),
                    "min_cycle_us",
                )
            })
            .unwrap_or(0) as u64;
        if let (Some(from), Some(filter)) = (from, filter) {
            model.routes.push(Route {
                name,
                from,
                filter,
                to,
                translate,
                min_length: min_length as u8,
                max_length: max_length as u8,
                rate,
                min_cycle_us,
            });
        }
    }
    if loader.diagnostics.is_empty() {
        let specs = crate::can::route_specs(&model);
        if let Err(e) = ecu_com::gateway::build::build(&specs) {
            use ecu_com::gateway::build::RouteError as E;
            let (first, second, hint) = match &e {
                E::Conflict { first, second, .. } => (
                    first.clone(),
                    Some(second.clone()),
                    "two routes of one source bus overlap: narrow an id or mask so that every frame has one route",
                ),
                E::Loop { chain, .. } => (
                    chain[0].clone(),
                    chain.get(1).cloned(),
                    "a frame would circle back to its bus: drop a destination or translate to an id no route takes back",
                ),
                E::DuplicateName { route } => (route.clone(), None, "give every route its own name"),
                E::NoDestination { route } | E::BusOutOfRange { route, .. } | E::BadLength { route, .. } | E::BadRate { route } => {
                    (route.clone(), None, "fix the route's fields")
                }
                _ => (String::new(), None, "use fewer masked routes"),
            };
            let (file, span) = route_at
                .get(&first)
                .cloned()
                .or_else(|| routes.first().map(|r| (r.file, r.span.clone())))
                .unwrap_or((0, 0..0));
            let related = second
                .as_ref()
                .and_then(|s| route_at.get(s))
                .map(|(f, sp)| loader.at(*f, sp));
            let d = loader.error(file, &span, e.to_string());
            d.element(format!("can_routes[{first}]")).hint(hint);
            if let (Some(at), Some(s)) = (related, second) {
                d.related(at, format!("route `{s}` is here"));
            }
        }
    }

    // Permissions.
    model.permissions = vec![Permissions::default(); app_count];
    for p in &permissions {
        let v = &p.value;
        let app_name = v.os_application.get_ref();
        let Some((app, _, _)) = app_names.get(app_name).cloned() else {
            let mut known: Vec<&String> = app_names.keys().collect();
            known.sort();
            loader
                .error(
                    p.file,
                    &v.os_application.span(),
                    format!("unknown os_application `{app_name}`"),
                )
                .element(format!("can_permissions[{app_name}].os_application"))
                .hint(format!(
                    "known OS-Applications: {}",
                    known
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            continue;
        };
        for (dir, grants) in [("transmit", &v.transmit), ("receive", &v.receive)] {
            for (i, g) in grants.iter().enumerate() {
                let gv = g.get_ref();
                let element = format!("can_permissions[{app_name}].{dir}[{i}]");
                let bus = bus_ref(loader, p.file, &gv.bus, format!("{element}.bus"));
                let filter = filter_of(
                    loader,
                    p.file,
                    &g.span(),
                    (&gv.id, &gv.frame),
                    &gv.mask,
                    gv.extended,
                    element.clone(),
                )
                .map(|(f, _)| f);
                if dir == "receive" && app >= ecu_os::can::MAX_PARTITIONS {
                    loader
                        .error(p.file, &g.span(), format!(
                            "OS-Application `{app_name}` is number {app}; only the first {} have CAN receive queues",
                            ecu_os::can::MAX_PARTITIONS
                        ))
                        .element(element.clone())
                        .hint("list the OS-Applications that receive CAN frames first");
                }
                if let (Some(bus), Some(filter)) = (bus, filter) {
                    if dir == "transmit"
                        && filter
                            .covered_ids(crate::can::MAX_MASKED_TRANSMIT_IDS)
                            .is_none()
                    {
                        loader
                            .error(
                                p.file,
                                &g.span(),
                                format!(
                                    "this transmit grant covers more than {} identifiers",
                                    crate::can::MAX_MASKED_TRANSMIT_IDS
                                ),
                            )
                            .element(element.clone())
                            .hint("the policy rules on each identifier a partition may transmit: narrow the mask or list the ids");
                    }
                    let grant = Grant { bus, filter };
                    let list = &mut model.permissions[app];
                    if dir == "transmit" {
                        list.transmit.push(grant);
                    } else {
                        list.receive.push(grant);
                    }
                }
            }
        }
    }

    // Peers.
    for p in &peers {
        let v = &p.value;
        let name = v.name.get_ref();
        let el = |f: &str| format!("can_peers[{name}].{f}");
        let Some(bus) = bus_ref(loader, p.file, &v.bus, el("bus")) else {
            continue;
        };
        if v.frames.is_empty() && v.generators.is_empty() {
            loader
                .error(
                    p.file,
                    &v.name.span(),
                    format!("peer `{name}` sends nothing"),
                )
                .element(el("frames"))
                .hint("give it `frames = [{ at_us, id, data }]` or `generators = [...]`");
        }
        if !v.frames.is_empty() {
            let mut frames = Vec::new();
            for (i, f) in v.frames.iter().enumerate() {
                let fv = f.get_ref();
                let element = el(&format!("frames[{i}]"));
                let at = loader.int(
                    p.file,
                    &fv.at_us,
                    0..=i64::MAX / 1000,
                    format!("{element}.at_us"),
                    "at_us",
                );
                let id = id_of(loader, p.file, &fv.id, fv.extended, format!("{element}.id"));
                let data = match &fv.data {
                    Some(d) => bytes(loader, p.file, d, format!("{element}.data")),
                    None => Some(Vec::new()),
                };
                if let (Some(at), Some(id), Some(data)) = (at, id, data) {
                    frames.push(ScriptedFrame {
                        at_us: at as u64,
                        id_bits: id,
                        data,
                    });
                }
            }
            model.peers.push(Peer {
                name: name.clone(),
                bus,
                kind: PeerKind::Frames { frames },
            });
        }
        for (i, g) in v.generators.iter().enumerate() {
            let gv = g.get_ref();
            let element = el(&format!("generators[{i}]"));
            let kind = gv
                .kind
                .as_ref()
                .map_or("periodic", |k| k.get_ref().as_str());
            let (default_id, default_period) = match kind {
                "periodic" => (None, None),
                "flood" => (Some(0), Some(300)),
                "spoof" => (None, Some(1000)),
                "random_id" => (Some(0), Some(500)),
                other => {
                    let span = gv.kind.as_ref().map_or(g.span(), |k| k.span());
                    loader
                        .error(p.file, &span, format!("unknown generator kind `{other}`"))
                        .element(format!("{element}.kind"))
                        .hint("kinds: periodic, flood, random_id, spoof");
                    continue;
                }
            };
            let us = |loader: &mut Loader, f: &Option<Spanned<i64>>, what: &str| {
                f.as_ref().and_then(|x| {
                    loader.int(
                        p.file,
                        x,
                        0..=i64::MAX / 1000,
                        format!("{element}.{what}"),
                        what,
                    )
                })
            };
            let period = us(loader, &gv.period_us, "period_us").or(default_period);
            let Some(period) = period.filter(|&p| p > 0) else {
                loader
                    .error(
                        p.file,
                        &g.span(),
                        format!("a {kind} generator needs `period_us` > 0"),
                    )
                    .element(format!("{element}.period_us"))
                    .hint("e.g. period_us = 10000 for a 10 ms cycle");
                continue;
            };
            let offset = us(loader, &gv.offset_us, "offset_us").unwrap_or(0);
            let jitter = us(loader, &gv.jitter_us, "jitter_us").unwrap_or(0);
            let count = gv
                .count
                .as_ref()
                .and_then(|c| {
                    loader.int(
                        p.file,
                        c,
                        0..=u32::MAX as i64,
                        format!("{element}.count"),
                        "count",
                    )
                })
                .unwrap_or(0) as u32;
            let gen_name = format!("{name}.{kind}{i}");
            if kind == "random_id" {
                let length = gv
                    .length
                    .as_ref()
                    .and_then(|l| {
                        loader.int(p.file, l, 0..=8, format!("{element}.length"), "length")
                    })
                    .unwrap_or(8) as u8;
                model.peers.push(Peer {
                    name: gen_name,
                    bus,
                    kind: PeerKind::RandomId {
                        offset_us: offset as u64,
                        period_us: period as u64,
                        length,
                        count,
                    },
                });
                continue;
            }
            let id = match (&gv.id, default_id) {
                (Some(id), _) => id_of(loader, p.file, id, gv.extended, format!("{element}.id")),
                (None, Some(d)) => Some(d),
                (None, None) => {
                    loader
                        .error(
                            p.file,
                            &g.span(),
                            format!("a {kind} generator needs an `id`"),
                        )
                        .element(format!("{element}.id"))
                        .hint("the identifier it sends, e.g. id = 0x123");
                    None
                }
            };
            let data = match &gv.data {
                Some(d) => bytes(loader, p.file, d, format!("{element}.data")),
                None => Some(vec![0; 8]),
            };
            if let (Some(id), Some(data)) = (id, data) {
                model.peers.push(Peer {
                    name: gen_name,
                    bus,
                    kind: PeerKind::Periodic {
                        id_bits: id,
                        offset_us: offset as u64,
                        period_us: period as u64,
                        jitter_us: jitter as u64,
                        data,
                        count,
                    },
                });
            }
        }
    }

    // Faults.
    for f in &faults {
        let v = &f.value;
        let Some(bus) = bus_ref(loader, f.file, &v.bus, "can_faults.bus".into()) else {
            continue;
        };
        let at = loader
            .int(
                f.file,
                &v.at_us,
                0..=i64::MAX / 1000,
                "can_faults.at_us".into(),
                "at_us",
            )
            .unwrap_or(0) as u64;
        let kind = v.kind.get_ref().clone();
        let count = match kind.as_str() {
            "bus_off" => 0,
            "errors" => v
                .count
                .as_ref()
                .and_then(|c| loader.int(f.file, c, 1..=1000, "can_faults.count".into(), "count"))
                .unwrap_or(1) as u32,
            other => {
                loader
                    .error(
                        f.file,
                        &v.kind.span(),
                        format!("unknown fault kind `{other}`"),
                    )
                    .element("can_faults.kind")
                    .hint("kinds: bus_off, errors");
                continue;
            }
        };
        model.faults.push(Fault {
            bus,
            at_us: at,
            kind,
            count,
        });
    }
    model
}
