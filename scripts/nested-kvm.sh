# Whether this host can run Sable nested under QEMU/KVM (sourced by
# scripts/qemu.sh and tests/integration/run.sh).
#
# nested_kvm_reason [KVM_DEV [CPUINFO [NESTED_PARAM]]]: prints nothing when
# KVM_DEV (/dev/kvm) opens for reading and writing, CPUINFO (/proc/cpuinfo) shows an Intel CPU
# with VMX, and NESTED_PARAM (kvm_intel's "nested" parameter) is Y or 1;
# otherwise prints the first reason why not, one line. The arguments let a
# test hand in fake files.
nested_kvm_reason() {
	local dev=${1:-/dev/kvm} cpuinfo=${2:-/proc/cpuinfo}
	local param=${3:-/sys/module/kvm_intel/parameters/nested} nested
	if [ ! -e "$dev" ]; then
		echo "no $dev (KVM not available on this host)"
		return
	fi
	if grep -q '^vendor_id[[:space:]]*: AuthenticAMD' "$cpuinfo" 2>/dev/null; then
		echo "AMD host (Sable needs Intel VT-x; KVM on AMD nests SVM, not VMX)"
		return
	fi
	if ! grep -q '^vendor_id[[:space:]]*: GenuineIntel' "$cpuinfo" 2>/dev/null; then
		echo "not an Intel CPU ($(sed -n 's/^vendor_id[[:space:]]*: //p' "$cpuinfo" 2>/dev/null | head -n1))"
		return
	fi
	if ! grep -q '^flags.*\bvmx\b' "$cpuinfo" 2>/dev/null; then
		echo "CPU shows no vmx flag (VT-x disabled in the firmware, or not offered to this VM)"
		return
	fi
	if [ ! -r "$param" ]; then
		echo "kvm_intel is not loaded (modprobe kvm_intel nested=1)"
		return
	fi
	nested=$(cat "$param")
	if [ "$nested" != Y ] && [ "$nested" != 1 ]; then
		echo "kvm_intel nested=$nested (modprobe -r kvm_intel && modprobe kvm_intel nested=1)"
		return
	fi
	if ! (exec 3<>"$dev") 2>/dev/null; then
		echo "$dev not usable: $(id -un) cannot open it for reading and writing (join the kvm group)"
		return
	fi
}
