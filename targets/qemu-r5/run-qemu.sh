#!/bin/sh
# Runs an ECU image on QEMU's versatileab Cortex-R5F; the exit status is the image's
# (semihosting SYS_EXIT), 124 if it did not finish within 60 s.
set -u
if [ $# -ne 1 ]; then
    echo "usage: $0 IMAGE.elf" >&2
    exit 64
fi
exec timeout 60 qemu-system-arm -machine versatileab -cpu cortex-r5f -nographic -audio none \
    -semihosting-config enable=on,target=native -kernel "$1"
