# The linux tier (issue 10): Debian's stock kernel as a Sable guest. Sourced by
# run.sh after lib.sh. Inputs are built here: the kernel and busybox-static by
# scripts/linux-fetch.sh (apt-get download), the initramfs by
# scripts/linux-initramfs.sh (busybox, tests/linux/init.sh, tests/linux/cpucheck.c).

LINUX_DIR=$ROOT/build/linux
# quiet: the markers of tests/linux/init.sh are KERN_CRIT and show anyway
LINUX_ARGS="console=ttyS0,115200 quiet mitigations=off nokaslr tsc=reliable lpj=40000"

# Fetches and builds the Linux guests' inputs; prints why not on failure.
# Both Linux cases call it, in the two lanes at once: one builds, the other waits.
linux_inputs() {
	local log
	mkdir -p "$LINUX_DIR"
	(
		flock 8
		log=$("$ROOT/scripts/linux-fetch.sh" "$LINUX_DIR" 2>&1) || { echo "${log##*$'\n'}"; exit 1; }
		log=$("$ROOT/scripts/linux-initramfs.sh" "$LINUX_DIR" 2>&1) || { echo "${log##*$'\n'}"; exit 1; }
	) 8>"$LINUX_DIR.inputs.lock"
}

# linux_vm_must NAME CPUS: the markers of one Linux VM that booted to its init,
# checked its CPUs and powered off through ACPI S5.
linux_vm_must() {
	local n=$1 cpus=$2 online=0 c fl
	[ "$cpus" -gt 1 ] && online=0-$((cpus - 1))
	must "^\[$n\] .*LINUX init: running on [0-9]+\.[0-9]+\.[0-9]+-"
	must "^\[$n\] .*LINUX cpus: $cpus online $online$"
	must "^\[$n\] .*LINUX flags:(.* )?fpu .* sse2 .* xsave "
	# the guest's IA32_MISC_ENABLE says fast strings are on: FSRM never comes without ERMS
	fl=$(grep -E "^\[$n\] .*LINUX flags:" "$SERIAL" | head -1)
	case "$fl " in *" fsrm "*) must_eq "$n: ERMS beside FSRM" "$(case "$fl " in *" erms "*) echo yes ;; esac)" yes ;; esac
	must "^\[$n\] .*LINUX dmesg: x86/fpu: Enabled xstate features 0x[0-9a-f]*e7,"
	if [ "$cpus" -gt 1 ]; then
		must "^\[$n\] .*LINUX dmesg: smp: Brought up 1 node, $cpus CPUs$"
	else
		must "^\[$n\] .*LINUX dmesg: smp: Brought up 1 node, 1 CPU$"
	fi
	must "^\[$n\] .*LINUX dmesg: TSC deadline timer available"
	must "^\[$n\] .*LINUX clockevent: lapic-deadline$"
	must "^\[$n\] .*LINUX dmesg: serial8250: ttyS0 at I/O 0x3f8 \(irq = 4"
	# the shell's own line went through the tty, which sends on THRE interrupts
	must "^\[$n\] LINUX tty: hello from the shell$"
	must "^\[$n\] .*LINUX irq: 4:( +[0-9]+)* +[1-9][0-9]*( +[0-9]+)* +IO-APIC +4-edge +ttyS0"
	for ((c = 0; c < cpus; c++)); do
		must "^\[$n\] .*LINUX cpucheck cpu$c \(on $c\): int ok x87 ok sse ok avx512 (ok|absent)$"
	done
	must "^\[$n\] .*LINUX cpucheck: PASS"
	must "vm $n: stopped: ACPI power off \(S5\)"
	must_not "^\[$n\] .*(XSAVE consistency problem|misordered xstate|Kernel panic|segfault|Oops|BUG:|WARNING:|unchecked MSR access)"
}

