#!/usr/bin/env bash
# Builds a raw disk image for a USB stick that boots Umbra on UEFI through umbra.efi, and on a
# legacy BIOS through GRUB: a GPT with a BIOS boot partition (GRUB's i386-pc core image) and an
# EFI system partition (FAT32) holding \EFI\BOOT\BOOTX64.EFI (the loader),
# \EFI\umbra\umbra.elf, the modules and \EFI\umbra\umbra.cfg; GRUB's boot sector sits in the
# protective MBR's code area. Needs neither root nor loop devices: the FAT image is made in a
# file (mkfs.vfat, mtools) and written into the disk image at the partition's offset.
#
#   tools/mkusb.sh OUT.img umbra.efi umbra.elf "UMBRA ARGS" [MODULE_FILE "MODULE STRING"]...
#   tools/mkusb.sh --cfg FILE OUT.img umbra.efi umbra.elf "" [MODULE_FILE "STRING"]...
#
# Module strings follow GRUB's module2 syntax: "guest [command line]" makes the guest. Each
# module is copied under its own file name; --cfg puts FILE in place of the generated umbra.cfg.
set -euo pipefail

cfg_file=""
if [[ ${1:-} == --cfg ]]; then
	cfg_file=$2
	shift 2
fi
[[ $# -ge 4 ]] || { echo "usage: $0 [--cfg FILE] OUT.img umbra.efi umbra.elf ARGS [MODULE STRING]..." >&2; exit 2; }
out=$1 loader=$2 elf=$3 args=$4
shift 4
(( $# % 2 == 0 )) || { echo "$0: every module needs a string" >&2; exit 2; }

# The layout, in 512-byte sectors: the GPT header and entries fill the first MiB, the BIOS boot
# partition the second, then the ESP; the backup GPT takes the last 33 sectors (UEFI 2.10
# spec 5.3). Fixed GUIDs make the image the same from one build to the next.
SECTOR=512
BIOS_START=2048 BIOS_END=4095
ESP_START=4096 ESP_MIB=64
IMG_MIB=$((2 + ESP_MIB + 1))
DISK_GUID=5b7e1c2a-0d3f-4e8b-9a61-756d62726131
BIOS_GUID=5b7e1c2a-0d3f-4e8b-9a61-756d62726132
ESP_GUID=5b7e1c2a-0d3f-4e8b-9a61-756d62726133
VOLUME_ID=0x554d4252	# "UMBR"

stage=$(mktemp -d "${TMPDIR:-/tmp}/umbra-usb.XXXXXX")
trap 'rm -rf "$stage"' EXIT

cfg=$stage/umbra.cfg
if [[ -n $cfg_file ]]; then
	cp "$cfg_file" "$cfg"
else
	{
		echo "# Umbra's UEFI loader configuration (README, \"Booting from a USB stick\")."
		echo "kernel \\EFI\\umbra\\umbra.elf"
		[[ -z $args ]] || echo "cmdline $args"
	} > "$cfg"
fi
# GRUB's configuration for a BIOS boot, built into the core image: the same command line and
# modules, found on the ESP by its volume serial number.
grub_cfg=$stage/grub-early.cfg
{
	echo "serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1"
	echo "terminal_input serial console"
	echo "terminal_output serial console"
	echo "search --no-floppy --fs-uuid --set=root ${VOLUME_ID:2:4}-${VOLUME_ID:6:4}"
	echo "multiboot2 /EFI/umbra/umbra.elf $args"
} > "$grub_cfg"
files=()
declare -A seen=()
while (( $# )); do
	name=$(basename "$1")
	[[ -z ${seen[$name]:-} ]] || { echo "$0: two modules named $name" >&2; exit 2; }
	seen[$name]=1
	files+=("$1")
	echo "module2 /EFI/umbra/$name $2" >> "$grub_cfg"
	if [[ -z $cfg_file ]]; then
		if [[ $2 == guest || $2 == guest\ * ]]; then
			echo "guest $name${2#guest}" >> "$cfg"
		else
			echo "module $name${2:+ $2}" >> "$cfg"
		fi
	fi
	shift 2
done

echo "boot" >> "$grub_cfg"

esp=$stage/esp.img
truncate -s "${ESP_MIB}M" "$esp"
mkfs.vfat -F 32 -n UMBRA -i "${VOLUME_ID#0x}" "$esp" >/dev/null
export MTOOLS_SKIP_CHECK=1
mmd -i "$esp" ::/EFI ::/EFI/BOOT ::/EFI/umbra
# UEFI 2.10 spec 3.5.1.1: removable media boot from \EFI\BOOT\BOOTX64.EFI.
mcopy -i "$esp" "$loader" ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$esp" "$elf" ::/EFI/umbra/umbra.elf
mcopy -i "$esp" "$cfg" ::/EFI/umbra/umbra.cfg
for f in "${files[@]}"; do
	mcopy -i "$esp" "$f" "::/EFI/umbra/$(basename "$f")"
done

mkdir -p "$(dirname "$out")"
tmp=$out.tmp.$$
rm -f "$tmp"
truncate -s "${IMG_MIB}M" "$tmp"
sgdisk -U "$DISK_GUID" \
	-n 1:$BIOS_START:$BIOS_END -t 1:ef02 -c 1:"BIOS boot" -u 1:"$BIOS_GUID" \
	-n 2:$ESP_START:+${ESP_MIB}M -t 2:ef00 -c 2:"EFI system" -u 2:"$ESP_GUID" "$tmp" >/dev/null
dd if="$esp" of="$tmp" bs=$SECTOR seek=$ESP_START conv=notrunc status=none

# Legacy BIOS: GRUB's core image with every module it needs built in (no /boot/grub on the
# stick), in the BIOS boot partition; then what grub-bios-setup would do, without a device.
GRUB_PC=/usr/lib/grub/i386-pc
core=$stage/core.img
grub-mkimage -O i386-pc -d "$GRUB_PC" -o "$core" -c "$grub_cfg" -p /EFI/umbra \
	biosdisk part_gpt fat search search_fs_uuid serial terminal multiboot2
python3 - "$tmp" "$core" "$GRUB_PC/boot.img" $BIOS_START $BIOS_END <<'PY'
import struct, sys
img, core_path, boot_path = sys.argv[1:4]
start, end = int(sys.argv[4]), int(sys.argv[5])
core = bytearray(open(core_path, "rb").read())
boot = open(boot_path, "rb").read()
sectors = (len(core) + 511) // 512
if sectors > end - start + 1:
    sys.exit(f"mkusb.sh: GRUB's core image ({sectors} sectors) does not fit the BIOS boot partition")
# GRUB 2.06 i386-pc layout: the first sector of core.img (diskboot.img) ends with a block list
# (start LBA u64, sector count u16, load segment u16) that loads the rest of the image.
LIST = 0x200 - 12
_, _, seg = struct.unpack_from("<QHH", core, LIST)
struct.pack_into("<QHH", core, LIST, start + 1, sectors - 1, seg)
with open(img, "r+b") as f:
    f.seek(start * 512)
    f.write(core)
    # boot.img's code goes into the MBR's first 440 bytes (before the disk signature and the
    # protective partition table, which stay: UEFI 2.10 spec 5.2.3); the LBA of core.img's
    # first sector is at 0x5c (GRUB_BOOT_MACHINE_KERNEL_SECTOR).
    mbr = bytearray(boot[:440])
    struct.pack_into("<Q", mbr, 0x5c, start)
    f.seek(0)
    f.write(mbr)
PY
mv "$tmp" "$out"
