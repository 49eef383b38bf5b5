# Shared by the scripts that build a GRUB rescue ISO (tools/mkiso.sh: Umbra; tools/bench/
# mkiso_native.sh: a guest with no hypervisor). Sourced, not run.
#
#   grub_iso_stage TAG          -> $stage (an empty tree with boot/grub/) and $log, both removed
#                                  when the script exits
#   grub_iso_config ENTRY BODY  -> $stage/boot/grub/grub.cfg: one menu entry, booted at once
#   grub_iso_write OUT          -> grub-mkrescue $stage into OUT (atomically, retried)

grub_iso_stage() {
	stage=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
	log=$(mktemp "${TMPDIR:-/tmp}/$1-log.XXXXXX")
	trap 'rm -rf "$stage" "$log"' EXIT
	mkdir -p "$stage/boot/grub"
}

# GRUB waits for nothing (timeout 0) and talks on COM1 at 115200 8N1 as well as the screen.
# BODY is the entry's commands, one per line, each indented by a tab.
grub_iso_config() {
	cat > "$stage/boot/grub/grub.cfg" <<CFG
set timeout=0
set timeout_style=hidden
serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1
terminal_input serial console
terminal_output serial console
insmod all_video
menuentry "$1" {
$2	boot
}
CFG
}

grub_iso_write() {
	local out=$1 attempt

	mkdir -p "$(dirname "$out")"
	# xorriso has been seen to crash (SIGSEGV at shutdown, after writing the image) on a loaded
	# machine: a failed attempt is retried twice before the failure counts.
	for attempt in 1 2 3; do
		if grub-mkrescue -o "$out.tmp.$$" "$stage" >"$log" 2>&1; then
			mv "$out.tmp.$$" "$out"
			return 0
		fi
		rm -f "$out.tmp.$$"
		if (( attempt == 3 )); then
			cat "$log" >&2
			return 1
		fi
		echo "$0: grub-mkrescue failed (attempt $attempt of 3), retrying" >&2
	done
}
