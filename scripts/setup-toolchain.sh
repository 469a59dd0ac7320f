#!/usr/bin/env bash
# Installs what the cross builds, QEMU runs and test oracles need, idempotently (see
# shared/TOOLCHAIN.md):
#   - Debian's rustc-web (knows the bare-metal Arm targets) + std sources + rust-lld
#   - qemu-system-arm 10.x from bookworm-backports (has mps3-an536 and cortex-r5f/r52)
#   - independent readers our tests check against: tshark (pcap), cantools and python-can
#     (ARXML, DBC, candump), valgrind (instruction counts for benchmarks)
# The backports suite is derived from the machine's own apt sources: no host name is written here.
set -euo pipefail

need_rust() { [ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src/rust/library ] && [ -e /usr/bin/rust-lld ] && /usr/bin/rust-lld -flavor gnu --version >/dev/null 2>&1; }
need_qemu() {
  command -v qemu-system-arm >/dev/null 2>&1 &&
    qemu-system-arm -machine help 2>/dev/null | grep -q mps3-an536
}

need_oracles() {
  command -v tshark >/dev/null 2>&1 && command -v valgrind >/dev/null 2>&1 &&
    python3 -c 'import cantools, can' >/dev/null 2>&1
}

if need_rust && need_qemu && need_oracles; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

backports=/etc/apt/sources.list.d/backports.sources
if [ ! -f "$backports" ]; then
  # First stanza only: the main archive (the security archive has no backports suite).
  awk 'BEGIN{RS="";ORS="\n\n"} NR==1' /etc/apt/sources.list.d/debian.sources \
    | sed 's/^Suites:.*/Suites: bookworm-backports/' | $SUDO tee "$backports" >/dev/null
fi

$SUDO apt-get update -qq >/dev/null
if ! need_rust; then
  $SUDO apt-get install -y -qq --no-install-recommends -t bookworm-security rustc-web cargo-web rust-web-src rust-web-llvm lld-22
fi
if ! need_qemu; then
  $SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports qemu-system-arm
fi
if ! command -v tshark >/dev/null 2>&1 || ! command -v valgrind >/dev/null 2>&1; then
  $SUDO apt-get install -y -qq --no-install-recommends tshark valgrind
fi
if ! python3 -c 'import cantools, can' >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check cantools python-can
fi
need_rust || { echo "setup-toolchain: Debian rustc-web is still missing" >&2; exit 1; }
need_qemu || { echo "setup-toolchain: qemu-system-arm with mps3-an536 is still missing" >&2; exit 1; }
need_oracles || { echo "setup-toolchain: tshark, valgrind, cantools or python-can is still missing" >&2; exit 1; }
echo "setup-toolchain: cross toolchain, QEMU and test oracles ready"
