//! The ECU's CAN side in a kernel run: the description's buses, the ECU's controller on each
//! (with its hardware acceptance filters), the gateway over the static route table, scripted
//! and hostile peers, and fault injections, all in the kernel's virtual time.
//!
//! The tables are what the configurator generates ([`CanSetup`], plain `static` data). The
//! port ([`crate::run_with_can`]) advances the network to the kernel's time before every
//! service call and at every kernel event, hands each classic frame a controller received to
//! the kernel (which queues it for the partitions allowed to see it) and puts the frames the
//! kernel allowed tasks to transmit on their bus. Frames a controller receives also go to the
//! gateway, which forwards them by its routes at the instant they end on the wire.

use std::io::Write as _;

use ecu_com::gateway::{DropReason, Gateway, RouteTable, Verdict};
use ecu_com::permission::PermissionTable;
use ecu_com::{AnyFrame, BusId, CanFrame, CanId, IdFilter};

use super::bus::{BusConfig, Event, Network, NodeId, Received, SimRng};
use super::gateway::{route_received, GatewayRecord};
use super::trace::{write_candump, write_pcap, DEFAULT_EPOCH_S};

/// Routes the simulated gateway has counters for.
pub const MAX_ROUTES: usize = 256;

/// A bus of the description.
#[derive(Clone, Copy, Debug)]
pub struct BusSpec {
    /// The interface name traces use (file names too).
    pub name: &'static str,
    pub bitrate: u32,
    /// CAN FD data-phase rate; 0: classic.
    pub data_bitrate: u32,
}

/// A frame a scripted peer sends at a time.
#[derive(Clone, Copy, Debug)]
pub struct ScriptedFrame {
    pub at_ns: u64,
    /// [`CanId::to_bits`].
    pub id: u32,
    pub data: &'static [u8],
}

/// What a peer sends.
#[derive(Clone, Copy, Debug)]
pub enum PeerKind {
    /// Frames at given times.
    Frames(&'static [ScriptedFrame]),
    /// The same id every `period_ns` from `offset_ns`, each late by up to `jitter_ns`
    /// (seeded); `count` frames (0: until the end). Floods and spoofers are such generators.
    Periodic {
        id: u32,
        offset_ns: u64,
        period_ns: u64,
        jitter_ns: u64,
        data: &'static [u8],
        count: u32,
    },
    /// Fuzzing: a random standard id and random data of `len` bytes every `period_ns`.
    RandomId {
        offset_ns: u64,
        period_ns: u64,
        len: u8,
        count: u32,
    },
}

/// An external node on a bus.
#[derive(Clone, Copy, Debug)]
pub struct PeerSpec {
    pub name: &'static str,
    pub bus: u8,
    pub kind: PeerKind,
}

/// What happens to the ECU's controller on a bus.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// TEC past 255 at once.
    BusOff,
    /// The next `n` transmissions end in error frames (TEC += 8 each).
    Errors(u32),
}

#[derive(Clone, Copy, Debug)]
pub struct FaultSpec {
    pub at_ns: u64,
    pub bus: u8,
    pub kind: FaultKind,
}

/// The CAN part of an image, as generated.
#[derive(Clone, Copy, Debug)]
pub struct CanSetup {
    pub buses: &'static [BusSpec],
    pub routes: &'static RouteTable<'static>,
    pub permissions: &'static PermissionTable<'static>,
    /// The ECU controller's acceptance filters, per bus.
    pub filters: &'static [&'static [IdFilter]],
    pub peers: &'static [PeerSpec],
    pub faults: &'static [FaultSpec],
}

/// Where a run writes its bus traces.
#[derive(Clone, Debug, Default)]
pub struct TraceDirs {
    pub pcap: Option<std::path::PathBuf>,
    pub candump: Option<std::path::PathBuf>,
}

/// The network at run time.
pub struct EcuCan {
    pub setup: &'static CanSetup,
    pub net: Network,
    /// The ECU's controller on each bus, by bus index.
    pub controllers: Vec<NodeId>,
    pub gateway: Box<Gateway<'static, MAX_ROUTES>>,
    /// Every gateway decision, in order.
    pub log: Vec<GatewayRecord>,
    /// Routed frames a destination controller refused (queue full or bus-off).
    pub gateway_refused: u64,
    /// Frames from tasks a controller refused.
    pub task_refused: u64,
    /// Fault and recovery events, as lines.
    pub events: Vec<String>,
    /// Per OS-Application at the end of a run: (name, transmissions the kernel refused,
    /// received frames lost to its full receive queue).
    pub partitions: Vec<(String, u32, u32)>,
    faults: Vec<FaultSpec>,
}

fn frame_of(id: u32, data: &[u8]) -> Option<AnyFrame> {
    Some(AnyFrame::Classic(CanFrame::data(
        CanId::from_bits(id)?,
        data,
    )?))
}

