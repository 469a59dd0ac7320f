//! The CAN part of the model: clusters, frames with their identifiers and layout, the signals
//! packed into them, and which ECU sends or receives what; plus its extraction from an ARXML
//! system description (AUTOSAR 3.x and 4.x) or, lacking one, from ECUC Com/CanIf values.
//!
//! Signal start bits are kept as ARXML writes them (`START-POSITION`, or `ComBitPosition`),
//! which is also cantools' numbering; byte order says how to read them.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use ecu_arxml::{Arxml, Diagnostic as ArDiagnostic, NodeId, TagId};
use serde::Serialize;

/// A real number that compares by bits, so the model can stay `Eq`.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(transparent)]
pub struct Real(pub f64);

impl PartialEq for Real {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}
impl Eq for Real {}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Network {
    pub clusters: Vec<CanCluster>,
    pub frames: Vec<CanFrame>,
    /// PduR routing paths from the ECUC values of the `PduR` module.
    pub pdu_routes: Vec<PduRoute>,
    /// What `export-arxml` cannot write as it was read, located in the input.
    #[serde(skip)]
    pub export_notes: Vec<ExportNote>,
}

/// A located remark for `export-arxml` (not part of the model's JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportNote {
    /// `file:line:column` of the element concerned.
    pub location: String,
    pub message: String,
}

/// One PduR routing path: a source PDU forwarded to one or more destination PDUs (by the
/// SHORT-NAMEs of the PDUs the ECUC references point at).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PduRoute {
    pub name: String,
    pub source: String,
    pub destinations: Vec<String>,
}

