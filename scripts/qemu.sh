#!/bin/bash
# Boots an ISO, or a directory as a FAT disk, in QEMU.
#   scripts/qemu.sh --iso build/sable.iso | --disk IMG | --fat DIR  [--uefi] [--kvm|--tcg]
#                   [--serial FILE|none] [--serial2 FILE] [--gdb PORT] [--acpitable FILE]
#                   [--cpus N] [--mem SIZE] [--timeout SECONDS] [--monitor SOCKET]
# --disk IMG gives the image as a hard disk (as a USB stick would be; writes
# are discarded). --fat DIR gives the firmware DIR as a FAT drive (QEMU's vvfat) and no network
# card, for booting sable.efi with --uefi: DIR/EFI/BOOT/BOOTX64.EFI boots
# directly; without it OVMF falls through to its UEFI shell (DIR/startup.nsh).
# Default accelerator: KVM with -cpu host when /dev/kvm is usable and the host
# CPU offers nested VMX (the hypervisor then runs nested), else TCG, where Sable
# stops with "VMX not supported by this CPU". Without --serial the console is
# this terminal; --serial none gives the machine no COM1 at all. --serial2 FILE
# adds COM2 (0x2f8) writing to FILE; --gdb PORT makes COM2 a TCP server on
# localhost:PORT instead, for gdb against Sable's stub (gdb= boot option); --acpitable FILE adds FILE (a whole ACPI
# table, header included) to the firmware's tables. The isa-debug-exit device at 0xf4 lets Sable choose QEMU's exit
# status: (code << 1) | 1. --monitor puts the QEMU monitor on a Unix socket
# (tests take screenshots through it: screendump, pmemsave).
set -u
iso="" disk_img="" fat="" uefi=0 accel=auto serial="" serial2="" gdbport="" cpus=4 mem=512M timeout=0 monitor=none
extra=()
while [ $# -gt 0 ]; do
	case $1 in
	--iso) iso=$2; shift ;;
	--fat) fat=$2; shift ;;
	--disk) disk_img=$2; shift ;;
	--uefi) uefi=1 ;;
	--kvm) accel=kvm ;;
	--tcg) accel=tcg ;;
	--serial) serial=$2; shift ;;
	--serial2) serial2=$2; shift ;;
	--gdb) gdbport=$2; shift ;;
	--acpitable) extra+=(-acpitable "file=$2"); shift ;;
	--cpus) cpus=$2; shift ;;
	--mem) mem=$2; shift ;;
	--timeout) timeout=$2; shift ;;
	--monitor) monitor=unix:$2,server=on,wait=off; shift ;;
	*) echo "qemu.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
if [ -n "$fat" ]; then
	[ -d "$fat" ] || { echo "qemu.sh: no directory at '$fat'" >&2; exit 2; }
	disk="-drive format=raw,file=fat:rw:$fat -nic none"
elif [ -n "$disk_img" ]; then
	[ -f "$disk_img" ] || { echo "qemu.sh: no image at '$disk_img'" >&2; exit 2; }
	disk="-drive format=raw,file=$disk_img,snapshot=on -nic none"
else
	[ -f "$iso" ] || { echo "qemu.sh: no ISO at '$iso' (run make iso)" >&2; exit 2; }
	disk="-cdrom $iso"
fi

# shellcheck source=scripts/nested-kvm.sh
. "$(dirname "$0")/nested-kvm.sh"
if [ $accel = auto ]; then
	if [ -z "$(nested_kvm_reason)" ]; then accel=kvm; else accel=tcg; fi
fi
if [ $accel = kvm ]; then
	cpu="-accel kvm -cpu host,+vmx"
else
	cpu="-accel tcg -cpu max"
fi
fw=""
if [ $uefi = 1 ]; then
	code=/usr/share/OVMF/OVMF_CODE_4M.fd
	[ -f $code ] || code=/usr/share/OVMF/OVMF_CODE.fd
	fw="-drive if=pflash,format=raw,readonly=on,file=$code"
fi
if [ "$serial" = none ]; then
	console="-serial none -display none -monitor $monitor"
elif [ -n "$serial" ]; then
	console="-serial file:$serial -display none -monitor $monitor"
else
	console="-nographic -monitor none -serial stdio"
fi
[ -n "$serial2" ] && [ -n "$gdbport" ] && { echo "qemu.sh: --serial2 and --gdb both want COM2" >&2; exit 2; }
[ -n "$serial2" ] && extra+=(-serial "file:$serial2")
[ -n "$gdbport" ] && extra+=(-serial "tcp:127.0.0.1:$gdbport,server=on,wait=off")
echo "qemu: $accel, $cpus CPUs, $mem, $( [ $uefi = 1 ] && echo UEFI || echo BIOS )" >&2
to=""
[ "$timeout" != 0 ] && to="timeout -k 5 $timeout"
# shellcheck disable=SC2086
$to qemu-system-x86_64 $cpu $fw -smp "$cpus" -m "$mem" $disk -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 $console "${extra[@]}"
