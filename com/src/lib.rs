//! CAN communication: frames, signals, the CAN interface layer, the gateway and per-partition
//! permissions.
//!
//! Everything here is `no_std` without heap: the kernel and the Cortex-R images link it, and
//! every table it reads is generated at build time (`&'static` slices). Host-only pieces (the
//! route-table builder and its loop/conflict validator) sit behind the `std` feature.
//!
//! | module | what |
//! |---|---|
//! | [`frame`] | [`CanId`], classic [`CanFrame`] (an [`embedded_can::Frame`]), [`FdFrame`], DLC mapping, arbitration order |
//! | [`signal`] | signal packing/unpacking by layout (Intel / Motorola, DBC start-bit numbering) |
//! | [`filter`] | [`IdFilter`] (id/mask) and hardware acceptance filters computed from wanted ids |
//! | [`txqueue`] | transmit queue by identifier priority, fixed capacity, counted overflow |
//! | [`fifo`] | first-in first-out queue of fixed capacity (release order, a wire) |
//! | [`errors`] | controller error states (TEC/REC, passive, bus-off, recovery) |
//! | [`gateway`] | static route table with O(1) exact lookup, per-route checks and counters |
//! | [`permission`] | which partition may send / receive which ids on which bus |
#![cfg_attr(not(any(test, feature = "std")), no_std)]

#[cfg(feature = "std")]
extern crate std;

pub mod errors;
pub mod fifo;
pub mod filter;
pub mod frame;
pub mod gateway;
pub mod permission;
pub mod signal;
pub mod txqueue;

pub use embedded_can;
pub use filter::IdFilter;
pub use frame::{AnyFrame, BusId, CanFrame, CanId, FdFrame};
