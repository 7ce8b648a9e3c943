#!/bin/sh
# /init of the Linux guests' initramfs (case_bochs_linux in tests/integration/run.sh).
# Markers go to the kernel log at KERN_CRIT (/dev/kmsg, "<2>") so that they
# reach the console even with `quiet`; the shell's own output goes to the tty.
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
say() { echo "<2>LINUX $*" > /dev/kmsg; }
echo "LINUX tty: hello from the shell"
say "init: running on $(uname -r)"
say "cpus: $(grep -c ^processor /proc/cpuinfo) online $(cat /sys/devices/system/cpu/online)"
say "flags:$(grep -m1 ^flags /proc/cpuinfo | sed 's/^flags[^:]*://' | tr ' ' '\n' | grep -xE 'fpu|sse|sse2|avx|avx2|avx512f|xsave|xsaveopt|xsavec|xsaves|erms|fsrm|x2apic|tsc_deadline_timer|hypervisor' | tr '\n' ' ')"
dmesg | grep -E 'x86/fpu: Enabled|XSAVE consistency|misordered|unchecked MSR|smp: Brought up|TSC deadline|clocksource: Switched|ttyS0 at' | sed 's/^\[[ 0-9.]*\] //' | while read -r l; do say "dmesg: $l"; done
grep -E 'ttyS0|LOC:' /proc/interrupts | while read -r l; do say "irq: $l"; done
say "clockevent: $(cat /sys/devices/system/clockevents/clockevent0/current_device)"
if /bin/cpucheck > /tmp/cpucheck.out 2>&1; then r=PASS; else r=FAIL; fi
while read -r l; do echo "<2>$l" > /dev/kmsg; done < /tmp/cpucheck.out # its lines begin with LINUX
say "cpucheck: $r"
say "init: powering off"
poweroff -f
