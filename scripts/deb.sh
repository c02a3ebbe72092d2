#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deb.sh [VERSION]: build the xp2m-dkms Debian package with Debian's own
# tooling (dpkg-buildpackage, dh, dh_dkms) into build/deb/, and print the
# path of the .deb. VERSION defaults to scripts/version.sh's. When it is not
# the version of debian/changelog's first entry, the staged copy's
# changelog gets it: as the version of that entry while the entry is
# UNRELEASED (a pre-release of the release being prepared), else in an
# entry of its own above it (a build after a release); so that the
# package, DKMS and the modules all carry the same version.

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
. "$here/lib.sh"

version=${1:-$("$here/version.sh")}
need_pkgs dpkg-dev debhelper dh-dkms fakeroot

out=$top/build/deb
src=$out/xp2m-$version
rm -rf "$out"
mkdir -p "$src"
# What git knows of, as the tree stands (local changes too): nothing built.
(cd "$top" && git ls-files -co --exclude-standard -z 2>/dev/null ||
	find . -path ./build -prune -o -path ./.git -prune -o -type f -print0) |
	(cd "$top" && rsync -a --from0 --files-from=- --exclude=/build ./ "$src/")
top_version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
top_dist=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Distribution)
if [ "$top_version" != "$version" ] && [ "$top_dist" = UNRELEASED ]; then
	# The release being prepared: this build is a pre-release of it.
	sed -i "1s/^xp2m ([^)]*)/xp2m ($version)/" "$src/debian/changelog"
elif [ "$top_version" != "$version" ]; then
	# After a release: a build of its own, above it.
	maint=$(sed -n 's/^Maintainer: //p' "$src/debian/control")
	{
		echo "xp2m ($version) UNRELEASED; urgency=medium"
		echo
		echo "  * Build of $version, after $top_version."
		echo
		echo " -- $maint  $(date -R)"
		echo
		cat "$src/debian/changelog"
	} >"$src/debian/changelog.new"
	mv "$src/debian/changelog.new" "$src/debian/changelog"
fi
(cd "$src" && dpkg-buildpackage -b -us -uc) >"$out/build.log" 2>&1 ||
	die "dpkg-buildpackage failed (log: $out/build.log)"
deb=$out/xp2m-dkms_${version}_all.deb
[ -f "$deb" ] || die "no $deb after the build (log: $out/build.log)"
echo "$deb"
