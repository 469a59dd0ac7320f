//! AUTOSAR ARXML reading into a position-keeping tree.
//!
//! Empty in the walking skeleton (the configurator reads TOML only so far): nothing here works
//! yet, and nothing pretends to. See DESIGN.md (`arxml/`) and the ARXML issue.
