#![allow(dead_code)]
//! The example ECU shared by the tests.

use ecu_policy::compiler::{compile, Compiled, Field, FieldType, Operation, Options, System};

pub const POLICY: &str = include_str!("../policies/example.policy");
pub const POLICY_FILE: &str = "tests/policies/example.policy";

pub fn system() -> System {
    System::new(&["Powertrain", "Comfort", "Diag", "Gateway"])
        .interface(
            "Flash",
            vec![
                Operation::new("Erase", vec![]),
                Operation::new(
                    "Write",
                    vec![
                        Field::new("addr", FieldType::U32),
                        Field::new("len", FieldType::U16),
                    ],
                ),
            ],
        )
        .interface(
            "Diagnostics",
            vec![
                Operation::new(
                    "StartSession",
                    vec![Field::new(
                        "session",
                        FieldType::enumeration(&[
                            ("default", 1),
                            ("programming", 2),
                            ("extended", 3),
                        ]),
                    )],
                ),
                Operation::new("ReadDtc", vec![]),
                Operation::new("ClearDtc", vec![]),
            ],
        )
        .interface(
            "Lights",
            vec![Operation::new(
                "Set",
                vec![Field::new("level", FieldType::U8)],
            )],
        )
        .interface(
            "Vehicle",
            vec![
                Operation::new(
                    "SetMode",
                    vec![Field::new(
                        "mode",
                        FieldType::enumeration(&[("parked", 0), ("driving", 1)]),
                    )],
                ),
                Operation::new("Speed", vec![]),
            ],
        )
        .can_bus("Body", &[0x200, 0x100, 0x7DF])
}

pub fn compiled() -> Compiled {
    match compile(&system(), POLICY_FILE, POLICY, &Options::default()) {
        Ok(c) => c,
        Err(e) => panic!("example policy does not compile:\n{e}"),
    }
}

/// Session enum values as the system encodes them.
pub const DEFAULT: u32 = 1;
pub const PROGRAMMING: u32 = 2;
pub const EXTENDED: u32 = 3;
