#!/bin/bash
# make bench: boots the bench guest under Sable in Bochs and reports what a
# CPUID exit, an I/O exit and a VMCALL cost, in TSC ticks per operation. Bochs'
# TSC counts emulated instructions (clock: sync=none), so the figures are exact
# and repeat run to run; the guest subtracts its own loop overhead. A second
# boot measures a vCPU-to-vCPU switch: two bench VMs on one core, one timing
# YIELD hypercalls while the other yields back (half a round trip).
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

d="$OUT/bench-switch"
mkdir -p "$d/a" "$d/b"
cp "$ROOT/build/guests/bench.elf" "$d/a/switch"
cp "$ROOT/build/guests/bench.elf" "$d/b/partner"
mkimage bench-switch "loglevel=info on_stop=poweroff vm=switch:module=0,mem=8M,pin=0 vm=partner:module=1,mem=8M,pin=0" \
	"$d/a/switch" "$d/b/partner"
boot_bochs bench-switch --cpus 1 --timeout 300
if [ "$ENDED" != poweroff ] || ! grep -q '^\[switch\] TEST bench-switch PASS' "$SERIAL"; then
	echo "bench: the vCPU switch guests did not finish (Bochs ended: $ENDED; log: $SERIAL)"
	exit 1
fi
sed -n 's/^\[switch\] BENCH \([a-z-]*\) ticks_per_op=\([0-9]*\).*/  \1 \2/p' "$SERIAL" |
	awk '{ printf "  %-14s %8s\n", $1, $2 }'

# Interrupts: a 2-vCPU guest on two cores (timer latency, IPI round trip).
mkimage irqbench "loglevel=info on_stop=poweroff vm=irqbench:module=0,mem=8M,cpus=2,pin=0+1" "$ROOT/build/guests/irqbench.elf"
boot_bochs irqbench --cpus 2 --timeout 300
if [ "$ENDED" != poweroff ] || ! grep -q '^\[irqbench\] TEST irqbench PASS' "$SERIAL"; then
	echo "bench: the irqbench guest did not finish (Bochs ended: $ENDED; log: $SERIAL)"
	exit 1
fi
echo "Interrupt costs in Bochs (TSC ticks, lowest of 16 rounds, median in brackets):"
sed -n 's/^\[irqbench\] BENCH \([a-z-]*\) ticks_per_op=\([0-9]*\) median=\([0-9]*\).*/  \1 \2 \3/p' "$SERIAL" |
	awk '{ printf "  %-22s %8s (%s)\n", $1, $2, $3 }'
