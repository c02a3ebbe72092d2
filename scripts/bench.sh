#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: run the benchmark modules and print their figures, one
# "bench <name> <value> <unit>" a line.
#
# Arch-neutral benchmarks run in User-mode Linux built without debug options
# (native speed). Benchmarks of the x86 module (named *x86*_bench.ko) run in
# a Xen PV dom0 under QEMU, where only ratios taken within one run mean
# anything: TCG models no caches.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib.sh"

stage() {
	mkdir -p "$top/build/$1"
	rsync -a --delete --exclude=/build --exclude=.git \
		--exclude-from="$top/.gitignore" "$top/" "$top/build/$1/"
}

figures() {
	tr -d '\r' <"$1" | sed 's/^\[ *[0-9.]*\] //' |
		grep -E '^bench [A-Za-z0-9_.-]+ -?[0-9.]+ [A-Za-z0-9_/%.-]+$' ||
		true
}

mkdir -p "$top/build/logs"
status=0

kum=$("$here/kernel.sh" um-bench)
stage um-bench
version=$("$here/version.sh")
make -s -C "$top/build/um-bench" KDIR="$kum" ARCH=um -j"$(nproc)" \
	XP2M_TESTS=y "XP2M_VERSION=$version" >/dev/null
mods=()
for m in $(built_modules "$top/build/um-bench"); do
	case "$(basename "$m")" in *_kunit.ko|*x86*_bench.ko) continue ;; esac
	mods+=(-M "$m")
done
# One line, not a panic, when the kernel cannot start init on this host.
if why=$("$here/uml-ready" -k um-bench -l "$top/build/logs/uml-boot-bench.log"); then
	log=$top/build/logs/bench-uml.log
	"$here/uml-vm" -q -k um-bench -m 6G -t 1800 -l "$log" \
		-s "$here/guest/bench.sh" "${mods[@]}" || status=$?
	figures "$log"
else
	echo "xp2m: no UML figures: $why" >&2
	status=1
fi

kx86=$("$here/kernel.sh" x86)
stage bench-x86
make -s -C "$top/build/bench-x86" KDIR="$kx86" -j"$(nproc)" \
	XP2M_TESTS=y "XP2M_VERSION=$version" >/dev/null
mods=()
for m in $(built_modules "$top/build/bench-x86"); do
	case "$(basename "$m")" in
	*_kunit.ko) continue ;;
	*x86*_bench.ko) ;;
	*_bench.ko) continue ;;
	esac
	mods+=(-M "$m")
done
if built_modules "$top/build/bench-x86" | grep -q '/[^/]*x86[^/]*_bench\.ko$'; then
	log=$top/build/logs/bench-xen.log
	"$here/xen-vm" -q -t 1800 -l "$log" -s "$here/guest/bench.sh" \
		"${mods[@]}" || status=$?
	figures "$log"
fi
[ $status -eq 0 ] || echo "xp2m: a benchmark run failed (logs in build/logs)" >&2
exit $status
