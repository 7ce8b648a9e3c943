#!/bin/bash
# Fetches Debian's stock kernel (linux-image-amd64, with its modules) and
# busybox-static with `apt-get download` and unpacks them with `dpkg -x` into
# OUT (default build/linux). Nothing is installed on the build machine.
#
#   scripts/linux-fetch.sh [OUT]
#
# Leaves: OUT/vmlinuz (the bzImage), OUT/version (the kernel release, e.g.
# 6.1.0-57-amd64), OUT/root/lib/modules/<release>/ (its modules), OUT/busybox
# (static). A second run with the files present does nothing.
set -eu
out=${1:-build/linux}
mkdir -p "$out"
# One fetch at a time: the two lanes of make test may both ask for it.
exec 9>"$out.fetch.lock"
flock 9
[ -s "$out/vmlinuz" ] && [ -s "$out/version" ] && [ -x "$out/busybox" ] && exit 0

pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -1)
if [ -z "$pkg" ]; then
	echo "linux-fetch: apt does not know linux-image-amd64 (run apt-get update as root?)" >&2
	exit 1
fi
rel=${pkg#linux-image-}
dl=$(mktemp -d)
trap 'rm -rf "$dl"' EXIT
echo "linux-fetch: downloading $pkg and busybox-static"
(cd "$dl" && apt-get download "$pkg" busybox-static >/dev/null 2>&1) || {
	echo "linux-fetch: apt-get download $pkg busybox-static failed" >&2
	exit 1
}
rm -rf "$out/root" "$out/bb"
dpkg -x "$dl/${pkg}"_*.deb "$out/root"
dpkg -x "$dl"/busybox-static_*.deb "$out/bb"
cp "$out/root/boot/vmlinuz-$rel" "$out/vmlinuz"
cp "$out/bb/bin/busybox" "$out/busybox"
rm -rf "$out/bb" "$out/root/boot"
echo "$rel" >"$out/version"
echo "linux-fetch: $out/vmlinuz is Debian's $rel"
