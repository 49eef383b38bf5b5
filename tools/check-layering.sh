#!/usr/bin/env bash
# Umbra's floors, enforced: each folder includes only from the folders below it.
#
#   lib/    the freestanding runtime          includes lib/ only
#   arch/   host x86 support                  + lib/
#   mm/     memory and the shadow MMU         + arch/ (never guest/, boot/, vmx/, svm/)
#   guest/  everything the guest sees         + mm/ (never boot/, vmx/, svm/)
#     guest/x86/  decoder and emulator        arch/, lib/ and itself: they never see struct guest
#     guest/firmware/  ACPI and MP tables     arch/, lib/ and itself: pure builders, like guest/x86/
#   vmx/, svm/  the backends                  arch/, mm/, lib/, their own folder, and guest/ only
#                                             through the vCPU face (vcpu.h, vm_exit.h, exit_kinds.h)
#   boot/   the top: may include anything
#
# Also: no include circle among the kernel's modules (a module is a .c and its .h), and no two
# kernel headers with the same base name. Prints each violation and fails if there is one.
#
#   tools/check-layering.sh [TREE]     (TREE defaults to this checkout)
set -uo pipefail
root=${1:-"$(dirname "$0")/.."}
cd "$root" || exit 2

KERNEL_DIRS=(boot arch mm lib vmx svm guest)
bad=0
say() { echo "layering: $*"; bad=1; }

# rule DIR ALLOWED WHAT: every #include "..." under DIR must start with ALLOWED (an ERE).
rule() {
	local dir=$1 allowed=$2 what=$3 hits
	[[ -d $dir ]] || return 0
	hits=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$dir" \
			--include='*.c' --include='*.h' --include='*.S' |
		grep -vE "#[[:space:]]*include[[:space:]]*\"($allowed)" || true)
	if [[ -n $hits ]]; then
		say "$dir/ $what:"
		echo "$hits" | sed 's/^/  /'
	fi
}

rule lib       'lib/'                                     'includes only lib/'
rule arch      '(arch|lib)/'                              'includes only arch/ and lib/'
rule mm        '(mm|arch|lib)/'                           'must not include guest/, boot/, vmx/ or svm/'
rule guest     '(guest|mm|arch|lib)/'                     'must not include boot/, vmx/ or svm/'
rule guest/x86 '(guest/x86|arch|lib)/'                    'is pure: it includes only itself, arch/ and lib/'
rule guest/firmware '(guest/firmware|arch|lib)/'          'is pure: it includes only itself, arch/ and lib/'
rule vmx       '(vmx|arch|mm|lib)/|guest/(vcpu|vm_exit|exit_kinds)\.h"' 'reaches guest/ only through the vCPU face, never svm/ or boot/'
rule svm       '(svm|arch|mm|lib)/|guest/(vcpu|vm_exit|exit_kinds)\.h"' 'reaches guest/ only through the vCPU face, never vmx/ or boot/'

# One header name, one header.
dups=$(find "${KERNEL_DIRS[@]}" -name '*.h' -printf '%f\n' 2>/dev/null | sort | uniq -d)
for d in $dups; do
	say "two headers named $d: $(find "${KERNEL_DIRS[@]}" -name "$d" | tr '\n' ' ')"
done

# Include circles between modules: an edge from a file's module to each module it includes.
edges=$(grep -rHoE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]+"' "${KERNEL_DIRS[@]}" \
		--include='*.c' --include='*.h' --include='*.S' 2>/dev/null |
	sed -E 's/^([^:]+):.*"([^"]+)"$/\1 \2/' |
	awk '{ a = $1; b = $2; sub(/\.[chS]$/, "", a); sub(/\.[chS]$/, "", b); if (a != b) print a, b }' |
	sort -u)
if ! loop=$(echo "$edges" | tsort 2>&1 >/dev/null) || [[ -n $loop ]]; then
	say "include circle among modules:"
	echo "$loop" | grep -v 'input contains a loop' | sed 's/^tsort: /  /'
fi

if [[ $bad -eq 0 ]]; then
	echo "PASS  layering (floors look down only, no include circle, header names unique)"
else
	echo "FAIL  layering"
fi
exit $bad
