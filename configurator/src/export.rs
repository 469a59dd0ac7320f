//! `ecuconf export-arxml`: the resolved model written back as AUTOSAR 4 ARXML, laid out so
//! that reading the export gives the same network, interfaces and OS objects.
//!
//! Packages: /Clusters, /Frames, /Pdus, /ISignals/<frame>, /SystemSignals/<frame>,
//! /CompuMethods/<frame>, /BaseTypes, /Ecus, interfaces under their own paths, and the Os ECUC
//! values under /EcucValues/Os.

// One element per line: the trailing newline is part of each element's text.
#![allow(clippy::write_with_newline)]

use std::fmt::Write as _;

use crate::interfaces::{Direction, InterfaceKind};
use crate::model::{AlarmAction, Ecu};
use crate::network::ByteOrder;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Packages as a tree, each with its elements' XML, in first-seen order.
#[derive(Default)]
struct Pkg {
    name: String,
    elements: String,
    subs: Vec<Pkg>,
}

impl Pkg {
    fn at(&mut self, path: &[&str]) -> &mut Pkg {
        let mut cur = self;
        for seg in path {
            let i = match cur.subs.iter().position(|p| p.name == *seg) {
                Some(i) => i,
                None => {
                    cur.subs.push(Pkg {
                        name: (*seg).to_owned(),
                        ..Pkg::default()
                    });
                    cur.subs.len() - 1
                }
            };
            cur = &mut cur.subs[i];
        }
        cur
    }

    fn write(&self, out: &mut String) {
        out.push_str("<AR-PACKAGES>");
        for p in &self.subs {
            let _ = write!(out, "<AR-PACKAGE><SHORT-NAME>{}</SHORT-NAME>", esc(&p.name));
            if !p.elements.is_empty() {
                let _ = write!(out, "<ELEMENTS>{}</ELEMENTS>", p.elements);
            }
            if !p.subs.is_empty() {
                p.write(out);
            }
            out.push_str("</AR-PACKAGE>\n");
        }
        out.push_str("</AR-PACKAGES>");
    }
}

fn num(v: f64) -> String {
    // Rust prints the shortest text that reads back to the same f64.
    format!("{v:?}")
}

const DEFS: &str = "/AUTOSAR/EcucDefs";

/// A NUMERICAL or TEXTUAL parameter value of the Os module. The definition's type (the
/// DEFINITION-REF's DEST) follows from the value: the schema knows no "numerical definition".
fn param(out: &mut String, def: &str, kind: &str, value: impl std::fmt::Display) {
    let value = value.to_string();
    let def_type = match (kind, value.as_str()) {
        ("NUMERICAL", "true" | "false") => "ECUC-BOOLEAN-PARAM-DEF",
        ("NUMERICAL", v) if v.contains(['.', 'e', 'E']) => "ECUC-FLOAT-PARAM-DEF",
        ("NUMERICAL", _) => "ECUC-INTEGER-PARAM-DEF",
        _ if def.ends_with("Name") => "ECUC-FUNCTION-NAME-DEF",
        _ => "ECUC-ENUMERATION-PARAM-DEF",
    };
    let _ = write!(
        out,
        "<ECUC-{kind}-PARAM-VALUE><DEFINITION-REF DEST=\"{def_type}\">{DEFS}/Os/{def}</DEFINITION-REF><VALUE>{}</VALUE></ECUC-{kind}-PARAM-VALUE>",
        esc(&value)
    );
}

/// A reference of the Os module to one of its own containers.
fn reference(out: &mut String, def: &str, target: &str) {
    reference_to(out, "Os", def, &format!("/EcucValues/Os/{target}"));
}

fn reference_to(out: &mut String, module: &str, def: &str, path: &str) {
    let _ = write!(
        out,
        "<ECUC-REFERENCE-VALUE><DEFINITION-REF DEST=\"ECUC-REFERENCE-DEF\">{DEFS}/{module}/{def}</DEFINITION-REF><VALUE-REF DEST=\"ECUC-CONTAINER-VALUE\">{}</VALUE-REF></ECUC-REFERENCE-VALUE>",
        esc(path)
    );
}

