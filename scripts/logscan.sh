#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# logscan.sh LOG: print every line of a console log that means the kernel or
# Xen went wrong (oops, BUG, WARN, lockdep, KASAN, kmemleak, RCU stall, Xen
# crash) with a little context; exit 1 if there is any, 0 if the log is clean.

pat='Kernel panic|BUG:|Oops|general protection fault|WARNING:|KASAN:|UBSAN:'
pat+='|suspected memory leak|unreferenced object'
pat+='|possible circular locking|possible recursive locking|inconsistent lock state'
pat+='|suspicious RCU usage|sleeping function called from invalid context'
pat+='|INFO: task .* blocked|rcu: INFO:|detected stall|soft lockup|hard LOCKUP'
pat+='|Unable to handle kernel|list_(add|del) corruption'
pat+='|\(XEN\).*(Panic on CPU|FATAL|Xen BUG at|Assertion .* failed|Xen call trace)'

log=$1
[ -r "$log" ] || { echo "logscan: cannot read $log" >&2; exit 2; }
hits=$(tr -d '\r' <"$log" | grep -E -n -B2 -A12 -- "$pat") || exit 0
echo "---- problems in $log ----"
echo "$hits"
echo "---- end of problems ----"
exit 1
