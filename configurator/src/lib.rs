//! ecuconf: ECU descriptions in, checked model and generated static tables out.

pub mod analysis;
pub mod diag;
pub mod generate;
pub mod image;
pub mod load;
pub mod model;
pub mod report;

pub use diag::{Diagnostic, Diagnostics};
pub use load::load;
pub use model::Ecu;