impl EcuCan {
    pub fn new(setup: &'static CanSetup, seed: u64) -> Result<Self, String> {
        let mut net = Network::new(seed);
        for b in setup.buses {
            let mut config = BusConfig::classic(b.name, b.bitrate);
            if b.data_bitrate > 0 {
                config.data_bitrate = Some(b.data_bitrate);
            }
            net.add_bus(config);
        }
        let controllers: Vec<NodeId> = setup
            .buses
            .iter()
            .enumerate()
            .map(|(i, b)| net.add_controller(&format!("ecu.{}", b.name), BusId(i as u8)))
            .collect();
        for (i, &c) in controllers.iter().enumerate() {
            let filters = setup.filters.get(i).copied().unwrap_or(&[]);
            net.node_mut(c).filters = Some(filters.to_vec());
        }
        for p in setup.peers {
            if p.bus as usize >= setup.buses.len() {
                return Err(format!("peer {} on bus {}", p.name, p.bus));
            }
            let bus = BusId(p.bus);
            match p.kind {
                PeerKind::Frames(frames) => {
                    let list = frames
                        .iter()
                        .filter_map(|f| Some((f.at_ns, frame_of(f.id, f.data)?)))
                        .collect();
                    net.add_peer_list(p.name, bus, list);
                }
                PeerKind::Periodic {
                    id,
                    offset_ns,
                    period_ns,
                    jitter_ns,
                    data,
                    count,
                } => {
                    let frame = frame_of(id, data).ok_or(format!("peer {}: bad frame", p.name))?;
                    let mut sent = 0u32;
                    net.add_peer_generator(
                        p.name,
                        bus,
                        Box::new(move |rng: &mut SimRng, _| {
                            if count != 0 && sent >= count {
                                return None;
                            }
                            let nominal = offset_ns + sent as u64 * period_ns.max(1);
                            let jitter = if jitter_ns > 0 {
                                rng.below(jitter_ns + 1)
                            } else {
                                0
                            };
                            sent += 1;
                            Some((nominal + jitter, frame))
                        }),
                    );
                }
                PeerKind::RandomId {
                    offset_ns,
                    period_ns,
                    len,
                    count,
                } => {
                    let mut sent = 0u32;
                    net.add_peer_generator(
                        p.name,
                        bus,
                        Box::new(move |rng: &mut SimRng, _| {
                            if count != 0 && sent >= count {
                                return None;
                            }
                            let at = offset_ns + sent as u64 * period_ns.max(1);
                            sent += 1;
                            let id = CanId::standard(rng.below(0x800) as u16)?;
                            let data = rng.next_u64().to_le_bytes();
                            let frame = CanFrame::data(id, &data[..len.min(8) as usize])?;
                            Some((at, AnyFrame::Classic(frame)))
                        }),
                    );
                }
            }
        }
        let gateway = Gateway::new(*setup.routes).map_err(|e| {
            format!(
                "{} routes; the simulated gateway holds {}",
                e.routes, e.capacity
            )
        })?;
        let mut faults = setup.faults.to_vec();
        faults.sort_by_key(|f| f.at_ns);
        Ok(Self {
            setup,
            net,
            controllers,
            gateway: Box::new(gateway),
            log: Vec::new(),
            gateway_refused: 0,
            task_refused: 0,
            events: Vec::new(),
            partitions: Vec::new(),
            faults,
        })
    }

    /// Runs the network up to `t`; every classic frame an ECU controller receives goes to
    /// `deliver` (the kernel's receive path) and to the gateway.
    pub fn advance(&mut self, t: u64, mut deliver: impl FnMut(BusId, CanFrame)) {
        if t < self.net.now() {
            return;
        }
        loop {
            let due = self.faults.first().filter(|f| f.at_ns <= t).copied();
            let until = due.map_or(t, |f| f.at_ns.max(self.net.now()));
            self.run_until(until, &mut deliver);
            let Some(fault) = due else { break };
            self.faults.remove(0);
            let Some(&node) = self.controllers.get(fault.bus as usize) else {
                continue;
            };
            match fault.kind {
                FaultKind::BusOff => {
                    if let Some(e) = self.net.force_bus_off(node) {
                        self.note(e);
                    }
                }
                FaultKind::Errors(n) => self.net.inject_errors(node, n),
            }
        }
    }

    fn note(&mut self, event: Event) {
        let name = |net: &Network, n: NodeId| net.node(n).name.clone();
        match event {
            Event::BusOff { node, time_ns } => self.events.push(format!(
                "can bus-off {} at {time_ns}",
                name(&self.net, node)
            )),
            Event::Recovered { node, time_ns } => self.events.push(format!(
                "can recovered {} at {time_ns}",
                name(&self.net, node)
            )),
            _ => {}
        }
    }

