#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: boot Xen plus a PV dom0 (the test kernel) in QEMU, load the
# suite and show its debugfs views next to the kernel's own p2m dump, and
# what the xp2m command makes of them.
#
#   scripts/demo.sh [xen-vm options, e.g. -m 6G -d 5G]

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib.sh"

kdir=$("$here/kernel.sh" x86)
mkdir -p "$top/build/demo" "$top/build/logs"
rsync -a --delete --exclude=/build --exclude=.git \
	--exclude-from="$top/.gitignore" "$top/" "$top/build/demo/"
make -s -C "$top/build/demo" KDIR="$kdir" -j"$(nproc)" \
	XP2M_VERSION="$("$here/version.sh")" >/dev/null
log=$top/build/logs/demo.log
mods=()
for m in $(built_modules "$top/build/demo"); do
	case "$m" in *_kunit.ko|*_bench.ko|*_sim.ko) continue ;; esac
	mods+=(-M "$m")
done
rc=0
"$here/xen-vm" -q -P -l "$log" -t 600 -s "$here/guest/demo.sh" "${mods[@]}" "$@" || rc=$?
tr -d '\r' <"$log" | sed -n '/^XP2M-GUEST-START/,/^XP2M-GUEST-EXIT/p' |
	grep -v '^(XEN)'
echo "(whole console: $log)"
exit $rc
