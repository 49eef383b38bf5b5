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

stage=$(mktemp -d "${TMPDIR:-/tmp}/umbra-native-iso.XXXXXX")
log=$(mktemp "${TMPDIR:-/tmp}/umbra-native-iso-log.XXXXXX")
trap 'rm -rf "$stage" "$log"' EXIT
mkdir -p "$stage/boot/grub"
cp "$kernel" "$stage/boot/kernel"

case $kind in
linux)
	[[ -n $initrd ]] || { echo "$0: linux needs an initrd" >&2; exit 2; }
	cp "$initrd" "$stage/boot/initrd"
	load="	linux /boot/kernel $cmdline"$'\n'"	initrd /boot/initrd"
	;;
multiboot)
	load="	multiboot /boot/kernel $cmdline"
	;;
*)
	echo "$0: unknown kind $kind (linux or multiboot)" >&2
	exit 2
	;;
esac

# As tools/mkiso.sh: no menu wait, GRUB on COM1 at 115200 8N1 and on the screen.
cat > "$stage/boot/grub/grub.cfg" <<CFG
set timeout=0
set timeout_style=hidden
serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1
terminal_input serial console
terminal_output serial console
menuentry "native" {
$load
	boot
}
CFG

mkdir -p "$(dirname "$out")"
# xorriso has been seen to crash at shutdown on a loaded machine (tools/mkiso.sh): retried.
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
