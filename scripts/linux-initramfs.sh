#!/bin/bash
# Builds the Linux guests' initramfs (cpio newc, gzip) from busybox-static
# (scripts/linux-fetch.sh), the static test program tests/linux/cpucheck.c and
# the init script tests/linux/init.sh.
#   scripts/linux-initramfs.sh [LINUXDIR] [OUT]   (defaults build/linux, LINUXDIR/initramfs.gz)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
ldir=${1:-build/linux}
out=${2:-$ldir/initramfs.gz}
[ -x "$ldir/busybox" ] || { echo "linux-initramfs: no $ldir/busybox (run scripts/linux-fetch.sh)" >&2; exit 1; }
# up to date: nothing to do (two test cases may ask at once)
up=1
for f in "$ldir/busybox" "$root/tests/linux/init.sh" "$root/tests/linux/cpucheck.c" "$0"; do
	[ "$out" -nt "$f" ] || up=0
done
[ $up = 1 ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/dev" "$tmp/proc" "$tmp/sys" "$tmp/tmp"
cp "$ldir/busybox" "$tmp/bin/busybox"
for a in sh mount cat grep dmesg poweroff echo sleep wc head sed tr uname; do
	ln -s busybox "$tmp/bin/$a"
done
gcc -static -O2 -Wall -Wextra -Werror -pthread -o "$tmp/bin/cpucheck" "$root/tests/linux/cpucheck.c"
install -m 755 "$root/tests/linux/init.sh" "$tmp/init"
(cd "$tmp" && find . | LC_ALL=C sort | cpio --quiet -o -H newc --owner 0:0) | gzip -9 > "$out.$$"
mv "$out.$$" "$out"
echo "linux-initramfs: $out ($(wc -c < "$out") bytes)"
