# SPDX-License-Identifier: GPL-2.0
# Sourced by x86.sh while xp2m_x86 is loaded, when the host carried the tool
# (xen-vm -P): the xp2m command's subcommands against the real debugfs,
# checked to the pfn against the views and the kernel's own dump. Prints
# the instance's snapshot between XP2M-SNAPSHOT markers for the host.

T=/usr/sbin/xp2m
C=/xp2m/toolcheck.py
PY=/usr/bin/python3

versions_are() {
	[ "$(modinfo -F version xp2m_x86)" = "$1" ] &&
		[ "$(cat /sys/module/xp2m_x86/version)" = "$1" ] &&
		[ "$(cat /sys/module/xp2m/version)" = "$1" ] &&
		[ "$(cat /sys/kernel/debug/xp2m/version)" = "$1" ]
}

status_clean() {
	$T status >/tmp/status &&
		grep -q '^  verified    clean: mismatched 0' /tmp/status &&
		grep -qE "^  xp2m_x86 +$(cat /sys/module/xp2m_x86/version) " /tmp/status &&
		grep -qE "^  xp2m +$(cat /sys/module/xp2m/version) " /tmp/status
}

# map_totals OUT ARGS...: xp2m map ARGS to OUT; its totals are stats'.
map_totals() {
	local out=$1
	shift
	$T map "$@" >"$out" && $C text "$out" /tmp/stats
}

no_change() {
	$T diff /tmp/snap0 /tmp/snap1 >/tmp/diff &&
		[ "$(cat /tmp/diff)" = "changed 0 pfns (0) in 0 ranges" ]
}

as_nobody() {
	$PY -c 'import os, sys; os.setgid(65534); os.setuid(65534);
os.execv(sys.argv[1], sys.argv[1:])' "$@"
}

without_debugfs() {
	local rc=0
	umount /sys/kernel/debug || return 1
	"$@" >/tmp/rc.out 2>&1 || rc=$?
	mount -t debugfs debugfs /sys/kernel/debug
	[ $rc = 4 ] || { cat /tmp/rc.out; echo "exit $rc, not 4"; return 1; }
}

if [ -r /xp2m/version ]; then
	check "version: modinfo, sysfs and debugfs say $(cat /xp2m/version)" \
		versions_are "$(cat /xp2m/version)"
fi
check "verify now" sh -c "echo 1 >$D/verify"
check "xp2m status: exit 0, verified clean, the modules' versions" status_clean
cat /tmp/status
cat $D/stats >/tmp/stats
check "xp2m map: its totals are stats' exactly" map_totals /tmp/map.txt
cat /tmp/map.txt
check "xp2m map --scale 256M --columns 32: the same totals" \
	map_totals /tmp/map2.txt --scale 256M --columns 32
check "xp2m map --svg: parses as XML, its totals are stats' exactly" \
	sh -c "$T map --svg /tmp/map.svg && $C svg /tmp/map.svg /tmp/stats"
check "xp2m snapshot" $T snapshot /tmp/snap0
check "xp2m snapshot, again" $T snapshot /tmp/snap1
check "xp2m diff: nothing changed, exit 0" no_change
if [ -r $KP2M ]; then
	check "xp2m compare: against the kernel's dump, nothing differs" \
		sh -c "$T compare >/tmp/cmp && tail -n 1 /tmp/cmp | grep -q ': 0 differ in 0 ranges$'"
	cat /tmp/cmp
else
	check "xp2m compare: no dump in this kernel, exit 6" rc_is 6 $T compare
	check "xp2m compare: says why" grep -q 'needs CONFIG_XEN_DEBUG_FS' /tmp/rc.out
fi
check "xp2m: not root, exit 3" rc_is 3 as_nobody $T status
check "xp2m: not root, says so" grep -q 'must be run as root' /tmp/rc.out
check "xp2m: an instance that is not there, exit 5" rc_is 5 $T map --instance nosuch
check "xp2m: debugfs not mounted, exit 4" without_debugfs $T map
check "xp2m: debugfs not mounted, says so" grep -q 'debugfs is not mounted' /tmp/rc.out
check "xp2m: bad arguments, exit 2" rc_is 2 $T map --scale 3K
for c in status map snapshot diff compare; do
	check "xp2m $c --help" sh -c "$T $c --help | grep -q '^exit status:'"
done

# What changed around a balloon step, as the balloon driver takes one for
# "xl mem-set": 1 MiB out, and back. The instance's leaves are the
# kernel's own, so the same instance shows each moment: nothing reloads.

if [ -r /xp2m/x86-input.sh ] && [ -w "$BAL/target_kb" ]; then
	target=$(cat $BAL/target_kb)
	cat $KP2M >/tmp/k0
	check "balloon out 1 MiB" balloon_to $((target - 1024))
	cat $KP2M >/tmp/k1
	check "xp2m snapshot after" $T snapshot /tmp/snap2
	check "xp2m diff: exit 1" rc_is 1 $T diff /tmp/snap0 /tmp/snap2
	cp /tmp/rc.out /tmp/diff02
	cat /tmp/diff02
	check "xp2m diff: exactly the pfns the kernel's dump lost, pfn -> balloon" \
		$C went /tmp/diff02 /tmp/k0 /tmp/k1 pfn missing pfn balloon
	check "xp2m diff: 256 pfns in all" \
		grep -qE '^changed 256 pfns \(1 MiB\) in [0-9]+ ranges$' /tmp/diff02
	check "balloon back in" balloon_to "$target"
	check "xp2m snapshot when back" $T snapshot /tmp/snap3
	check "xp2m diff: exit 1" rc_is 1 $T diff /tmp/snap2 /tmp/snap3
	cp /tmp/rc.out /tmp/diff23
	cat /tmp/diff23
	check "xp2m diff: the same pfns came back, balloon -> pfn" \
		$C went /tmp/diff23 /tmp/k0 /tmp/k1 pfn missing balloon pfn
fi

# Kernel messages on the console would cut into it: none meanwhile.
level=$(cut -f1 /proc/sys/kernel/printk)
dmesg -n 1
echo "XP2M-SNAPSHOT-BEGIN"
cat /tmp/snap0
echo "XP2M-SNAPSHOT-END"
dmesg -n "$level"
