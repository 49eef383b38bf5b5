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

. "$(dirname "$0")/grub_iso.sh"
grub_iso_stage umbra-iso
cp "$elf" "$stage/boot/umbra.elf"

modules=""
i=0
while (( $# )); do
	cp "$1" "$stage/boot/module$i"
	modules+="	module2 /boot/module$i $2"$'\n'
	shift 2
	i=$((i + 1))
done

grub_iso_config "Umbra" "	multiboot2 /boot/umbra.elf $args
$modules"
grub_iso_write "$out"