/// A container of the Os module.
fn container(out: &mut String, name: &str, def: &str, params: &str, refs: &str, subs: &str) {
    container_in(out, "Os", name, def, params, refs, subs);
}

fn container_in(
    out: &mut String,
    module: &str,
    name: &str,
    def: &str,
    params: &str,
    refs: &str,
    subs: &str,
) {
    let _ = write!(
        out,
        "<ECUC-CONTAINER-VALUE><SHORT-NAME>{}</SHORT-NAME><DEFINITION-REF DEST=\"ECUC-PARAM-CONF-CONTAINER-DEF\">{DEFS}/{module}/{def}</DEFINITION-REF>",
        esc(name)
    );
    if !params.is_empty() {
        let _ = write!(out, "<PARAMETER-VALUES>{params}</PARAMETER-VALUES>");
    }
    if !refs.is_empty() {
        let _ = write!(out, "<REFERENCE-VALUES>{refs}</REFERENCE-VALUES>");
    }
    if !subs.is_empty() {
        let _ = write!(out, "<SUB-CONTAINERS>{subs}</SUB-CONTAINERS>");
    }
    out.push_str("</ECUC-CONTAINER-VALUE>\n");
}

/// The values of one module, in the EcucValues package.
fn module(root: &mut Pkg, name: &str, containers: &str) {
    let _ = writeln!(
        root.at(&["EcucValues"]).elements,
        "<ECUC-MODULE-CONFIGURATION-VALUES><SHORT-NAME>{name}</SHORT-NAME><DEFINITION-REF DEST=\"ECUC-MODULE-DEF\">{DEFS}/{name}</DEFINITION-REF><CONTAINERS>{containers}</CONTAINERS></ECUC-MODULE-CONFIGURATION-VALUES>"
    );
}

/// The model as an ARXML document.
pub fn to_arxml(ecu: &Ecu) -> String {
    let mut root = Pkg::default();
    network(ecu, &mut root);
    interfaces(ecu, &mut root);
    if !ecu.tasks.is_empty() {
        os(ecu, &mut root);
    }
    if !ecu.network.pdu_routes.is_empty() {
        pdu_routes(ecu, &mut root);
    }
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<AUTOSAR xmlns=\"http://autosar.org/schema/r4.0\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"http://autosar.org/schema/r4.0 AUTOSAR_4-3-0.xsd\">\n",
    );
    root.write(&mut out);
    out.push_str("\n</AUTOSAR>\n");
    out
}

