//! Hostile input: random requests never panic and are denied unless the policy allows them;
//! floods fill the audit ring and the overflow is counted; corrupt tables do not panic.

mod common;

use ecu_policy::{
    Action, AuditRecord, Engine, Entry, InterfaceEntry, KeyEntry, OwnedStorage, Request, Tables,
    Verdict,
};
use proptest::prelude::*;

/// Every (caller, action, interface, operation) some rule of the example policy can allow,
/// by hand (partition, interface and operation indices of `common::system()`).
fn may_allow(r: &Request) -> bool {
    let (p, a, i, o) = (r.caller, r.action, r.interface, r.operation);
    const PT: u8 = 0;
    const CO: u8 = 1;
    const DI: u8 = 2;
    const GW: u8 = 3;
    use Action::*;
    matches!(
        (p, a, i, o),
        (PT, Call, 2, 0)
            | (PT, Call, 3, 0)
            | (PT, Transmit, 4, 0)
            | (CO, Call, 2, 0)
            | (CO, Call, 3, 1)
            | (DI, Call, 0, _)
            | (DI, Call, 1, _)
            | (DI, Call, 3, 1)
            | (GW, Call, 1, 0)
            | (GW, Call, 1, 1)
            | (GW, Call, 3, 1)
            | (GW, Transmit, 4, 2)
            | (GW, Receive, 4, _)
    )
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        Just(Action::Call),
        Just(Action::Send),
        Just(Action::Receive),
        Just(Action::Transmit)
    ]
}

fn request() -> impl Strategy<Value = Request> {
    (
        prop_oneof![0u8..6, any::<u8>()],
        action(),
        prop_oneof![0u16..6, any::<u16>()],
        prop_oneof![0u16..4, any::<u16>()],
        prop_oneof![
            prop::array::uniform4(0u32..4),
            prop::array::uniform4(any::<u32>()),
            Just([1, 0, 0, 0]),
            Just([3, 0, 0, 0]),
            Just([2, 0, 0, 0]),
            Just([0x0800_0000, 16, 0, 0]),
        ],
        prop_oneof![0u16..3, any::<u16>()],
    )
        .prop_map(
            |(caller, action, interface, operation, args, handle)| Request {
                caller,
                action,
                interface,
                operation,
                args,
                handle,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_sequences_never_panic_and_deny_unless_allowed(
        seq in prop::collection::vec((request(), 0u64..3000), 1..200)
    ) {
        let c = common::compiled();
        let mut st = OwnedStorage::for_tables(&c.tables(), 32);
        let mut e = Engine::new(c.tables(), st.state()).unwrap();
        let mut now = 0u64;
        let mut denials = 0u64;
        let mut drained = 0u64;
        for (r, dt) in seq {
            now += dt;
            match e.verdict(&r, now) {
                Verdict::Allow => prop_assert!(may_allow(&r), "allowed {r:?}"),
                Verdict::Deny { .. } => denials += 1,
            }
            if now & 7 == 7 {
                drained += e.audit_drain(&mut [AuditRecord::EMPTY; 8]) as u64;
            }
        }
        // Every denial is in the ring, drained, or counted as lost.
        prop_assert_eq!(e.audit_len() as u64 + drained + e.audit_lost() as u64, denials);
        let per_rule: u64 = (0..c.rules_len()).map(|r| e.deny_count(r as u16) as u64).sum();
        prop_assert_eq!(per_rule + e.default_denies() as u64 + e.malformed_denies() as u64, denials);
    }

    #[test]
    fn corrupt_tables_never_panic(
        start in any::<u32>(), len in any::<u16>(), field in any::<u8>(), slot in any::<u16>(),
        flags in any::<u16>(), forbidden in any::<u64>(), lo in any::<u32>(),
        r in request(), now in any::<u64>()
    ) {
        let entries = [Entry {
            flags,
            slot,
            event: slot,
            states_forbidden: forbidden,
            arg_lo: [lo; 4],
            arg_span: [start; 4],
            set_field: field,
            set_mask: lo,
            window_machine: field,
            then_machine: field,
            then_state: field,
            ..Entry::PLAIN
        }];
        let keys = [KeyEntry { start: start % 2, len, mark: slot }; 64];
        let t = Tables {
            partitions: 4,
            interfaces: &[InterfaceEntry { first_object: 0, operations: 4 }, InterfaceEntry { first_object: u32::MAX, operations: 9 }],
            objects: 4,
            keys: &keys,
            entries: &entries,
            machines: &[ecu_policy::MachineEntry { states: 70, initial: 65, offset: field }],
            cap_ranges: &[ecu_policy::CapRange { start: u32::MAX, len: u16::MAX }],
            capabilities: &[],
            rules: &[],
            can_buses: 3,
            can_ids: &[],
            max_entries_per_key: 8,
            temporal_slots: 0,
            event_slots: 0,
        };
        let mut st = OwnedStorage::for_tables(&t, 2);
        let mut e = Engine::new(t, st.state()).unwrap();
        for k in 0..4 {
            let _ = e.verdict(&r, now.wrapping_add(k));
        }
        let _ = t.can_operation(field as usize % 4, start);
    }
}

#[test]
fn flood_fills_ring_and_counts_overflow() {
    let c = common::compiled();
    let mut st = OwnedStorage::for_tables(&c.tables(), 64);
    let mut e = Engine::new(c.tables(), st.state()).unwrap();
    // A flood of forged calls to Flash.Erase from Comfort (no rule: default deny).
    let forged = Request::call(1, 0, 0).with_handle(0);
    for t in 0..10_000u64 {
        assert!(!e.verdict(&forged, t).is_allow());
    }
    assert_eq!(e.default_denies(), 10_000);
    assert_eq!(e.audit_len(), 64);
    assert_eq!(e.audit_lost(), 10_000 - 64);
    // The ring kept the oldest records, in order.
    let mut out = [AuditRecord::EMPTY; 100];
    assert_eq!(e.audit_drain(&mut out), 64);
    assert!(out[..64]
        .iter()
        .enumerate()
        .all(|(i, r)| r.time == i as u64 && r.caller == 1));
    assert_eq!(e.take_audit_lost(), 9936);
    assert_eq!(e.audit_lost(), 0);
    // Room again: the next denial is recorded.
    let _ = e.verdict(&forged, 20_000);
    assert_eq!(e.audit_pop().map(|r| r.time), Some(20_000));
    // Malformed requests are counted apart.
    let _ = e.verdict(&Request::call(200, 9999, 0), 1);
    assert_eq!(e.malformed_denies(), 1);
}

#[test]
fn zero_capacity_ring_counts_everything_as_lost() {
    let c = common::compiled();
    let mut st = OwnedStorage::for_tables(&c.tables(), 0);
    let mut e = Engine::new(c.tables(), st.state()).unwrap();
    for t in 0..5 {
        let _ = e.verdict(&Request::call(1, 0, 0), t);
    }
    assert_eq!((e.audit_len(), e.audit_lost()), (0, 5));
    assert!(e.audit_pop().is_none());
}
