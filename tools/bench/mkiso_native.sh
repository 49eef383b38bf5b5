#!/usr/bin/env bash
# Builds a BIOS GRUB ISO that boots a guest with no hypervisor, on the serial console, at once:
# the native runs of `make bench` on Bochs (tools/bench/runner.py), the same guest as under
# Umbra on the same emulated machine.
#
#   tools/bench/mkiso_native.sh OUT.iso linux VMLINUZ "COMMAND LINE" INITRD
#   tools/bench/mkiso_native.sh OUT.iso multiboot GUEST.elf "COMMAND LINE"
#
# `linux`/`initrd` load a bzImage through the Linux boot protocol, `multiboot` a multiboot v1
# kernel (the small bench guests) with its command line.
set -euo pipefail

[[ $# -ge 4 ]] || { echo "usage: $0 OUT.iso linux|multiboot KERNEL CMDLINE [INITRD]" >&2; exit 2; }
out=$1 kind=$2 kernel=$3 cmdline=$4 initrd=${5:-}

. "$(dirname "$0")/../grub_iso.sh"
grub_iso_stage umbra-native-iso
cp "$kernel" "$stage/boot/kernel"

case $kind in
linux)
	[[ -n $initrd ]] || { echo "$0: linux needs an initrd" >&2; exit 2; }
	cp "$initrd" "$stage/boot/initrd"
	load="	linux /boot/kernel $cmdline"$'\n'"	initrd /boot/initrd"$'\n'
	;;
multiboot)
	load="	multiboot /boot/kernel $cmdline"$'\n'
	;;
*)
	echo "$0: unknown kind $kind (linux or multiboot)" >&2
	exit 2
	;;
esac

grub_iso_config "native" "$load"
grub_iso_write "$out"
