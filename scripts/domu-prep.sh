#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# domu-prep.sh -o OUTDIR [-m KO]... [-f FILE]... [-p] [-d DIR]: the files a Xen PV
# dom0 booted by xen-vm needs to start a PV domU with scripts/guest/domu.sh:
#
#   xentools.tar.gz    Xen's toolstack from this machine (xl, xenstored,
#                      xenconsoled, xen-init-dom0, libxl-save-helper,
#                      xen-mfndump, the libraries they load)
#   xenstore.tar.gz    the xenstore client (xenstore-read, -write...) and its
#                      libraries, for dom0 and the domU alike
#   domu-bzImage, domu-initrd.gz, domu.cfg
#                      the domU: the test kernel, running guest/x86.sh with
#                      the modules given with -m (built for the test kernel),
#                      the FILEs given with -f, and with -p the xp2m tool
#   domu-live-initrd.gz, domu-live.cfg, domu-live.sh
#                      the domU whose published view the toolstack reads
#                      (guest/live-domu.sh in it, guest/domu-live.sh in dom0)
#   domu-debian-vmlinuz, domu-debian-initrd.gz, domu-debian.cfg
#                      with -d: the same with Debian's own kernel, and the
#                      modules built against its headers in DIR
#
# Debian's kernel is the dom0 too (the test kernel has no UNIX sockets,
# which xenstored needs); pass its Xen drivers to xen-vm with -M (see
# check.sh).

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

usage() { die "usage: domu-prep.sh -o OUTDIR [-m KO]... [-f FILE]... [-p] [-d DIR]"; }
out= pv=() debian=
while getopts "o:m:f:pd:" opt; do
	case $opt in
	o) out=$OPTARG ;;
	m) pv+=(-m "$OPTARG") ;;
	f) pv+=(-f "$OPTARG") ;;
	p) pv+=(-p) ;;
	d) debian=$OPTARG ;;
	*) usage ;;
	esac
done
[ -n "$out" ] || usage
need_pkgs xen-utils-4.17 xenstore-utils busybox-static cpio kmod

kdir=$("$here/kernel.sh" x86)
krel=$(cat "$kdir/include/config/kernel.release")
xenbin=/usr/lib/xen-4.17/bin

mkdir -p "$out"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
# tools STAGE FILE...: FILEs into STAGE with the libraries they load (and
# libgcc_s, which glibc loads for pthread_cancel() at run time without ldd
# seeing it).
tools() {
	local dir=$1 f l
	shift
	mkdir -p "$dir/lib/x86_64-linux-gnu" "$dir/lib64"
	for f in "$@"; do
		mkdir -p "$dir$(dirname "$f")"
		cp -P "$f" "$dir$f"
	done
	for l in $(ldd "$@" 2>/dev/null | awk '/=> \// { print $3 }' | sort -u) \
		 /lib/x86_64-linux-gnu/libgcc_s.so.1; do
		cp -L "$l" "$dir/lib/x86_64-linux-gnu/"
	done
	cp -L /lib64/ld-linux-x86-64.so.2 "$dir/lib64/"
}

tools "$stage" "$xenbin"/{xl,xenstored,xenconsoled,xen-init-dom0} \
	"$xenbin"/{libxl-save-helper,xen-mfndump}
tar -czf "$out/xentools.tar.gz" -C "$stage" .
xs=$(mktemp -d)
tools "$xs" /usr/bin/xenstore /usr/bin/xenstore-{read,write,ls,rm,list}
tar -czf "$out/xenstore.tar.gz" -C "$xs" .
rm -rf "$xs"

cp "$kdir/arch/x86/boot/bzImage" "$out/domu-bzImage"
"$here/mkinitramfs.sh" -o "$out/domu-initrd.gz" -r "$krel" \
	-s "$here/guest/x86.sh" "${pv[@]}"
cp "$here/guest/domu.cfg" "$out/domu.cfg"
"$here/mkinitramfs.sh" -o "$out/domu-live-initrd.gz" -r "$krel" \
	-s "$here/guest/live-domu.sh" -f "$out/xenstore.tar.gz" "${pv[@]}"
cp "$here/guest/domu-live.cfg" "$here/guest/domu-live.sh" "$out/"

rm -f "$out"/domu-debian-*
if [ -n "$debian" ]; then
	dkrel=$(distro_krel)
	cp "/boot/vmlinuz-$dkrel" "$out/domu-debian-vmlinuz"
	"$here/mkinitramfs.sh" -o "$out/domu-debian-initrd.gz" -r "$dkrel" \
		-s "$here/guest/live-domu.sh" -f "$out/xenstore.tar.gz" \
		-m "$debian/xp2m.ko" -m "$debian/xp2m_m2p.ko" \
		-m "$debian/xp2m_x86.ko"
	sed -e 's/^name = .*/name = "domu-debian"/' \
	    -e 's|domu-bzImage|domu-debian-vmlinuz|' \
	    -e 's|domu-live-initrd.gz|domu-debian-initrd.gz|' \
	    -e 's/^# the test kernel with/# Debian'"'"'s own kernel with/' \
		"$here/guest/domu-live.cfg" >"$out/domu-debian.cfg"
fi
