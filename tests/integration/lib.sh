# Helpers for the integration tests: build an image, boot it, judge the serial log.
# Every check prints "TEST <name> PASS|FAIL|SKIP" and the suite fails on any FAIL.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${OUT:-$ROOT/build/itest}
FAILS=0
mkdir -p "$OUT"

# mkimage NAME "CMDLINE" [guest.elf ...]: builds $OUT/NAME.iso (with
# $SABLE_ELF, build/sable.elf by default)
mkimage() {
	local name=$1 cmdline=$2
	shift 2
	"$ROOT/scripts/mkiso.sh" "$OUT/$name.iso" "${SABLE_ELF:-$ROOT/build/sable.elf}" "$cmdline" 0 "$@" >/dev/null
}

# The VMX scenarios (cases that boot with boot_bochs) run on one of two
# runners, RUNNER=bochs (default: Bochs 2.7, Tiger Lake) or RUNNER=kvm (the
# nested tier: QEMU with -accel kvm -cpu host), judged by the same markers.
RUNNER=${RUNNER:-bochs}
TEST_PREFIX=${TEST_PREFIX:-}

# boot_bochs NAME [--only-bochs REASON] [bochs.sh args]: boots $OUT/NAME.iso
# on the VMX runner; sets SERIAL, ENDED (poweroff, triple-fault, timeout, ...).
# --only-bochs marks a boot that checks Bochs itself rather than Sable: the
# nested tier skips it with REASON.
boot_bochs() {
	if [ "$RUNNER" = kvm ]; then
		boot_kvm "$@"
		return
	fi
	local name=$1
	shift
	[ "${1:-}" = --only-bochs ] && shift 2
	SERIAL=$OUT/$name.serial.log
	ENDED=$("$ROOT/scripts/bochs.sh" --iso "$OUT/$name.iso" --serial "$SERIAL" \
		--workdir "$OUT/$name.bochs" "$@" | sed -n 's/^bochs: ended=//p')
	tr -d '\r' < "$SERIAL" > "$SERIAL.txt"
	SERIAL=$SERIAL.txt
}

# boot_kvm NAME [bochs.sh args]: the same boot under QEMU/KVM, nested. Sable's
# on_stop=poweroff leaves through the debug-exit device (status 1, 3 or 5:
# finished, refused, panic), which is Bochs' "poweroff"; QEMU's -no-reboot
# exit 0 is a triple fault (NESTED_ACCEL=--tcg lets a test run this runner
# here, where Sable then refuses for want of VMX). A scenario that needs a Bochs CPU model other than
# the default cannot be reproduced with -cpu host: it is skipped (CASE_SKIP).
boot_kvm() {
	local name=$1 cpus=4 megs=512 timeout=300 rc
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--only-bochs) CASE_SKIP=$2; shift ;;
		--cpus) cpus=$2; shift ;;
		--megs) megs=$2; shift ;;
		--timeout) timeout=$2; shift ;;
		--model) [ "$2" = tigerlake ] || CASE_SKIP="needs the Bochs CPU model $2"; shift ;;
		--workdir) shift ;;
		esac
		shift
	done
	SERIAL=$OUT/$name.kvm.serial.log
	: > "$SERIAL"
	if [ -z "${CASE_SKIP:-}" ]; then
		"$ROOT/scripts/qemu.sh" "${NESTED_ACCEL:---kvm}" --iso "$OUT/$name.iso" --serial "$SERIAL" --cpus "$cpus" \
			--mem "${megs}M" --timeout "$timeout" 2>/dev/null
		rc=$?
		case $rc in
		1 | 3 | 5) ENDED=poweroff ;;
		0) ENDED=triple-fault ;;
		124) ENDED=timeout ;;
		*) ENDED=exit:$rc ;;
		esac
	fi
	tr -d '\r' < "$SERIAL" > "$SERIAL.txt"
	SERIAL=$SERIAL.txt
}

