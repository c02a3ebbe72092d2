#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh -o OUT -r KERNELRELEASE -s SCRIPT [-m MODULE.ko]... [-f FILE]...
#                [-t TREE] [-p]
#
# A busybox initramfs whose /init runs SCRIPT as /xp2m/run.sh and powers off.
# Modules go to /lib/modules/KERNELRELEASE/extra with a depmod index, so that
# modprobe resolves their dependencies. FILEs are copied into /xp2m. TREE is
# copied into /lib/modules/KERNELRELEASE as it is (updates/dkms/*.ko, as DKMS
# installed them). -p carries the xp2m tool (/usr/sbin/xp2m) with the Python
# it runs on, and its checks (guest/tool.sh, guest/toolcheck.py).

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

out= krel= script= tree= tool=0
mods=() files=()
while getopts "o:r:s:m:f:t:p" opt; do
	case $opt in
	o) out=$OPTARG ;;
	r) krel=$OPTARG ;;
	s) script=$OPTARG ;;
	m) mods+=("$OPTARG") ;;
	f) files+=("$OPTARG") ;;
	t) tree=$OPTARG ;;
	p) tool=1 ;;
	*) die "usage: mkinitramfs.sh -o OUT -r KREL -s SCRIPT [-m KO]... [-f FILE]..." ;;
	esac
done
[ -n "$out" ] && [ -n "$krel" ] && [ -n "$script" ] ||
	die "usage: mkinitramfs.sh -o OUT -r KREL -s SCRIPT [-m KO]... [-f FILE]..."
need_pkgs busybox-static cpio kmod

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
chmod 755 "$stage"     # the guest's /, which mktemp made root's only
mkdir -p "$stage"/{bin,xp2m,lib/modules/"$krel"/extra,etc}
cp /bin/busybox "$stage/bin/busybox"
file -L "$stage/bin/busybox" 2>/dev/null | grep -q dynamically &&
	die "/bin/busybox is dynamically linked; install busybox-static"
cp "$here/guest/init" "$stage/init"
chmod 755 "$stage/init"
cp "$here/guest/lib.sh" "$here/guest/problems.ere" "$stage/xp2m/"
cp "$script" "$stage/xp2m/run.sh"
for f in "${files[@]}"; do cp "$f" "$stage/xp2m/"; done
for m in "${mods[@]}"; do cp "$m" "$stage/lib/modules/$krel/extra/"; done
[ -z "$tree" ] || cp -a "$tree/." "$stage/lib/modules/$krel/"
if [ "$tool" = 1 ]; then
	/usr/bin/python3 "$here/pyrt.py" "$here/../tools/xp2m" "$stage" ||
		die "cannot carry the tool's Python"
	cp "$here/guest/tool.sh" "$here/guest/toolcheck.py" "$stage/xp2m/"
fi
# depmod wants these to exist; an initramfs has no built-in modules.
touch "$stage/lib/modules/$krel"/modules.{order,builtin}
/sbin/depmod -b "$stage" "$krel" 2>/dev/null || die "depmod failed"
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -1 >"$out"
