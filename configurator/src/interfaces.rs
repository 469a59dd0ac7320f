//! Port interfaces: client-server (operations and their arguments) and sender-receiver (data
//! elements), read from ARXML.

use ecu_arxml::{Arxml, NodeId};
use serde::Serialize;

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum InterfaceKind {
    ClientServer,
    SenderReceiver,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Interface {
    pub name: String,
    /// Absolute SHORT-NAME path (`/Interfaces/Diag`).
    pub path: String,
    pub kind: InterfaceKind,
    pub operations: Vec<Operation>,
    pub data_elements: Vec<DataElement>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Operation {
    pub name: String,
    pub arguments: Vec<Argument>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    In,
    Out,
    InOut,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Argument {
    pub name: String,
    pub direction: Direction,
    /// The data type's path as written in TYPE-TREF, if any.
    pub type_ref: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DataElement {
    pub name: String,
    pub type_ref: Option<String>,
}

fn name(a: &Arxml, n: NodeId) -> String {
    a.short_name(n).unwrap_or("").to_owned()
}

fn type_ref(a: &Arxml, n: NodeId) -> Option<String> {
    a.child_text(n, "TYPE-TREF").map(str::to_owned)
}

/// Every port interface in the loaded files, in document order.
pub fn extract(a: &Arxml) -> Vec<Interface> {
    let mut out = Vec::new();
    let mut all: Vec<NodeId> = a
        .elements_by_tag("CLIENT-SERVER-INTERFACE")
        .chain(a.elements_by_tag("SENDER-RECEIVER-INTERFACE"))
        .collect();
    all.sort();
    for i in all {
        let kind = if a.tag(i) == "CLIENT-SERVER-INTERFACE" {
            InterfaceKind::ClientServer
        } else {
            InterfaceKind::SenderReceiver
        };
        let mut operations = Vec::new();
        let mut data_elements = Vec::new();
        if let Some(ops) = a.child(i, "OPERATIONS") {
            for op in a.children_by_tag(ops, "CLIENT-SERVER-OPERATION") {
                let arguments = a
                    .child(op, "ARGUMENTS")
                    .map(|args| {
                        a.children_by_tag(args, "ARGUMENT-DATA-PROTOTYPE")
                            .map(|arg| Argument {
                                name: name(a, arg),
                                direction: match a.child_text(arg, "DIRECTION") {
                                    Some("OUT") => Direction::Out,
                                    Some("INOUT") => Direction::InOut,
                                    _ => Direction::In,
                                },
                                type_ref: type_ref(a, arg),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                operations.push(Operation {
                    name: name(a, op),
                    arguments,
                });
            }
        }
        if let Some(des) = a.child(i, "DATA-ELEMENTS") {
            for de in a.children(des) {
                data_elements.push(DataElement {
                    name: name(a, de),
                    type_ref: type_ref(a, de),
                });
            }
        }
        out.push(Interface {
            name: name(a, i),
            path: a.path(i).unwrap_or_default(),
            kind,
            operations,
            data_elements,
        });
    }
    out
}
