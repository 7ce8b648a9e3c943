#!/bin/bash
# make bench: boots the bench guest under Sable in Bochs and reports what a
# CPUID exit, an I/O exit and a VMCALL cost, in TSC ticks per operation, then
# the irqbench guest (2 vCPUs on 2 cores) for timer latency and the IPI round
# trip. Bochs' TSC counts emulated instructions (clock: sync=none), so the
# figures are exact and repeat run to run; the bench guest subtracts its own
# loop overhead. Three more boots measure a vCPU-to-vCPU switch: two bench VMs
# on one core, one timing YIELD hypercalls while the other yields back (half
# a round trip), both with no FPU state, x87/SSE or AVX-512 state in use; the
# SSE boot also times an XSETBV exit (the guest rewriting its XCR0). The FPU
# save memory per vCPU of those three (never used, SSE only, AVX-512) follows.
#
# With SABLE_BENCH_ELF (make bench sets it to the bench build, include/bench.h)
# each of those boots runs once more on that image, and a "path" line follows
# each row: per exit of that row's kind, the VMREAD, VMWRITE, RDMSR, WRMSR and
# XSETBV the hypervisor executed, and the TSC ticks of each stage (stub save,
# decode, handler, loop, register restore, entry+guest+exit). The stage ticks
# include the bench build's own stamps; the row's figure is the normal build's.
#
# Output (one line per row, for scripts such as the KVM column's):
#   "  <row> <ticks>"  and, after it,
#   "    path <row> vmread=N vmwrite=N rdmsr=N wrmsr=N xsetbv=N save=T decode=T
#        handler=T loop=T restore=T guest=T"   (one line; N, T with 2 decimals)
set -u
. "$(dirname "$0")/lib.sh"
BENCH_ELF=${SABLE_BENCH_ELF:-}
[ -n "$BENCH_ELF" ] && mkdir -p "$OUT/bench-build"

# bench_path VM REASON ROW: the path line of ROW from the bench build's
# BENCHX report of VM's vCPU 0 for basic exit REASON in SERIAL.
bench_path() {
	local l
	l=$(sed -n "s/.*vm $1 vcpu 0: BENCHX reason=$2 n=[0-9]* \(.*\) (.*)\$/\1/p" "$SERIAL" | head -1)
	if [ -z "$l" ]; then
		echo "bench: no bench-build report for exit $2 of VM $1 (log: $SERIAL)"
		exit 1
	fi
	echo "    path $3 $l"
}

# on_bench_elf CMD...: runs CMD with the bench build's image (nothing without one).
on_bench_elf() {
	[ -n "$BENCH_ELF" ] || return 1
	SABLE_ELF=$BENCH_ELF OUT=$OUT/bench-build "$@"
}

# bench_guest NAME VMOPTS CPUS: boots build/guests/NAME.elf as the one VM (on
# CPUS Bochs cores); leaves its serial log in SERIAL or exits 1.
bench_guest() {
	local name=$1
	mkimage "$name" "loglevel=info on_stop=poweroff vm=$name:module=0,mem=8M,$2" "$ROOT/build/guests/$name.elf"
	boot_bochs "$name" --cpus "$3" --timeout 300
	if [ "$ENDED" != poweroff ] || ! grep -q "^\[$name\] TEST $name PASS" "$SERIAL"; then
		echo "bench: the $name guest did not finish (Bochs ended: $ENDED; log: $SERIAL)"
		exit 1
	fi
}

bench_guest bench pin=0 1
main_serial=$SERIAL
rows=$(sed -n 's/^\[bench\] BENCH \([a-z-]*\) ticks_per_op=\([0-9]*\).*/\1 \2/p' "$SERIAL")
paths=
if [ -n "$BENCH_ELF" ]; then
	on_bench_elf bench_guest bench pin=0 1
	# the guest's XCR0 (0x1) is not the host's: still no XSETBV, no WRMSR on these exits
	for r in 10:cpuid 30:io 18:vmcall; do
		p=$(bench_path bench "${r%%:*}" "${r#*:}") || { echo "$p"; exit 1; }
		case $p in
		*" all: "*" wrmsr=0.00 xsetbv=0.00") ;;
		*) echo "bench: a ${r#*:} exit wrote an MSR or XCR0: $p (log: $SERIAL)"; exit 1 ;;
		esac
		paths+="$p"$'\n'
	done
	SERIAL=$main_serial
fi
echo "Sable exit costs in Bochs (TSC ticks per operation, guest loop overhead removed):"
echo "$rows" | while read -r name ticks; do
	printf "  %-14s %8s\n" "$name" "$ticks"
	printf "%s" "$paths" | grep "^    path $name " || true
done
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

