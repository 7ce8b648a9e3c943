#!/bin/bash
# make bench-kvm: Linux KVM's exit costs on the machine Sable's bench uses, measured by
# the same bench guest. Boots Debian's stock kernel (scripts/linux-fetch.sh: apt-get
# download + dpkg -x into build/linux, never installed) in Bochs (scripts/bochs.sh,
# tigerlake, 1 CPU) with an initramfs of busybox-static, Debian's irqbypass/kvm/kvm-intel
# modules, build/kvm-runner (tests/kvm-runner/), build/guests/bench.elf and irqbench.elf
# (its timer figures: one vCPU); the runner relays the guests' BENCH lines prefixed "[kvm] ". Bochs' TSC counts emulated
# instructions, so the ticks compare directly with Sable's.
#
#   bench_kvm.sh                 KVM's figures only
#   bench_kvm.sh --beside-sable  then the side-by-side table (bench_table.sh) with the
#                                figures of the Sable boots bench.sh just made
#
# Without the network or apt (nothing to fetch), the KVM column says SKIP and why.
set -u
. "$(dirname "$0")/lib.sh"
table=0
[ "${1:-}" = --beside-sable ] && table=1
LINUX=$ROOT/build/linux
KVM_FIG=$OUT/bench-kvm.txt
# clearcpuid=580: with fast strings reported off, the kernel would keep FSRM without ERMS
# and its memmove corrupt short copies. 304, 515, 323 (AVX-512F, PKU, XSAVES): Bochs' CPUID
# leaf 0xD gives PKRU no offset and sizes that do not add up, which makes the kernel turn
# XSAVE off altogether; with x87/SSE/AVX only it keeps XSAVE, as a real KVM host does.
KVM_OPTS="console=ttyS0,115200 clearcpuid=580,304,515,323 mitigations=off panic=-1 quiet"

# Sable's figures from the serial logs of bench.sh's boots, one "NAME TICKS" a line.
sable_figures() {
	local f
	for f in bench bench-switch-none bench-switch-sse bench-switch-avx512 irqbench; do
		[ -r "$OUT/$f.serial.log.txt" ] || continue
		sed -n 's/^\[[a-z]*\] BENCH \([a-z0-9-]*\) ticks_per_op=\([0-9]*\).*/\1 \2/p' \
			"$OUT/$f.serial.log.txt"
	done
}

finish() {
	if [ $table = 1 ]; then
		sable_figures >"$OUT/bench-sable.txt"
		echo "Sable beside Linux KVM ($(cat "$LINUX/version" 2>/dev/null || echo "kernel not fetched")) in the same Bochs (tigerlake, 1 CPU), TSC ticks per operation:"
		"$ROOT/tests/integration/bench_table.sh" "$OUT/bench-sable.txt" "$KVM_FIG"
	fi
	exit "$1"
}

# skip REASON: KVM was not measured; the table says SKIP with REASON.
skip() {
	echo "bench-kvm: SKIP: $1"
	echo "SKIP $1" >"$KVM_FIG"
	finish 0
}

# fail REASON: the KVM boot was tried and broke; never a figure in its place.
fail() {
	echo "bench-kvm: FAIL: $1"
	echo "SKIP failed: $1" >"$KVM_FIG"
	finish 1
}

for f in "$ROOT/build/kvm-runner" "$ROOT/build/guests/bench.elf" "$ROOT/build/guests/irqbench.elf"; do
	[ -r "$f" ] || fail "$f is missing (make bench-kvm builds it)"
done
command -v cpio >/dev/null || fail "cpio is not installed (make deps)"
if ! msg=$("$ROOT/scripts/linux-fetch.sh" "$LINUX" 2>&1); then
	skip "could not fetch Debian's kernel: $(echo "$msg" | tail -1)"
fi
rel=$(cat "$LINUX/version")
mods=$LINUX/root/lib/modules/$rel/kernel
ir=$OUT/bench-kvm.initramfs
rm -rf "$ir"
mkdir -p "$ir/bin" "$ir/lib" "$ir/dev" "$ir/proc"
cp "$LINUX/busybox" "$ROOT/build/kvm-runner" "$ir/bin/"
cp "$ROOT/build/guests/bench.elf" "$ROOT/build/guests/irqbench.elf" "$ir/"
# kvm-intel depends on kvm, kvm on irqbypass (their modinfo depends=): loaded in that order.
for m in virt/lib/irqbypass arch/x86/kvm/kvm arch/x86/kvm/kvm-intel; do
	[ -r "$mods/$m.ko" ] || fail "no $m.ko in Debian's $rel"
	cp "$mods/$m.ko" "$ir/lib/"
done
cat >"$ir/init" <<'INIT'
#!/bin/busybox sh
bb=/bin/busybox
$bb mount -t devtmpfs dev /dev
$bb mount -t proc proc /proc
for m in irqbypass kvm kvm-intel; do
	$bb insmod /lib/$m.ko || echo "kvm-bench: insmod $m.ko failed"
done
for g in "bench sse" irqbench; do
	/bin/kvm-runner /${g%% *}.elf "$g"
	echo "kvm-bench: runner exit $? for $g"
done
$bb poweroff -f
INIT
chmod +x "$ir/init"
iso=$OUT/bench-kvm.iso
tree=$OUT/bench-kvm.iso.d
rm -rf "$tree"
mkdir -p "$tree/boot/grub"
(cd "$ir" && find . | cpio -o -H newc --quiet) >"$tree/boot/initrd.cpio" || fail "cpio failed"
cp "$LINUX/vmlinuz" "$tree/boot/vmlinuz"
cat >"$tree/boot/grub/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=0
menuentry "Debian $rel with kvm-runner" {
	linux /boot/vmlinuz $KVM_OPTS
	initrd /boot/initrd.cpio
}
CFG
grub-mkrescue -o "$iso" "$tree" >/dev/null 2>&1 || fail "grub-mkrescue failed"
rm -rf "$tree"

SERIAL=$OUT/bench-kvm.serial.log
# Bochs lacks IA32_MISC_ENABLE, which the kernel reads: --ignore-bad-msrs.
ENDED=$("$ROOT/scripts/bochs.sh" --iso "$iso" --serial "$SERIAL" --workdir "$OUT/bench-kvm.bochs" \
	--cpus 1 --megs 256 --timeout 900 --ignore-bad-msrs | sed -n 's/^bochs: ended=//p')
tr -d '\r' <"$SERIAL" >"$SERIAL.txt"
SERIAL=$SERIAL.txt
for g in bench irqbench; do
	if [ "$ENDED" != poweroff ] || ! grep -q "^\[kvm\] TEST $g PASS" "$SERIAL"; then
		why=$(grep -m1 -E '^kvm-runner: |insmod .* failed' "$SERIAL")
		fail "the $g guest did not finish under KVM (Bochs ended: $ENDED${why:+; $why}; log: $SERIAL)"
	fi
done
sed -n -e 's/^\[kvm\] BENCH \([a-z0-9-]*\) ticks_per_op=\([0-9]*\).*/\1 \2/p' \
	-e 's/^\[kvm\] BENCH \([a-z0-9-]*\) SKIP (\(.*\))$/\1 SKIP \2/p' "$SERIAL" >"$KVM_FIG"
echo "Linux KVM ($rel) exit costs in Bochs (TSC ticks per operation, guest loop overhead removed):"
awk '{ printf "  %-22s %8s%s\n", $1, $2, $2 == "SKIP" ? " " substr($0, length($1) + 7) : "" }' "$KVM_FIG"
finish 0
