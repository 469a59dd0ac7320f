//! Every compile diagnostic, with its exact location.

mod common;

use ecu_policy::compiler::{compile, Options};

/// The `file:line:col: error: message` lines of a failed compile.
fn errors(src: &str) -> Vec<String> {
    errors_with(src, &Options::default())
}

fn errors_with(src: &str, options: &Options) -> Vec<String> {
    match compile(&common::system(), "t.policy", src, options) {
        Ok(_) => panic!("compiled, expected errors:\n{src}"),
        Err(d) => {
            d.0.iter()
                .map(|d| format!("{}:{}:{}: error: {}", d.file, d.line, d.col, d.message))
                .collect()
        }
    }
}

fn hint(src: &str) -> String {
    compile(&common::system(), "t.policy", src, &Options::default())
        .unwrap_err()
        .0[0]
        .hint
        .clone()
}

#[test]
fn display_has_location_and_hint() {
    let d = compile(
        &common::system(),
        "t.policy",
        "allow Dig call Flash.Erase;",
        &Options::default(),
    )
    .unwrap_err();
    assert_eq!(
        d.to_string(),
        "t.policy:1:7: error: unknown partition `Dig`\n  hint: did you mean `Diag`?\n"
    );
}

#[test]
fn unknown_partition() {
    assert_eq!(
        errors("# x\nallow Diag call Vehicle.Speed;\nallow Infotainment call Vehicle.Speed;\n"),
        ["t.policy:3:7: error: unknown partition `Infotainment`"]
    );
    assert_eq!(
        hint("allow Infotainment call Vehicle.Speed;"),
        "known: Powertrain, Comfort, Diag, Gateway"
    );
}

#[test]
fn unknown_interface_and_operation() {
    assert_eq!(
        errors("allow Diag call Flsh.Erase;\nallow Diag call Flash.Erse;\n"),
        [
            "t.policy:1:17: error: unknown interface or CAN bus `Flsh`",
            "t.policy:2:23: error: unknown operation of `Flash` `Erse`",
        ]
    );
    assert_eq!(
        errors("\n\n  allow Diag transmit Body.0x123;"),
        ["t.policy:3:28: error: unknown CAN identifier `0x123` on `Body`"]
    );
}

#[test]
fn unknown_argument_field() {
    assert_eq!(
        errors("allow Comfort call Lights.Set(lvl in 0..=10);"),
        ["t.policy:1:31: error: unknown argument field of `Lights.Set` `lvl`"]
    );
}

#[test]
fn out_of_type_values() {
    assert_eq!(
        errors(concat!(
            "allow Comfort call Lights.Set(level = 300);\n",
            "allow Diag call Diagnostics.StartSession(session = boot);\n",
            "allow Comfort call Lights.Set(level in 10..=256);\n",
            "allow Diag call Flash.Write(addr = -1);\n",
        )),
        [
            "t.policy:1:39: error: value `300` is outside the type of field `level`: u8 (0..=255)",
            "t.policy:2:52: error: value `boot` is outside the type of field `session`: enum (default, programming, extended)",
            "t.policy:3:45: error: value `256` is outside the type of field `level`: u8 (0..=255)",
            "t.policy:4:36: error: value `-1` is outside the type of field `addr`: u32 (0..=4294967295)",
        ]
    );
}

#[test]
fn unknown_machine_and_state() {
    assert_eq!(
        errors("machine Session = default, extended;\nallow Diag call Vehicle.Speed when Sesion = default;\nallow Diag call Vehicle.Speed when Session = boot;\n"),
        [
            "t.policy:2:36: error: unknown state machine `Sesion`",
            "t.policy:3:46: error: unknown state of `Session` `boot`",
        ]
    );
}

#[test]
fn unreachable_state_and_rule_conditioned_on_it() {
    let src = concat!(
        "machine Session = default, extended, programming;\n",
        "allow Diag call Diagnostics.StartSession(session = extended) when Session = default then Session = extended;\n",
        "allow Diag call Flash.Erase when Session = programming;\n",
    );
    assert_eq!(
        errors(src),
        [
            "t.policy:1:38: error: state `programming` of `Session` is unreachable from the initial state `default`",
            "t.policy:3:1: error: rule can never fire: it needs `Session` in [programming], which no transition reaches",
        ]
    );
    // A transition out of an unreachable state does not make its target reachable.
    let chain = concat!(
        "machine M = a, b, c;\n",
        "allow Diag call Vehicle.Speed when M = b then M = c;\n",
    );
    assert_eq!(
        errors(chain),
        [
            "t.policy:1:16: error: state `b` of `M` is unreachable from the initial state `a`",
            "t.policy:1:19: error: state `c` of `M` is unreachable from the initial state `a`",
            "t.policy:2:1: error: rule can never fire: it needs `M` in [b], which no transition reaches",
        ]
    );
}

