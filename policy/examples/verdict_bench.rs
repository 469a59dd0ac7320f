//! Verdict cost benchmark: compiles a synthetic policy of N rules, then runs M verdicts of one
//! kind (an allowed call whose rule checks one argument range and one state). Run it under
//! callgrind twice with different M; the instruction difference / ΔM is the cost of one
//! verdict (compile and set-up cancel out). `policy/bench.sh` does exactly that.
//!
//! Usage: verdict_bench RULES ITERATIONS [allow|deny]

use std::hint::black_box;

use ecu_policy::compiler::{compile, Field, FieldType, Operation, Options, System};
use ecu_policy::{Engine, OwnedStorage, Request};

const PARTITIONS: usize = 16;
const OPS_PER_INTERFACE: usize = 16;

/// A system and policy with `rules` rules, one per (partition, operation) key, spread over
/// 16 partitions; every rule has an argument range and a state condition.
fn synthetic(rules: usize) -> (System, String) {
    let names: Vec<String> = (0..PARTITIONS).map(|p| format!("P{p}")).collect();
    let refs: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
    let mut system = System::new(&refs);
    let ops = rules.div_ceil(PARTITIONS);
    let interfaces = ops.div_ceil(OPS_PER_INTERFACE);
    for i in 0..interfaces {
        let ops = (0..OPS_PER_INTERFACE)
            .map(|o| Operation::new(&format!("O{o}"), vec![Field::new("v", FieldType::U8)]))
            .collect();
        system = system.interface(&format!("I{i}"), ops);
    }
    let mut policy = String::from("machine Mode = normal, service;\n");
    policy.push_str("allow P0 call I0.O0(v = 1) then Mode = service;\n");
    policy.push_str("allow P0 call I0.O0(v = 2) then Mode = normal;\n");
    for r in 2..rules {
        let p = r % PARTITIONS;
        let op = r / PARTITIONS;
        policy.push_str(&format!(
            "allow P{p} call I{}.O{}(v in 0..=200) when Mode = normal;\n",
            op / OPS_PER_INTERFACE,
            op % OPS_PER_INTERFACE
        ));
    }
    (system, policy)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rules: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let iterations: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let deny = args.get(3).is_some_and(|a| a == "deny");
    // `baseline`: the same loop around a stand-in that returns a constant verdict, to subtract
    // the harness's own per-iteration instructions.
    let baseline = args.get(3).is_some_and(|a| a == "baseline");
    let (system, policy) = synthetic(rules);
    let options = Options {
        audit_capacity: 64,
        ..Options::default()
    };
    let compiled = match compile(&system, "synthetic.policy", &policy, &options) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let tables = compiled.tables();
    let mut storage = OwnedStorage::for_tables(&tables, 64);
    let mut engine = Engine::new(tables, storage.state()).expect("storage fits");
    // The last rule's key: (P{r%16}, I.., O..), in the middle of the dense table for large N.
    let r = rules - 1;
    let op = r / PARTITIONS;
    let (iface, o) = compiled
        .operation(
            &format!("I{}", op / OPS_PER_INTERFACE),
            &format!("O{}", op % OPS_PER_INTERFACE),
        )
        .expect("operation");
    let caller = (r % PARTITIONS) as u8;
    let request = Request::call(caller, iface, o).with_args([if deny { 201 } else { 7 }, 0, 0, 0]);
    let mut allowed = 0u64;
    for t in 0..iterations {
        let v = if baseline {
            stand_in(black_box(&request), black_box(t))
        } else {
            engine.verdict(black_box(&request), black_box(t))
        };
        allowed += u64::from(black_box(v).is_allow());
    }
    println!(
        "rules={} entries/key<={} iterations={iterations} allowed={allowed}",
        compiled.rules_len(),
        compiled.longest_key
    );
}

#[inline(never)]
fn stand_in(_: &Request, _: u64) -> ecu_policy::Verdict {
    ecu_policy::Verdict::Allow
}
