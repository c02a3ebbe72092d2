#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or find in the cache) one of the suite's test kernels.
#
#   scripts/kernel.sh [--quiet] <flavour>    prints the build directory
#   scripts/kernel.sh --source               prints the (unpatched) kernel source
#                                            directory: checkpatch, kunit.py
#   scripts/kernel.sh --list                 lists the flavours
#
# Flavours:
#   x86     x86_64, boots as a Xen PV dom0; KUnit, debugfs, lockdep, kmemleak,
#           fault injection
#   um      User-mode Linux with the same debug options, for KUnit
#   um-bench  User-mode Linux without debug options, for benchmarks
#   arm64   arm64 tree for cross-building the modules
#
# The source is Debian's linux-source-6.1, unpacked once per package version
# and set of patches: scripts/patches/<arch>/ holds fixes the test kernels of
# that architecture need (UML's so far), so that a change there rebuilds only
# those.
# Each build lives in $XP2M_CACHE/kernels/<flavour>-<source version>-<hash>,
# where <hash> covers the config fragments and the build recipe, so a change
# to either gives a new build and an unchanged one is reused as it is.
# XP2M_CACHE defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/xp2m.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

recipe=1	# bump when the way a kernel is built changes

flavour_fragments() {
	case "$1" in
	x86) echo "base-x86_64-xen.config debug.config" ;;
	um) echo "base-um.config debug.config debug-um.config" ;;
	um-bench) echo "base-um.config bench.config" ;;
	arm64) echo "base-arm64.config" ;;
	*) die "unknown kernel flavour '$1' (try --list)" ;;
	esac
}

flavour_arch() {
	case "$1" in
	x86) echo "x86_64" ;;
	um|um-bench) echo "um" ;;
	arm64) echo "arm64" ;;
	esac
}

flavour_targets() {
	case "$1" in
	x86) echo "bzImage modules" ;;
	um|um-bench) echo "linux modules" ;;
	arm64) echo "Image modules" ;;
	esac
}

flavour_patches() {
	case "$1" in
	um|um-bench) echo "$here/patches/um" ;;
	*) echo "$here/patches/$(flavour_arch "$1")" ;;
	esac
}

flavour_cross() {
	case "$1" in
	arm64) echo "aarch64-linux-gnu-" ;;
	*) echo "" ;;
	esac
}

# used DIR: note that DIR was used now, and print it.
used() {
	touch "$1/.xp2m-used"
	echo "$1"
}

# prune PARENT GLOB KEEP: remove entries of PARENT matching GLOB, other than
# KEEP, that nothing has used for a week (other checkouts may still want
# the ones used lately).
prune() {
	local f
	for f in "$1"/$2; do
		[ "$f" = "$3" ] && continue
		[ -d "$f" ] || continue
		[ -n "$(find "$f" -maxdepth 1 -name .xp2m-used -mtime -7)" ] ||
			rm -rf "$f"
	done
}

