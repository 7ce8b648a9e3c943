#!/bin/bash
# size-check.sh ELF LIMIT_KIB: prints the hypervisor's .text and .rodata as
# linked (before the page rounding of linker.ld) and fails when together they
# exceed LIMIT_KIB KiB (make size-check, run by make test; README.md).
set -eu
elf=$1 limit=$2
sym() { echo $((0x$(nm "$elf" | awk -v s="$1" '$3 == s { print $1 }'))); }
text=$(( $(sym __text_used_end) - $(sym __text_start) ))
rodata=$(( $(sym __rodata_used_end) - $(sym __rodata_start) ))
total=$((text + rodata))
printf 'size: .text %d + .rodata %d = %d bytes (%d.%d KiB), limit %d KiB\n' "$text" "$rodata" "$total" \
	$((total / 1024)) $((total % 1024 * 10 / 1024)) "$limit"
if [ "$total" -gt $((limit * 1024)) ]; then
	echo "size: over the limit by $((total - limit * 1024)) bytes; the largest functions and tables:"
	nm --size-sort -S -t d "$elf" | awk '$3 ~ /^[tTrR]$/' | tail -15
	exit 1
fi
