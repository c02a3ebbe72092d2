#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# domu-prep.sh -o OUTDIR [-m KO]... [-f FILE]... [-p]: the files a Xen PV dom0 booted by xen-vm
# needs to start a PV domU with scripts/guest/domu.sh:
#
#   xentools.tar.gz    Xen's toolstack from this machine (xl, xenstored,
#                      xenconsoled, xen-init-dom0, xen-mfndump, the
#                      libraries they load)
#   domu-bzImage, domu-initrd.gz, domu.cfg
#                      the domU: the test kernel, running guest/x86.sh with
#                      the modules given with -m (built for the test kernel),
#                      the FILEs given with -f, and with -p the xp2m tool
#
# Debian's kernel is the dom0 too (the test kernel has no UNIX sockets,
# which xenstored needs); pass its Xen drivers to xen-vm with -M (see
# check.sh).

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

usage() { die "usage: domu-prep.sh -o OUTDIR [-m KO]... [-f FILE]... [-p]"; }
out= pv=()
while getopts "o:m:f:p" opt; do
	case $opt in
	o) out=$OPTARG ;;
	m) pv+=(-m "$OPTARG") ;;
	f) pv+=(-f "$OPTARG") ;;
	p) pv+=(-p) ;;
	*) usage ;;
	esac
done
[ -n "$out" ] || usage
need_pkgs xen-utils-4.17 busybox-static cpio kmod

kdir=$("$here/kernel.sh" x86)
krel=$(cat "$kdir/include/config/kernel.release")
xenbin=/usr/lib/xen-4.17/bin

mkdir -p "$out"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage$xenbin" "$stage/lib/x86_64-linux-gnu" "$stage/lib64"
for b in xl xenstored xenconsoled xen-init-dom0 xen-mfndump; do
	cp "$xenbin/$b" "$stage$xenbin/"
done
# The libraries they load, and libgcc_s, which glibc loads for
# pthread_cancel() at run time without ldd seeing it.
for l in $(ldd "$stage$xenbin"/* | awk '/=> \// { print $3 }' | sort -u) \
	 /lib/x86_64-linux-gnu/libgcc_s.so.1; do
	cp -L "$l" "$stage/lib/x86_64-linux-gnu/"
done
cp -L /lib64/ld-linux-x86-64.so.2 "$stage/lib64/"
tar -czf "$out/xentools.tar.gz" -C "$stage" .

cp "$kdir/arch/x86/boot/bzImage" "$out/domu-bzImage"
"$here/mkinitramfs.sh" -o "$out/domu-initrd.gz" -r "$krel" \
	-s "$here/guest/x86.sh" "${pv[@]}"
cp "$here/guest/domu.cfg" "$out/domu.cfg"