    fn run_until(&mut self, until: u64, deliver: &mut impl FnMut(BusId, CanFrame)) {
        while let Some(event) = self.net.step(until) {
            match event {
                Event::Frame { bus, .. } => {
                    let Some(&controller) = self.controllers.get(bus.index()) else {
                        continue;
                    };
                    for r in self.net.take_received(controller) {
                        self.received(r, deliver);
                    }
                }
                Event::BusOff { node, .. } | Event::Recovered { node, .. }
                    if self.controllers.contains(&node) =>
                {
                    self.note(event)
                }
                _ => {}
            }
        }
    }

    fn received(&mut self, r: Received, deliver: &mut impl FnMut(BusId, CanFrame)) {
        if let AnyFrame::Classic(f) = r.frame {
            deliver(r.bus, f);
        }
        self.gateway_refused += route_received(
            &mut self.gateway,
            &self.controllers,
            &mut self.log,
            &mut self.net,
            &r,
        );
    }

    /// A frame a task was allowed to send: queued on the ECU's controller of `bus` now.
    pub fn transmit(&mut self, bus: BusId, frame: CanFrame) {
        match self.controllers.get(bus.index()) {
            Some(&c) if self.net.send(c, AnyFrame::Classic(frame)).is_ok() => {}
            _ => self.task_refused += 1,
        }
    }

    /// Gateway decisions dropped for `reason`.
    pub fn drops(&self, reason: DropReason) -> usize {
        self.log
            .iter()
            .filter(|r| matches!(r.verdict, Verdict::Drop { reason: x, .. } if x == reason))
            .count()
    }

    /// Summary lines: per route what it forwarded and dropped, per bus the frames and what no
    /// route took, the controllers' state, faults.
    pub fn summary(&self) -> Vec<String> {
        let mut out = self.events.clone();
        let table = self.gateway.table();
        for (i, r) in table.routes.iter().enumerate() {
            if let Some(c) = self.gateway.counters(i as u16) {
                out.push(format!(
                    "can route {} forwarded {} length {} rate {} cycle {}",
                    r.name, c.forwarded, c.dropped_length, c.dropped_rate, c.dropped_cycle
                ));
            }
        }
        for (i, b) in self.setup.buses.iter().enumerate() {
            let stats = self.net.bus_stats(BusId(i as u8));
            let node = self.net.node(self.controllers[i]);
            out.push(format!(
                "can bus {} frames {} errors {} no-route {} controller {:?} filtered {}",
                b.name,
                stats.frames,
                stats.error_frames,
                self.gateway.no_route(BusId(i as u8)),
                node.errors.state(),
                node.stats.filtered
            ));
        }
        for (name, denied, lost) in &self.partitions {
            out.push(format!(
                "can partition {name} denied {denied} rx-overflow {lost}"
            ));
        }
        if self.gateway_refused > 0 || self.task_refused > 0 {
            out.push(format!(
                "can refused gateway {} task {}",
                self.gateway_refused, self.task_refused
            ));
        }
        out
    }

    /// Writes `<bus>.pcap` and `<bus>.log` (candump -L) for every bus.
    pub fn write_traces(&self, dirs: &TraceDirs) -> std::io::Result<()> {
        let names: Vec<String> = self.setup.buses.iter().map(|b| b.name.to_owned()).collect();
        for (i, name) in names.iter().enumerate() {
            let entries: Vec<_> = self
                .net
                .trace()
                .iter()
                .filter(|e| e.bus.index() == i)
                .copied()
                .collect();
            if let Some(dir) = &dirs.pcap {
                std::fs::create_dir_all(dir)?;
                let mut f = std::io::BufWriter::new(std::fs::File::create(
                    dir.join(format!("{name}.pcap")),
                )?);
                write_pcap(&mut f, &entries, DEFAULT_EPOCH_S)?;
                f.flush()?;
            }
            if let Some(dir) = &dirs.candump {
                std::fs::create_dir_all(dir)?;
                let mut f = std::io::BufWriter::new(std::fs::File::create(
                    dir.join(format!("{name}.log")),
                )?);
                write_candump(&mut f, &entries, &names, DEFAULT_EPOCH_S)?;
                f.flush()?;
            }
        }
        Ok(())
    }
}

/// Writes the traces of `can` (a helper for images: errors go to stderr).
pub fn write_traces_or_report(can: &EcuCan, dirs: &TraceDirs) -> bool {
    if dirs.pcap.is_none() && dirs.candump.is_none() {
        return true;
    }
    match can.write_traces(dirs) {
        Ok(()) => true,
        Err(e) => {
            eprintln!("simulation: cannot write the CAN traces: {e}");
            false
        }
    }
}
