# SPDX-License-Identifier: GPL-2.0
# Run in dom0 by `make demo`: load the suite and show what it sees.

. /xp2m/lib.sh

show() {
	echo "---- $1"
	cat "$1"
}

for m in xp2m xp2m_x86 xp2m_m2p xp2m_balloon; do
	[ -e "/lib/modules/$(uname -r)/extra/$m.ko" ] || continue
	modprobe "$m" && echo "loaded $m" || echo "could not load $m"
done
echo "==== /sys/kernel/debug/xp2m"
find /sys/kernel/debug/xp2m | sort
find /sys/kernel/debug/xp2m -type f -perm -0400 | sort | while read -r f; do
	case "$f" in
	*/fail_*|*/verify) continue ;;
	esac
	show "$f"
done
if [ -r /sys/kernel/debug/xen/mmu/p2m ]; then
	echo "==== the kernel's own view"
	show /sys/kernel/debug/xen/mmu/p2m
fi
if [ -x /usr/sbin/xp2m ]; then
	echo "==== xp2m status"
	/usr/sbin/xp2m status
	echo "==== xp2m map"
	/usr/sbin/xp2m map
fi
exit 0
