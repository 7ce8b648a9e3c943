# Helpers for the integration tests: build an image, boot it, judge the serial log.
# Every check prints "TEST <name> PASS|FAIL|SKIP" and the suite fails on any FAIL.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${OUT:-$ROOT/build/itest}
FAILS=0
mkdir -p "$OUT"

# mkimage NAME "CMDLINE" [guest.elf ...]: builds $OUT/NAME.iso
mkimage() {
	local name=$1 cmdline=$2
	shift 2
	"$ROOT/scripts/mkiso.sh" "$OUT/$name.iso" "$ROOT/build/sable.elf" "$cmdline" 0 "$@" >/dev/null
}

# boot_bochs NAME [bochs.sh args]: boots $OUT/NAME.iso; sets SERIAL, ENDED.
boot_bochs() {
	local name=$1
	shift
	SERIAL=$OUT/$name.serial.log
	ENDED=$("$ROOT/scripts/bochs.sh" --iso "$OUT/$name.iso" --serial "$SERIAL" \
		--workdir "$OUT/$name.bochs" "$@" | sed -n 's/^bochs: ended=//p')
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
	if [ $CASE_OK = 1 ]; then
		echo "TEST $1 PASS"
	else
		echo "TEST $1 FAIL${CASE_WHY} (log: $SERIAL)"
		FAILS=$((FAILS + 1))
	fi
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
