#!/bin/bash
# mkiso.sh OUT.iso sable.elf "CMDLINE" TIMEOUT [guest.elf ...]
# Builds a GRUB rescue image (BIOS, plus UEFI when grub-efi-amd64-bin is
# installed) with GRUB on the serial console. Guest kernels become GRUB
# modules 0, 1, ... in the order given.
set -eu
out=$1 elf=$2 cmdline=$3 timeout=$4
shift 4
dir=$(mktemp -d "${TMPDIR:-/tmp}/sable-iso.XXXXXX")
# The log lives outside the folder xorriso packs: a file that changes while it
# is read makes libisofs fail ("MISHAP ... has changed").
log=$(mktemp "${TMPDIR:-/tmp}/sable-mkrescue.XXXXXX")
trap 'rm -rf "$dir" "$log"' EXIT
mkdir -p "$dir/boot/grub"
cp "$elf" "$dir/boot/sable.elf"
mods=""
i=0
for g in "$@"; do
	cp "$g" "$dir/boot/guest$i.elf"
	mods="$mods	module2 /boot/guest$i.elf $(basename "$g")
"
	i=$((i + 1))
done
cat > "$dir/boot/grub/grub.cfg" <<CFG
serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1
terminal_input serial console
terminal_output serial console
set timeout=$timeout
set default=0
menuentry "Sable" {
	multiboot2 /boot/sable.elf $cmdline
$mods	boot
}
CFG
grub-mkrescue -o "$out" "$dir" >/dev/null 2>"$log" || { cat "$log" >&2; exit 1; }
echo "  ISO     $out ($(($(stat -c %s "$out") / 1024)) KiB, cmdline: $cmdline${*:+, guests: $*})"
