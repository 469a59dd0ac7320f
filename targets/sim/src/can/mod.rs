//! Simulated CAN: buses with arbitration and exact frame timing, scripted peers, fault
//! injection, and traces (candump, pcap). Library level: the gateway and the permission table
//! of `ecu-com` plug in through [`gateway::GatewayNode`]; the kernel does not take part yet.

pub mod bits;
pub mod bus;
pub mod ecu;
pub mod gateway;
pub mod trace;

#[cfg(test)]
mod scenarios;
#[cfg(test)]
mod tests;

pub use bits::Stuffing;
pub use bus::{BusConfig, Event, Network, NodeId, Received, SimRng, TraceEntry};
