#!/usr/bin/env bash
# Proves that tools/check-layering.sh fails where it must: on a copy of the kernel sources it
# plants one violation at a time (an upward include on each floor, a backend reaching into
# guest/, an include circle, a repeated header name) and expects a failure naming it; the
# untouched copy must pass.
set -uo pipefail
cd "$(dirname "$0")/.."
check=$PWD/tools/check-layering.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

fresh_copy() {
	rm -rf "$work/tree"
	mkdir -p "$work/tree"
	cp -r boot arch mm lib vmx svm guest "$work/tree/"
}

# expect NAME SHOULD-PASS PATTERN: runs the check on the copy; PATTERN must appear on failure.
expect() {
	local name=$1 should_pass=$2 pattern=$3 out rc
	out=$(bash "$check" "$work/tree" 2>&1)
	rc=$?
	if [[ $should_pass == yes && $rc -eq 0 ]] ||
	   [[ $should_pass == no && $rc -ne 0 && $out == *"$pattern"* ]]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "  case $name: rc $rc, expected $( [[ $should_pass == yes ]] && echo pass || echo "failure naming \"$pattern\"" ):"
		echo "$out" | sed 's/^/    /' | head -n 8
	fi
}

plant() {	# plant FILE LINE: appends an include line to FILE in the copy
	echo "$2" >>"$work/tree/$1"
}

fresh_copy; expect clean yes ""
fresh_copy; plant lib/string.c '#include "arch/cpu.h"';         expect lib-up no "lib/ includes only lib/"
fresh_copy; plant arch/gdt.c '#include "mm/page.h"';            expect arch-up no "arch/ includes only"
fresh_copy; plant mm/pmm.c '#include "guest/guest.h"';          expect mm-up no "mm/ must not include"
fresh_copy; plant mm/walk.c '#include "boot/boot_info.h"';      expect mm-boot no "mm/ must not include"
fresh_copy; plant guest/run.c '#include "boot/boot_info.h"';    expect guest-boot no "guest/ must not include"
fresh_copy; plant guest/mode.c '#include "vmx/vmcs.h"';         expect guest-vendor no "guest/ must not include"
fresh_copy; plant guest/x86/x86_decode.c '#include "guest/guest.h"'; expect x86-pure no "guest/x86/ is pure"
fresh_copy; plant svm/svm.c '#include "guest/guest.h"';         expect svm-face no "svm/ reaches guest/ only"
fresh_copy; plant vmx/vmx.c '#include "svm/vmcb.h"';            expect vmx-svm no "vmx/ reaches guest/ only"
fresh_copy; plant guest/guest.c '#include "guest/run.h"'; plant guest/run.h '#include "guest/guest.h"'
expect circle no "include circle"
fresh_copy; cp "$work/tree/mm/page.h" "$work/tree/guest/page.h"; expect same-name no "two headers named page.h"

if [[ $failed -eq 0 ]]; then
	echo "PASS  test-layering                  $passed cases passed, 0 failed"
else
	echo "FAIL  test-layering                  $passed cases passed, $failed failed"
fi
[[ $failed -eq 0 ]]
