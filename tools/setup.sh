#!/usr/bin/env bash
# Installs the Debian packages Umbra's build, runs and tests need. Idempotent; silent when all
# are present. Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
	gcc make binutils python3
	grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools
	gnu-efi dosfstools gdisk console-setup-linux
	qemu-system-x86 ovmf
	bochs bochsbios vgabios
	libcmocka-dev libzydis-dev
	acpica-tools xxd
	clang libclang-rt-dev
	gnuplot-nox
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "setup: installing ${missing[*]}"
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
