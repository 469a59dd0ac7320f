//! ecuconf: ECU descriptions in, checked model and generated static tables out.

pub mod analysis;
pub mod arxml_input;
pub mod can;
pub mod diag;
pub mod dump;
pub mod export;
pub mod generate;
pub mod image;
pub mod interfaces;
pub mod ipc;
pub mod load;
pub mod memory;
pub mod model;
pub mod network;
pub mod report;
pub mod signals;
pub mod trace;

pub use diag::{Diagnostic, Diagnostics};
pub use load::load;
pub use model::Ecu;
