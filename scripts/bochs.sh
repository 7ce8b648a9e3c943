#!/bin/bash
# Boots an ISO in Bochs 2.7 (Intel Tiger Lake model with VMX and EPT; --model
# picks another of `bochs --help cpu`).
#   scripts/bochs.sh --iso build/sable.iso [--serial FILE] [--cpus N] [--megs M]
#                    [--timeout SECONDS] [--interactive] [--workdir DIR] [--model CPU]
#                    [--ignore-bad-msrs]
#                    [--com1-socket PORT] [--com2-socket PORT]
# Headless (default): COM1 goes to --serial, Bochs' own log to WORKDIR/bochs.log;
# prints "bochs: ended=<how>" where how is poweroff, triple-fault, panic, timeout
# or exit:<code>, and exits 0 only for poweroff.
# --ignore-bad-msrs: RDMSR/WRMSR of an MSR Bochs lacks reads 0 / is dropped instead of
# raising #GP (Debian's kernel on bare Bochs reads IA32_MISC_ENABLE, which Bochs lacks).
# --interactive: shows the serial console on this terminal while Bochs runs.
# --com1-socket PORT: COM1 is a TCP server on 127.0.0.1:PORT instead of the
#   --serial file (Bochs waits for a client before it starts the CPU; the
#   client keeps the log: tests/integration/monitor_drive.py).
# --com2-socket PORT: COM2 listens on 127.0.0.1:PORT (for gdb: `target remote
# 127.0.0.1:PORT`); Bochs waits for that client before the machine starts, and
# keeps running when the client goes away (SIGPIPE ignored).
set -u
iso="" serial="" cpus=4 megs=512 timeout=300 interactive=0 workdir="" model=tigerlake com1_socket="" com2=""
bad_msrs=0
while [ $# -gt 0 ]; do
	case $1 in
	--iso) iso=$2; shift ;;
	--serial) serial=$2; shift ;;
	--cpus) cpus=$2; shift ;;
	--megs) megs=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--workdir) workdir=$2; shift ;;
	--model) model=$2; shift ;;
	--com2-socket) com2=$2; shift ;;
	--interactive) interactive=1 ;;
	--ignore-bad-msrs) bad_msrs=1 ;;
	--com1-socket) com1_socket=$2; shift ;;
	*) echo "bochs.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
[ -f "$iso" ] || { echo "bochs.sh: no ISO at '$iso' (run make iso)" >&2; exit 2; }
command -v bochs >/dev/null || { echo "bochs.sh: bochs not installed (make deps)" >&2; exit 2; }
[ -n "$workdir" ] || workdir=$(dirname "$iso")/bochs
mkdir -p "$workdir"
[ -n "$serial" ] || serial=$workdir/serial.log
rm -f "$serial" "$workdir/bochs.log"
: > "$serial"
com1="com1: enabled=1, mode=file, dev=$(realpath "$serial")"
[ -n "$com1_socket" ] && com1="com1: enabled=1, mode=socket-server, dev=127.0.0.1:$com1_socket"

cat > "$workdir/bochsrc" <<RC
megs: $megs
romimage: file=/usr/share/bochs/BIOS-bochs-latest, options=fastboot
vgaromimage: file=/usr/share/vgabios/vgabios.bin
cpu: model=$model, count=1:$cpus:1, ips=10000000, reset_on_triple_fault=0, ignore_bad_msrs=$bad_msrs
clock: sync=none, time0=946681200
ata0-master: type=cdrom, path=$(realpath "$iso"), status=inserted
boot: cdrom
$com1
display_library: term
port_e9_hack: enabled=1
sound: waveoutdrv=dummy
speaker: enabled=1, mode=dummy
panic: action=fatal
error: action=report
log: $(realpath "$workdir")/bochs.log
RC
[ -n "$com2" ] && echo "com2: enabled=1, mode=socket-server, dev=127.0.0.1:$com2" >> "$workdir/bochsrc"
printf 'c\nquit\n' > "$workdir/cont.rc"

run_bochs() {
	# a socket client that closes first must not kill Bochs with SIGPIPE
	trap '' PIPE
	TERM=dumb timeout --foreground -k 5 "$timeout" \
		bochs -q -f "$workdir/bochsrc" -rc "$workdir/cont.rc" </dev/null >"$workdir/bochs.out" 2>&1
}

if [ $interactive = 1 ]; then
	echo "bochs: booting $iso with $cpus CPUs, $megs MiB; serial console follows (Ctrl-C stops)"
	run_bochs &
	pid=$!
	tail -n +1 -f "$serial" --pid=$pid
	wait $pid
	rc=$?
else
	run_bochs
	rc=$?
fi

log=$workdir/bochs.log
if [ $rc = 124 ] || [ $rc = 137 ]; then
	how=timeout
elif grep -q "triple fault" "$log" 2>/dev/null; then
	how=triple-fault
elif grep -qE "ACPI control: soft power off|Shutdown port: shutdown requested" "$log" 2>/dev/null; then
	how=poweroff
elif grep -q ">>PANIC<<" "$log" 2>/dev/null; then
	how=panic
else
	how=exit:$rc
fi
echo "bochs: ended=$how"
[ $how = poweroff ]
