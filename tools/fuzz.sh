#!/usr/bin/env bash
# Runs libFuzzer targets: each for a bounded time over its working corpus (DIR/corpus/NAME,
# seeded from tests/fuzz/corpus/NAME), then, with --replay, once over every seed and every
# regression input (tests/fuzz/regress/NAME). One line per target with executions, executions per
# second, coverage (cov: edges, ft: features), corpus size and findings; a total at the end. The
# seconds shown are those the fuzzing took (less than asked when it stopped at a finding).
#
#   tools/fuzz.sh [--seconds S] [--jobs N] [--replay] [--only PATTERN] [--out DIR] build/fuzz/fuzz_NAME...
#
# Logs, working corpora and findings go under DIR (build/fuzz). A finding (crash, leak, timeout,
# failed invariant) is saved under DIR/crashes/NAME/; to keep it as a regression case, fix the
# bug and copy the file to tests/fuzz/regress/NAME/.
# Extra libFuzzer flags for one target may be listed in tests/fuzz/NAME.flags.
set -uo pipefail
cd "$(dirname "$0")/.."

seconds=600 jobs=1 replay=0 only="" out=build/fuzz
while [[ $# -gt 0 ]]; do
	case $1 in
	--seconds) seconds=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	--replay) replay=1; shift ;;
	--only) only=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) break ;;
	esac
done

# Runs one target; writes its result line to $out/NAME.result and its logs beside it.
run_one() {
	local bin=$1 name=${1##*/fuzz_}
	local work=$out/corpus/$name crashes=$out/crashes/$name
	local seeds=tests/fuzz/corpus/$name regress=tests/fuzz/regress/$name
	local log=$out/$name.log result=$out/$name.result
	local flags=() verdict=PASS why="" replayed=0

	local start=$SECONDS
	mkdir -p "$work" "$crashes"
	[[ -f tests/fuzz/$name.flags ]] && read -r -a flags <"tests/fuzz/$name.flags"
	"$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$crashes/" "${flags[@]}" "$work" $([[ -d $seeds ]] && echo "$seeds") \
		>"$log" 2>&1 || { verdict=FAIL; why="finding: $(ls -t "$crashes" | head -n 1)"; }
	local ran=$((SECONDS - start))

	if [[ $verdict == PASS && $replay -eq 1 ]]; then
		local inputs=()
		mapfile -t inputs < <(find "$seeds" "$regress" -type f 2>/dev/null | sort)
		replayed=${#inputs[@]}
		if [[ $replayed -gt 0 ]] && ! "$bin" "${flags[@]}" "${inputs[@]}" >"$log.replay" 2>&1; then
			verdict=FAIL
			why="replay failed (see $log.replay)"
		fi
	fi

	local execs eps cov ft corp
	execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
	eps=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$')
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$')
	ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$')
	corp=$(grep -o 'corp: [0-9]*' "$log" | tail -n 1 | grep -o '[0-9]*$')
	printf '%s  fuzz %-12s %4ss %10s execs %7s/s  cov %5s  ft %6s  corpus %5s  replayed %3d%s\n' \
		"$verdict" "$name" "$ran" "${execs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" \
		"${corp:-?}" "$replayed" "${why:+  $why}" >"$result"
	if [[ $verdict == FAIL ]]; then
		# The report without libFuzzer's progress lines and the deeper stack frames.
		{ grep -Ev '^#[0-9]|^    #([6-9]|[1-9][0-9])' "$log" | tail -n 25
		  [[ -f $log.replay ]] && grep -Ev '^    #([6-9]|[1-9][0-9])' "$log.replay" | tail -n 25; } |
			sed 's/^/      | /' >>"$result"
	fi
}

mkdir -p "$out"
bins=()
for bin in "$@"; do
	name=${bin##*/fuzz_}
	[[ -z $only || $name == $only ]] && bins+=("$bin")
done
[[ ${#bins[@]} -gt 0 ]] || { echo "fuzz: no target matches"; exit 1; }

# At most $jobs targets at once; results are printed in the order the targets were given.
running=0
for bin in "${bins[@]}"; do
	rm -f "$out/${bin##*/fuzz_}.result"
	if [[ $jobs -le 1 ]]; then
		run_one "$bin"
		cat "$out/${bin##*/fuzz_}.result"
		continue
	fi
	run_one "$bin" &
	running=$((running + 1))
	if [[ $running -ge $jobs ]]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

passed=0 failed=0
for bin in "${bins[@]}"; do
	result=$out/${bin##*/fuzz_}.result
	[[ $jobs -gt 1 ]] && cat "$result"
	if grep -q '^PASS ' "$result"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "fuzz: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