#[test]
fn conflicting_allow_and_deny() {
    let src = concat!(
        "allow Comfort call Lights.Set(level in 0..=100);\n",
        "deny Comfort call Lights.Set(level in 90..=255);\n",
        "deny Comfort call Lights.Set(level in 101..=255);   # disjoint: fine\n",
    );
    assert_eq!(
        errors(src),
        ["t.policy:2:1: error: conflicting rules: this deny overlaps the allow at line 1 (Comfort call Lights.Set)"]
    );
    // Through a role, and disjoint states do not conflict.
    let roles = concat!(
        "machine V = parked, driving;\n",
        "role R = Comfort, Diag;\n",
        "allow Powertrain call Vehicle.SetMode(mode = driving) then V = driving;\n",
        "allow role R call Vehicle.Speed when V = parked;\n",
        "deny Diag call Vehicle.Speed when V = driving;\n",
        "deny Diag call Vehicle.Speed;\n",
    );
    assert_eq!(errors(roles), ["t.policy:6:1: error: conflicting rules: this deny overlaps the allow at line 4 (Diag call Vehicle.Speed)"]);
}

#[test]
fn rules_that_can_never_fire() {
    assert_eq!(
        errors(concat!(
            "allow Comfort call Lights.Set(level in 300..=400);\n",
            "allow Comfort call Lights.Set(level in 50..=10);\n",
            "allow Powertrain call Flash.Erase with handle;\n",
        )),
        [
            "t.policy:1:40: error: rule can never fire: the range 300..=400 of `level` lies outside its type u8 (0..=255)",
            "t.policy:2:40: error: rule can never fire: the range 50..=10 of `level` is empty",
            "t.policy:3:35: error: rule can never fire: Powertrain holds no handle to `Flash`",
        ]
    );
    // Checked once names resolve: a prerequisite the caller is never allowed.
    assert_eq!(
        errors("allow Diag call Vehicle.Speed;\n\nallow Comfort call Flash.Write after Flash.Erase;\n"),
        ["t.policy:3:1: error: rule can never fire: its `after`/`within` prerequisite operation is never allowed to its caller"]
    );
    assert_eq!(
        hint("allow Powertrain call Flash.Erase with handle;"),
        "add `grant Powertrain: Flash;`"
    );
}

#[test]
fn per_key_cap_is_enforced_and_reported() {
    let src = "allow Comfort call Vehicle.Speed;\n".repeat(3);
    let options = Options {
        max_entries_per_key: 2,
        ..Options::default()
    };
    assert_eq!(
        errors_with(&src, &options),
        ["t.policy:3:1: error: too many rules for `Comfort call Vehicle.Speed`: 3 exceed the per-key cap of 2"]
    );
}

#[test]
fn syntax_errors_are_located_and_all_reported() {
    assert_eq!(
        errors("allow Diag call Flash.Erase\nallow Diag call Vehicle.Speed;\nmachine = a;\nallow Diag fly Vehicle.Speed;\n"),
        [
            "t.policy:2:1: error: expected `;` or a clause (`when`, `with handle`, `rate`, `min_interval`, `within`, `after`, `then`), found `allow`",
            "t.policy:3:9: error: expected a state machine name, found `=`",
            "t.policy:4:12: error: expected `call`, `send`, `receive` or `transmit`, found `fly`",
        ]
    );
    assert_eq!(
        errors("allow Diag call Vehicle.Speed; $"),
        ["t.policy:1:32: error: unexpected character `$`"]
    );
}

#[test]
fn misuse_of_clauses() {
    assert_eq!(
        errors(concat!(
            "deny Gateway call Lights.Set rate 1 per 10;\n",
            "allow Diag call Flash.* (x = 1);\n",
            "allow Diag transmit Vehicle.Speed;\n",
            "allow Diag call Vehicle.Speed rate 1 per 0;\n",
        )),
        [
            "t.policy:1:30: error: `rate` is not allowed on a deny rule",
            "t.policy:2:23: error: argument conditions need one operation, not `*`",
            "t.policy:3:12: error: `transmit` does not apply to interface `Vehicle`",
            "t.policy:4:31: error: rate window of 0 ticks",
        ]
    );
}

#[test]
fn example_policy_compiles_cleanly() {
    common::compiled();
}