# boot_qemu NAME [qemu.sh args]: boots $OUT/NAME.iso under TCG; sets SERIAL, QEMU_RC.
boot_qemu() {
	local name=$1
	shift
	SERIAL=$OUT/$name.serial.log
	"$ROOT/scripts/qemu.sh" --tcg --iso "$OUT/$name.iso" --serial "$SERIAL" "$@" 2>/dev/null
	QEMU_RC=$?
	tr -d '\r' < "$SERIAL" > "$SERIAL.txt"
	SERIAL=$SERIAL.txt
}

# boot_qemu_screen NAME "ERE" [qemu.sh args]: boots $OUT/NAME.iso under TCG with
# QEMU's monitor on a socket and waits (at most 150 s) until the serial log or the
# VGA text screen shows ERE; then saves the screen and stops QEMU. Sets SERIAL,
# SCREEN_PPM (the screendump) and SCREEN_TEXT (the 80x25 text at 0xB8000, as lines).
boot_qemu_screen() {
	local name=$1 marker=$2 mon=$1.mon i pid
	shift 2
	SERIAL=$OUT/$name.serial.log SCREEN_PPM=$OUT/$name.ppm SCREEN_TEXT=$OUT/$name.screen.txt
	rm -f "$SERIAL" "$SCREEN_PPM" "$SCREEN_TEXT" "$OUT/$name.vga" "$OUT/$mon"
	(cd "$OUT" && exec "$ROOT/scripts/qemu.sh" --tcg --iso "$OUT/$name.iso" --serial "$SERIAL" \
		--monitor "$mon" --timeout 200 "$@" 2>/dev/null) &
	pid=$!
	for i in $(seq 150); do
		sleep 1
		grep -qE -- "$marker" "$SERIAL" 2>/dev/null && break
		"$ROOT/tests/integration/qemu_monitor.py" "$OUT/$mon" "pmemsave 0xb8000 4000 $name.vga" &&
			"$ROOT/tests/integration/screen_check.py" vga "$OUT/$name.vga" 80 25 2>/dev/null |
			grep -qE -- "$marker" && break
	done
	(cd "$OUT" && "$ROOT/tests/integration/qemu_monitor.py" "$mon" "screendump $name.ppm" \
		"pmemsave 0xb8000 4000 $name.vga" quit)
	wait $pid
	"$ROOT/tests/integration/screen_check.py" vga "$OUT/$name.vga" 80 25 > "$SCREEN_TEXT"
	tr -d '\r' < "$SERIAL" > "$SERIAL.txt"
	SERIAL=$SERIAL.txt
}

# screen_must ERE / screen_must_not ERE: like must and must_not, for $SCREEN_TEXT.
screen_must() {
	grep -qE -- "$1" "$SCREEN_TEXT" || { CASE_OK=0; CASE_WHY="$CASE_WHY; screen lacks /$1/"; }
}
screen_must_not() {
	! grep -qE -- "$1" "$SCREEN_TEXT" || { CASE_OK=0; CASE_WHY="$CASE_WHY; screen shows /$1/"; }
}

# boot_qemu_fat NAME DIR [qemu.sh args]: boots DIR as a FAT drive under TCG
# and OVMF; sets SERIAL (carriage returns and the firmware's terminal escape
# sequences removed), QEMU_RC.
boot_qemu_fat() {
	local name=$1 dir=$2
	shift 2
	SERIAL=$OUT/$name.serial.log
	"$ROOT/scripts/qemu.sh" --tcg --uefi --fat "$dir" --serial "$SERIAL" "$@" 2>/dev/null
	QEMU_RC=$?
	sed 's/\x1b\[[0-9;=?]*[A-Za-z]//g; s/\r//g' "$SERIAL" > "$SERIAL.txt"
	SERIAL=$SERIAL.txt
}

