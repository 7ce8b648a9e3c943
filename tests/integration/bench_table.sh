#!/bin/bash
# bench_table.sh SABLE KVM: prints make bench's side-by-side table. SABLE and KVM hold
# one "NAME TICKS" line per figure (the bench guests' BENCH lines, ticks per operation);
# KVM may also say "NAME SKIP <reason>" (that figure is n/a, the reason its note), or
# hold one line "SKIP <reason>" instead, and then its whole column says SKIP.
# Per row: Sable's ticks, KVM's ticks and KVM/Sable; a note where the two do different
# work; "n/a" where KVM has no like-for-like figure. Rows follow Sable's figures in
# their order, with the in-kernel I/O row (io-pic, both hypervisors' own figure)
# after the io row.
set -u
[ $# = 2 ] && [ -r "$1" ] && [ -r "$2" ] || { echo "usage: bench_table.sh SABLE KVM" >&2; exit 2; }
awk -v sable="$1" -v kvm="$2" '
function row(label, s, k, note,    ratio) {
	ratio = (s ~ /^[0-9]+$/ && k ~ /^[0-9]+$/ && s > 0) ? sprintf("%.1fx", k / s) : "-"
	printf "  %-22s %8s %8s %9s  %s\n", label, s, k, ratio, note
}
BEGIN {
	while ((getline l < kvm) > 0) {
		split(l, f, " ")
		if (f[1] == "SKIP") { skip = substr(l, 6); continue }
		if (f[1] != "" && f[2] ~ /^[0-9]+$/) K[f[1]] = f[2]
		if (f[1] != "" && f[2] == "SKIP") Kwhy[f[1]] = "KVM: " substr(l, length(f[1]) + 7)
	}
	# What the KVM runner measures against each Sable figure, and what differs.
	like["cpuid"] = "cpuid"
	like["io"] = "io"
	note["io"] = "not like for like: KVM sends the COM1 LSR read to the runner in user space, Sable answers it in the hypervisor"
	like["vmcall"] = "vmcall"
	note["vmcall"] = "KVM answers the unknown hypercall in its kernel with -ENOSYS, Sable runs VERSION"
	like["xsetbv"] = "xsetbv"
	extra["io"] = "io-pic"
	extra_label["io-pic"] = "io in-kernel"
	note["io-pic"] = "like for like: both read the PIC mask register (port 0x21) in the hypervisor"
	na["vcpu-switch"] = "needs two KVM vCPUs on one core: not measured"
	like["timer-latency"] = "timer-latency"
	like["timer-latency-halted"] = "timer-latency-halted"
	note["timer-latency"] = "lowest of 16; KVM likely lower by its timer advance (fires early, waits to the deadline)"
	note["timer-latency-halted"] = note["timer-latency"]
	like["ipi-roundtrip"] = "ipi-roundtrip"
	like["ipi-roundtrip-halted"] = "ipi-roundtrip-halted"

	# Sable figures shown in the row they belong to (io-pic: the in-kernel I/O row)
	while ((getline l < sable) > 0) {
		split(l, f, " ")
		if (f[1] != "" && f[2] ~ /^[0-9]+$/) S[f[1]] = f[2]
	}
	close(sable)
	for (e in extra_label)
		own[e] = 1
	print "  operation                 Sable      KVM KVM/Sable  note"
	while ((getline l < sable) > 0) {
		split(l, f, " ")
		name = f[1]
		if (name == "" || name == "loop-overhead" || (name in own) || seen[name]++)
			continue
		if (skip != "")
			k = "SKIP"
		else if ((name in like) && (like[name] in K))
			k = K[like[name]]
		else if ((name in like) && (like[name] in Kwhy))
			k = "n/a"
		else if (name in like)
			k = "missing"
		else
			k = "n/a"
		n = note[name]
		if (k == "n/a" && (name in like))
			n = Kwhy[like[name]]
		else if (k == "n/a")
			for (p in na)
				if (index(name, p) == 1)
					n = na[p]
		row(name, f[2], k, n)
		if (name in extra && skip == "")
			row(extra_label[extra[name]], (extra[name] in S) ? S[extra[name]] : "missing",
			    (extra[name] in K) ? K[extra[name]] : "missing", note[extra[name]])
	}
	if (skip != "")
		print "  KVM: SKIP (" skip ")"
}'
