#!/bin/sh
# /init of the Linux guests' initramfs: markers for tests/integration (case_bochs_linux).
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
echo "LINUX init: running on $(uname -r)"
echo "LINUX cpus: $(grep -c ^processor /proc/cpuinfo) online $(cat /sys/devices/system/cpu/online)"
echo "LINUX flags:$(grep -m1 ^flags /proc/cpuinfo | sed 's/^flags[^:]*://' | tr ' ' '\n' | grep -xE 'fpu|sse|sse2|avx|avx2|avx512f|xsave|erms|fsrm|x2apic|tsc_deadline_timer|hypervisor' | tr '\n' ' ')"
dmesg | grep -E 'x86/fpu: (Supporting|Enabled)|XSAVE|xstate|smpboot|Brought up|TSC deadline|tsc: Detected|ttyS0 at|clocksource|APIC' | sed 's/^/LINUX dmesg: /'
grep -E 'ttyS|timer|LOC' /proc/interrupts | sed 's/^/LINUX irq: /'
/bin/cpucheck && echo "LINUX cpucheck: PASS" || echo "LINUX cpucheck: FAIL"
echo "LINUX init: powering off"
poweroff -f
