#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kunit-uml.sh LINUX [kunit.py run options...]: the arch-neutral KUnit
# suites of xp2m with the kernel's own kunit.py, in UML, from a kernel
# tree LINUX, as a kernel developer runs a subsystem's tests:
#
#   1. kunit.py build --kunitconfig=kunit/.kunitconfig  (LINUX/.kunit)
#   2. the suites built as modules against that kernel  (make tests)
#   3. an initramfs whose init loads them
#   4. kunit.py run --kunitconfig=kunit/.kunitconfig --kernel_args initrd=...
#      which boots it and parses the KTAP as it does for built-in suites
#
# UML 6.1 wants the patches in scripts/patches/um/ for every suite to run
# (without the init_mm export the linear view's cases skip).

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib.sh"

[ $# -ge 1 ] || die "usage: kunit-uml.sh LINUX [kunit.py run options...]"
linux=$(cd "$1" && pwd)
shift
kunit=$linux/tools/testing/kunit/kunit.py
kcfg=$top/kunit/.kunitconfig
build=$linux/.kunit

(cd "$linux" && "$kunit" build --kunitconfig="$kcfg" --arch=um >&2)
mods=$top/build/kunit-uml
mkdir -p "$mods"
rsync -a --delete --exclude=/build --exclude=.git \
	--exclude-from="$top/.gitignore" "$top/" "$mods/"
make -s -C "$mods" KDIR="$build" ARCH=um XP2M_TESTS=y \
	XP2M_VERSION="$("$here/version.sh")" -j"$(nproc)" >&2
args=(-o "$top/build/kunit-uml.gz" -r "$(cat "$build/include/config/kernel.release")"
      -s "$here/guest/kunit-ktap.sh" -m "$build/lib/kunit/kunit.ko")
n=0
for m in $(built_modules "$mods"); do
	case "$m" in
	*_bench.ko) continue ;;
	*_kunit.ko)
		# Each suite is one pointer in the module's .kunit_test_suites.
		size=$(readelf -SW "$m" | sed -n \
			's/.*\.kunit_test_suites *PROGBITS *[0-9a-f]* [0-9a-f]* \([0-9a-f]*\) .*/\1/p')
		n=$((n + 0x${size:-0} / 8)) ;;
	esac
	args+=(-m "$m")
done
echo "$n" >"$top/build/nsuites"
"$here/mkinitramfs.sh" "${args[@]}" -f "$top/build/nsuites"
cd "$linux"
exec "$kunit" run --kunitconfig="$kcfg" --arch=um \
	--kernel_args="initrd=$top/build/kunit-uml.gz" "$@"
