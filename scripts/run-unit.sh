#!/bin/bash
# Runs each host unit-test binary; fails if any fails. Prints a summary line.
set -u
fail=0
for t in "$@"; do
	if "$t"; then
		echo "UNIT $(basename "$t") PASS"
	else
		echo "UNIT $(basename "$t") FAIL"
		fail=1
	fi
done
[ $fail = 0 ] && echo "unit: all $# test programs passed"
exit $fail
