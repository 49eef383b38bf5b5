#!/usr/bin/env bash
# `make test`: host unit tests, the fuzz smoke run, the layering check, the build (Umbra,
# umbra.efi and the test guests), the emulator tests, then `make bench`'s quick mode.
# Ends with one summary line "N passed, N failed" over all test programs and emulator runs.
set -uo pipefail
cd "$(dirname "$0")/.."
jobs=${JOBS:-2}

tools/setup.sh || exit 1
log=build/test-all.log
mkdir -p build
: >"$log"

status=0
# Debian's kernels and busybox first: the bzImage unit test reads the real headers, and the
# Linux emulator tests boot them. A fetch that fails is a failure, not a skip.
if tools/fetch-linux.sh build/linux >>"$log" 2>&1; then
	export UMBRA_LINUX_DIR=$PWD/build/linux
else
	echo "FAIL  tools/fetch-linux.sh build/linux (Debian's kernels and busybox)" | tee -a "$log"
	tail -n 20 "$log"
	status=1
fi
make -s -j"$jobs" unit 2>&1 | tee -a "$log" || status=1
# The fuzz smoke run: each libFuzzer target for FUZZ_SMOKE_SECONDS (20 s), then every seed and
# regression input once; one PASS/FAIL line per target.
make -s -j"$jobs" fuzz-smoke 2>&1 | tee -a "$log" || status=1
tools/check-layering.sh 2>&1 | tee -a "$log" || status=1
tools/test-layering.sh 2>&1 | tee -a "$log" || status=1
if make -s -j"$jobs" build/umbra.elf build/umbra.efi guests >>"$log" 2>&1; then
	python3 tests/emu/run.py --build build --jobs "$jobs" ${TESTS:+--only "$TESTS"} ${LONG:+--long} 2>&1 | tee -a "$log" || status=1
else
	echo "FAIL  build of build/umbra.elf, build/umbra.efi and the test guests:"; tail -n 30 "$log"; status=1
fi
# make bench's quick mode: one repetition of the small bench guests under Umbra (shadow, TDP)
# and natively on QEMU and Bochs; every row must have figures and the charts must be written.
if python3 tools/bench/bench.py --quick --out build/bench-quick >build/bench-quick.log 2>&1; then
	echo "PASS  bench-quick ($(grep -c ' rep 1 \.\.\.' build/bench-quick.log) runs, build/bench-quick/results.md)" | tee -a "$log"
else
	why=$(grep -E '^bench: (check: |[0-9]+ of |nothing)|FAIL: ' build/bench-quick.log | head -n 1)
	echo "FAIL  bench-quick ${why:-(see build/bench-quick.log)}" | tee -a "$log"
	grep -E 'FAIL: |^bench: ' build/bench-quick.log | head -n 20
	status=1
fi

passed=$(grep -cE '^PASS ' "$log")
failed=$(grep -cE '^FAIL ' "$log")
echo
echo "$passed passed, $failed failed"
[[ $status -eq 0 && $failed -eq 0 && $passed -gt 0 ]]
