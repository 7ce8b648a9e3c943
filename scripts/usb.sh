#!/bin/bash
# usb.sh /dev/sdX image.iso: writes the hybrid image to a whole USB device.
set -eu
dev=${1:-} iso=$2
if [ -z "$dev" ]; then
	echo "usage: make usb DEV=/dev/sdX   (the whole device, not a partition; it is erased)" >&2
	exit 2
fi
[ -b "$dev" ] || { echo "usb: $dev is not a block device" >&2; exit 2; }
if lsblk -no MOUNTPOINT "$dev" 2>/dev/null | grep -q .; then
	echo "usb: $dev has mounted partitions; unmount them first" >&2
	exit 2
fi
echo "usb: writing $iso to $dev ($(lsblk -dno SIZE,MODEL "$dev" 2>/dev/null)); Ctrl-C within 5 s to abort"
sleep 5
dd if="$iso" of="$dev" bs=4M conv=fsync status=progress
sync
echo "usb: done; boot the machine from $dev (BIOS or UEFI, Secure Boot off)"
