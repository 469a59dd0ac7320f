//! Simulated CAN buses in virtual time (nanoseconds).
//!
//! A [`Network`] holds several buses, each with a bit rate, and nodes attached to one bus
//! each: the ECU's controllers (frames come from [`Network::send`]) and scripted peers (frames
//! from a list or from a generator closure with its own seeded RNG). When a bus is idle and
//! some node has a frame queued, the frames arbitrate bit by bit: the smallest arbitration
//! key wins ([`ecu_com::CanId::arbitration_key`]: lower id; standard before extended with the
//! same base id; data before remote). The frame occupies the bus for its exact stuffed length
//! (or the worst case), then every other node on the bus receives it through its acceptance
//! filters.
//!
//! [`Network::step`] advances to the next event and returns it, so a harness (a gateway, a
//! test) can react at that instant and queue frames of its own. Everything depends only on the
//! seed: ties break by bus and node index, never by the host.
//!
//! Faults: [`Network::inject_errors`] turns the next transmissions of a node into error frames
//! (TEC += 8 for the sender, REC += 1 for the receivers, automatic retransmission), which can
//! drive it to bus-off; [`Network::force_bus_off`] does so at once. A bus-off node drops its
//! queue (counted) and recovers after 128 occurrences of 11 recessive bits (one per frame end
//! on a busy bus, one per 11 idle bit times), or as its [`Recovery`] says.

use std::collections::VecDeque;

use ecu_com::errors::{ErrorCounters, ErrorState, Recovery};
use ecu_com::txqueue::TxQueue;
use ecu_com::{AnyFrame, BusId, IdFilter};

use super::bits::{frame_duration_ns, Stuffing, ERROR_FRAME_BITS};

/// Frames a node's transmit queue holds.
pub const NODE_QUEUE: usize = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub usize);

/// A bus as configured.
#[derive(Clone, Debug)]
pub struct BusConfig {
    /// The interface name traces use (`can0`).
    pub name: String,
    pub bitrate: u32,
    /// The CAN FD data-phase bit rate (frames with BRS); the nominal rate if `None`.
    pub data_bitrate: Option<u32>,
    pub stuffing: Stuffing,
}

impl BusConfig {
    pub fn classic(name: &str, bitrate: u32) -> Self {
        Self {
            name: name.to_string(),
            bitrate,
            data_bitrate: None,
            stuffing: Stuffing::Exact,
        }
    }

    pub fn bit_ns(&self) -> u64 {
        1_000_000_000u64.div_ceil(self.bitrate as u64)
    }

    pub fn duration_ns(&self, frame: &AnyFrame) -> u64 {
        frame_duration_ns(
            frame,
            self.bitrate,
            self.data_bitrate.unwrap_or(self.bitrate),
            self.stuffing,
        )
    }
}

/// Deterministic RNG (SplitMix64) for generators and the network.
#[derive(Clone, Debug)]
pub struct SimRng(u64);

impl SimRng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// Gives a peer its next frame: called with the peer's RNG and the time of its previous frame
/// (0 at the start); returns when to queue the next one and the frame, or `None` when done.
pub type Generator = Box<dyn FnMut(&mut SimRng, u64) -> Option<(u64, AnyFrame)> + Send>;

enum Source {
    None,
    List(VecDeque<(u64, AnyFrame)>),
    Generator {
        next: Option<(u64, AnyFrame)>,
        generate: Generator,
    },
}

/// A frame a node received.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Received {
    /// When its last bit passed (end of frame), in ns.
    pub time_ns: u64,
    pub bus: BusId,
    pub frame: AnyFrame,
    pub sender: NodeId,
}

/// Per-node counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NodeStats {
    pub sent: u64,
    pub received: u64,
    /// Frames its acceptance filters kept out.
    pub filtered: u64,
    pub tx_errors: u64,
    /// Frames dropped from its queue at bus-off.
    pub dropped_bus_off: u64,
    /// Frames refused because its queue was full, or because it was bus-off.
    pub rejected: u64,
}

