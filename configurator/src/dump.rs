//! `ecuconf dump --format json`: the resolved model as JSON.

use serde::Serialize;

use crate::interfaces::Interface;
use crate::model::{Alarm, App, Counter, Ecu, Event, Isr, Resource, Task};
use crate::network::{CanCluster, CanFrame, PduRoute};

#[derive(Serialize)]
struct Dump<'a> {
    name: &'a str,
    sources: &'a [String],
    os_applications: &'a [App],
    tasks: &'a [Task],
    counters: &'a [Counter],
    alarms: &'a [Alarm],
    events: &'a [Event],
    resources: &'a [Resource],
    isrs: &'a [Isr],
    can_clusters: &'a [CanCluster],
    can_frames: &'a [CanFrame],
    pdu_routes: &'a [PduRoute],
    interfaces: &'a [Interface],
}

/// The model as pretty-printed JSON.
pub fn to_json(ecu: &Ecu) -> String {
    let d = Dump {
        name: &ecu.name,
        sources: &ecu.sources,
        os_applications: &ecu.apps,
        tasks: &ecu.tasks,
        counters: &ecu.counters,
        alarms: &ecu.alarms,
        events: &ecu.events,
        resources: &ecu.resources,
        isrs: &ecu.isrs,
        can_clusters: &ecu.network.clusters,
        can_frames: &ecu.network.frames,
        pdu_routes: &ecu.network.pdu_routes,
        interfaces: &ecu.interfaces,
    };
    serde_json::to_string_pretty(&d).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
