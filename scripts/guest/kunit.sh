# SPDX-License-Identifier: GPL-2.0
# Run in a test guest: load every KUnit module carried here (which runs its
# suites and logs KTAP), unload everything, check for leaks.
# /xp2m/modparams, if present, holds "<module> <parameters...>" lines.

. /xp2m/lib.sh

modparams() {
	[ -r /xp2m/modparams ] || return 0
	sed -n "s/^$1 //p" /xp2m/modparams
}

kmemleak_reset
# The suites fail every allocation of an operation in turn: the n-th alone
# (the task's fail-nth), and the n-th and all after it (fail-nth, with the
# task marked to fail). failslab and fail_page_alloc put a fault-injection
# point in every slab and page allocation; by default they skip sleeping
# allocations, and fail_page_alloc single pages, which is nearly all of
# them. Count every allocation, of every cache; fail always, but only in a
# task marked to fail (no other is), as often as asked; print nothing.
F=/sys/kernel/debug
for a in failslab fail_page_alloc; do
	[ -d $F/$a ] || continue
	echo N >$F/$a/ignore-gfp-wait
	echo Y >$F/$a/task-filter
	echo 100 >$F/$a/probability
	echo 1 >$F/$a/interval
	echo -1 >$F/$a/times
	echo 0 >$F/$a/verbose
done
[ -w $F/failslab/cache-filter ] && echo N >$F/failslab/cache-filter
[ -w $F/fail_page_alloc/min-order ] && echo 0 >$F/fail_page_alloc/min-order
[ -w $F/fail_page_alloc/ignore-gfp-highmem ] &&
	echo N >$F/fail_page_alloc/ignore-gfp-highmem
mods=$(kunit_modules)
uptime() { cut -d' ' -f1 /proc/uptime; }
# What the core and the ARM module hold outside any instance (their
# debugfs stats: the pages of boot lists, the ARM module's pages), before
# the suites and after them all: the same, every page taken given back.
# kmemleak does not see pages.
HELD="/sys/kernel/debug/xp2m/stats /sys/kernel/debug/xp2m/arm/stats"
held=
if modprobe xp2m_arm 2>/dev/null; then
	# shellcheck disable=SC2086
	held=$(cat $HELD | tr '\n' ' ') || held=
	echo "# held before the suites: $held"
fi
for m in $mods; do
	t0=$(uptime)
	# shellcheck disable=SC2046
	if kunit_load "$m" $(modparams "$m"); then
		check_ok "load $m"
	else
		check_fail "load $m: modprobe failed"
	fi
	echo "# $m: $(awk "BEGIN { print $(uptime) - $t0 }") s"
done
if [ -n "$held" ]; then
	# shellcheck disable=SC2086
	now=$(cat $HELD | tr '\n' ' ')
	echo "# held after the suites: $now"
	if [ "$now" = "$held" ]; then
		check_ok "after the suites: the boot lists' pages and the ARM module's as before"
	else
		check_fail "after the suites: held '$now', before '$held'"
	fi
else
	check_skip "pages held before and after the suites: xp2m_arm does not load"
fi
# rmmod, not modprobe -r: the latter fails when a dependency it would take
# along is still used by another suite's module.
for m in $mods; do
	check "unload $m" rmmod "$m"
done
# Then what they depended on, users first (lsmod lists them first).
for m in $(lsmod | sed -n 's/^\(xp2m[a-z0-9_]*\) .*/\1/p'); do
	rmmod "$m"
done
if lsmod | grep -q '^xp2m'; then
	check_fail "unload: modules left behind: $(lsmod | grep '^xp2m' | cut -d' ' -f1 | tr '\n' ' ')"
else
	check_ok "unload: every xp2m module gone"
fi
kmemleak_check
exit $XP2M_FAILED
