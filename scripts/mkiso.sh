#!/bin/bash
# mkiso.sh [--efi sable.efi] OUT.iso sable.elf "CMDLINE" TIMEOUT [guest.elf ...]
# Builds a GRUB rescue image (BIOS, plus UEFI when grub-efi-amd64-bin is
# installed) with GRUB on the serial console. Guest kernels become GRUB
# modules 0, 1, ... in the order given. With --efi the image also holds
# /EFI/sable/sable.efi and a sable.cfg with the same command line and modules,
# and GRUB (as an EFI program) gets a second, non-default entry chainloading it.
set -eu
efi=""
if [ "${1:-}" = --efi ]; then
	efi=$2
	shift 2
fi
out=$1 elf=$2 cmdline=$3 timeout=$4
shift 4
dir=$(mktemp -d "${TMPDIR:-/tmp}/sable-iso.XXXXXX")
# The log lives outside the folder xorriso packs: a file that changes while it
# is read makes libisofs fail ("MISHAP ... has changed").
log=$(mktemp "${TMPDIR:-/tmp}/sable-mkrescue.XXXXXX")
trap 'rm -rf "$dir" "$log"' EXIT
mkdir -p "$dir/boot/grub"
cp "$elf" "$dir/boot/sable.elf"
mods="" efimods=""
i=0
for g in "$@"; do
	cp "$g" "$dir/boot/guest$i.elf"
	mods="$mods	module2 /boot/guest$i.elf $(basename "$g")
"
	efimods="${efimods}module /boot/guest$i.elf $(basename "$g")
"
	i=$((i + 1))
done
efientry=""
if [ -n "$efi" ]; then
	mkdir -p "$dir/EFI/sable"
	cp "$efi" "$dir/EFI/sable/sable.efi"
	printf '# sable.efi configuration (see README.md)\nkernel /boot/sable.elf\ncmdline %s\n%s' \
		"$cmdline" "$efimods" > "$dir/EFI/sable/sable.cfg"
	efientry='if [ "$grub_platform" = efi ]; then
	menuentry "Sable (sable.efi, no GRUB)" {
		chainloader /EFI/sable/sable.efi
	}
fi'
fi
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
$efientry
CFG
grub-mkrescue -o "$out" "$dir" >/dev/null 2>"$log" || { cat "$log" >&2; exit 1; }
echo "  ISO     $out ($(($(stat -c %s "$out") / 1024)) KiB, cmdline: $cmdline${*:+, guests: $*})"
