#!/bin/bash
# Fails if any given C file differs from what clang-format (with .clang-format) makes of it.
set -u
command -v clang-format >/dev/null || { echo "format-check: clang-format missing (apt-get install clang-format)"; exit 1; }
bad=0
for f in "$@"; do
	if ! clang-format --style=file "$f" | cmp -s - "$f"; then
		echo "format-check: $f is not clang-formatted (run: make format)"
		bad=1
	fi
done
[ $bad = 0 ] && echo "format-check: $# files OK"
exit $bad