impl Network {
    pub fn is_empty(&self) -> bool {
        self.clusters.is_empty() && self.frames.is_empty() && self.pdu_routes.is_empty()
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CanCluster {
    pub name: String,
    /// Bits per second, when given.
    pub baudrate: Option<u64>,
    pub fd_baudrate: Option<u64>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CanFrame {
    pub name: String,
    pub id: u32,
    pub extended: bool,
    /// Bytes.
    pub length: u32,
    /// The cluster it is triggered on; empty when it comes from ECUC values.
    pub cluster: String,
    pub fd: bool,
    /// The PDU mapped into it, if any.
    pub pdu: Option<String>,
    /// Kind of that PDU: `i_signal_i_pdu`, `multiplexed`, `container`, `secured`, `nm`, ...
    pub pdu_kind: Option<&'static str>,
    pub senders: Vec<String>,
    pub receivers: Vec<String>,
    pub signals: Vec<CanSignal>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ByteOrder {
    LittleEndian,
    BigEndian,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CanSignal {
    pub name: String,
    pub start_bit: u32,
    pub length: u32,
    pub byte_order: ByteOrder,
    pub is_signed: bool,
    pub is_float: bool,
    pub factor: Real,
    pub offset: Real,
    /// The selector of a multiplexed PDU.
    pub is_multiplexer: bool,
    /// For signals of a dynamic part: the selector value that selects it.
    pub multiplexer_id: Option<u64>,
}

/// Number as ARXML writes them: AUTOSAR integers (hex, binary, octal) or decimals.
fn parse_real(s: &str) -> Option<f64> {
    let s = s.trim();
    if let Ok(v) = ecu_arxml::number::parse_i64(s) {
        return Some(v as f64);
    }
    if let Ok(v) = ecu_arxml::number::parse_u64(s) {
        return Some(v as f64);
    }
    match s {
        "INF" | "inf" => Some(f64::INFINITY),
        "-INF" | "-inf" => Some(f64::NEG_INFINITY),
        _ => s.parse().ok(),
    }
}

/// The tag ids one path step matches: `TAG`, and for `&TAG` also `TAG-REF` and `TAG-TREF`.
#[derive(Clone, Copy)]
struct Step {
    tag: Option<TagId>,
    reference: Option<TagId>,
    tref: Option<TagId>,
}

/// Hashes the address of a `'static` step string: paths are literals, so the address names
/// the step and the name need not be hashed or compared on every signal.
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_usize(&mut self, i: usize) {
        self.0 = (i as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

struct Ctx<'a> {
    a: &'a Arxml,
    diags: Vec<ArDiagnostic>,
    /// Tag ids of each path step seen so far, by the step string's (address, length).
    steps: RefCell<HashMap<(usize, usize), Step, BuildHasherDefault<AddressHasher>>>,
    notes: Vec<ExportNote>,
}

impl<'a> Ctx<'a> {
    fn new(a: &'a Arxml) -> Self {
        Ctx {
            a,
            diags: Vec::new(),
            steps: RefCell::default(),
            notes: Vec::new(),
        }
    }

    fn step(&self, step: &'static str) -> Step {
        let key = (step.as_ptr() as usize, step.len());
        if let Some(&s) = self.steps.borrow().get(&key) {
            return s;
        }
        let a = self.a;
        let s = match step.strip_prefix('&') {
            Some(tag) => Step {
                tag: a.tag_id(tag),
                reference: a.tag_id(&format!("{tag}-REF")),
                tref: a.tag_id(&format!("{tag}-TREF")),
            },
            None => Step {
                tag: a.tag_id(step),
                reference: None,
                tref: None,
            },
        };
        self.steps.borrow_mut().insert(key, s);
        s
    }

    /// Child by a path of tags; `&TAG` follows `TAG-REF` (or `TAG-TREF`), or takes a `TAG`
    /// child directly.
    fn get(&self, mut n: NodeId, path: &[&'static str]) -> Option<NodeId> {
        let a = self.a;
        for &step in path {
            let s = self.step(step);
            if s.reference.is_none() && s.tref.is_none() {
                n = a.child_by_id(n, s.tag)?;
                continue;
            }
            // One pass over the children: a direct child wins, then -REF, then -TREF.
            let (mut reference, mut tref) = (None, None);
            let mut direct = None;
            for c in a.children(n) {
                let t = Some(a.tag_id_of(c));
                if t == s.tag {
                    direct = Some(c);
                    break;
                }
                if t == s.reference && reference.is_none() {
                    reference = Some(c);
                } else if t == s.tref && tref.is_none() {
                    tref = Some(c);
                }
            }
            n = match direct {
                Some(c) => c,
                None => a.reference_target(reference.or(tref)?)?,
            };
        }
        Some(n)
    }

    fn text(&self, n: NodeId, path: &[&'static str]) -> Option<&'a str> {
        let a: &'a Arxml = self.a;
        let n = self.get(n, path)?;
        Some(a.text(n))
    }

    fn uint(&mut self, n: NodeId, path: &[&'static str]) -> Option<u64> {
        let c = self.get(n, path)?;
        match self.a.text_as_u64(c) {
            Ok(v) => Some(v),
            Err(d) => {
                self.diags.push(d);
                None
            }
        }
    }

    fn required_uint(&mut self, n: NodeId, path: &[&'static str], what: &str) -> Option<u64> {
        if self.get(n, path).is_none() {
            self.diags.push(
                self.a
                    .error_at(n, format!("missing {what} ({})", path.join("/")))
                    .with_hint(format!("add <{}>", path[path.len() - 1])),
            );
            return None;
        }
        self.uint(n, path)
    }

    fn name(&self, n: NodeId) -> String {
        self.a.short_name(n).unwrap_or("").to_owned()
    }
}

/// Reads the network from the loaded ARXML. Problems come back as ARXML diagnostics.
pub fn extract(a: &Arxml) -> (Network, Vec<ArDiagnostic>) {
    let mut cx = Ctx::new(a);
    let mut net = Network::default();
    for cluster in a.elements_by_tag("CAN-CLUSTER").collect::<Vec<_>>() {
        let name = cx.name(cluster);
        let cond = cx.get(
            cluster,
            &["CAN-CLUSTER-VARIANTS", "CAN-CLUSTER-CONDITIONAL"],
        );
        let props = cond.unwrap_or(cluster);
        let baudrate = cx
            .uint(props, &["BAUDRATE"])
            .or_else(|| cx.uint(props, &["SPEED"]));
        let fd_baudrate = cx.uint(props, &["CAN-FD-BAUDRATE"]);
        net.clusters.push(CanCluster {
            name: name.clone(),
            baudrate,
            fd_baudrate,
        });
        let triggerings: Vec<NodeId> = a
            .descendants_by_tag(cluster, "CAN-FRAME-TRIGGERING")
            .collect();
        // One frame per triggering: sized once, no doubling copy at the memory peak.
        net.frames.reserve_exact(triggerings.len());
        for trig in triggerings {
            if let Some(f) = frame(&mut cx, &name, trig) {
                net.frames.push(f);
            }
        }
    }
    if net.frames.is_empty() {
        ecuc_frames(&mut cx, &mut net);
    }
    pdu_routes(&mut cx, &mut net);
    net.export_notes = cx.notes;
    (net, cx.diags)
}

/// Name of an ECUC reference's target: its SHORT-NAME, or the path's last segment when the
/// target is not loaded (the PDU may be defined in a file the integrator did not pass).
fn ref_target_name(a: &Arxml, r: NodeId) -> String {
    match a.reference_target(r).and_then(|t| a.short_name(t)) {
        Some(n) => n.to_owned(),
        None => a.text(r).rsplit('/').next().unwrap_or("").to_owned(),
    }
}

/// PduR routing paths (`PduRRoutingPath`, in a `PduRRoutingPaths` or, in AUTOSAR 4.0, a
/// `PduRRoutingTable` container): the source PDU of the `PduRSrcPdu` sub-container and the
/// destination PDU of each `PduRDestPdu`.
fn pdu_routes(cx: &mut Ctx<'_>, net: &mut Network) {
    let a = cx.a;
    let subs = |path: NodeId, def: &'static str| -> Vec<NodeId> {
        a.child(path, "SUB-CONTAINERS")
            .map(|s| {
                a.children(s)
                    .filter(|&c| {
                        a.child_text(c, "DEFINITION-REF")
                            .is_some_and(|d| d.rsplit('/').next() == Some(def))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    for path in ecuc_containers(a, "PduRRoutingPath").collect::<Vec<_>>() {
        let name = cx.name(path);
        let source = subs(path, "PduRSrcPdu")
            .into_iter()
            .find_map(|s| ecuc_refs(a, s, "PduRSrcPduRef").into_iter().next());
        let Some(source) = source else {
            cx.diags.push(
                a.error_at(path, format!("routing path `{name}` has no source PDU"))
                    .with_hint("add a PduRSrcPdu sub-container with a PduRSrcPduRef"),
            );
            continue;
        };
        let destinations: Vec<String> = subs(path, "PduRDestPdu")
            .into_iter()
            .flat_map(|d| ecuc_refs(a, d, "PduRDestPduRef"))
            .map(|r| ref_target_name(a, r))
            .collect();
        if destinations.is_empty() {
            cx.diags.push(
                a.error_at(
                    path,
                    format!("routing path `{name}` has no destination PDU"),
                )
                .with_hint("add a PduRDestPdu sub-container with a PduRDestPduRef"),
            );
            continue;
        }
        net.pdu_routes.push(PduRoute {
            name,
            source: ref_target_name(a, source),
            destinations,
        });
    }
}

fn frame(cx: &mut Ctx<'_>, cluster: &str, trig: NodeId) -> Option<CanFrame> {
    let a = cx.a;
    let Some(frame) = cx.get(trig, &["&FRAME"]) else {
        cx.diags.push(
            a.error_at(trig, "frame triggering without a frame")
                .with_hint("add <FRAME-REF DEST=\"CAN-FRAME\"> pointing at the frame"),
        );
        return None;
    };
    let name = cx.name(frame);
    let id = cx.required_uint(trig, &["IDENTIFIER"], "CAN identifier")?;
    let extended = cx.text(trig, &["CAN-ADDRESSING-MODE"]) == Some("EXTENDED");
    let max = if extended { 0x1FFF_FFFF } else { 0x7FF };
    if id > max {
        cx.diags.push(
            a.error_at(
                trig,
                format!(
                    "identifier {id:#x} does not fit a {} frame",
                    if extended { "29-bit" } else { "11-bit" }
                ),
            )
            .with_hint("use CAN-ADDRESSING-MODE EXTENDED for 29-bit identifiers"),
        );
    }
    let length = cx.required_uint(frame, &["FRAME-LENGTH"], "frame length")?;
    let fd = [&["CAN-FRAME-RX-BEHAVIOR"], &["CAN-FRAME-TX-BEHAVIOR"]]
        .iter()
        .any(|p| cx.text(trig, *p) == Some("CAN-FD"));
    if length > 64 {
        cx.diags.push(
            a.error_at(
                frame,
                format!("frame length {length} bytes is more than CAN FD's 64"),
            )
            .with_hint("a CAN frame carries at most 8 bytes, a CAN FD frame at most 64"),
        );
    }
    let mut senders = Vec::new();
    let mut receivers = Vec::new();
    if let Some(refs) = a.child(trig, "FRAME-PORT-REFS") {
        for r in a.children(refs) {
            let Some(port) = a.reference_target(r) else {
                continue;
            };
            let mut ecu = a.parent(port);
            while let Some(e) = ecu {
                if a.tag(e) == "ECU-INSTANCE" {
                    break;
                }
                ecu = a.parent(e);
            }
            let Some(ecu) = ecu else { continue };
            let ecu = cx.name(ecu);
            match cx.text(port, &["COMMUNICATION-DIRECTION"]) {
                Some("OUT") => senders.push(ecu),
                Some("IN") => receivers.push(ecu),
                _ => {}
            }
        }
    }
    let pdu = cx.get(
        frame,
        &["PDU-TO-FRAME-MAPPINGS", "PDU-TO-FRAME-MAPPING", "&PDU"],
    );
    let mut signals = Vec::new();
    let mut pdu_kind = None;
    if let Some(pdu) = pdu {
        let mut selector = 1;
        let kind = pdu_kind_of(a.tag(pdu));
        if matches!(kind, "multiplexed" | "container" | "secured") {
            let at = a.location(pdu);
            cx.notes.push(ExportNote {
                location: format!("{}:{}:{}", at.file, at.line, at.column),
                message: format!(
                    "frame `{name}` carries the {kind} PDU `{}`; export-arxml writes it as a plain I-SIGNAL-I-PDU with its signals flat (no selector, dynamic parts, contained PDUs or security data)",
                    cx.name(pdu)
                ),
            });
        }
        pdu_kind = Some(kind);
        signals = pdu_signals(cx, pdu, &name, &mut selector);
        if a.tag(pdu) == "SECURED-I-PDU" {
            secured_signals(cx, pdu, &name, &mut signals);
        }
    }
    signals.sort_by_key(|s| s.start_bit);
    Some(CanFrame {
        name,
        id: id as u32,
        extended,
        length: length as u32,
        cluster: cluster.to_owned(),
        fd,
        pdu: pdu.map(|p| cx.name(p)),
        pdu_kind,
        senders,
        receivers,
        signals,
    })
}

fn pdu_kind_of(tag: &str) -> &'static str {
    match tag {
        "I-SIGNAL-I-PDU" | "SIGNAL-I-PDU" => "i_signal_i_pdu",
        "MULTIPLEXED-I-PDU" => "multiplexed",
        "CONTAINER-I-PDU" => "container",
        "SECURED-I-PDU" => "secured",
        "NM-PDU" => "nm",
        _ => "other",
    }
}

fn byte_order(text: Option<&str>) -> ByteOrder {
    if text == Some("MOST-SIGNIFICANT-BYTE-FIRST") {
        ByteOrder::BigEndian
    } else {
        ByteOrder::LittleEndian
    }
}

fn pdu_signals(cx: &mut Ctx<'_>, pdu: NodeId, frame: &str, selector: &mut u32) -> Vec<CanSignal> {
    let a = cx.a;
    match a.tag(pdu) {
        "CONTAINER-I-PDU" => return Vec::new(),
        "SECURED-I-PDU" => {
            return match cx.get(pdu, &["&PAYLOAD", "&I-PDU"]) {
                Some(p) => pdu_signals(cx, p, frame, selector),
                None => Vec::new(),
            }
        }
        _ => {}
    }
    let mut out = Vec::new();
    for list in [
        "I-SIGNAL-TO-PDU-MAPPINGS",
        "SIGNAL-TO-PDU-MAPPINGS",
        "I-SIGNAL-TO-I-PDU-MAPPINGS",
    ] {
        let Some(l) = a.child(pdu, list) else {
            continue;
        };
        for m in a
            .children_by_tag(l, "I-SIGNAL-TO-I-PDU-MAPPING")
            .collect::<Vec<_>>()
        {
            if let Some(s) = signal(cx, m) {
                out.push(s);
            }
        }
    }
    if a.tag(pdu) == "MULTIPLEXED-I-PDU" {
        multiplexed(cx, pdu, frame, selector, &mut out);
    }
    out
}

fn multiplexed(
    cx: &mut Ctx<'_>,
    pdu: NodeId,
    frame: &str,
    selector: &mut u32,
    out: &mut Vec<CanSignal>,
) {
    let a = cx.a;
    let pos = cx
        .required_uint(pdu, &["SELECTOR-FIELD-START-POSITION"], "selector position")
        .unwrap_or(0) as u32;
    let len = cx
        .required_uint(pdu, &["SELECTOR-FIELD-LENGTH"], "selector length")
        .unwrap_or(0) as u32;
    out.push(CanSignal {
        name: format!("{frame}_selector{selector}"),
        start_bit: pos,
        length: len,
        byte_order: byte_order(cx.text(pdu, &["SELECTOR-FIELD-BYTE-ORDER"])),
        is_signed: false,
        is_float: false,
        factor: Real(1.0),
        offset: Real(0.0),
        is_multiplexer: true,
        multiplexer_id: None,
    });
    *selector += 1;
    let alternatives: Vec<NodeId> = a
        .descendants_by_tag(pdu, "DYNAMIC-PART-ALTERNATIVE")
        .collect();
    for alt in alternatives {
        let code = cx.uint(alt, &["SELECTOR-FIELD-CODE"]);
        let Some(ipdu) = cx.get(alt, &["&I-PDU"]) else {
            continue;
        };
        let mut sigs = pdu_signals(cx, ipdu, frame, selector);
        // The alternative's own copy of the selector field is the selector above.
        if let Some(i) = sigs.iter().position(|s| s.start_bit == pos) {
            sigs.remove(i);
        }
        for mut s in sigs {
            if s.multiplexer_id.is_none() && !s.is_multiplexer {
                s.multiplexer_id = code;
            }
            out.push(s);
        }
    }
    let statics: Vec<NodeId> = ["STATIC-PARTS", "STATIC-PART"]
        .iter()
        .filter_map(|t| a.child(pdu, t))
        .flat_map(|p| {
            if a.tag(p) == "STATIC-PART" {
                vec![p]
            } else {
                a.children_by_tag(p, "STATIC-PART").collect()
            }
        })
        .collect();
    for st in statics {
        if let Some(ipdu) = cx.get(st, &["&I-PDU"]) {
            let sigs = pdu_signals(cx, ipdu, frame, selector);
            out.extend(sigs);
        }
    }
}

/// Freshness value and authenticator of a secured PDU, after its payload (as cantools lays
/// them out: big endian, truncated lengths).
fn secured_signals(cx: &mut Ctx<'_>, pdu: NodeId, frame: &str, out: &mut Vec<CanSignal>) {
    let Some(payload) = cx.get(pdu, &["&PAYLOAD", "&I-PDU"]) else {
        return;
    };
    let Some(payload_len) = cx.uint(payload, &["LENGTH"]) else {
        return;
    };
    let fresh_tx = cx.uint(pdu, &["&FRESHNESS-PROPS", "FRESHNESS-VALUE-TX-LENGTH"]);
    let auth_tx = cx.uint(pdu, &["&AUTHENTICATION-PROPS", "AUTH-INFO-TX-LENGTH"]);
    let plain = |name: String, start: u64, length: u64| CanSignal {
        name,
        start_bit: start as u32,
        length: length as u32,
        byte_order: ByteOrder::BigEndian,
        is_signed: false,
        is_float: false,
        factor: Real(1.0),
        offset: Real(0.0),
        is_multiplexer: false,
        multiplexer_id: None,
    };
    let f = fresh_tx.unwrap_or(0);
    if f > 0 {
        out.push(plain(format!("{frame}_Freshness"), payload_len * 8 + 7, f));
    }
    if let Some(au) = auth_tx.filter(|&x| x > 0) {
        out.push(plain(
            format!("{frame}_Authenticator"),
            payload_len * 8 + (f / 8) * 8 + (7 - f % 8),
            au,
        ));
    }
}

fn signal(cx: &mut Ctx<'_>, mapping: NodeId) -> Option<CanSignal> {
    let a = cx.a;
    let isig = cx
        .get(mapping, &["&I-SIGNAL"])
        .or_else(|| cx.get(mapping, &["&SIGNAL"]))?;
    let system = cx.get(isig, &["&SYSTEM-SIGNAL"]);
    if let Some(s) = system {
        if a.tag(s) != "SYSTEM-SIGNAL" {
            return None;
        }
    }
    let name = cx.name(isig);
    let start = cx.required_uint(mapping, &["START-POSITION"], "signal start position")? as u32;
    let length = match cx.uint(isig, &["LENGTH"]) {
        Some(l) => l,
        None => match system.and_then(|s| cx.uint(s, &["LENGTH"])) {
            Some(l) => l,
            None => {
                cx.diags.push(
                    a.error_at(isig, format!("signal `{name}` has no LENGTH"))
                        .with_hint("add <LENGTH> (bits) to the I-SIGNAL"),
                );
                return None;
            }
        },
    } as u32;
    let order = byte_order(cx.text(mapping, &["PACKING-BYTE-ORDER"]));
    let (mut is_signed, mut is_float) = (false, false);
    if let Some(bt) = cx.get(
        isig,
        &[
            "&NETWORK-REPRESENTATION-PROPS",
            "SW-DATA-DEF-PROPS-VARIANTS",
            "&SW-DATA-DEF-PROPS-CONDITIONAL",
            "&BASE-TYPE",
        ],
    ) {
        match cx.text(bt, &["BASE-TYPE-ENCODING"]) {
            Some("2C" | "1C" | "SM") => is_signed = true,
            Some("IEEE754") => is_float = true,
            Some(_) => {}
            None => cx.diags.push(
                a.error_at(bt, "base type without BASE-TYPE-ENCODING")
                    .with_hint("add <BASE-TYPE-ENCODING> (2C, NONE, IEEE754, ...)"),
            ),
        }
    }
    let (mut factor, mut offset) = (1.0, 0.0);
    if let Some(sys) = system {
        let cm = cx
            .get(
                sys,
                &[
                    "&PHYSICAL-PROPS",
                    "SW-DATA-DEF-PROPS-VARIANTS",
                    "&SW-DATA-DEF-PROPS-CONDITIONAL",
                    "&COMPU-METHOD",
                ],
            )
            .or_else(|| cx.get(sys, &["&DATA-TYPE", "SW-DATA-DEF-PROPS", "&COMPU-METHOD"]));
        if let Some(cm) = cm {
            if let Some((f, o)) = scaling(cx, cm) {
                factor = f;
                offset = o;
            }
        }
    }
    Some(CanSignal {
        name,
        start_bit: start,
        length,
        byte_order: order,
        is_signed,
        is_float,
        factor: Real(factor),
        offset: Real(offset),
        is_multiplexer: false,
        multiplexer_id: None,
    })
}

/// Factor and offset of a LINEAR or SCALE_LINEAR_AND_TEXTTABLE computation method (the last
/// linear scale wins, as in cantools).
fn scaling(cx: &mut Ctx<'_>, cm: NodeId) -> Option<(f64, f64)> {
    let a = cx.a;
    let category = cx.text(cm, &["CATEGORY"])?;
    if category != "LINEAR" && category != "SCALE_LINEAR_AND_TEXTTABLE" {
        return None;
    }
    let scales = cx.get(cm, &["COMPU-INTERNAL-TO-PHYS", "COMPU-SCALES"])?;
    let mut result = None;
    for scale in a.children_by_tag(scales, "COMPU-SCALE").collect::<Vec<_>>() {
        if category == "SCALE_LINEAR_AND_TEXTTABLE"
            && cx.get(scale, &["COMPU-CONST", "VT"]).is_some()
        {
            continue;
        }
        let Some(coeffs) = a.child(scale, "COMPU-RATIONAL-COEFFS") else {
            result = Some((1.0, 0.0));
            continue;
        };
        let values = |tag: &str| -> Vec<NodeId> {
            a.child(coeffs, tag)
                .map(|n| a.children_by_tag(n, "V").collect())
                .unwrap_or_default()
        };
        let num = values("COMPU-NUMERATOR");
        let den = values("COMPU-DENOMINATOR");
        if num.len() != 2 || den.len() != 1 {
            cx.diags.push(
                a.error_at(coeffs, format!(
                    "linear scaling needs 2 numerator values and 1 denominator value, found {} and {}",
                    num.len(),
                    den.len()
                ))
                .with_hint("write <COMPU-NUMERATOR><V>offset</V><V>factor</V></COMPU-NUMERATOR><COMPU-DENOMINATOR><V>1</V></COMPU-DENOMINATOR>"),
            );
            return None;
        }
        let mut v = [0.0; 3];
        for (slot, n) in v.iter_mut().zip([num[0], num[1], den[0]]) {
            match parse_real(a.text(n)) {
                Some(x) => *slot = x,
                None => {
                    cx.diags
                        .push(a.error_at(n, format!("`{}` is not a number", a.text(n))));
                    return None;
                }
            }
        }
        if v[2] == 0.0 {
            cx.diags.push(a.error_at(den[0], "denominator is zero"));
            return None;
        }
        result = Some((v[1] / v[2], v[0] / v[2]));
    }
    result
}

/// ECUC parameter value of a container by the last segment of its DEFINITION-REF.
pub fn ecuc_param<'a>(a: &'a Arxml, container: NodeId, name: &str) -> Option<(NodeId, &'a str)> {
    let values = a.child(container, "PARAMETER-VALUES")?;
    a.children(values).find_map(|p| {
        let def = a.child_text(p, "DEFINITION-REF")?;
        (def.rsplit('/').next() == Some(name)).then(|| {
            let v = a.child(p, "VALUE").unwrap_or(p);
            (p, a.text(v))
        })
    })
}

/// ECUC reference values of a container (`VALUE-REF` elements) by definition name.
pub fn ecuc_refs(a: &Arxml, container: NodeId, name: &str) -> Vec<NodeId> {
    let Some(values) = a.child(container, "REFERENCE-VALUES") else {
        return Vec::new();
    };
    a.children(values)
        .filter(|&r| {
            a.child_text(r, "DEFINITION-REF")
                .is_some_and(|d| d.rsplit('/').next() == Some(name))
        })
        .filter_map(|r| a.child(r, "VALUE-REF"))
        .collect()
}

/// ECUC containers anywhere whose definition's last segment is `def`.
pub fn ecuc_containers<'a>(a: &'a Arxml, def: &'a str) -> impl Iterator<Item = NodeId> + 'a {
    a.elements_by_tag("ECUC-CONTAINER-VALUE").filter(move |&c| {
        a.child_text(c, "DEFINITION-REF")
            .is_some_and(|d| d.rsplit('/').next() == Some(def))
    })
}

/// Frames from ECUC values: Com I-PDUs with their CanIf PDU configuration and Com signals.
fn ecuc_frames(cx: &mut Ctx<'_>, net: &mut Network) {
    let a = cx.a;
    let canif: Vec<NodeId> = ecuc_containers(a, "CanIfTxPduCfg")
        .chain(ecuc_containers(a, "CanIfRxPduCfg"))
        .collect();
    for ipdu in ecuc_containers(a, "ComIPdu").collect::<Vec<_>>() {
        let name = cx.name(ipdu);
        let direction = ecuc_param(a, ipdu, "ComIPduDirection").map(|p| p.1);
        let Some(pdu_ref) = ecuc_refs(a, ipdu, "ComPduIdRef")
            .first()
            .map(|&r| a.text(r))
        else {
            continue;
        };
        let (tx, id_p, dlc_p, type_p, ref_name) = match direction {
            Some("SEND") => (
                true,
                "CanIfTxPduCanId",
                "CanIfTxPduDlc",
                "CanIfTxPduCanIdType",
                "CanIfTxPduRef",
            ),
            Some("RECEIVE") => (
                false,
                "CanIfRxPduCanId",
                "CanIfRxPduDlc",
                "CanIfRxPduCanIdType",
                "CanIfRxPduRef",
            ),
            _ => continue,
        };
        let _ = tx;
        let Some(cfg) = canif.iter().copied().find(|&c| {
            ecuc_refs(a, c, ref_name)
                .iter()
                .any(|&r| a.text(r) == pdu_ref)
        }) else {
            continue;
        };
        let num =
            |p: &str| ecuc_param(a, cfg, p).and_then(|(_, v)| ecu_arxml::number::parse_u64(v).ok());
        let (Some(id), Some(length), Some((_, kind))) =
            (num(id_p), num(dlc_p), ecuc_param(a, cfg, type_p))
        else {
            continue;
        };
        let mut signals = Vec::new();
        for r in ecuc_refs(a, ipdu, "ComIPduSignalRef") {
            let Some(sig) = a.reference_target(r) else {
                continue;
            };
            let p = |n: &str| ecuc_param(a, sig, n).map(|x| x.1);
            let (Some(pos), Some(size), Some(end)) = (
                p("ComBitPosition"),
                p("ComBitSize"),
                p("ComSignalEndianness"),
            ) else {
                continue;
            };
            let ty = p("ComSignalType").unwrap_or("");
            signals.push(CanSignal {
                name: cx.name(sig),
                start_bit: ecu_arxml::number::parse_u64(pos).unwrap_or(0) as u32,
                length: ecu_arxml::number::parse_u64(size).unwrap_or(0) as u32,
                byte_order: if end == "BIG_ENDIAN" {
                    ByteOrder::BigEndian
                } else {
                    ByteOrder::LittleEndian
                },
                is_signed: matches!(ty, "SINT8" | "SINT16" | "SINT32" | "SINT64"),
                is_float: matches!(ty, "FLOAT32" | "FLOAT64"),
                factor: Real(1.0),
                offset: Real(0.0),
                is_multiplexer: false,
                multiplexer_id: None,
            });
        }
        signals.sort_by_key(|s| s.start_bit);
        net.frames.push(CanFrame {
            name,
            id: id as u32,
            extended: kind == "EXTENDED_CAN",
            length: length as u32,
            cluster: String::new(),
            fd: false,
            pdu: None,
            pdu_kind: None,
            senders: Vec::new(),
            receivers: Vec::new(),
            signals,
        });
    }
}
