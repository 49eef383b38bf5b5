#!/usr/bin/env bash
# The vendor boundary: mm/ and guest/ never include vmx/ or svm/ headers, and the two backends
# never include each other. Prints each offending include and fails if there is one.
set -uo pipefail
cd "$(dirname "$0")/.."

bad=0
check() {	# check DIR PATTERN
	local hits
	[[ -d $1 ]] || return 0
	hits=$(grep -rnE "#include[[:space:]]*[<\"](\.\./)*($2)/" "$1" || true)
	if [[ -n $hits ]]; then
		echo "layering: $1/ must not include $2/ headers:"
		echo "$hits" | sed 's/^/  /'
		bad=1
	fi
}
check mm 'vmx|svm'
check guest 'vmx|svm'
check vmx 'svm'
check svm 'vmx'
if [[ $bad -eq 0 ]]; then
	echo "PASS  layering (mm/ and guest/ vendor-neutral, vmx/ and svm/ independent)"
else
	echo "FAIL  layering"
fi
exit $bad
