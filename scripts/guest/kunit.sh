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
mods=$(kunit_modules)
for m in $mods; do
	# shellcheck disable=SC2046
	if kunit_load "$m" $(modparams "$m"); then
		check_ok "load $m"
	else
		check_fail "load $m: modprobe failed"
	fi
done
# rmmod, not modprobe -r: busybox's also removes the module's dependencies
# and fails when one of them is still used by another test module.
for m in $mods; do
	check "unload $m" rmmod "$m"
done
# Then what they pulled in; lsmod lists dependents before what they use.
for m in $(lsmod | sed -n 's/^\(xp2m[a-z0-9_]*\) .*/\1/p'); do
	rmmod "$m" 2>/dev/null
done
if lsmod | grep -q '^xp2m'; then
	check_fail "unload: modules left behind: $(lsmod | grep '^xp2m' | cut -d' ' -f1 | tr '\n' ' ')"
else
	check_ok "unload: every xp2m module gone"
fi
kmemleak_check
exit $XP2M_FAILED
