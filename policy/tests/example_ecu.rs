//! The example ECU: an exhaustive matrix test against an independent expectation table, and
//! one scenario per security model.

mod common;

use common::{compiled, DEFAULT, EXTENDED, PROGRAMMING};
use ecu_policy::compiler::Compiled;
use ecu_policy::{Action, Engine, OwnedStorage, Reason, Request, Verdict, NO_HANDLE};

fn req(c: &Compiled, caller: &str, iface: &str, op: &str) -> Request {
    let (i, o) = c.operation(iface, op).expect("known operation");
    Request::call(c.partition(caller).expect("known partition"), i, o)
}

fn deny_reason(v: Verdict) -> Option<Reason> {
    match v {
        Verdict::Allow => None,
        Verdict::Deny { reason, .. } => Some(reason),
    }
}

/// Drives the session to programming (Diag, through extended) at ticks 10 and 20.
fn enter_programming(e: &mut Engine<'_, '_>, c: &Compiled) {
    let start = req(c, "Diag", "Diagnostics", "StartSession");
    assert_eq!(
        e.verdict(&start.with_args([EXTENDED, 0, 0, 0]), 10),
        Verdict::Allow
    );
    assert_eq!(
        e.verdict(&start.with_args([PROGRAMMING, 0, 0, 0]), 20),
        Verdict::Allow
    );
    assert_eq!(e.machine(c.machine("Session").unwrap()).unwrap().state, 2);
}

// ---------------------------------------------------------------------------------------
// (a) exhaustive

/// Arguments that satisfy the example rules' argument conditions, written independently of
/// the policy's compiled tables.
fn good_args(iface: &str, op: &str) -> [u32; 4] {
    match (iface, op) {
        ("Flash", "Write") => [0x0800_0000, 16, 0, 0],
        ("Diagnostics", "StartSession") => [DEFAULT, 0, 0, 0],
        ("Lights", "Set") => [20, 0, 0, 0],
        ("Vehicle", "SetMode") => [1, 0, 0, 0], // driving
        _ => [0; 4],
    }
}

/// The handle each partition holds for an interface (the `grant` lines), by hand.
fn handle(caller: &str, iface: &str) -> u16 {
    match (caller, iface) {
        ("Diag", "Flash") => 0,
        ("Diag", "Diagnostics") => 1,
        ("Comfort", "Lights") => 0,
        _ => NO_HANDLE,
    }
}

/// Expected allows, fresh engine (Session = default, Vehicle = parked).
const EXPECT_FRESH: &[(&str, &str, &str, &str)] = &[
    ("Powertrain", "call", "Lights", "Set"),
    ("Powertrain", "call", "Vehicle", "SetMode"),
    ("Powertrain", "transmit", "Body", "0x100"),
    ("Comfort", "call", "Lights", "Set"),
    ("Comfort", "call", "Vehicle", "Speed"),
    ("Diag", "call", "Diagnostics", "StartSession"),
    ("Diag", "call", "Diagnostics", "ReadDtc"),
    ("Diag", "call", "Vehicle", "Speed"),
    ("Gateway", "call", "Diagnostics", "StartSession"),
    ("Gateway", "call", "Diagnostics", "ReadDtc"),
    ("Gateway", "call", "Vehicle", "Speed"),
    ("Gateway", "transmit", "Body", "0x7df"),
    ("Gateway", "receive", "Body", "0x100"),
    ("Gateway", "receive", "Body", "0x200"),
    ("Gateway", "receive", "Body", "0x7df"),
];

/// Additional allows once Diag entered programming and erased the flash.
const EXPECT_PROGRAMMING_EXTRA: &[(&str, &str, &str, &str)] = &[
    ("Diag", "call", "Diagnostics", "ClearDtc"),
    ("Diag", "call", "Flash", "Erase"),
    ("Diag", "call", "Flash", "Write"),
];

