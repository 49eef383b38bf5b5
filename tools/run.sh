#!/usr/bin/env bash
# Boots an Umbra ISO interactively with the serial console on this terminal.
#   tools/run.sh --emu qemu|bochs --fw bios|uefi --iso FILE [--cpu MODEL] [--mem MiB] [--ips N]
# --ips: Bochs's instructions per emulated second (tests/emu/emulators.py has the default; Linux
# wants more, see tests/emu/tests_linux.py).
# QEMU: quit with Ctrl-A x. Bochs: Ctrl-C, then `q` at the debugger prompt.
set -euo pipefail

emu=qemu fw=bios iso=build/umbra.iso cpu="" mem=512 ips=""
while (( $# )); do
	case $1 in
	--emu) emu=$2; shift 2 ;;
	--fw) fw=$2; shift 2 ;;
	--iso) iso=$2; shift 2 ;;
	--cpu) cpu=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--ips) ips=$2; shift 2 ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

case $emu in
qemu)
	# qemu64 has SVM; TCG offers no VMX. -cpu max adds nested paging for later TDP work.
	args=(-machine q35 -cpu "${cpu:-qemu64,+svm}" -m "$mem" -cdrom "$iso" -boot d
	      -serial mon:stdio -display none -no-reboot
	      -device isa-debug-exit,iobase=0xf4,iosize=0x04)
	[[ $fw == uefi ]] && args+=(-bios /usr/share/ovmf/OVMF.fd)
	exec qemu-system-x86_64 "${args[@]}"
	;;
bochs)
	[[ $fw == bios ]] || { echo "run.sh: Bochs boots with its BIOS only" >&2; exit 2; }
	dir=$(mktemp -d "${TMPDIR:-/tmp}/umbra-bochs.XXXXXX")
	trap 'rm -rf "$dir"' EXIT
	# The same machine the tests boot; the serial port goes to a file that is shown here.
	python3 "$(dirname "$0")/../tests/emu/emulators.py" bochsrc "$iso" "$dir/serial.out" \
		"$dir/bochs.log" "${cpu:-corei7_skylake_x}" "$mem" $ips > "$dir/bochsrc"
	printf 'c\nq\n' > "$dir/cmds"
	: > "$dir/serial.out"
	tail -f "$dir/serial.out" & tailpid=$!
	trap 'kill "$tailpid" 2>/dev/null; rm -rf "$dir"' EXIT
	bochs -q -f "$dir/bochsrc" -rc "$dir/cmds" </dev/null >"$dir/bochs.out" 2>&1 || true
	sleep 0.5
	;;
*) echo "run.sh: EMU must be qemu or bochs" >&2; exit 2 ;;
esac
