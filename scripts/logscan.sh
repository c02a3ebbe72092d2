#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# logscan.sh LOG: print every line of a console log that means the kernel or
# Xen went wrong (oops, BUG, WARN, lockdep, KASAN, kmemleak, RCU stall, Xen
# crash) with a little context; exit 1 if there is any, 0 if the log is clean.

# The patterns are in guest/problems.ere, which the guests use too.
pats=$(dirname "$0")/guest/problems.ere

log=$1
[ -r "$log" ] || { echo "logscan: cannot read $log" >&2; exit 2; }
hits=$(tr -d '\r' <"$log" |
	grep -E -n -B2 -A12 -f <(grep -v '^#' "$pats")) || exit 0
echo "---- problems in $log ----"
echo "$hits"
echo "---- end of problems ----"
exit 1
