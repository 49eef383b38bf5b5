#!/usr/bin/env bash
# Fetches Debian's own Linux kernels and busybox for the Linux guest runs, and builds the
# initramfs images with the project's /init workload (tests/linux/init).
#
#   tools/fetch-linux.sh [OUT_DIR]        (default build/linux; `make linux` runs it)
#
# Downloads, with `apt-get download`, the image package that linux-image-cloud-amd64 currently
# depends on, the i386 ones behind linux-image-686-pae and linux-image-686, and busybox-static
# for amd64 and i386. The .deb files are kept in a cache outside the tree
# (UMBRA_CACHE, default ~/.cache/umbra/debs) and reused while the resolved package is the same.
# The versioned names are resolved with apt-cache every run: nothing here names a version.
#
# OUT_DIR receives:
#   vmlinuz-cloud-amd64, vmlinuz-686-pae, vmlinuz-686     the bzImages, from /boot in each package
#   initramfs-amd64.cpio.gz, initramfs-i386.cpio.gz       busybox + /init, newc cpio, gzip
#   versions.txt                                          which packages these came from
# Prints one line per product. Fails (non-zero) when a package cannot be resolved or fetched.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/build/linux}
cache=${UMBRA_CACHE:-$HOME/.cache/umbra}/debs
mkdir -p "$out" "$cache"

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
# As root, apt's download sandbox user (_apt) cannot write to root's cache: download as root.
download_opts=()
[[ $(id -u) -eq 0 ]] && download_opts=(-o APT::Sandbox::User=root)

# apt-cache answers from the package lists, and this machine's apt keeps no binary cache of
# them (each call would parse every list again): one cache file for this run, few calls.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/umbra-fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
apt_cache() { apt-cache -o Dir::Cache::pkgcache="$tmp/pkgcache.bin" "$@"; }

METAS=(linux-image-cloud-amd64 linux-image-686-pae:i386 linux-image-686:i386)
FLAVOURS=(cloud-amd64 686-pae 686)
BUSYBOXES=(busybox-static:amd64 busybox-static:i386)

# Prints "PACKAGE VERSION" for each package with a candidate.
candidates() {
	apt_cache policy "$@" 2>/dev/null |
		awk '/^[^ ]/ { pkg = $1; sub(/:$/, "", pkg) } $1 == "Candidate:" && $2 != "(none)" { print pkg, $2 }'
}

