//! CAN communication: frames, the CAN interface layer and the gateway.
//!
//! Empty in the walking skeleton: nothing here works yet, and nothing pretends to.
//! See DESIGN.md (`com/`) and the CAN issue for what lands here.
#![no_std]
