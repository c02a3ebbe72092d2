# SPDX-License-Identifier: GPL-2.0
# Run in Debian's distro kernel booted as a Xen PV dom0, with the modules
# DKMS built for it from the xp2m-dkms package in /lib/modules/<release>/
# updates/dkms (xen-vm -T): they are what users run and nothing else, and
# modprobe xp2m_x86 loads them from there; x86.sh (carried by the host)
# checks the import. Then lockdown, as Secure Boot brings it: the writable
# debugfs files refuse, the read-only views and the tool still work.

. /xp2m/lib.sh

K=/lib/modules/$(uname -r)
D=/sys/kernel/debug/xp2m/live
T=/usr/sbin/xp2m

installed() {
	[ "$(cd $K/updates/dkms && echo *)" = \
		"xp2m.ko xp2m_balloon.ko xp2m_m2p.ko xp2m_x86.ko" ] ||
		{ ls $K/updates/dkms; return 1; }
}

check "running as a Xen PV domain" \
	sh -c '[ "$(cat /sys/hypervisor/type)" = xen ] &&
	       [ "$(cat /sys/hypervisor/guest_type)" = PV ]'
check "installed by DKMS: what users run, no tests, benchmarks or simulator" \
	installed
check "modinfo finds xp2m_x86 on the module path, DKMS's" \
	sh -c "[ \"\$(modinfo -n xp2m_x86)\" = $K/updates/dkms/xp2m_x86.ko ]"
if [ -x $T ]; then
	check "xp2m status before loading: not loaded, exit 5" rc_is 5 $T status
	check "xp2m status before loading: says so" \
		grep -q 'modprobe xp2m_x86' /tmp/rc.out
fi
check "modprobe xp2m_x86 loads what it needs" \
	sh -c "modprobe xp2m_x86 linear=0 && lsmod | grep -q '^xp2m_m2p ' &&
	       lsmod | grep -q '^xp2m ' && modprobe -r xp2m_x86 &&
	       ! lsmod | grep -q '^xp2m'"

# The live import: a shell of its own, as x86.sh ends with exit.
if [ -r /xp2m/x86.sh ]; then
	sh /xp2m/x86.sh || XP2M_FAILED=1
fi

# Lockdown cannot be lowered once raised, and a locked-down kernel loads
# only signed modules: load first, then lock down.
L=/sys/kernel/security/lockdown
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
if [ -w $L ]; then
	check "load again before lockdown" modprobe xp2m_x86 linear=0
	check "lockdown=integrity" sh -c "echo integrity >$L && grep -q '\[integrity\]' $L"
	check "lockdown: verify, writable, cannot be written" \
		sh -c "! (echo 1 >$D/verify) 2>/dev/null"
	check "lockdown: verify, writable, cannot be read either" \
		sh -c "! cat $D/verify >/dev/null 2>&1"
	check "lockdown: lookup, writable, cannot be opened" \
		sh -c "! cat $D/lookup >/dev/null 2>&1"
	for f in ranges layout frames stats frame_list shared_info memory_map \
		 overrides ../version; do
		check "lockdown: $f still reads" sh -c "cat $D/$f >/dev/null"
	done
	if [ -x $T ]; then
		check "lockdown: xp2m status works, names the lockdown" \
			sh -c "$T status >/tmp/status && grep -q '^lockdown: ' /tmp/status &&
			       grep -q 'verified    unknown: .*locked down' /tmp/status"
		cat /tmp/status
		check "lockdown: xp2m map works" sh -c "$T map >/dev/null"
	fi
	check "lockdown: unload" modprobe -r xp2m_x86
else
	echo "no $L: lockdown not checked"
fi
exit $XP2M_FAILED
