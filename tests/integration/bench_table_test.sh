#!/bin/bash
# make test's check of bench_table.sh: the table built from the sample figures in
# tests/data/bench/ (Sable's and KVM's, KVM's as measured by hand for issue 14) has each
# ratio, note and n/a where they belong, and a KVM SKIP line fills the column with SKIP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
data=$here/../data/bench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

# expect TABLE REGEX WHAT: one line of TABLE matches the extended REGEX.
expect() {
	grep -qE "$2" "$1" || { echo "bench-table: no line for $3 (want /$2/)"; fails=$((fails + 1)); }
}
reject() {
	! grep -qE "$2" "$1" || { echo "bench-table: unexpected $3 (/$2/)"; fails=$((fails + 1)); }
}

t=$tmp/table
"$here/bench_table.sh" "$data/sable.txt" "$data/kvm.txt" >"$t" || fails=$((fails + 1))
expect "$t" '^  cpuid +299 +971 +3\.2x *$' "cpuid with its ratio"
expect "$t" '^  io +305 +3020 +9\.9x +not like for like: .*user space' "io with the user-space note"
expect "$t" '^  io in-kernel +301 +1236 +4\.1x +like for like: .*PIC' "Sable's PIC read against KVM's in-kernel PIC"
reject "$t" '^  io-pic ' "io-pic as a row of its own"
expect "$t" '^  vmcall +269 +961 +3\.6x +KVM answers .*-ENOSYS' "vmcall with the -ENOSYS note"
expect "$t" '^  xsetbv +527 +1100 +2\.1x' "xsetbv"
expect "$t" '^  vcpu-switch-avx512 +2365 +n/a +- +needs two KVM vCPUs' "vcpu-switch-avx512 as n/a"
expect "$t" '^  timer-latency +1100 +2000 +1\.8x +lowest of 16; KVM likely lower by its timer advance' "timer-latency"
expect "$t" '^  ipi-roundtrip-halted +4000 +n/a +- +KVM: one vCPU under the KVM runner$' "ipi-roundtrip-halted as n/a"
reject "$t" 'loop-overhead' "loop-overhead row"
[ "$(grep -cE '^  io +[0-9]' "$t")" = 1 ] || { echo "bench-table: io row not exactly once"; fails=$((fails + 1)); }

# A figure the KVM guest skipped: n/a with its reason as the note.
x=$tmp/xskip
{ grep -v '^xsetbv ' "$data/kvm.txt"; echo "xsetbv SKIP no XSAVE offered"; } >"$tmp/kvm-x"
"$here/bench_table.sh" "$data/sable.txt" "$tmp/kvm-x" >"$x" || fails=$((fails + 1))
expect "$x" '^  xsetbv +527 +n/a +- +KVM: no XSAVE offered$' "xsetbv skipped by the KVM guest"
expect "$x" '^  cpuid +299 +971 +3\.2x' "cpuid beside a skipped figure"

echo "SKIP could not fetch Debian's kernel: no network" >"$tmp/kvm-skip"
s=$tmp/skip
"$here/bench_table.sh" "$data/sable.txt" "$tmp/kvm-skip" >"$s" || fails=$((fails + 1))
expect "$s" '^  cpuid +299 +SKIP +- ' "cpuid with KVM SKIP"
expect "$s" '^  KVM: SKIP \(could not fetch Debian.s kernel: no network\)$' "the SKIP reason"
reject "$s" '[0-9]x ' "a ratio beside SKIP"
reject "$s" 'in-kernel' "a KVM-only row beside SKIP"

if [ $fails = 0 ]; then
	echo "TEST bench-table PASS"
else
	cat "$t" "$s"
	echo "TEST bench-table FAIL"
	exit 1
fi