fn exhaustive(programming: bool, expected: &[(&str, &str, &str, &str)]) {
    let c = compiled();
    let mut tried = 0;
    let mut allowed = 0;
    for caller in &c.partitions {
        for (ii, iface) in c.interfaces.iter().enumerate() {
            for op in &c.operations[ii] {
                for (action, name) in [
                    (Action::Call, "call"),
                    (Action::Send, "send"),
                    (Action::Receive, "receive"),
                    (Action::Transmit, "transmit"),
                ] {
                    let mut st = OwnedStorage::for_tables(&c.tables(), 16);
                    let mut e = Engine::new(c.tables(), st.state()).unwrap();
                    if programming {
                        enter_programming(&mut e, &c);
                        let erase = req(&c, "Diag", "Flash", "Erase").with_handle(0);
                        assert_eq!(e.verdict(&erase, 30), Verdict::Allow);
                    }
                    let before = e.audit_len();
                    let r = req(&c, caller, iface, op)
                        .with_action(action)
                        .with_args(good_args(iface, op))
                        .with_handle(handle(caller, iface));
                    let v = e.verdict(&r, 100);
                    let want =
                        expected.contains(&(caller.as_str(), name, iface.as_str(), op.as_str()));
                    tried += 1;
                    assert_eq!(v.is_allow(), want, "{caller} {name} {iface}.{op}: {v:?}");
                    if want {
                        allowed += 1;
                        assert_eq!(e.audit_len(), before);
                    } else {
                        assert_eq!(e.audit_len(), before + 1, "denial not audited");
                        let rec = e.audit_drain(&mut [ecu_policy::AuditRecord::EMPTY; 16]);
                        assert!(rec > 0);
                    }
                }
            }
        }
    }
    // 4 partitions × (2 + 3 + 1 + 2 operations + 3 CAN ids) × 4 actions.
    assert_eq!(tried, 4 * 11 * 4);
    assert_eq!(allowed, expected.len());
}

#[test]
fn exhaustive_fresh() {
    exhaustive(false, EXPECT_FRESH);
}

#[test]
fn exhaustive_programming() {
    let mut all: Vec<_> = EXPECT_FRESH.to_vec();
    all.extend_from_slice(EXPECT_PROGRAMMING_EXTRA);
    exhaustive(true, &all);
}

#[test]
fn last_denial_is_audited_with_its_fields() {
    let c = compiled();
    let mut st = OwnedStorage::for_tables(&c.tables(), 8);
    let mut e = Engine::new(c.tables(), st.state()).unwrap();
    let r = req(&c, "Comfort", "Flash", "Erase");
    assert_eq!(
        e.verdict(&r, 77),
        Verdict::Deny {
            reason: Reason::NoRule,
            rule: None
        }
    );
    let rec = e.audit_pop().unwrap();
    assert_eq!(
        (rec.time, rec.caller, rec.interface, rec.operation),
        (77, 1, 0, 0)
    );
    assert_eq!(rec.reason, Reason::NoRule);
    assert_eq!(e.default_denies(), 1);
    assert!(e.audit_pop().is_none());
}

// ---------------------------------------------------------------------------------------
// (b) scenarios per model

#[test]
fn state_machine_flash_write_only_in_programming_reached_in_order() {
    let c = compiled();
    let mut st = OwnedStorage::for_tables(&c.tables(), 64);
    let mut e = Engine::new(c.tables(), st.state()).unwrap();
    let start = req(&c, "Diag", "Diagnostics", "StartSession");
    let erase = req(&c, "Diag", "Flash", "Erase").with_handle(0);
    let write = req(&c, "Diag", "Flash", "Write")
        .with_handle(0)
        .with_args([0x0800_0100, 64, 0, 0]);

    // default: no flash access; programming cannot be entered directly.
    assert_eq!(deny_reason(e.verdict(&erase, 1)), Some(Reason::WrongState));
    assert_eq!(deny_reason(e.verdict(&write, 1)), Some(Reason::WrongState));
    assert_eq!(
        e.verdict(&start.with_args([PROGRAMMING, 0, 0, 0]), 2),
        Verdict::Deny {
            reason: Reason::WrongState,
            rule: c.rule_at_line(15)
        }
    );
    assert_eq!(
        e.machine(0).unwrap().state,
        0,
        "a denied call must not move the machine"
    );
    // default -> extended: still no flash.
    assert!(e
        .verdict(&start.with_args([EXTENDED, 0, 0, 0]), 3)
        .is_allow());
    assert_eq!(deny_reason(e.verdict(&erase, 4)), Some(Reason::WrongState));
    // extended -> programming: erase, then write.
    assert!(e
        .verdict(&start.with_args([PROGRAMMING, 0, 0, 0]), 5)
        .is_allow());
    assert_eq!(
        e.machine(0).unwrap(),
        ecu_policy::MachineState {
            state: 2,
            entered: 5
        }
    );
    assert!(e.verdict(&erase, 6).is_allow());
    assert!(e.verdict(&write, 7).is_allow());
    // back to default: flash closed again.
    assert!(e
        .verdict(&start.with_args([DEFAULT, 0, 0, 0]), 8)
        .is_allow());
    assert_eq!(deny_reason(e.verdict(&write, 9)), Some(Reason::WrongState));
}

