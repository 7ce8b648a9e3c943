#!/bin/bash
# mkiso.sh [--mb1] [--efi sable.efi [--efi-default]] OUT.iso sable.elf "CMDLINE" TIMEOUT [guest.elf ...]
# Builds a GRUB rescue image (BIOS, plus UEFI when grub-efi-amd64-bin is
# installed) with GRUB on the serial console. Guest kernels become GRUB
# modules 0, 1, ... in the order given; a guest given as FILE::ARGS gets the
# module string "<basename> ARGS" (a Linux guest's kernel command line), with
# every further "::" in ARGS read as a space (for make's GUESTS=, which splits
# at spaces).
# With --efi the image also gets a FAT partition (appended to the hybrid
# image's partition table) holding \EFI\sable\: sable.efi, sable.elf, the
# guests and a sable.cfg with the same command line and modules; sable.efi is
# on the ISO 9660 tree too. GRUB as an EFI program gets a second menu entry
# that chainloads it from that partition; GRUB's own entry stays the default
# unless --efi-default. Firmware sees the partition when the image is a disk
# (a USB stick), not when it is a CD.
# --mb1: GRUB boots the ELF with `multiboot` (v1) instead of multiboot2: a
# guest kernel run on the bare machine, without Sable (the tests use it to
# read what the emulated CPU itself reports).
set -eu
efi="" efi_default=0 mbcmd=multiboot2
if [ "${1:-}" = --mb1 ]; then
	mbcmd=multiboot
	shift
fi
if [ "${1:-}" = --efi ]; then
	efi=$2
	shift 2
	if [ "${1:-}" = --efi-default ]; then
		efi_default=1
		shift
	fi
fi
out=$1 elf=$2 cmdline=$3 timeout=$4
shift 4
dir=$(mktemp -d "${TMPDIR:-/tmp}/sable-iso.XXXXXX")
# The log lives outside the folder xorriso packs: a file that changes while it
# is read makes libisofs fail ("MISHAP ... has changed").
log=$(mktemp "${TMPDIR:-/tmp}/sable-mkrescue.XXXXXX")
esp=$(mktemp -d "${TMPDIR:-/tmp}/sable-esp.XXXXXX")
trap 'rm -rf "$dir" "$log" "$esp"' EXIT
mkdir -p "$dir/boot/grub"
cp "$elf" "$dir/boot/sable.elf"
mods="" efimods=""
i=0
files=()
for g in "$@"; do
	f=${g%%::*} args=""
	[ "$f" = "$g" ] || args=" ${g#*::}"
	args=${args//::/ }
	files+=("$f")
	cp "$f" "$dir/boot/guest$i.elf"
	mods="$mods	module2 /boot/guest$i.elf $(basename "$f")$args
"
	efimods="${efimods}module guest$i.elf $(basename "$f")$args
"
	i=$((i + 1))
done
efientry="" default=0
xorriso_args=()
if [ -n "$efi" ]; then
	mkdir -p "$dir/EFI/sable" "$esp/files"
	cp "$efi" "$dir/EFI/sable/sable.efi"
	cp "$efi" "$elf" "$esp/files/"
	i=0
	for g in "${files[@]}"; do
		cp "$g" "$esp/files/guest$i.elf"
		i=$((i + 1))
	done
	printf '# sable.efi configuration (see README.md)\ncmdline %s\n%s' "$cmdline" "$efimods" \
		> "$esp/files/sable.cfg"
	kib=$(($(du -sk "$esp/files" | cut -f1) + 512))
	dd if=/dev/zero of="$esp/esp.img" bs=1k count="$kib" 2>/dev/null
	mformat -i "$esp/esp.img" ::
	mmd -i "$esp/esp.img" ::/EFI ::/EFI/sable
	mcopy -i "$esp/esp.img" "$esp"/files/* ::/EFI/sable/
	xorriso_args=(-- -append_partition 3 0xef "$esp/esp.img")
	efientry='if [ "$grub_platform" = efi ]; then
	menuentry "Sable (sable.efi, no GRUB)" {
		search --no-floppy --file /EFI/sable/sable.cfg --set=root
		chainloader /EFI/sable/sable.efi
	}
fi'
	[ $efi_default = 0 ] || default=1
fi
cat > "$dir/boot/grub/grub.cfg" <<CFG
serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1
terminal_input serial console
terminal_output serial console
set timeout=$timeout
set default=$default
# video drivers (UEFI GOP among them): multiboot2 passes the framebuffer only through one
insmod all_video
menuentry "Sable" {
	$mbcmd /boot/sable.elf $cmdline
$mods	# Sable's header asks for a framebuffer, which makes multiboot2 set
	# gfxpayload=auto; on BIOS the VGA text mode is kept instead.
	if [ "\$grub_platform" = pc ]; then set gfxpayload=text; fi
	boot
}
$efientry
CFG
grub-mkrescue -o "$out" "$dir" "${xorriso_args[@]}" >/dev/null 2>"$log" || { cat "$log" >&2; exit 1; }
echo "  ISO     $out ($(($(stat -c %s "$out") / 1024)) KiB, cmdline: $cmdline${*:+, guests: $*})"
