#!/bin/bash
# make bench: boots the bench guest under Sable in Bochs and reports what a
# CPUID exit, an I/O exit and a VMCALL cost, in TSC ticks per operation. Bochs'
# TSC counts emulated instructions (clock: sync=none), so the figures are exact
# and repeat run to run; the guest subtracts its own loop overhead.
set -u
. "$(dirname "$0")/lib.sh"

mkimage bench "loglevel=info on_stop=poweroff vm=bench:module=0,mem=8M,pin=0" "$ROOT/build/guests/bench.elf"
boot_bochs bench --cpus 1 --timeout 300
if [ "$ENDED" != poweroff ] || ! grep -q '^\[bench\] TEST bench PASS' "$SERIAL"; then
	echo "bench: the bench guest did not finish (Bochs ended: $ENDED; log: $SERIAL)"
	exit 1
fi
echo "Sable exit costs in Bochs (TSC ticks per operation, guest loop overhead removed):"
sed -n 's/^\[bench\] BENCH \([a-z-]*\) ticks_per_op=\([0-9]*\).*/  \1 \2/p' "$SERIAL" |
	awk '{ printf "  %-14s %8s\n", $1, $2 }'
# FPU control registers: the bench guest keeps its reset XCR0 (x87 only), which
# differs from the host's, and exits only by CPUID, I/O and VMCALL; XCR0 is
# written only at vCPU switches (fpu/fpu_switch.c), so per exit this must be 0.
line=$(sed -n 's/.*vm bench: vCPU 0: FPU memory \([0-9]*\) bytes.*XSETBV \([0-9]*\), WRMSR XSS\/PKRU \([0-9]*\), exits \([0-9]*\)$/\1 \2 \3 \4/p' "$SERIAL" | head -1)
if [ -z "$line" ]; then
	echo "bench: no FPU report for the bench vCPU (log: $SERIAL)"
	exit 1
fi
set -- $line
echo "FPU control-register writes by the hypervisor for the bench vCPU (guest XCR0 0x1, host's differs):"
awk -v m="$1" -v x="$2" -v w="$3" -v e="$4" 'BEGIN {
	printf "  XSETBV %s, WRMSR(XSS/PKRU) %s over %s exits: %.6f and %.6f per exit\n", x, w, e, x / e, w / e
	printf "  FPU save memory of the bench vCPU: %s bytes\n", m }'