pub struct Node {
    pub name: String,
    pub bus: BusId,
    queue: TxQueue<Queued, NODE_QUEUE>,
    pub errors: ErrorCounters,
    /// Acceptance filters; `None` accepts everything.
    pub filters: Option<Vec<IdFilter>>,
    rx: VecDeque<Received>,
    /// Keep received frames for [`Network::take_received`] (peers usually do not).
    pub keep_rx: bool,
    source: Source,
    rng: SimRng,
    pending_errors: u32,
    pub stats: NodeStats,
}

/// A queued frame, when it was queued, and a token naming it.
#[derive(Clone, Copy, Debug)]
struct Queued(AnyFrame, u64, u64);

impl Node {
    /// Frames waiting in its transmit queue.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Frames refused because the queue was full.
    pub fn queue_overflows(&self) -> u32 {
        self.queue.overflows()
    }
}

impl ecu_com::txqueue::Arbitrate for Queued {
    fn arbitration_key(&self) -> u32 {
        self.0.arbitration_key()
    }
}

/// Per-bus statistics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BusStats {
    pub frames: u64,
    pub error_frames: u64,
    /// Nanoseconds the bus carried frames or error frames.
    pub busy_ns: u64,
}

struct InFlight {
    sender: NodeId,
    token: u64,
    frame: AnyFrame,
    start: u64,
    end: u64,
    error: bool,
}

struct Bus {
    config: BusConfig,
    in_flight: Option<InFlight>,
    /// When the bus went idle (end of the last frame), for bus-off recovery counting.
    idle_since: u64,
    stats: BusStats,
    nodes: Vec<NodeId>,
}

/// What [`Network::step`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// A frame went through; every accepting node on the bus has it.
    Frame {
        bus: BusId,
        sender: NodeId,
        frame: AnyFrame,
        /// When arbitration started and when the intermission ended.
        start_ns: u64,
        end_ns: u64,
        /// When the sender queued it (latency = end − queued).
        queued_ns: u64,
    },
    /// A transmission ended in an error frame; the frame stays queued for retransmission.
    ErrorFrame {
        bus: BusId,
        sender: NodeId,
        frame: AnyFrame,
        end_ns: u64,
        sender_state: ErrorState,
    },
    /// A node went bus-off (its queue was dropped).
    BusOff { node: NodeId, time_ns: u64 },
    /// A node recovered from bus-off.
    Recovered { node: NodeId, time_ns: u64 },
}

/// An entry of the network's trace (frames and error frames, in time order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceEntry {
    /// End of the frame on the wire (when receivers have it).
    pub time_ns: u64,
    pub bus: BusId,
    pub frame: AnyFrame,
    /// An error frame (the frame was being sent when it struck).
    pub error: bool,
}

pub struct Network {
    buses: Vec<Bus>,
    nodes: Vec<Node>,
    now: u64,
    seed: u64,
    trace: Vec<TraceEntry>,
    pending: VecDeque<Event>,
    tokens: u64,
    /// Record every frame in the trace (on by default).
    pub record_trace: bool,
}

impl Network {
    pub fn new(seed: u64) -> Self {
        Self {
            buses: Vec::new(),
            nodes: Vec::new(),
            now: 0,
            seed,
            trace: Vec::new(),
            pending: VecDeque::new(),
            tokens: 0,
            record_trace: true,
        }
    }

    pub fn add_bus(&mut self, config: BusConfig) -> BusId {
        self.buses.push(Bus {
            config,
            in_flight: None,
            idle_since: 0,
            stats: BusStats::default(),
            nodes: Vec::new(),
        });
        BusId((self.buses.len() - 1) as u8)
    }

    fn add_node(&mut self, name: &str, bus: BusId, source: Source, keep_rx: bool) -> NodeId {
        let id = NodeId(self.nodes.len());
        let seed = self.seed ^ (id.0 as u64 + 1).wrapping_mul(0xA076_1D64_78BD_642F);
        self.nodes.push(Node {
            name: name.to_string(),
            bus,
            queue: TxQueue::new(),
            errors: ErrorCounters::new(Recovery::ISO),
            filters: None,
            rx: VecDeque::new(),
            keep_rx,
            source,
            rng: SimRng::new(seed),
            pending_errors: 0,
            stats: NodeStats::default(),
        });
        self.buses[bus.index()].nodes.push(id);
        id
    }

