//! The security verdict engine that rules on every inter-partition call.
//!
//! Empty in the walking skeleton: nothing here works yet, and nothing pretends to.
//! See DESIGN.md (`policy/`) and the policy issue for what lands here.
#![no_std]
