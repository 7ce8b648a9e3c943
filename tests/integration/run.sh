#!/bin/bash
# Integration tests: the real image booted in Bochs (VMX) and QEMU TCG (no VMX).
set -u
. "$(dirname "$0")/lib.sh"

# -- Bochs, 4 cores: every core online, memory summary, VMX present, bad options
#    warned about and ignored, clean power-off.
mkimage boot "loglevel=info on_stop=poweroff /stray-token bogus nokey=1 loglevel=loud cpus=99"
boot_bochs boot --cpus 4 --timeout 300
case_begin
must_eq "bochs end" "$ENDED" poweroff
must '^\[cpu0\] all cores online: 4 of 4 \([0-9]+ TSC ticks since entry\)'
for c in 1 2 3; do must "^\[cpu$c\] cpu$c online \(APIC id $c\)"; done
must '^\[cpu0\] memory: [0-9]+ MiB usable in [0-9]+ map entries, [0-9]+ MiB free'
must '^\[cpu0\] paging: .*text RX, rodata R, data NX'
must '^\[cpu0\] ACPI: .*4 CPUs \(4 enabled\)'
must '^\[cpu0\] VMX present'
must "WARN: ignoring malformed boot option '/stray-token'"
must "WARN: ignoring malformed boot option 'bogus'"
must "WARN: ignoring unknown boot option 'nokey'"
must "WARN: ignoring loglevel=loud: expected"
must "WARN: ignoring cpus=99: expected a number from 1 to 64"
must '^\[cpu0\] stopped 3 other core\(s\)$'
must '^\[cpu0\] stopping: powering off'
must_not 'PANIC|EXCEPTION'
case_end bochs-boot-all-cores
boot_ticks=$(sed -n 's/.*all cores online: .* (\([0-9]*\) TSC ticks since entry).*/\1/p' "$SERIAL")
echo "INFO boot to all cores online in Bochs: $boot_ticks TSC ticks"

# -- QEMU TCG has no VMX: one clear line, clean stop through the debug-exit device.
mkimage novmx "loglevel=info on_stop=poweroff"
boot_qemu novmx --timeout 120
case_begin
must_eq "qemu exit status" "$QEMU_RC" 3
must '^\[cpu0\] ERROR: VMX not supported by this CPU'
must '^\[cpu0\] all cores online: 4 of 4'
must_not 'PANIC|EXCEPTION|VMX present'
case_end qemu-bios-no-vmx

if [ -f /usr/share/OVMF/OVMF_CODE_4M.fd ] || [ -f /usr/share/OVMF/OVMF_CODE.fd ]; then
	boot_qemu novmx --uefi --timeout 180
	case_begin
	must_eq "qemu exit status" "$QEMU_RC" 3
	must '^\[cpu0\] ERROR: VMX not supported by this CPU'
	must '^\[cpu0\] ACPI: revision 2 via XSDT'
	must_not 'PANIC|EXCEPTION'
	case_end qemu-uefi-no-vmx
else
	skip qemu-uefi-no-vmx "OVMF firmware not installed"
fi

# -- cpus= limits the cores started.
mkimage cpus2 "on_stop=poweroff cpus=2"
boot_qemu cpus2 --timeout 120
case_begin
must '^\[cpu0\] all cores online: 2 of 4'
must 'cpus=2: not starting APIC id 2'
must_not 'cpu2 online'
case_end qemu-cpus-limit

# -- An exception in the hypervisor: full report, every core stopped, exit as a panic.
mkimage fault "on_stop=poweroff selftest=pf"
boot_qemu fault --timeout 120
case_begin
must_eq "qemu exit status" "$QEMU_RC" 5
must '^\[cpu0\] EXCEPTION #PF page fault \(vector 14\) error code 0x0$'
must '^  RSP [0-9a-f]{16}  SS 0010  CR2 0000000000000008  CR3 '
must '^  RAX [0-9a-f]{16}  RBX '
must '^  R12 [0-9a-f]{16}'
must '^\[cpu0\] PANIC at hv/trap.c:[0-9]+: unhandled exception 14'
must '^\[cpu0\] stopped 3 other core\(s\)$'
case_end qemu-exception-report

mkimage ud "on_stop=poweroff selftest=ud cpus=3"
boot_qemu ud --timeout 120
case_begin
must_eq "qemu exit status" "$QEMU_RC" 5
must '^\[cpu0\] EXCEPTION #UD invalid opcode \(vector 6\)'
must '^\[cpu0\] stopped 2 other core\(s\)$'
case_end qemu-invalid-opcode-report

[ $FAILS = 0 ] && echo "integration: all tests passed" || echo "integration: $FAILS test(s) failed"
[ $FAILS = 0 ]