#[test]
fn role_per_mode_gateway_and_driving_cannot_enter_programming() {
    let c = compiled();
    let mut st = OwnedStorage::for_tables(&c.tables(), 64);
    let mut e = Engine::new(c.tables(), st.state()).unwrap();
    let gw = req(&c, "Gateway", "Diagnostics", "StartSession");
    assert!(e.verdict(&gw.with_args([EXTENDED, 0, 0, 0]), 1).is_allow());
    // Gateway is a Tester but not a Flasher.
    assert!(!e
        .verdict(&gw.with_args([PROGRAMMING, 0, 0, 0]), 2)
        .is_allow());
    // Diag is a Flasher only while parked.
    let drive = req(&c, "Powertrain", "Vehicle", "SetMode").with_args([1, 0, 0, 0]);
    assert!(e.verdict(&drive, 3).is_allow());
    assert_eq!(e.machine(1).unwrap().state, 1);
    let diag = req(&c, "Diag", "Diagnostics", "StartSession").with_args([PROGRAMMING, 0, 0, 0]);
    assert_eq!(deny_reason(e.verdict(&diag, 4)), Some(Reason::WrongState));
    let park = req(&c, "Powertrain", "Vehicle", "SetMode").with_args([0, 0, 0, 0]);
    assert!(e.verdict(&park, 5).is_allow());
    assert!(e.verdict(&diag, 6).is_allow());
}

#[test]
fn time_window_after_entering_programming() {
    let c = compiled();
    let mut st = OwnedStorage::for_tables(&c.tables(), 64);
    let mut e = Engine::new(c.tables(), st.state()).unwrap();
    enter_programming(&mut e, &c); // entered at 20
    let erase = req(&c, "Diag", "Flash", "Erase").with_handle(0);
    assert_eq!(
        deny_reason(e.verdict(&erase, 20 + 5001)),
        Some(Reason::OutsideWindow)
    );
    assert!(e.verdict(&erase, 20 + 5000).is_allow());
}

#[test]
fn rate_limit_rejects_past_rate_and_accepts_after_window() {
    let c = compiled();
    let mut st = OwnedStorage::for_tables(&c.tables(), 64);
    let mut e = Engine::new(c.tables(), st.state()).unwrap();
    let read = req(&c, "Gateway", "Diagnostics", "ReadDtc");
    let rule = c.rule_at_line(17);
    for t in 0..5 {
        assert!(e.verdict(&read, 100 + t).is_allow());
    }
    assert_eq!(
        e.verdict(&read, 200),
        Verdict::Deny {
            reason: Reason::RateLimited,
            rule
        }
    );
    assert_eq!(
        e.verdict(&read, 1099),
        Verdict::Deny {
            reason: Reason::RateLimited,
            rule
        }
    );
    // Per caller: Diag has its own budget.
    assert!(e
        .verdict(&req(&c, "Diag", "Diagnostics", "ReadDtc"), 300)
        .is_allow());
    // The window began at 100 and lasts 1000 ticks.
    assert!(e.verdict(&read, 1100).is_allow());
    assert_eq!(e.deny_count(rule.unwrap()), 2);
}