# -- Debian's kernel in one Bochs boot: a Linux VM with 1 vCPU, one with 2
#    vCPUs and the compute test guest beside them all finish; bad images (a
#    truncated and a corrupted bzImage, an initrd larger than the guest's RAM,
#    a command line longer than the kernel's cmdline_size) are refused, each
#    with its reason, and start nothing.
case_bochs_linux() {
	local why long
	if ! why=$(linux_inputs); then
		skip bochs-linux "no Debian kernel: $why"
		return
	fi
	head -c 4000000 "$LINUX_DIR/vmlinuz" > "$OUT/lx-trunc.bz"
	cp "$LINUX_DIR/vmlinuz" "$OUT/lx-corrupt.bz"
	printf 'HdrX' | dd of="$OUT/lx-corrupt.bz" bs=1 seek=$((0x202)) conv=notrunc status=none
	head -c $((9 << 20)) /dev/zero > "$OUT/lx-big.img"
	long=$(printf 'x%.0s' $(seq 2100))
	mkimage linux "loglevel=info on_stop=poweroff vm=lx1:linux=0,initrd=2,mem=256M vm=lx2:linux=1,initrd=2,mem=256M,cpus=2 vm=compute:module=3 vm=lxtrunc:linux=4 vm=lxcorrupt:linux=5 vm=lxbig:linux=0,initrd=6,mem=8M vm=lxlong:linux=7,initrd=2" \
		"$LINUX_DIR/vmlinuz::$LINUX_ARGS" "$LINUX_DIR/vmlinuz::$LINUX_ARGS" \
		"$LINUX_DIR/initramfs.gz" "$G/compute.elf" \
		"$OUT/lx-trunc.bz" "$OUT/lx-corrupt.bz" "$OUT/lx-big.img" \
		"$LINUX_DIR/vmlinuz::$LINUX_ARGS $long"
	boot_bochs linux --cpus 4 --megs 1024 --timeout 2400
	case_begin
	must_eq "bochs end" "$ENDED" poweroff
	linux_vm_must lx1 1
	linux_vm_must lx2 2
	for t in compute-crc32 compute-primes compute-fnv; do must "^\[compute\] TEST $t PASS"; done
	must "vm compute: stopped: exit device: value 0x0, status 1"
	must "ERROR: vm lxtrunc: bad Linux image \(module 4\): truncated: 4000000 bytes, the header declares [0-9]+ of setup and [0-9]+ of kernel$"
	must "ERROR: vm lxcorrupt: bad Linux image \(module 5\): no boot flag 0xAA55 and \"HdrS\" magic: not a bzImage \(or its header is corrupted\)$"
	must "ERROR: vm lxbig: cannot boot Linux \(module 0\): initrd of 9437184 bytes is larger than the guest's 8 MiB of RAM$"
	must "ERROR: vm lxlong: cannot boot Linux \(module 7\): command line of [0-9]+ bytes, the kernel takes at most 2047$"
	for g in lxtrunc lxcorrupt lxbig lxlong; do
		must "ERROR: vm $g: not started"
		must_not "^\[$g\]|vm $g: [0-9]+ MiB"
	done
	must '^\[cpu0\] 3 of 7 VM\(s\) started'
	must_not 'PANIC|EXCEPTION'
	case_end bochs-linux
}

# -- A Linux VM with init=/nonexistent and no initrd (so no root file system
#    and no init) panics (panic=1: a second later the kernel resets through
#    the ACPI reset register) and stops alone with its last console lines
#    shown, while the compute guest beside it runs three times.
case_bochs_linux_panic() {
	local why
	if ! why=$(linux_inputs); then
		skip bochs-linux-panic "no Debian kernel: $why"
		return
	fi
	mkimage linuxpanic "loglevel=info on_stop=poweroff vm=lxpanic:linux=0,mem=192M vm=compute:module=1,restart=2" \
		"$LINUX_DIR/vmlinuz::$LINUX_ARGS init=/nonexistent panic=1" "$G/compute.elf"
	boot_bochs linuxpanic --cpus 2 --megs 512 --timeout 1800
	case_begin
	must_eq "bochs end" "$ENDED" poweroff
	must "^\[lxpanic\] .*Kernel panic - not syncing: VFS: Unable to mount root fs"
	must "^\[lxpanic\] .*Call Trace:"
	must "^\[lxpanic\] .*Rebooting in"
	must "vm lxpanic: stopped: reset through the ACPI reset register"
	must_not "^\[lxpanic\] .*LINUX init"
	must_eq "compute runs that passed" "$(grep -c '^\[compute\] SUMMARY pass=3 fail=0' "$SERIAL")" 3
	must_not 'PANIC|EXCEPTION'
	case_end bochs-linux-panic
}
