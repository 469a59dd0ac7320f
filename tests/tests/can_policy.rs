//! CAN transmissions under the policy engine, end to end on the simulation: the scenario
//! tests/fixtures/can_gateway/policy.toml (with can.policy) runs, and the assertions read
//! what the buses carried. The trusted Chassis partition reports every audit record as a
//! frame 0x0F2 on powertrain, so the audit ring is checked from the bus trace too.

use std::sync::OnceLock;

use ecu_tests::can::{run_scenario, CanRun, Frame};

const RUN_MS: u64 = 250;
/// `ecu_policy::Action::Transmit` and the `ecu_policy::Reason`s these scenarios expect.
const TRANSMIT: u8 = 3;
const DENIED: u8 = 2;
const WRONG_STATE: u8 = 4;
const RATE_LIMITED: u8 = 6;
/// Infotainment is the second OS-Application.
const INFOTAINMENT: u8 = 1;

fn run() -> &'static CanRun {
    static RUN: OnceLock<CanRun> = OnceLock::new();
    RUN.get_or_init(|| run_scenario("policy.toml", RUN_MS, 0))
}

/// The index the policy compiler gives the rule on the line containing `needle`: rules are
/// numbered in source order.
fn rule(needle: &str) -> u16 {
    let text = std::fs::read_to_string(
        ecu_tests::repo_root().join("tests/fixtures/can_gateway/can.policy"),
    )
    .unwrap();
    let rules: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("allow ") || l.starts_with("deny "))
        .collect();
    rules
        .iter()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no rule with {needle}")) as u16
}

/// An audit record as Chassis reported it.
#[derive(Debug, PartialEq, Eq)]
struct Audit {
    time_us: u64,
    caller: u8,
    action: u8,
    reason: u8,
    rule: u16,
}

fn audits(run: &CanRun) -> Vec<Audit> {
    run.bus("powertrain")
        .iter()
        .filter(|f| f.id == 0x0F2)
        .map(|f| Audit {
            time_us: f.time_us,
            caller: f.data[0],
            action: f.data[1],
            reason: f.data[2],
            rule: u16::from_le_bytes([f.data[3], f.data[4]]),
        })
        .collect()
}

fn frames(run: &CanRun, bus: &str, id: u32) -> Vec<Frame> {
    run.bus(bus)
        .iter()
        .filter(|f| !f.error && f.id == id)
        .cloned()
        .collect()
}

/// Infotainment runs at 7 ms and then every 20 ms.
fn infotain_activations() -> u64 {
    (RUN_MS - 7).div_ceil(20)
}

#[test]
fn a_transmission_the_policy_denies_never_reaches_a_bus_and_is_audited_with_its_rule() {
    let run = run();
    assert!(frames(run, "body", 0x412).is_empty());
    for bus in ["powertrain", "diag"] {
        assert!(frames(run, bus, 0x412).is_empty(), "{bus}");
    }
    let deny = rule("0x412");
    let denied: Vec<Audit> = audits(run)
        .into_iter()
        .filter(|a| a.reason == DENIED)
        .collect();
    // Chassis drains the ring every 10 ms: every attempt but possibly the last is reported.
    assert!(
        denied.len() as u64 >= infotain_activations() - 1,
        "{denied:?}"
    );
    for a in &denied {
        assert_eq!((a.caller, a.action, a.rule), (INFOTAINMENT, TRANSMIT, deny));
    }
    // The grant-derived rule lets the partition's plain id through.
    assert_eq!(
        frames(run, "body", 0x410).len() as u64,
        infotain_activations()
    );
}

#[test]
fn a_rate_limited_id_drops_the_frames_past_its_rate() {
    let run = run();
    let sent = frames(run, "body", 0x411);
    // A burst of five per activation, two per 10 ms admitted: payloads 0 and 1 only.
    assert_eq!(sent.len() as u64, 2 * infotain_activations());
    assert!(
        sent.iter().all(|f| f.data == [0] || f.data == [1]),
        "{sent:?}"
    );
    let limit = rule("0x411");
    let limited = audits(run)
        .into_iter()
        .filter(|a| a.reason == RATE_LIMITED)
        .inspect(|a| {
            assert_eq!(
                (a.caller, a.action, a.rule),
                (INFOTAINMENT, TRANSMIT, limit)
            )
        })
        .count() as u64;
    assert!(limited >= 3 * (infotain_activations() - 1), "{limited}");
}

#[test]
fn a_diagnostic_id_is_refused_before_the_session_opens_and_accepted_after() {
    let run = run();
    let session = frames(run, "powertrain", 0x0F1);
    assert_eq!(session.len(), 1, "Chassis opens the session once");
    let opened = session[0].time_us;
    let answers = frames(run, "diag", 0x7E9);
    // Infotainment at 7 and 27 ms is refused; from 47 ms on each activation answers.
    assert!(answers.iter().all(|f| f.time_us > opened), "{answers:?}");
    let after = (RUN_MS - 47).div_ceil(20);
    assert_eq!(answers.len() as u64, after);
    let gated = rule("0x7E9");
    let wrong_state: Vec<Audit> = audits(run)
        .into_iter()
        .filter(|a| a.reason == WRONG_STATE)
        .collect();
    assert_eq!(wrong_state.len(), 2, "{wrong_state:?}");
    for a in &wrong_state {
        assert_eq!(
            (a.caller, a.action, a.rule),
            (INFOTAINMENT, TRANSMIT, gated)
        );
        assert!(a.time_us < opened);
    }
}