#[test]
fn min_interval() {
    let c = compiled();
    let mut st = OwnedStorage::for_tables(&c.tables(), 64);
    let mut e = Engine::new(c.tables(), st.state()).unwrap();
    let set = req(&c, "Powertrain", "Lights", "Set").with_args([5, 0, 0, 0]);
    assert!(e.verdict(&set, 50).is_allow());
    assert_eq!(deny_reason(e.verdict(&set, 59)), Some(Reason::TooSoon));
    assert!(e.verdict(&set, 60).is_allow());
}

#[test]
fn capability_less_partition_cannot_reach_endpoint_by_guessing_handles() {
    let c = compiled();
    let mut st = OwnedStorage::for_tables(&c.tables(), 4);
    let mut e = Engine::new(c.tables(), st.state()).unwrap();
    enter_programming(&mut e, &c);
    let erase = req(&c, "Diag", "Flash", "Erase");
    let set = req(&c, "Comfort", "Lights", "Set").with_args([50, 0, 0, 0]);
    // Every handle value: only Diag's handle 0 names Flash, only Comfort's handle 0 Lights.
    for h in 0..=u16::MAX {
        let want = h == 0;
        assert_eq!(
            e.verdict(&erase.with_handle(h), 30).is_allow(),
            want,
            "Diag handle {h}"
        );
        assert_eq!(
            e.verdict(&set.with_handle(h), 30).is_allow(),
            want,
            "Comfort handle {h}"
        );
        for p in ["Powertrain", "Comfort", "Gateway"] {
            let forged = req(&c, p, "Flash", "Erase").with_handle(h);
            assert!(!e.verdict(&forged, 30).is_allow(), "{p} handle {h}");
        }
    }
    // Diag's handle 1 names Diagnostics, not Flash.
    assert_eq!(
        deny_reason(e.verdict(&erase.with_handle(1), 31)),
        Some(Reason::NoCapability)
    );
    assert!(
        e.audit_lost() > 0,
        "the flood overflowed the 4-entry ring and was counted"
    );
}

#[test]
fn ordering_write_only_after_erase_per_caller() {
    let c = compiled();
    let mut st = OwnedStorage::for_tables(&c.tables(), 64);
    let mut e = Engine::new(c.tables(), st.state()).unwrap();
    enter_programming(&mut e, &c);
    let write = req(&c, "Diag", "Flash", "Write")
        .with_handle(0)
        .with_args([0x0800_0000, 1, 0, 0]);
    assert_eq!(deny_reason(e.verdict(&write, 30)), Some(Reason::OutOfOrder));
    assert!(e
        .verdict(&req(&c, "Diag", "Flash", "Erase").with_handle(0), 31)
        .is_allow());
    assert!(e.verdict(&write, 32).is_allow());
}

#[test]
fn argument_ranges_enums_and_types() {
    let c = compiled();
    let mut st = OwnedStorage::for_tables(&c.tables(), 64);
    let mut e = Engine::new(c.tables(), st.state()).unwrap();
    let comfort = req(&c, "Comfort", "Lights", "Set").with_handle(0);
    assert!(e.verdict(&comfort.with_args([100, 0, 0, 0]), 1).is_allow());
    assert!(e.verdict(&comfort.with_args([0, 0, 0, 0]), 1).is_allow());
    assert_eq!(
        deny_reason(e.verdict(&comfort.with_args([101, 0, 0, 0]), 1)),
        Some(Reason::BadArgument)
    );
    assert_eq!(
        deny_reason(e.verdict(&comfort.with_args([u32::MAX, 0, 0, 0]), 1)),
        Some(Reason::BadArgument)
    );
    let pt = req(&c, "Powertrain", "Lights", "Set");
    assert_eq!(
        deny_reason(e.verdict(&pt.with_args([31, 0, 0, 0]), 100)),
        Some(Reason::BadArgument)
    );
    assert!(e.verdict(&pt.with_args([30, 0, 0, 0]), 100).is_allow());
    // An enum value the type does not have.
    let start = req(&c, "Diag", "Diagnostics", "StartSession");
    assert!(!e.verdict(&start.with_args([7, 0, 0, 0]), 200).is_allow());
    assert!(!e.verdict(&start.with_args([0, 0, 0, 0]), 200).is_allow());
    // Flash.Write: addr and len ranges.
    enter_programming(&mut e, &c);
    assert!(e
        .verdict(&req(&c, "Diag", "Flash", "Erase").with_handle(0), 30)
        .is_allow());
    let write = req(&c, "Diag", "Flash", "Write").with_handle(0);
    for (addr, len, ok) in [
        (0x0800_0000, 1, true),
        (0x080F_FFFF, 256, true),
        (0x07FF_FFFF, 1, false),
        (0x0810_0000, 1, false),
        (0x0800_0000, 0, false),
        (0x0800_0000, 257, false),
        (0x0800_0000, 0x1_0001, false),
    ] {
        assert_eq!(
            e.verdict(&write.with_args([addr, len, 0, 0]), 40)
                .is_allow(),
            ok,
            "{addr:#x} {len}"
        );
    }
}