# Fetches the package lists when the packages are unknown: the first time, and after adding
# i386 as a foreign architecture.
ensure_lists() {
	if ! dpkg --print-foreign-architectures | grep -qx i386; then
		$sudo dpkg --add-architecture i386
		$sudo apt-get update -qq
		rm -f "$tmp/pkgcache.bin"
	fi
	if [[ $(candidates "${METAS[@]}" | wc -l) -ne ${#METAS[@]} ]]; then
		$sudo apt-get update -qq
		rm -f "$tmp/pkgcache.bin"
	fi
}

# The versioned image packages the metapackages depend on, one a line, in METAS order
# (e.g. linux-image-6.1.0-N-cloud-amd64; the :i386 suffix apt-cache prints is dropped).
resolve_images() {
	apt_cache depends "${METAS[@]}" |
		awk '/^[^ ]/ { if (pkg != "" && !found) exit 1; pkg = $1; found = 0 }
		     !found && $1 == "Depends:" && $2 ~ /^linux-image-/ { sub(/:.*/, "", $2); print $2; found = 1 }
		     END { if (!found) exit 1 }'
}

# The candidate version of package (name or name:arch), from the table candidates() printed.
version_of() {
	awk -v p="$1" '$1 == p || $1 ":amd64" == p { print $2; exit }' "$tmp/versions"
}

download() {
	(cd "$cache" && apt-get download -qq "${download_opts[@]}" "$1" >/dev/null 2>&1)
}

# Downloads package (name or name:arch) into the cache unless its candidate's file is there,
# and drops the package's other versions from the cache; prints the .deb's path. A download
# that fails (package lists older than the archive) is retried once after `apt-get update`.
fetch_deb() {
	local pkg=$1 name arch version file
	name=${pkg%%:*}
	arch=amd64
	[[ $pkg == *:* ]] && arch=${pkg#*:}
	version=$(version_of "$pkg")
	[[ -n $version ]] || { echo "fetch-linux: no candidate version for $pkg" >&2; return 1; }
	# Debian file names spell an epoch's colon as %3a.
	file="$cache/${name}_${version//:/%3a}_${arch}.deb"
	if [[ ! -s $file ]] && ! download "$pkg=$version"; then
		$sudo apt-get update -qq
		rm -f "$tmp/pkgcache.bin"
		version=$(candidates "$pkg" | awk '{ print $2 }')
		file="$cache/${name}_${version//:/%3a}_${arch}.deb"
		download "$pkg=$version" ||
			{ echo "fetch-linux: apt-get download $pkg=$version failed" >&2; return 1; }
	fi
	[[ -s $file ]] || { echo "fetch-linux: $file missing after download" >&2; return 1; }
	for old in "$cache/${name}_"*"_${arch}.deb"; do
		[[ $old == "$file" ]] || rm -f "$old"
	done
	echo "$file"
}

# Copies one member (a shell pattern such as ./boot/vmlinuz-*) out of a package to dest:
# dpkg-deb unpacks the package's file system as a tar stream and tar keeps only that member
# (the kernels' modules, most of each package, are never written out).
extract_member() {
	local deb=$1 member=$2 dest=$3 what=$4 tmpx files
	tmpx=$(mktemp -d "$tmp/deb.XXXXXX")
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmpx" --wildcards "$member"
	files=("$tmpx"/$member)
	[[ -f ${files[0]} ]] || { echo "fetch-linux: no $what ($member) in $deb" >&2; return 1; }
	cp "${files[0]}" "$dest.tmp" && mv "$dest.tmp" "$dest"
	rm -rf "$tmpx"
}

# Rebuilds dest from its inputs only when one of them is newer (or dest is missing).
stale() {
	local dest=$1
	shift
	[[ -s $dest ]] || return 0
	for f in "$@"; do [[ $f -nt $dest ]] && return 0; done
	return 1
}

ensure_lists
mapfile -t images < <(resolve_images)
[[ ${#images[@]} -eq ${#METAS[@]} ]] ||
	{ echo "fetch-linux: cannot resolve ${METAS[*]} to image packages" >&2; exit 1; }
for i in "${!images[@]}"; do
	[[ ${METAS[$i]} == *:i386 ]] && images[$i]="${images[$i]}:i386"
done
candidates "${images[@]}" "${BUSYBOXES[@]}" > "$tmp/versions"

: > "$out/versions.txt.tmp"
for i in "${!images[@]}"; do
	deb=$(fetch_deb "${images[$i]}")
	dest="$out/vmlinuz-${FLAVOURS[$i]}"
	if stale "$dest" "$deb"; then extract_member "$deb" "./boot/vmlinuz-*" "$dest" bzImage; fi
	echo "${FLAVOURS[$i]} $(basename "$deb")" >> "$out/versions.txt.tmp"
	echo "linux: $dest ($(basename "$deb"))"
done

init="$root/tests/linux/init"
mkcpio="$root/tools/mkinitramfs.py"
mark_src="$root/tests/linux/umbra_mark.c"
for pkg in "${BUSYBOXES[@]}"; do
	arch=${pkg#*:}
	deb=$(fetch_deb "$pkg")
	bb="$out/busybox-$arch"
	if stale "$bb" "$deb"; then extract_member "$deb" ./bin/busybox "$bb" busybox; fi
	# /init's phase marks (tests/linux/umbra_mark.c), built for the initramfs's architecture.
	mark="$out/umbra-mark-$arch"
	if stale "$mark" "$mark_src"; then
		gcc "-m$([[ $arch == amd64 ]] && echo 64 || echo 32)" -static -nostdlib -ffreestanding \
			-fno-pie -no-pie -fno-stack-protector -fno-asynchronous-unwind-tables -O2 \
			-Wall -Wextra -Werror -o "$mark.tmp" "$mark_src"
		mv "$mark.tmp" "$mark"
	fi
	dest="$out/initramfs-$arch.cpio.gz"
	if stale "$dest" "$bb" "$init" "$mkcpio" "$mark"; then
		python3 "$mkcpio" --busybox "$bb" --init "$init" \
			--program "bin/umbra-mark=$mark" --out "$dest.tmp"
		mv "$dest.tmp" "$dest"
	fi
	echo "busybox-$arch $(basename "$deb")" >> "$out/versions.txt.tmp"
	echo "linux: $dest ($(basename "$deb"))"
done
mv "$out/versions.txt.tmp" "$out/versions.txt"
