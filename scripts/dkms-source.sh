#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-source.sh DEST VERSION: the sources DKMS builds from, in DEST (for
# DKMS, /usr/src/xp2m-VERSION): Kbuild, the Makefile, the modules' sources
# and headers, dkms.conf, and VERSION holding the full version string, so
# that the modules built from it report the version it was made from.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)

[ $# -eq 2 ] || { echo "usage: dkms-source.sh DEST VERSION" >&2; exit 2; }
dest=$1 version=$2

rm -rf "$dest"
mkdir -p "$dest/scripts"
cp -a "$top"/{Kbuild,Makefile} "$dest/"
for d in include p2m kpte m2p balloon arch-x86 arch-arm; do
	cp -a "$top/$d" "$dest/"
done
cp -a "$top/scripts/version.sh" "$dest/scripts/"
echo "$version" >"$dest/VERSION"
sed "s/#MODULE_VERSION#/$version/" "$top/dkms.conf" >"$dest/dkms.conf"
# No build products of a tree that was built in place.
find "$dest" \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
	-o -name '.*.cmd' -o -name '*.o.d' \) -delete
