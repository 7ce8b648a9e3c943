#!/bin/bash
# Installs the Debian packages the build and tests need, when missing.
set -u
PKGS="build-essential nasm grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools
      bochs bochs-term bochsbios vgabios bximage qemu-system-x86 ovmf libcmocka-dev clang-format
      gcc-multilib gnu-efi console-setup-linux python3 gdb cpio"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: run as root, or: sudo apt-get install$missing" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || { echo "deps: apt-get update failed" >&2; exit 1; }
apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
	{ echo "deps: apt-get install failed for:$missing" >&2; exit 1; }
echo "deps: installed"
