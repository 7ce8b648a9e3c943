# Integration cases for multi-vCPU guests (sourced by run.sh).

# -- Multi-vCPU guests in one Bochs boot on 4 cores, 15 vCPUs in all:
#    "smpa" and "smpb" (4 vCPUs each, all 8 on cores 2 and 3: time-shared)
#    start their APs with INIT-SIPI-SIPI, check each AP's start state,
#    exchange fixed IPIs all-to-all, logical (flat) and shorthand ones, and
#    INIT and restart a running AP; "pcboot" starts up as a QEMU PC kernel
#    does (APIC ID read first, SPIV, fw_cfg, INIT-SIPI-SIPI, APIC and
#    TSC-deadline timer calibration); "evil" (smp hostile) sends a SIPI to
#    itself, IPIs to APIC IDs nobody has, INIT to its BSP and restarts it;
#    "hello" beside them must not notice any of it.
case_bochs_smp_guests() {
	mkdir -p "$OUT/smp"
	cp "$G/smp.elf" "$OUT/smp/smp hostile"
	mkimage smp "loglevel=info on_stop=poweroff vm=smpa:module=0,cpus=4,pin=2+3+2+3 vm=smpb:module=0,cpus=4,pin=3+2+3+2 vm=pcboot:module=1,cpus=4,pin=0+1+0+1 vm=evil:module=2,cpus=2,pin=0+1 vm=hello:module=3,pin=1" \
		"$G/smp.elf" "$G/pcboot.elf" "$OUT/smp/smp hostile" "$G/hello.elf"
	boot_bochs smp --cpus 4 --timeout 600
	case_begin
	must_eq "bochs end" "$ENDED" poweroff
	must '^\[cpu0\] 5 of 5 VM\(s\) started'
	for vm in smpa smpb; do
		for c in 1 2 3; do must "^\[$vm\] TEST smp-cpu$c-online PASS"; done
		for c in 0 1 2 3; do
			for k in fixed logical broadcast broadcast-self; do
				must "^\[$vm\] TEST smp-cpu$c-$k PASS"
			done
		done
		must "^\[$vm\] TEST smp-cpu3-online-again PASS"
		must "^\[$vm\] TEST smp-cpu3-init-reset PASS"
		must "^\[$vm\] TEST smp-cpu0-init-running PASS"
		must "^\[$vm\] SUMMARY pass=[0-9]+ fail=0"
		must "vm $vm: stopped: exit device: value 0x0, status 1"
	done
	for t in aps apic-timer tsc-deadline; do must "^\[pcboot\] TEST pcboot-$t PASS"; done
	must '^\[pcboot\] INFO pcboot: BSP APIC ID 0, SPIV 0x1ff, 4 CPU\(s\) in fw_cfg'
	must 'vm pcboot: stopped: exit device: value 0x0, status 1'
	must '^\[evil\] TEST smp-cpu1-online PASS'
	must '^\[evil\] TEST smp-cpu1-hostile-survived PASS'
	must '^\[evil\] TEST smp-cpu0-online-again PASS'
	must '^\[evil\] TEST smp-cpu0-bsp-restarted PASS'
	must 'vm evil: stopped: exit device: value 0x0, status 1'
	must '^\[hello\] TEST hello PASS'
	must 'vm hello: stopped: exit device: value 0x0, status 1'
	must '\] all VMs have stopped'
	must_not '^\[(smpa|smpb|pcboot|evil)\] TEST [a-z0-9-]+ SKIP'
	must_not 'TEST [a-z0-9-]+ FAIL|PANIC|EXCEPTION|ERROR|vm [a-z]+: stopped: (all vCPUs|triple|hypervisor|EPT)'
	case_end bochs-smp-guests
}