# boot_switch MODE: the switch boot, both VMs' module file names carrying
# MODE (none, sse or avx512) so each guest dirties that FPU state before
# every YIELD; returns 1 when the guests skip (printed), exits on failure.
boot_switch() {
	local d="$OUT/bench-switch-$1"
	mkdir -p "$d/a" "$d/b"
	cp "$ROOT/build/guests/bench.elf" "$d/a/switch-$1"
	cp "$ROOT/build/guests/bench.elf" "$d/b/partner-$1"
	mkimage "bench-switch-$1" "loglevel=info on_stop=poweroff vm=switch:module=0,mem=8M,pin=0 vm=partner:module=1,mem=8M,pin=0" \
		"$d/a/switch-$1" "$d/b/partner-$1"
	boot_bochs "bench-switch-$1" --cpus 1 --timeout 300
	if grep -q '^\[switch\] TEST bench-switch SKIP' "$SERIAL"; then
		echo "  vcpu-switch ($1): skipped, $(sed -n 's/^\[switch\] TEST bench-switch SKIP: //p' "$SERIAL" | head -1)"
		return 1
	fi
	if [ "$ENDED" != poweroff ] || ! grep -q '^\[switch\] TEST bench-switch PASS' "$SERIAL"; then
		echo "bench: the vCPU switch guests ($1) did not finish (Bochs ended: $ENDED; log: $SERIAL)"
		exit 1
	fi
}

# bench_switch MODE: the switch boot, then its BENCH figures, with the path
# lines of the YIELD exit (and with sse of the XSETBV exit) from the bench build.
bench_switch() {
	local rows mem paths=
	boot_switch "$1" || return 0
	rows=$(sed -n 's/^\[switch\] BENCH \([a-z0-9-]*\) ticks_per_op=\([0-9]*\).*/\1 \2/p' "$SERIAL")
	# A guest that dirtied its state must own a save area, or nothing was switched.
	mem=$(sed -n 's/.*vm switch: vCPU 0: FPU memory \([0-9]*\) bytes.*/\1/p' "$SERIAL" | head -1)
	if [ -z "$mem" ] || { [ "$1" != none ] && [ "$mem" = 0 ]; }; then
		echo "bench: FPU memory of the $1 switch vCPU is '${mem}' (log: $SERIAL)"
		exit 1
	fi
	FPU_MEM[$1]=$mem
	FPU_STD_ALL=$(sed -n 's/.*XSAVE: XCR0 0x[0-9a-f]* IA32_XSS 0x[0-9a-f]*, all components \([0-9]*\) bytes standard.*/\1/p' "$SERIAL" | head -1)
	FPU_FORMAT=$(sed -n 's/.*XSAVE: vCPU state saved with \([^:]*\):.*/\1/p' "$SERIAL" | head -1)
	if [ -n "$BENCH_ELF" ]; then
		on_bench_elf boot_switch "$1" || exit 1
		paths=$(bench_path switch 18 "$(echo "$rows" | head -1 | cut -d' ' -f1)") || { echo "$paths"; exit 1; }
		if [ "$1" = sse ]; then
			paths+=$'\n'$(bench_path switch 55 xsetbv) || { echo "$paths"; exit 1; }
		fi
	fi
	echo "$rows" | while read -r name ticks; do
		printf "  %-18s %8s\n" "$name" "$ticks"
		printf "%s\n" "$paths" | grep "^    path $name " || true
	done
	printf "    (FPU save memory per vCPU: %s bytes)\n" "$mem"
}
declare -A FPU_MEM

# A vCPU switch with no FPU state in use, with x87/SSE (XCR0 0x3) and with
# AVX-512 (XCR0 0xe7) in use by both vCPUs; the sse boot also times XSETBV.
echo "vCPU switch (half a YIELD round trip) and XSETBV exit in Bochs (TSC ticks per operation):"
bench_switch none
bench_switch sse
bench_switch avx512
# The save memory each of those vCPUs held when its VM stopped (the
# hypervisor's per-vCPU FPU report): none without any FPU use (no buffer
# until the state leaves its init state), then sized for the guest's XCR0.
echo "FPU save memory per vCPU (bytes; ${FPU_FORMAT:-?} format; every component the host has: ${FPU_STD_ALL:-?}):"
printf "  %-22s %8s\n" never-used "${FPU_MEM[none]:-?}" sse-only "${FPU_MEM[sse]:-?}" avx512 "${FPU_MEM[avx512]:-?}"
if [ "${FPU_MEM[none]:-}" != 0 ] || [ "${FPU_MEM[sse]:-0}" -ge "${FPU_MEM[avx512]:-0}" ]; then
	echo "bench: a never-used vCPU must have no FPU buffer and an SSE-only one less than an AVX-512 one"
	exit 1
fi

# Interrupts: a 2-vCPU guest on two cores (timer latency, IPI round trip).
bench_guest irqbench cpus=2,pin=0+1 2
echo "Interrupt costs in Bochs (TSC ticks, lowest of 16 rounds, median in brackets):"
sed -n 's/^\[irqbench\] BENCH \([a-z-]*\) ticks_per_op=\([0-9]*\) median=\([0-9]*\).*/  \1 \2 \3/p' "$SERIAL" |
	awk '{ printf "  %-22s %8s (%s)\n", $1, $2, $3 }'

# XFD (issue 15): neither Bochs nor these machines have AMX, so the figures
# come from the CPU-model test (tests/test_xfd_model.c, Sapphire Rapids' leaf
# 0xD) running the hypervisor's fpu/ code.
make -s -C "$ROOT" SABLE_STAGE2=1 build/tests/test_xfd_model >/dev/null &&
	"$ROOT/build/tests/test_xfd_model" 2>/dev/null | sed -n 's/^XFD figures/XFD figures/p'
