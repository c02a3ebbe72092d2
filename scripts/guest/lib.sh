# SPDX-License-Identifier: GPL-2.0
# Helpers for scripts that run inside a test guest; sourced by run.sh.
#
# Every check prints one line the host counts:
#   XP2M-CHECK ok <name>   or   XP2M-CHECK fail <name>: <why>

XP2M_FAILED=0

check_ok() {
	echo "XP2M-CHECK ok $*"
}

check_fail() {
	echo "XP2M-CHECK fail $*"
	XP2M_FAILED=1
}

# check_skip WHY: a check that cannot run here, and why.
check_skip() {
	echo "XP2M-CHECK skip $*"
}

# check NAME CMD...: run CMD; one check line from its exit status.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		check_ok "$name"
	else
		check_fail "$name: $(echo "$out" | tail -n 3 | tr '\n' ' ')"
	fi
}

# kunit_load MODULE [PARAMS...]: load a KUnit module, which runs its suites,
# and print what the kernel logged meanwhile between markers the host reads
# (scripts/ktap.py). The kernel log is used rather than debugfs "results",
# whose per-case buffer is cut at 512 bytes in 6.1.
kunit_load() {
	local rc=0
	dmesg -c >/dev/null
	modprobe "$@" || rc=$?
	echo "XP2M-KTAP-BEGIN $1"
	dmesg -c
	echo "XP2M-KTAP-END"
	return $rc
}

# xp2m_log_clean: true when the kernel logged nothing about xp2m since the
# last "dmesg -c" (which it does again); else it prints what it did log.
# About xp2m: lines naming one of its modules, call traces, and what a
# kernel checker prints when something went wrong (WARN, BUG, Oops, lockdep,
# KASAN, kmemleak...: /xp2m/problems.ere). The rest of the kernel may log at
# any time ("random: crng init done") and is no concern of a check about
# xp2m.
xp2m_log_clean() {
	{
		grep -v '^#' /xp2m/problems.ere
		echo 'xp2m'
		echo 'Call Trace'
	} >/tmp/about-xp2m.ere
	! dmesg -c | grep -E -f /tmp/about-xp2m.ere
}

# Names of the KUnit modules carried in this initramfs, one a line.
kunit_modules() {
	local m
	for m in /lib/modules/"$(uname -r)"/extra/*_kunit.ko; do
		[ -e "$m" ] && basename "$m" .ko
	done
}

# kmemleak: forget what the kernel leaked before our modules came in, and
# later report only what is new. Needs an object to be 5 s old to count.
# Leaks are judged only by the scans after our modules are gone: a scan
# while they are loaded can miss references held in module memory (UML with
# KASAN keeps module memory unknown to kmemleak), so the periodic scan is
# turned off.
KMEMLEAK=/sys/kernel/debug/kmemleak
kmemleak_reset() {
	[ -w $KMEMLEAK ] || return 0
	echo scan=off >$KMEMLEAK
	echo scan >$KMEMLEAK
	echo clear >$KMEMLEAK
}

kmemleak_check() {
	local leaks
	[ -w $KMEMLEAK ] || return 0
	sleep 6
	echo scan >$KMEMLEAK
	echo scan >$KMEMLEAK
	leaks=$(cat $KMEMLEAK)
	if [ -n "$leaks" ]; then
		echo "$leaks"
		check_fail "kmemleak: unreferenced objects after the run"
	else
		check_ok "kmemleak: no leaks"
	fi
}

# balloon_to KB: set the balloon's target and wait for it to get there.
BAL=/sys/devices/system/xen_memory/xen_memory0
balloon_to() {
	local i
	echo "$1" >$BAL/target_kb || return 1
	for i in $(seq 60); do
		[ "$(cat $BAL/info/current_kb)" = "$1" ] && return 0
		sleep 1
	done
	echo "the balloon is at $(cat $BAL/info/current_kb) KiB, not $1"
	return 1
}

# rc_is CODE CMD...: CMD exits with CODE; its output is in /tmp/rc.out.
rc_is() {
	local want=$1 rc=0
	shift
	"$@" >/tmp/rc.out 2>&1 || rc=$?
	[ "$rc" = "$want" ] || { cat /tmp/rc.out; echo "exit $rc, not $want"; return 1; }
}