fn network(ecu: &Ecu, root: &mut Pkg) {
    let net = &ecu.network;
    if !net.frames.is_empty() {
        let _ = write!(
            root.at(&["BaseTypes"]).elements,
            "<SW-BASE-TYPE><SHORT-NAME>uint</SHORT-NAME><BASE-TYPE-ENCODING>NONE</BASE-TYPE-ENCODING></SW-BASE-TYPE>\
             <SW-BASE-TYPE><SHORT-NAME>sint</SHORT-NAME><BASE-TYPE-ENCODING>2C</BASE-TYPE-ENCODING></SW-BASE-TYPE>\
             <SW-BASE-TYPE><SHORT-NAME>float</SHORT-NAME><BASE-TYPE-ENCODING>IEEE754</BASE-TYPE-ENCODING></SW-BASE-TYPE>\n"
        );
    }
    let mut ecus: Vec<&str> = Vec::new();
    for f in &net.frames {
        for e in f.senders.iter().chain(&f.receivers) {
            if !ecus.contains(&e.as_str()) {
                ecus.push(e);
            }
        }
    }
    // Frame ports per ECU, named after the frame triggering.
    let mut ports: Vec<String> = vec![String::new(); ecus.len()];
    let mut clusters: Vec<(String, String)> = net
        .clusters
        .iter()
        .map(|c| {
            let mut props = String::new();
            if let Some(b) = c.baudrate {
                let _ = write!(props, "<BAUDRATE>{b}</BAUDRATE>");
            }
            if let Some(b) = c.fd_baudrate {
                let _ = write!(props, "<CAN-FD-BAUDRATE>{b}</CAN-FD-BAUDRATE>");
            }
            (c.name.clone(), props)
        })
        .collect();
    let mut triggerings: Vec<String> = vec![String::new(); clusters.len()];
    for (fi, f) in net.frames.iter().enumerate() {
        let ci = match clusters.iter().position(|c| c.0 == f.cluster) {
            Some(i) => i,
            None => {
                let name = if f.cluster.is_empty() {
                    "Cluster".to_owned()
                } else {
                    f.cluster.clone()
                };
                clusters.push((name, String::new()));
                triggerings.push(String::new());
                clusters.len() - 1
            }
        };
        let trig_name = format!("{}_Triggering{fi}", f.name);
        let mut port_refs = String::new();
        for (dir, list) in [("OUT", &f.senders), ("IN", &f.receivers)] {
            for e in list {
                let ei = ecus.iter().position(|x| x == e).unwrap_or(0);
                let port = format!("{trig_name}_{dir}");
                let _ = write!(
                    ports[ei],
                    "<FRAME-PORT><SHORT-NAME>{}</SHORT-NAME><COMMUNICATION-DIRECTION>{dir}</COMMUNICATION-DIRECTION></FRAME-PORT>",
                    esc(&port)
                );
                let _ = write!(
                    port_refs,
                    "<FRAME-PORT-REF DEST=\"FRAME-PORT\">/Ecus/{}/Connector/{}</FRAME-PORT-REF>",
                    esc(e),
                    esc(&port)
                );
            }
        }
        let behavior = if f.fd { "CAN-FD" } else { "CAN-20" };
        let _ = writeln!(
            triggerings[ci],
            "<CAN-FRAME-TRIGGERING><SHORT-NAME>{}</SHORT-NAME>{}<FRAME-REF DEST=\"CAN-FRAME\">/Frames/{}</FRAME-REF><CAN-ADDRESSING-MODE>{}</CAN-ADDRESSING-MODE><CAN-FRAME-RX-BEHAVIOR>{behavior}</CAN-FRAME-RX-BEHAVIOR><CAN-FRAME-TX-BEHAVIOR>{behavior}</CAN-FRAME-TX-BEHAVIOR><IDENTIFIER>{}</IDENTIFIER></CAN-FRAME-TRIGGERING>",
            esc(&trig_name),
            if port_refs.is_empty() { String::new() } else { format!("<FRAME-PORT-REFS>{port_refs}</FRAME-PORT-REFS>") },
            esc(&f.name),
            if f.extended { "EXTENDED" } else { "STANDARD" },
            f.id
        );
        let pdu_name = f.pdu.clone().unwrap_or_else(|| format!("{}_Pdu", f.name));
        let mapping = if f.pdu.is_some() || !f.signals.is_empty() {
            format!(
                "<PDU-TO-FRAME-MAPPINGS><PDU-TO-FRAME-MAPPING><SHORT-NAME>{0}_Mapping</SHORT-NAME><PACKING-BYTE-ORDER>MOST-SIGNIFICANT-BYTE-LAST</PACKING-BYTE-ORDER><PDU-REF DEST=\"I-SIGNAL-I-PDU\">/Pdus/{0}</PDU-REF><START-POSITION>0</START-POSITION></PDU-TO-FRAME-MAPPING></PDU-TO-FRAME-MAPPINGS>",
                esc(&pdu_name)
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            root.at(&["Frames"]).elements,
            "<CAN-FRAME><SHORT-NAME>{}</SHORT-NAME><FRAME-LENGTH>{}</FRAME-LENGTH>{mapping}</CAN-FRAME>",
            esc(&f.name),
            f.length
        );
        if mapping.is_empty() {
            continue;
        }
        let mut maps = String::new();
        for (si, s) in f.signals.iter().enumerate() {
            let order = match s.byte_order {
                ByteOrder::BigEndian => "MOST-SIGNIFICANT-BYTE-FIRST",
                ByteOrder::LittleEndian => "MOST-SIGNIFICANT-BYTE-LAST",
            };
            let _ = write!(
                maps,
                "<I-SIGNAL-TO-I-PDU-MAPPING><SHORT-NAME>{n}_Mapping{si}</SHORT-NAME><I-SIGNAL-REF DEST=\"I-SIGNAL\">/ISignals/{fr}/{n}</I-SIGNAL-REF><PACKING-BYTE-ORDER>{order}</PACKING-BYTE-ORDER><START-POSITION>{}</START-POSITION></I-SIGNAL-TO-I-PDU-MAPPING>",
                s.start_bit,
                n = esc(&s.name),
                fr = esc(&f.name),
            );
            let base = if s.is_float {
                "float"
            } else if s.is_signed {
                "sint"
            } else {
                "uint"
            };
            let _ = write!(
                root.at(&["ISignals", &f.name]).elements,
                "<I-SIGNAL><SHORT-NAME>{n}</SHORT-NAME><LENGTH>{}</LENGTH><NETWORK-REPRESENTATION-PROPS><SW-DATA-DEF-PROPS-VARIANTS><SW-DATA-DEF-PROPS-CONDITIONAL><BASE-TYPE-REF DEST=\"SW-BASE-TYPE\">/BaseTypes/{base}</BASE-TYPE-REF></SW-DATA-DEF-PROPS-CONDITIONAL></SW-DATA-DEF-PROPS-VARIANTS></NETWORK-REPRESENTATION-PROPS><SYSTEM-SIGNAL-REF DEST=\"SYSTEM-SIGNAL\">/SystemSignals/{fr}/{n}</SYSTEM-SIGNAL-REF></I-SIGNAL>\n",
                s.length,
                n = esc(&s.name),
                fr = esc(&f.name),
            );
            let scaled = s.factor.0 != 1.0 || s.offset.0 != 0.0;
            let props = if scaled {
                let _ = write!(
                    root.at(&["CompuMethods", &f.name]).elements,
                    "<COMPU-METHOD><SHORT-NAME>{n}</SHORT-NAME><CATEGORY>LINEAR</CATEGORY><COMPU-INTERNAL-TO-PHYS><COMPU-SCALES><COMPU-SCALE><COMPU-RATIONAL-COEFFS><COMPU-NUMERATOR><V>{}</V><V>{}</V></COMPU-NUMERATOR><COMPU-DENOMINATOR><V>1</V></COMPU-DENOMINATOR></COMPU-RATIONAL-COEFFS></COMPU-SCALE></COMPU-SCALES></COMPU-INTERNAL-TO-PHYS></COMPU-METHOD>\n",
                    num(s.offset.0),
                    num(s.factor.0),
                    n = esc(&s.name),
                );
                format!(
                    "<PHYSICAL-PROPS><SW-DATA-DEF-PROPS-VARIANTS><SW-DATA-DEF-PROPS-CONDITIONAL><COMPU-METHOD-REF DEST=\"COMPU-METHOD\">/CompuMethods/{}/{}</COMPU-METHOD-REF></SW-DATA-DEF-PROPS-CONDITIONAL></SW-DATA-DEF-PROPS-VARIANTS></PHYSICAL-PROPS>",
                    esc(&f.name),
                    esc(&s.name)
                )
            } else {
                String::new()
            };
            let _ = write!(
                root.at(&["SystemSignals", &f.name]).elements,
                "<SYSTEM-SIGNAL><SHORT-NAME>{}</SHORT-NAME>{props}</SYSTEM-SIGNAL>\n",
                esc(&s.name)
            );
        }
        let _ = writeln!(
            root.at(&["Pdus"]).elements,
            "<I-SIGNAL-I-PDU><SHORT-NAME>{}</SHORT-NAME><LENGTH>{}</LENGTH>{}</I-SIGNAL-I-PDU>",
            esc(&pdu_name),
            f.length,
            if maps.is_empty() {
                String::new()
            } else {
                format!("<I-SIGNAL-TO-PDU-MAPPINGS>{maps}</I-SIGNAL-TO-PDU-MAPPINGS>")
            }
        );
    }
    for ((name, props), trigs) in clusters.iter().zip(&triggerings) {
        let _ = writeln!(
            root.at(&["Clusters"]).elements,
            "<CAN-CLUSTER><SHORT-NAME>{n}</SHORT-NAME><CAN-CLUSTER-VARIANTS><CAN-CLUSTER-CONDITIONAL>{props}<PHYSICAL-CHANNELS><CAN-PHYSICAL-CHANNEL><SHORT-NAME>{n}_Channel</SHORT-NAME>{}</CAN-PHYSICAL-CHANNEL></PHYSICAL-CHANNELS></CAN-CLUSTER-CONDITIONAL></CAN-CLUSTER-VARIANTS></CAN-CLUSTER>",
            if trigs.is_empty() { String::new() } else { format!("<FRAME-TRIGGERINGS>{trigs}</FRAME-TRIGGERINGS>") },
            n = esc(name),
        );
    }
    for (e, p) in ecus.iter().zip(&ports) {
        let _ = writeln!(
            root.at(&["Ecus"]).elements,
            "<ECU-INSTANCE><SHORT-NAME>{}</SHORT-NAME><CONNECTORS><CAN-COMMUNICATION-CONNECTOR><SHORT-NAME>Connector</SHORT-NAME><ECU-COMM-PORT-INSTANCES>{p}</ECU-COMM-PORT-INSTANCES></CAN-COMMUNICATION-CONNECTOR></CONNECTORS></ECU-INSTANCE>",
            esc(e)
        );
    }
}

fn interfaces(ecu: &Ecu, root: &mut Pkg) {
    for i in &ecu.interfaces {
        let segs: Vec<&str> = i.path.split('/').filter(|s| !s.is_empty()).collect();
        let pkg = if segs.len() > 1 {
            &segs[..segs.len() - 1]
        } else {
            &["Interfaces"][..]
        };
        let ty = |t: &Option<String>| {
            t.as_ref()
                .map(|t| {
                    format!(
                        "<TYPE-TREF DEST=\"IMPLEMENTATION-DATA-TYPE\">{}</TYPE-TREF>",
                        esc(t)
                    )
                })
                .unwrap_or_default()
        };
        let mut body = String::new();
        match i.kind {
            InterfaceKind::ClientServer => {
                body.push_str("<OPERATIONS>");
                for op in &i.operations {
                    let _ = write!(
                        body,
                        "<CLIENT-SERVER-OPERATION><SHORT-NAME>{}</SHORT-NAME><ARGUMENTS>",
                        esc(&op.name)
                    );
                    for a in &op.arguments {
                        let dir = match a.direction {
                            Direction::In => "IN",
                            Direction::Out => "OUT",
                            Direction::InOut => "INOUT",
                        };
                        let _ = write!(
                            body,
                            "<ARGUMENT-DATA-PROTOTYPE><SHORT-NAME>{}</SHORT-NAME>{}<DIRECTION>{dir}</DIRECTION></ARGUMENT-DATA-PROTOTYPE>",
                            esc(&a.name),
                            ty(&a.type_ref)
                        );
                    }
                    body.push_str("</ARGUMENTS></CLIENT-SERVER-OPERATION>");
                }
                body.push_str("</OPERATIONS>");
            }
            InterfaceKind::SenderReceiver => {
                body.push_str("<DATA-ELEMENTS>");
                for d in &i.data_elements {
                    let _ = write!(
                        body,
                        "<VARIABLE-DATA-PROTOTYPE><SHORT-NAME>{}</SHORT-NAME>{}</VARIABLE-DATA-PROTOTYPE>",
                        esc(&d.name),
                        ty(&d.type_ref)
                    );
                }
                body.push_str("</DATA-ELEMENTS>");
            }
        }
        let tag = match i.kind {
            InterfaceKind::ClientServer => "CLIENT-SERVER-INTERFACE",
            InterfaceKind::SenderReceiver => "SENDER-RECEIVER-INTERFACE",
        };
        let _ = writeln!(
            root.at(pkg).elements,
            "<{tag}><SHORT-NAME>{}</SHORT-NAME>{body}</{tag}>",
            esc(&i.name)
        );
    }
    // The model keeps an argument's or data element's type by path only: each path is
    // exported as an implementation data type of its own, so the export's references resolve
    // (the type's layout is not part of the model).
    let types: std::collections::BTreeSet<&str> = ecu
        .interfaces
        .iter()
        .flat_map(|i| {
            let arguments = i.operations.iter().flat_map(|o| &o.arguments);
            arguments
                .map(|a| &a.type_ref)
                .chain(i.data_elements.iter().map(|d| &d.type_ref))
        })
        .filter_map(|t| t.as_deref())
        .collect();
    for path in types {
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        if let Some((name, pkg)) = segs.split_last().filter(|(_, pkg)| !pkg.is_empty()) {
            let _ = writeln!(
                root.at(pkg).elements,
                "<IMPLEMENTATION-DATA-TYPE><SHORT-NAME>{}</SHORT-NAME><CATEGORY>VALUE</CATEGORY></IMPLEMENTATION-DATA-TYPE>",
                esc(name)
            );
        }
    }
}

fn os(ecu: &Ecu, root: &mut Pkg) {
    let mut c = String::new();
    for (ai, app) in ecu.apps.iter().enumerate() {
        let mut p = String::new();
        param(&mut p, "OsApplication/OsTrusted", "NUMERICAL", app.trusted);
        let mut r = String::new();
        if let Some(t) = app.restart_task {
            reference(&mut r, "OsApplication/OsRestartTask", &ecu.tasks[t].name);
        }
        for t in ecu.tasks.iter().filter(|t| t.app == ai) {
            reference(&mut r, "OsApplication/OsAppTaskRef", &t.name);
        }
        for i in ecu.isrs.iter().filter(|i| i.app == Some(ai)) {
            reference(&mut r, "OsApplication/OsAppIsrRef", &i.name);
        }
        for a in ecu.alarms.iter().filter(|a| a.app == ai) {
            reference(&mut r, "OsApplication/OsAppAlarmRef", &a.name);
        }
        container(&mut c, &app.name, "OsApplication", &p, &r, "");
    }
    for (ci, k) in ecu.counters.iter().enumerate() {
        let mut p = String::new();
        param(
            &mut p,
            "OsCounter/OsCounterMaxAllowedValue",
            "NUMERICAL",
            k.max_allowed_value,
        );
        param(
            &mut p,
            "OsCounter/OsCounterTicksPerBase",
            "NUMERICAL",
            k.ticks_per_base,
        );
        param(
            &mut p,
            "OsCounter/OsCounterMinCycle",
            "NUMERICAL",
            k.min_cycle,
        );
        if ci == ecu.system_counter && ecu.tick_ns > 0 {
            param(&mut p, "OsCounter/OsCounterType", "TEXTUAL", "HARDWARE");
            param(
                &mut p,
                "OsCounter/OsSecondsPerTick",
                "NUMERICAL",
                num(ecu.tick_ns as f64 / 1e9),
            );
        } else {
            param(&mut p, "OsCounter/OsCounterType", "TEXTUAL", "SOFTWARE");
        }
        container(&mut c, &k.name, "OsCounter", &p, "", "");
    }
    for e in &ecu.events {
        let mut p = String::new();
        param(&mut p, "OsEvent/OsEventMask", "NUMERICAL", e.mask);
        container(&mut c, &e.name, "OsEvent", &p, "", "");
    }
    for res in &ecu.resources {
        let mut p = String::new();
        param(
            &mut p,
            "OsResource/OsResourceProperty",
            "TEXTUAL",
            if res.internal { "INTERNAL" } else { "STANDARD" },
        );
        container(&mut c, &res.name, "OsResource", &p, "", "");
    }
    for t in &ecu.tasks {
        let mut p = String::new();
        param(&mut p, "OsTask/OsTaskPriority", "NUMERICAL", t.priority);
        param(
            &mut p,
            "OsTask/OsTaskActivation",
            "NUMERICAL",
            t.activation_limit,
        );
        param(&mut p, "OsTask/OsTaskStackSize", "NUMERICAL", t.stack_size);
        let mut r = String::new();
        for (i, e) in ecu.events.iter().enumerate() {
            if t.event_mask & e.mask != 0 {
                let _ = i;
                reference(&mut r, "OsTask/OsTaskEventRef", &e.name);
            }
        }
        for (i, res) in ecu.resources.iter().enumerate() {
            if (i < 64 && t.resource_mask & (1u64 << i) != 0) || t.internal_resource == Some(i) {
                reference(&mut r, "OsTask/OsTaskResourceRef", &res.name);
            }
        }
        for (i, app) in ecu.apps.iter().enumerate() {
            if i != t.app && i < 64 && t.access & (1u64 << i) != 0 {
                reference(&mut r, "OsTask/OsTaskAccessingApplication", &app.name);
            }
        }
        let mut subs = String::new();
        if t.autostart {
            container(&mut subs, "Autostart", "OsTask/OsTaskAutostart", "", "", "");
        }
        container(&mut c, &t.name, "OsTask", &p, &r, &subs);
    }
    for i in &ecu.isrs {
        let mut p = String::new();
        param(
            &mut p,
            "OsIsr/OsIsrCategory",
            "TEXTUAL",
            format!("CATEGORY_{}", i.category),
        );
        param(&mut p, "OsIsr/OsIsrPriority", "NUMERICAL", i.priority);
        container(&mut c, &i.name, "OsIsr", &p, "", "");
    }
    for a in &ecu.alarms {
        let mut r = String::new();
        reference(
            &mut r,
            "OsAlarm/OsAlarmCounterRef",
            &ecu.counters[a.counter].name,
        );
        let mut action = String::new();
        match &a.action {
            AlarmAction::ActivateTask { task } => {
                let mut rr = String::new();
                reference(
                    &mut rr,
                    "OsAlarm/OsAlarmAction/OsAlarmActivateTask/OsAlarmActivateTaskRef",
                    &ecu.tasks[*task].name,
                );
                container(
                    &mut action,
                    "ActivateTask",
                    "OsAlarm/OsAlarmAction/OsAlarmActivateTask",
                    "",
                    &rr,
                    "",
                );
            }
            AlarmAction::SetEvent { task, mask } => {
                let mut rr = String::new();
                reference(
                    &mut rr,
                    "OsAlarm/OsAlarmAction/OsAlarmSetEvent/OsAlarmSetEventTaskRef",
                    &ecu.tasks[*task].name,
                );
                if let Some(e) = ecu.events.iter().find(|e| e.mask == *mask) {
                    reference(
                        &mut rr,
                        "OsAlarm/OsAlarmAction/OsAlarmSetEvent/OsAlarmSetEventRef",
                        &e.name,
                    );
                }
                container(
                    &mut action,
                    "SetEvent",
                    "OsAlarm/OsAlarmAction/OsAlarmSetEvent",
                    "",
                    &rr,
                    "",
                );
            }
            AlarmAction::IncrementCounter { counter } => {
                let mut rr = String::new();
                reference(
                    &mut rr,
                    "OsAlarm/OsAlarmAction/OsAlarmIncrementCounter/OsAlarmIncrementCounterRef",
                    &ecu.counters[*counter].name,
                );
                container(
                    &mut action,
                    "IncrementCounter",
                    "OsAlarm/OsAlarmAction/OsAlarmIncrementCounter",
                    "",
                    &rr,
                    "",
                );
            }
            AlarmAction::Callback { function } => {
                let mut p = String::new();
                param(
                    &mut p,
                    "OsAlarm/OsAlarmAction/OsAlarmCallback/OsAlarmCallbackName",
                    "TEXTUAL",
                    function,
                );
                container(
                    &mut action,
                    "Callback",
                    "OsAlarm/OsAlarmAction/OsAlarmCallback",
                    &p,
                    "",
                    "",
                );
            }
        }
        let mut subs = String::new();
        container(
            &mut subs,
            "Action",
            "OsAlarm/OsAlarmAction",
            "",
            "",
            &action,
        );
        if let Some((offset, cycle)) = a.autostart {
            let mut p = String::new();
            param(
                &mut p,
                "OsAlarm/OsAlarmAutostart/OsAlarmAlarmTime",
                "NUMERICAL",
                offset,
            );
            param(
                &mut p,
                "OsAlarm/OsAlarmAutostart/OsAlarmCycleTime",
                "NUMERICAL",
                cycle,
            );
            container(
                &mut subs,
                "Autostart",
                "OsAlarm/OsAlarmAutostart",
                &p,
                "",
                "",
            );
        }
        for (i, app) in ecu.apps.iter().enumerate() {
            if i != a.app && i < 64 && a.access & (1u64 << i) != 0 {
                reference(&mut r, "OsAlarm/OsAlarmAccessingApplication", &app.name);
            }
        }
        container(&mut c, &a.name, "OsAlarm", "", &r, &subs);
    }
    module(root, "Os", &c);
}

/// PduR routing paths, and the EcuC PDU collection their references point at (the model
/// knows PDUs by name only).
fn pdu_routes(ecu: &Ecu, root: &mut Pkg) {
    let routes = &ecu.network.pdu_routes;
    let mut pdus: Vec<&str> = Vec::new();
    for r in routes {
        for p in std::iter::once(&r.source).chain(&r.destinations) {
            if !pdus.contains(&p.as_str()) {
                pdus.push(p);
            }
        }
    }
    let mut collection = String::new();
    for p in &pdus {
        container_in(
            &mut collection,
            "EcuC",
            p,
            "EcucPduCollection/Pdu",
            "",
            "",
            "",
        );
    }
    let mut c = String::new();
    container_in(
        &mut c,
        "EcuC",
        "Pdus",
        "EcucPduCollection",
        "",
        "",
        &collection,
    );
    module(root, "EcuC", &c);
    let pdu_path = |p: &str| format!("/EcucValues/EcuC/Pdus/{p}");
    const PATH: &str = "PduRRoutingPaths/PduRRoutingPath";
    let mut paths = String::new();
    for r in routes {
        let mut subs = String::new();
        let mut refs = String::new();
        reference_to(
            &mut refs,
            "PduR",
            &format!("{PATH}/PduRSrcPdu/PduRSrcPduRef"),
            &pdu_path(&r.source),
        );
        container_in(
            &mut subs,
            "PduR",
            "Src",
            &format!("{PATH}/PduRSrcPdu"),
            "",
            &refs,
            "",
        );
        for (i, d) in r.destinations.iter().enumerate() {
            let mut refs = String::new();
            reference_to(
                &mut refs,
                "PduR",
                &format!("{PATH}/PduRDestPdu/PduRDestPduRef"),
                &pdu_path(d),
            );
            container_in(
                &mut subs,
                "PduR",
                &format!("Dest{i}"),
                &format!("{PATH}/PduRDestPdu"),
                "",
                &refs,
                "",
            );
        }
        container_in(&mut paths, "PduR", &r.name, PATH, "", "", &subs);
    }
    let mut c = String::new();
    container_in(
        &mut c,
        "PduR",
        "RoutingPaths",
        "PduRRoutingPaths",
        "",
        "",
        &paths,
    );
    module(root, "PduR", &c);
}
