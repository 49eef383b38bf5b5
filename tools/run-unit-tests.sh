#!/usr/bin/env bash
# Runs the host unit-test binaries given as arguments; prints one line per binary and a total.
set -uo pipefail

passed=0 failed=0
for bin in "$@"; do
	name=$(basename "$bin")
	log="$bin.log"
	start=$(date +%s%N)
	if "$bin" >"$log" 2>&1; then
		verdict=PASS
	else
		verdict=FAIL
	fi
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	cases=$(grep -Eo '^\[  PASSED  \] [0-9]+' "$log" | awk '{s+=$NF} END {print s+0}')
	bad=$(grep -Eo '^\[  FAILED  \] [0-9]+' "$log" | awk '{s+=$NF} END {print s+0}')
	printf '%s  %-28s %4d cases passed, %d failed  %d.%01ds\n' "$verdict" "$name" "$cases" "$bad" $((ms / 1000)) $((ms % 1000 / 100))
	if [[ $verdict == PASS ]]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		sed 's/^/      | /' "$log" | grep -v 'RUN \|       OK ' | tail -n 30
	fi
done
echo "unit: $passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