# expect TEST "grep -E pattern" ...: every pattern must appear in $SERIAL.
CASE_OK=1
CASE_SKIP=""
case_begin() { CASE_OK=1; CASE_WHY=""; }
must() {
	grep -qE -- "$1" "$SERIAL" || { CASE_OK=0; CASE_WHY="$CASE_WHY; missing /$1/"; }
}
must_not() {
	! grep -qE -- "$1" "$SERIAL" || { CASE_OK=0; CASE_WHY="$CASE_WHY; unexpected /$1/"; }
}
must_eq() { # must_eq what actual expected
	[ "$2" = "$3" ] || { CASE_OK=0; CASE_WHY="$CASE_WHY; $1 is '$2', want '$3'"; }
}
must_between() { # must_between what value lo hi: an integer value in [lo, hi]
	[ -n "$2" ] && [ "$2" -ge "$3" ] 2>/dev/null && [ "$2" -le "$4" ] ||
		{ CASE_OK=0; CASE_WHY="$CASE_WHY; $1 is '$2', want $3-$4"; }
}
must_precede() { # must_precede what "pattern A" "pattern B": the last line matching A comes before the first matching B
	local a b
	a=$(grep -nE -- "$2" "$SERIAL" | tail -1 | cut -d: -f1)
	b=$(grep -nE -- "$3" "$SERIAL" | head -1 | cut -d: -f1)
	must_eq "$1" "$([ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ] && echo yes)" yes
}
case_end() {
	if [ -n "${CASE_SKIP:-}" ]; then
		echo "TEST $TEST_PREFIX$1 SKIP: $CASE_SKIP"
	elif [ $CASE_OK = 1 ]; then
		echo "TEST $TEST_PREFIX$1 PASS"
	else
		echo "TEST $TEST_PREFIX$1 FAIL${CASE_WHY} (log: $SERIAL)"
		FAILS=$((FAILS + 1))
	fi
	CASE_SKIP=""
}
skip() { echo "TEST $1 SKIP ($2)"; }

# run_cases JOBS case_fn...: runs each case function (which boots and judges on
# its own) with at most JOBS running at once: Bochs emulates on one host core,
# so two boots share a two-core machine. Each case's output is kept apart and
# printed in the order given; FAILS adds up the failures of all of them.
run_cases() {
	local jobs=$1 fn i=0 n
	shift
	local names=("$@")
	for fn in "${names[@]}"; do
		while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
		( FAILS=0; "$fn" > "$OUT/case-$fn.out" 2>&1; echo $FAILS > "$OUT/case-$fn.fails" ) &
		i=$((i + 1))
	done
	wait
	for fn in "${names[@]}"; do
		cat "$OUT/case-$fn.out"
		n=$(cat "$OUT/case-$fn.fails" 2>/dev/null || echo 1)
		FAILS=$((FAILS + n))
	done
}

# spcr_table FILE TYPE SPACE WIDTH ACCESS ADDR BAUD: a revision 2 SPCR table
# (Microsoft SPCR specification) naming a UART: interface TYPE, Generic
# Address Structure SPACE (0 memory, 1 I/O), register WIDTH in bits, ACCESS
# size, ADDR; BAUD is the table's code (7 = 115200). For QEMU's -acpitable.
spcr_table() {
	perl -e 'my ($f, $type, $space, $width, $access, $addr, $baud) = @ARGV;
		my $t = "SPCR" . pack("V", 80) . pack("C", 2) . "\0" . "SABLE " . "SABLETST" .
			pack("V", 1) . "SABL" . pack("V", 1);
		$t .= pack("C", $type) . "\0" x 3;
		$t .= pack("CCCC", $space, $width, 0, $access) . pack("Q<", hex($addr));
		$t .= pack("C", 1) . pack("C", 3) . pack("V", 3);   # 8259 IRQ 3, GSI 3
		$t .= pack("C", $baud) . pack("C", 0) . pack("C", 1) . pack("C", 0);
		$t .= pack("C", 0) . pack("C", 0);                   # terminal, language
		$t .= pack("v", 0xffff) . pack("v", 0xffff) . "\0" x 3 . pack("V", 0) . "\0";
		$t .= "\0" x (80 - length($t));
		my $sum = 0; $sum += $_ for unpack("C*", $t);
		substr($t, 9, 1) = chr((256 - ($sum & 255)) & 255);
		open my $o, ">", $f or die; binmode $o; print $o $t;' "$@"
}
