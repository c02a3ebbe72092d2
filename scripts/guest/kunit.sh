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
# fail-nth makes the n-th fault-injection point a task passes fail, any
# point: the suites mean their own (xp2m's fail_alloc). Keep the kernel's
# slab and page allocators out, or a slab refill in the middle of an
# operation takes a failure the operation never sees.
F=/sys/kernel/debug
[ -w $F/failslab/cache-filter ] && echo Y >$F/failslab/cache-filter
[ -w $F/fail_page_alloc/min-order ] && echo 11 >$F/fail_page_alloc/min-order
mods=$(kunit_modules)
uptime() { cut -d' ' -f1 /proc/uptime; }
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