#[test]
fn explicit_deny_is_counted_against_its_rule() {
    let c = compiled();
    let mut st = OwnedStorage::for_tables(&c.tables(), 64);
    let mut e = Engine::new(c.tables(), st.state()).unwrap();
    let rule = c.rule_at_line(27).unwrap();
    for t in 0..3 {
        let r = req(&c, "Gateway", "Lights", "Set").with_args([1, 0, 0, 0]);
        assert_eq!(
            e.verdict(&r, t),
            Verdict::Deny {
                reason: Reason::Denied,
                rule: Some(rule)
            }
        );
    }
    assert_eq!(e.deny_count(rule), 3);
    assert_eq!(e.default_denies(), 0);
    let rec = e.audit_pop().unwrap();
    assert_eq!((rec.reason, rec.rule), (Reason::Denied, rule));
}

#[test]
fn can_identifiers() {
    let c = compiled();
    let t = c.tables();
    let mut st = OwnedStorage::for_tables(&t, 64);
    let mut e = Engine::new(t, st.state()).unwrap();
    let (bus, id) = t.can_operation(0, 0x7DF).unwrap();
    let tx = Request::call(c.partition("Gateway").unwrap(), bus, id).with_action(Action::Transmit);
    assert!(e.verdict(&tx, 1).is_allow());
    let (bus, id) = t.can_operation(0, 0x200).unwrap();
    let tx = Request::call(c.partition("Gateway").unwrap(), bus, id).with_action(Action::Transmit);
    assert!(!e.verdict(&tx, 1).is_allow());
    assert!(e.verdict(&tx.with_action(Action::Receive), 1).is_allow());
    assert_eq!(t.can_operation(0, 0x123), None);
    assert_eq!(t.can_operation(1, 0x100), None);
}

#[test]
fn can_verdict_maps_raw_ids_and_denies_unlisted_ones_by_default() {
    let c = compiled();
    let t = c.tables();
    let mut st = OwnedStorage::for_tables(&t, 64);
    let mut e = Engine::new(t, st.state()).unwrap();
    let gateway = c.partition("Gateway").unwrap();
    assert!(e
        .can_verdict(gateway, Action::Transmit, 0, 0x7DF, 1)
        .is_allow());
    assert_eq!(
        deny_reason(e.can_verdict(gateway, Action::Transmit, 0, 0x200, 2)),
        Some(Reason::NoRule)
    );
    // Not a policy object at all: default deny, audited with no rule and no operation.
    assert_eq!(
        e.can_verdict(gateway, Action::Transmit, 0, 0x123, 3),
        Verdict::Deny {
            reason: Reason::NoRule,
            rule: None
        }
    );
    assert_eq!(e.default_denies(), 2);
    let _ = e.audit_pop();
    let rec = e.audit_pop().unwrap();
    assert_eq!(
        (rec.action, rec.operation, rec.rule, rec.time),
        (
            Action::Transmit,
            u16::MAX,
            ecu_policy::AuditRecordRule::NONE,
            3
        )
    );
}

#[test]
fn storage_too_small_is_refused() {
    let c = compiled();
    let mut st = ecu_policy::Storage::<0, 0, 0, 0, 0>::new();
    assert!(Engine::new(c.tables(), st.state()).is_err());
}
