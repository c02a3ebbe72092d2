#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# version.sh [TOP]: print the version of the sources in TOP (default: the
# directory above this script), the one string every module reports in
# modinfo and debugfs and the Debian package carries.
#
# VERSION holds the number of the last release, or of the release being
# prepared; a release is the commit that sets it, tagged v<VERSION>. From a
# git checkout:
#
#   at the tag v0.1.0                  0.1.0
#   3 commits after it                 0.1.0+3.g4191c7e
#   before the tag exists (12 commits) 0.1.0~12.g4191c7e
#   local changes not committed        ... with .dirty appended
#
# so that versions sort as Debian sorts them (dpkg --compare-versions). A
# tree without git (a release tarball, DKMS's copy in /usr/src) reports
# VERSION as it stands: packaging writes the full string into it.

set -eu
top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
base=$(cat "$top/VERSION")
if ! git -C "$top" rev-parse --show-toplevel 2>/dev/null | grep -qxF "$(cd "$top" && pwd -P)"; then
	echo "$base"
	exit 0
fi
sha=$(git -C "$top" rev-parse --short=7 HEAD)
dirty=
git -C "$top" diff --quiet HEAD -- 2>/dev/null || dirty=.dirty
if git -C "$top" rev-parse -q --verify "refs/tags/v$base" >/dev/null &&
	git -C "$top" merge-base --is-ancestor "v$base" HEAD; then
	n=$(git -C "$top" rev-list --count "v$base..HEAD")
	if [ "$n" -eq 0 ]; then
		echo "$base${dirty:++0$dirty}"
	else
		echo "$base+$n.g$sha$dirty"
	fi
else
	echo "$base~$(git -C "$top" rev-list --count HEAD).g$sha$dirty"
fi
