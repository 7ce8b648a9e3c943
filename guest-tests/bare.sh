#!/bin/bash
# Runs the guests that can pass without Sable under bare QEMU (TCG) and checks
# each serial log: at least one "TEST ... PASS", no "TEST ... FAIL", and QEMU
# exit status 1 (isa-debug-exit with guest status 0).
#
# usage: guest-tests/bare.sh [guest...]     (default: hello msr compute cpuid bench modes strio tasks pcboot)
# env:   BUILD (default build), QEMU (default qemu-system-x86_64), TIMEOUT (default 60),
#        VERBOSE=1 prints every log.
# Logs go to $BUILD/guests/bare/<guest>.log. Exits nonzero if any guest fails.
set -u

BUILD=${BUILD:-build}
QEMU=${QEMU:-qemu-system-x86_64}
TIMEOUT=${TIMEOUT:-60}
GUESTS=("$@")
[ ${#GUESTS[@]} -eq 0 ] && GUESTS=(hello msr compute cpuid bench modes strio tasks pcboot)
# guests that start APs get a 4-CPU machine
declare -A CPUS=([pcboot]=4)

command -v "$QEMU" >/dev/null || { echo "bare.sh: $QEMU not found"; exit 2; }
LOGDIR="$BUILD/guests/bare"
mkdir -p "$LOGDIR"

failed=0
for g in "${GUESTS[@]}"; do
	elf="$BUILD/guests/$g.elf"
	log="$LOGDIR/$g.log"
	why=""
	rm -f "$log"
	if [ ! -f "$elf" ]; then
		why="missing $elf (run: make guests)"
	else
		timeout "$TIMEOUT" "$QEMU" -accel tcg -cpu max -smp "${CPUS[$g]:-1}" -m 64M \
			-display none -monitor none \
			-no-reboot -serial "file:$log" \
			-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
			-kernel "$elf" -append "bare test" </dev/null >"$LOGDIR/$g.qemu" 2>&1
		rc=$?
		touch "$log"
		if [ $rc -eq 124 ]; then
			why="timed out after ${TIMEOUT}s"
		elif [ $((rc % 2)) -eq 1 ] && [ $rc -ne 1 ]; then
			why="guest exit status $(((rc - 1) / 2)), want 0"
		elif [ $rc -ne 1 ]; then
			why="QEMU exit status $rc without isa-debug-exit (reset or crash?), want 1"
		elif grep -q '^TEST .* FAIL' "$log"; then
			why="a test failed"
		elif ! grep -q '^TEST .* PASS' "$log"; then
			why="no passing test"
		fi
	fi
	if [ -z "$why" ]; then
		echo "BARE $g PASS"
	else
		echo "BARE $g FAIL ($why)"
		failed=1
	fi
	if [ -n "$why" ] || [ -n "${VERBOSE:-}" ]; then
		[ -s "$log" ] && sed 's/^/    /' "$log"
		[ -s "$LOGDIR/$g.qemu" ] && sed 's/^/    qemu: /' "$LOGDIR/$g.qemu"
	fi
done
exit $failed