    /// An ECU controller: sends what [`Network::send`] gives it, keeps what it receives.
    pub fn add_controller(&mut self, name: &str, bus: BusId) -> NodeId {
        self.add_node(name, bus, Source::None, true)
    }

    /// A peer sending `frames` at their times (ns); it keeps no received frames.
    pub fn add_peer_list(
        &mut self,
        name: &str,
        bus: BusId,
        mut frames: Vec<(u64, AnyFrame)>,
    ) -> NodeId {
        frames.sort_by_key(|f| f.0);
        self.add_node(name, bus, Source::List(frames.into()), false)
    }

    /// A peer driven by a generator closure with its own RNG (seeded from the network's seed
    /// and the node's index).
    pub fn add_peer_generator(
        &mut self,
        name: &str,
        bus: BusId,
        mut generate: Generator,
    ) -> NodeId {
        let id = NodeId(self.nodes.len());
        let mut rng =
            SimRng::new(self.seed ^ (id.0 as u64 + 1).wrapping_mul(0xA076_1D64_78BD_642F));
        let next = generate(&mut rng, 0);
        let n = self.add_node(name, bus, Source::Generator { next, generate }, false);
        self.nodes[n.0].rng = rng;
        n
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0]
    }

    pub fn node_mut(&mut self, id: NodeId) -> &mut Node {
        &mut self.nodes[id.0]
    }

    pub fn now(&self) -> u64 {
        self.now
    }

    pub fn bus_config(&self, bus: BusId) -> &BusConfig {
        &self.buses[bus.index()].config
    }

    pub fn bus_names(&self) -> Vec<String> {
        self.buses.iter().map(|b| b.config.name.clone()).collect()
    }

    pub fn bus_stats(&self, bus: BusId) -> BusStats {
        self.buses[bus.index()].stats
    }

    /// Busy time / elapsed time since the start, 0..=1.
    pub fn bus_load(&self, bus: BusId) -> f64 {
        if self.now == 0 {
            return 0.0;
        }
        self.buses[bus.index()].stats.busy_ns as f64 / self.now as f64
    }

    pub fn trace(&self) -> &[TraceEntry] {
        &self.trace
    }

    /// Queues a frame on a controller now. Refused (counted) when its queue is full or it is
    /// bus-off.
    pub fn send(&mut self, node: NodeId, frame: AnyFrame) -> Result<(), AnyFrame> {
        let now = self.now;
        self.tokens += 1;
        let token = self.tokens;
        let n = &mut self.nodes[node.0];
        if !n.errors.can_transmit() {
            n.stats.rejected += 1;
            return Err(frame);
        }
        n.queue
            .push(Queued(frame, now, token))
            .map_err(|Queued(f, _, _)| {
                n.stats.rejected += 1;
                f
            })
    }

    /// Frames the node received since the last call.
    pub fn take_received(&mut self, node: NodeId) -> Vec<Received> {
        self.nodes[node.0].rx.drain(..).collect()
    }

    /// The next `count` transmissions of `node` end in error frames.
    pub fn inject_errors(&mut self, node: NodeId, count: u32) {
        self.nodes[node.0].pending_errors += count;
    }

    /// Pushes `node`'s TEC past 255 now.
    pub fn force_bus_off(&mut self, node: NodeId) -> Option<Event> {
        let now = self.now;
        let n = &mut self.nodes[node.0];
        if n.errors.state() == ErrorState::BusOff {
            return None;
        }
        n.errors.force_bus_off();
        n.stats.dropped_bus_off += n.queue.clear() as u64;
        Some(Event::BusOff { node, time_ns: now })
    }

    /// Queue time-due peer frames.
    fn release_peers(&mut self, t: u64) {
        let tokens = &mut self.tokens;
        for n in &mut self.nodes {
            loop {
                let due = match &mut n.source {
                    Source::None => None,
                    Source::List(list) => match list.front() {
                        Some(&(at, _)) if at <= t => list.pop_front(),
                        _ => None,
                    },
                    Source::Generator { next, generate } => match *next {
                        Some((at, frame)) if at <= t => {
                            *next = generate(&mut n.rng, at);
                            Some((at, frame))
                        }
                        _ => None,
                    },
                };
                let Some((at, frame)) = due else { break };
                *tokens += 1;
                if !n.errors.can_transmit() || n.queue.push(Queued(frame, at, *tokens)).is_err() {
                    n.stats.rejected += 1;
                }
            }
        }
    }

    fn next_peer_time(&self) -> Option<u64> {
        self.nodes
            .iter()
            .filter_map(|n| match &n.source {
                Source::None => None,
                Source::List(l) => l.front().map(|f| f.0),
                Source::Generator { next, .. } => next.map(|f| f.0),
            })
            .min()
    }

    /// When a bus-off node on an idle bus would recover if the bus stays idle.
    fn next_recovery(&self) -> Option<(u64, NodeId)> {
        let mut best: Option<(u64, NodeId)> = None;
        for (i, n) in self.nodes.iter().enumerate() {
            let bus = &self.buses[n.bus.index()];
            if !n.errors.recovering() || bus.in_flight.is_some() {
                continue;
            }
            let remaining = n.errors.sequences_to_recovery() as u64;
            if remaining == 0 {
                continue;
            }
            let t = bus.idle_since + remaining * 11 * bus.config.bit_ns();
            if best.is_none_or(|b| t < b.0) {
                best = Some((t, NodeId(i)));
            }
        }
        best
    }

    fn contenders(&self, bus: usize) -> Option<(NodeId, Queued)> {
        let mut best: Option<(u32, NodeId, Queued)> = None;
        for &id in &self.buses[bus].nodes {
            let n = &self.nodes[id.0];
            if !n.errors.can_transmit() {
                continue;
            }
            if let Some(&f) = n.queue.peek() {
                let key = f.0.arbitration_key();
                if best.is_none_or(|b| key < b.0) {
                    best = Some((key, id, f));
                }
            }
        }
        best.map(|b| (b.1, b.2))
    }

    /// Credits idle time on `bus` up to `t` to bus-off nodes' recovery.
    fn credit_idle(&mut self, bus: usize, t: u64) {
        let bit = self.buses[bus].config.bit_ns();
        let idle = t.saturating_sub(self.buses[bus].idle_since);
        let seqs = (idle / (11 * bit)) as u32;
        if seqs > 0 {
            for &id in &self.buses[bus].nodes.clone() {
                if self.nodes[id.0].errors.recessive_sequences(seqs) {
                    self.pending.push_back(Event::Recovered {
                        node: id,
                        time_ns: t,
                    });
                }
            }
            self.buses[bus].idle_since += seqs as u64 * 11 * bit;
        }
    }

    /// Advances to the next event at or before `until` and returns it; `None` when nothing
    /// happens until then (time is then `until`).
    pub fn step(&mut self, until: u64) -> Option<Event> {
        loop {
            if let Some(e) = self.pending.pop_front() {
                return Some(e);
            }
            self.release_peers(self.now);
            // 1. a frame ending
            let ending = self
                .buses
                .iter()
                .enumerate()
                .filter_map(|(i, b)| b.in_flight.as_ref().map(|f| (f.end, i)))
                .min();
            // 2. an idle bus with a contender can start now
            let startable = (0..self.buses.len())
                .find(|&b| self.buses[b].in_flight.is_none() && self.contenders(b).is_some());
            if let Some(b) = startable {
                if ending.is_none_or(|(end, _)| end > self.now) {
                    self.credit_idle(b, self.now);
                    self.start(b);
                    continue;
                }
            }
            let peer = self.next_peer_time();
            let recovery = self.next_recovery();
            let next = [ending.map(|e| e.0), peer, recovery.map(|r| r.0)]
                .into_iter()
                .flatten()
                .min();
            let Some(t) = next.filter(|&t| t <= until) else {
                self.now = self.now.max(until);
                return None;
            };
            self.now = self.now.max(t);
            if let Some((end, b)) = ending {
                if end == t {
                    return Some(self.finish(b));
                }
            }
            if let Some((rt, node)) = recovery {
                if rt == t && peer.is_none_or(|p| p > t) {
                    let bus = self.nodes[node.0].bus.index();
                    self.credit_idle(bus, t);
                }
            }
        }
    }

    /// Runs until `until`, handing every event to `on_event` (which may queue frames).
    pub fn run_until(&mut self, until: u64, mut on_event: impl FnMut(&mut Network, Event)) {
        while let Some(e) = self.step(until) {
            on_event(self, e);
        }
    }

    fn start(&mut self, b: usize) {
        let Some((sender, Queued(frame, _, token))) = self.contenders(b) else {
            return;
        };
        let now = self.now;
        let bus = &mut self.buses[b];
        let n = &mut self.nodes[sender.0];
        let full = bus.config.duration_ns(&frame);
        let (end, error) = if n.pending_errors > 0 {
            n.pending_errors -= 1;
            // struck halfway through, then the error frame
            (
                now + full / 2 + ERROR_FRAME_BITS as u64 * bus.config.bit_ns(),
                true,
            )
        } else {
            (now + full, false)
        };
        bus.in_flight = Some(InFlight {
            sender,
            token,
            frame,
            start: now,
            end,
            error,
        });
    }

    fn finish(&mut self, b: usize) -> Event {
        let f = self.buses[b]
            .in_flight
            .take()
            .expect("finish only with a frame in flight");
        let bus_id = BusId(b as u8);
        let bus = &mut self.buses[b];
        bus.stats.busy_ns += f.end - f.start;
        bus.idle_since = f.end;
        if self.record_trace {
            self.trace.push(TraceEntry {
                time_ns: f.end,
                bus: bus_id,
                frame: f.frame,
                error: f.error,
            });
        }
        let nodes = bus.nodes.clone();
        // one occurrence of 11 recessive bits at every frame end, for bus-off nodes
        let mut recovered = Vec::new();
        for &id in &nodes {
            if id != f.sender && self.nodes[id.0].errors.recessive_sequences(1) {
                recovered.push(Event::Recovered {
                    node: id,
                    time_ns: f.end,
                });
            }
        }
        self.pending.extend(recovered);
        if f.error {
            self.buses[b].stats.error_frames += 1;
            for &id in &nodes {
                if id != f.sender {
                    self.nodes[id.0].errors.receive_error(false);
                }
            }
            let n = &mut self.nodes[f.sender.0];
            n.stats.tx_errors += 1;
            let state = n.errors.transmit_error();
            if state == ErrorState::BusOff {
                n.stats.dropped_bus_off += n.queue.clear() as u64;
                return Event::BusOff {
                    node: f.sender,
                    time_ns: f.end,
                };
            }
            return Event::ErrorFrame {
                bus: bus_id,
                sender: f.sender,
                frame: f.frame,
                end_ns: f.end,
                sender_state: state,
            };
        }
        self.buses[b].stats.frames += 1;
        let n = &mut self.nodes[f.sender.0];
        // the frame on the wire, not whatever is most urgent in the queue by now
        let Queued(_, queued, _) = n
            .queue
            .take(|q| q.2 == f.token)
            .expect("the sender still holds the frame it sends");
        n.errors.transmit_ok();
        n.stats.sent += 1;
        for &id in &nodes {
            if id == f.sender {
                continue;
            }
            let r = &mut self.nodes[id.0];
            if r.errors.state() == ErrorState::BusOff {
                continue;
            }
            r.errors.receive_ok();
            let accepted = r
                .filters
                .as_ref()
                .is_none_or(|fs| fs.iter().any(|flt| flt.matches(f.frame.can_id())));
            if !accepted {
                r.stats.filtered += 1;
                continue;
            }
            r.stats.received += 1;
            if r.keep_rx {
                r.rx.push_back(Received {
                    time_ns: f.end,
                    bus: bus_id,
                    frame: f.frame,
                    sender: f.sender,
                });
            }
        }
        Event::Frame {
            bus: bus_id,
            sender: f.sender,
            frame: f.frame,
            start_ns: f.start,
            end_ns: f.end,
            queued_ns: queued,
        }
    }
}
