# SPDX-License-Identifier: GPL-2.0
# Run in Debian's distro kernel booted as a Xen PV dom0: the modules built
# against Debian's headers load, work and unload.

. /xp2m/lib.sh

check "running as a Xen PV domain" \
	sh -c '[ "$(cat /sys/hypervisor/type)" = xen ] &&
	       [ "$(cat /sys/hypervisor/guest_type)" = PV ]'
kmemleak_reset
check "modprobe xp2m" modprobe xp2m
check "xp2m debugfs root present" test -d /sys/kernel/debug/xp2m
check "modprobe xp2m_arm" modprobe xp2m_arm
check "xp2m/arm debugfs present" test -d /sys/kernel/debug/xp2m/arm
check "rmmod xp2m_arm" rmmod xp2m_arm
check "modprobe -r xp2m" modprobe -r xp2m
check "xp2m debugfs root gone after unload" test ! -e /sys/kernel/debug/xp2m
# The live import, when the host carried its checks: they end the run.
if [ -r /xp2m/x86.sh ]; then
	. /xp2m/x86.sh
fi
exit $XP2M_FAILED