# source_dir [PATCHDIR]: the unpacked source with PATCHDIR's patches applied.
source_dir() {
	local tarball=/usr/src/linux-source-6.1.tar.xz ver phash dir p
	local patches=${1:-}

	need_pkgs linux-source-6.1 patch
	ver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
	phash=$(if [ -d "$patches" ]; then
			find "$patches" -name '*.patch' | LC_ALL=C sort | xargs -r cat
		fi | sha256sum | cut -c1-8)
	dir="$XP2M_CACHE/src/linux-source-6.1-$ver-p$phash"
	if [ ! -e "$dir/.xp2m-unpacked" ]; then
		mkdir -p "$XP2M_CACHE/src"
		exec 8>"$XP2M_CACHE/src/.lock"
		flock 8
		if [ ! -e "$dir/.xp2m-unpacked" ]; then
			info "unpacking linux-source-6.1 $ver into the cache"
			rm -rf "$dir" "$dir.tmp"
			mkdir -p "$dir.tmp"
			tar -C "$dir.tmp" -xJf "$tarball"
			mv "$dir.tmp/linux-source-6.1" "$dir"
			rmdir "$dir.tmp"
			for p in "$patches"/*.patch; do
				[ -e "$p" ] || continue
				patch -d "$dir" -p1 -s <"$p" >&2 ||
					die "patch $(basename "$p") does not apply"
			done
			touch "$dir/.xp2m-unpacked"
			prune "$XP2M_CACHE/src" "linux-source-6.1-*" "$dir"
		fi
		exec 8>&-
	fi
	used "$dir"
}

build_flavour() {
	local flavour=$1 src ver arch cross frags hash out f opt

	frags=$(flavour_fragments "$flavour")
	arch=$(flavour_arch "$flavour")
	cross=$(flavour_cross "$flavour")
	need_pkgs build-essential bc bison flex libelf-dev libssl-dev cpio kmod \
		python3 xz-utils
	[ -z "$cross" ] || need_pkgs "gcc-${cross%-}"
	src=$(source_dir "$(flavour_patches "$flavour")")
	ver=$(basename "$src")
	ver=${ver#linux-source-6.1-}	# package version and patch set
	hash=$( {
		echo "recipe $recipe $flavour $(flavour_targets "$flavour")"
		"${cross}gcc" --version | head -n1
		for f in $frags; do cat "$here/configs/$f"; done
	} | sha256sum | cut -c1-12)
	out="$XP2M_CACHE/kernels/$flavour-$ver-$hash"

	if [ -e "$out/.xp2m-built" ]; then
		used "$out"
		return
	fi

	mkdir -p "$XP2M_CACHE/kernels"
	exec 9>"$XP2M_CACHE/kernels/.lock-$flavour"
	flock 9
	if [ -e "$out/.xp2m-built" ]; then
		used "$out"
		return
	fi

	info "building the $flavour kernel ($ver, config $hash); this takes a few minutes"
	rm -rf "$out"
	mkdir -p "$out"
	local mk=(make -C "$src" O="$out" ARCH="$arch" -j"$(nproc)")
	[ -z "$cross" ] || mk+=(CROSS_COMPILE="$cross")
	{
		"${mk[@]}" tinyconfig
		local paths=()
		for f in $frags; do paths+=("$here/configs/$f"); done
		(cd "$out" && ARCH="$arch" CROSS_COMPILE="$cross" \
			"$src/scripts/kconfig/merge_config.sh" -m .config "${paths[@]}")
		"${mk[@]}" olddefconfig
	} >"$out/build.log" 2>&1 || { tail -n 30 "$out/build.log" >&2; die "configuring the $flavour kernel failed"; }

	# Every option a fragment asks for must have landed: Kconfig drops an
	# option silently when a dependency is missing.
	for f in $frags; do
		while read -r opt; do
			case "$opt" in
			CONFIG_*=*)
				grep -qx "$opt" "$out/.config" ||
					die "$flavour kernel: '$opt' from $f did not survive olddefconfig"
				;;
			esac
		done <"$here/configs/$f"
	done

	# shellcheck disable=SC2046
	"${mk[@]}" $(flavour_targets "$flavour") >>"$out/build.log" 2>&1 ||
		{ tail -n 40 "$out/build.log" >&2; die "building the $flavour kernel failed (log: $out/build.log)"; }
	touch "$out/.xp2m-built"

	prune "$XP2M_CACHE/kernels" "$flavour-[0-9]*" "$out"
	info "$flavour kernel ready in $out"
	used "$out"
}

case "${1:-}" in
--source) source_dir "$here/patches/x86_64" ;;
--list) echo "x86 um um-bench arm64" ;;
""|-h|--help) sed -n '3,26p' "$0" | sed 's/^# \{0,1\}//' ;;
*) build_flavour "$1" ;;
esac
