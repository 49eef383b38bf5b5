#!/usr/bin/env bash
# Builds a hybrid GRUB ISO (BIOS i386-pc and UEFI x86_64-efi; MBR and GPT, so `dd` to a USB stick
# works) that boots Umbra with the given command line and modules, on the serial console, at once.
#
#   tools/mkiso.sh OUT.iso UMBRA.elf "UMBRA ARGS" [MODULE_FILE "MODULE STRING"]...
#
# Module strings follow GRUB's module2 syntax: for a guest, "guest [guest command line]".
set -euo pipefail

[[ $# -ge 3 ]] || { echo "usage: $0 OUT.iso UMBRA.elf ARGS [MODULE STRING]..." >&2; exit 2; }
out=$1 elf=$2 args=$3
shift 3
(( $# % 2 == 0 )) || { echo "$0: every module needs a string" >&2; exit 2; }

stage=$(mktemp -d "${TMPDIR:-/tmp}/umbra-iso.XXXXXX")
log=$(mktemp "${TMPDIR:-/tmp}/umbra-iso-log.XXXXXX")
trap 'rm -rf "$stage" "$log"' EXIT
mkdir -p "$stage/boot/grub"
cp "$elf" "$stage/boot/umbra.elf"

modules=""
i=0
while (( $# )); do
	cp "$1" "$stage/boot/module$i"
	modules+="	module2 /boot/module$i $2"$'\n'
	shift 2
	i=$((i + 1))
done

# GRUB waits for nothing (timeout 0) and talks on COM1 at 115200 8N1 as well as the screen.
cat > "$stage/boot/grub/grub.cfg" <<CFG
set timeout=0
set timeout_style=hidden
serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1
terminal_input serial console
terminal_output serial console
insmod all_video
menuentry "Umbra" {
	multiboot2 /boot/umbra.elf $args
$modules	boot
}
CFG

mkdir -p "$(dirname "$out")"
# xorriso has been seen to crash (SIGSEGV at shutdown, after writing the image) on a loaded
# machine: a failed attempt is retried twice before the failure counts.
for attempt in 1 2 3; do
	if grub-mkrescue -o "$out.tmp.$$" "$stage" >"$log" 2>&1; then
		break
	fi
	rm -f "$out.tmp.$$"
	if (( attempt == 3 )); then
		cat "$log" >&2
		exit 1
	fi
	echo "$0: grub-mkrescue failed (attempt $attempt of 3), retrying" >&2
done
mv "$out.tmp.$$" "$out"
