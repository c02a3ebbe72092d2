# SPDX-License-Identifier: GPL-2.0
# Run in a kernel that is not a Xen PV guest (bare metal, HVM, PVH):
# xp2m_x86 refuses to load with ENODEV and one line saying why; the core
# loads and unloads as anywhere.

. /xp2m/lib.sh

dmesg -c >/dev/null
if modprobe xp2m_x86 2>/tmp/err; then
	check_fail "xp2m_x86 loaded in a kernel that is not a Xen PV guest"
	modprobe -r xp2m_x86
else
	cat /tmp/err
	check "xp2m_x86 refused with ENODEV" grep -q "No such device" /tmp/err
fi
# Busybox tries finit_module(), then init_module(): the same line twice.
dmesg -c | sed 's/^\[ *[0-9.]*\] //' | grep xp2m_x86 | sort -u >/tmp/why
cat /tmp/why
check "one line saying why" sh -c '[ "$(grep -c . /tmp/why)" = 1 ] &&
	grep -q "^xp2m_x86: .*, so there is no PV p2m to import$" /tmp/why'
if [ -r /xp2m/why ]; then
	want=$(cat /xp2m/why)
	check "the reason: $want" grep -q "xp2m_x86: $want," /tmp/why
fi
check "xp2m_x86 not loaded" sh -c '! lsmod | grep -q "^xp2m_x86 "'
check "the core loads" modprobe xp2m
# The refused load leaves the modules it depends on loaded, as modprobe
# does; they unload like any other.
check "the core and the m2p override unload" modprobe -r xp2m_m2p xp2m
check "nothing of xp2m left" sh -c '! lsmod | grep -q "^xp2m"'
exit $XP2M_FAILED
