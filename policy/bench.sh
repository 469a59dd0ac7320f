#!/bin/sh
# Verdict cost in instructions at 10, 1,000 and 10,000 rules, from callgrind on the host.
# For each size the benchmark runs M1 and M2 verdicts; (I2 - I1) / (M2 - M1) is the cost of one
# iteration. The same is measured for the loop around a stand-in function returning a constant
# verdict (the harness: black_box, the call, the loop) and subtracted.
# Usage, from the workspace root (needs valgrind):  sh policy/bench.sh [allow|deny]
set -eu
kind="${1:-allow}"
target="${CARGO_TARGET_DIR:-target}"
cargo build --quiet ${CARGO_FLAGS:-} --release -p ecu-policy --features compiler --example verdict_bench
bin="$target/release/examples/verdict_bench"
out="$(mktemp -d)"
m1=1000
m2=101000
per_iteration() { # rules kind
    for m in $m1 $m2; do
        valgrind --tool=callgrind --callgrind-out-file="$out/cg.$1.$2.$m" "$bin" "$1" "$m" "$2" >/dev/null 2>&1
    done
    i1=$(sed -n 's/^summary: //p' "$out/cg.$1.$2.$m1")
    i2=$(sed -n 's/^summary: //p' "$out/cg.$1.$2.$m2")
    echo $(( (i2 - i1) / (m2 - m1) ))
}
name=policy.verdict
[ "$kind" = deny ] && name=policy.verdict_deny
base=$(per_iteration 10 baseline)
for rules in 10 1000 10000; do
    echo "$name.$rules: $(( $(per_iteration "$rules" "$kind") - base )) instructions"
done
echo "# harness per iteration (subtracted): $base instructions" >&2
rm -rf "$out"
