# SPDX-License-Identifier: GPL-2.0
# Sourced by x86.sh with xp2m_x86 loaded: bad input to every writable
# debugfs file and module parameter is refused with EINVAL, changes
# nothing and logs nothing; then unload and load again, 20 times.

# bad_write FILE VALUE: one write of VALUE (printf %b escapes) fails with
# EINVAL. dd, because busybox's printf does not say why a write failed.
bad_write() {
	local err
	err=$(printf '%b' "$2" | dd of="$1" bs=4096 2>&1) && return 1
	case "$err" in
	*"Invalid argument"*) return 0 ;;
	*) echo "$err"; return 1 ;;
	esac
}

# refuses FILE VALUE...: each value is refused, FILE reads the same after,
# and nothing reaches the kernel log.
refuses() {
	local file=$1 before v bad=0
	shift
	before=$(cat "$file")
	dmesg -c >/dev/null
	for v in "$@"; do
		if ! bad_write "$file" "$v"; then
			echo "$file: '$v' was not refused with EINVAL"
			bad=1
		fi
		if [ "$(cat "$file")" != "$before" ]; then
			echo "$file changed after '$v'"
			bad=1
		fi
	done
	if ! xp2m_log_clean; then
		echo "the kernel logged the above about xp2m"
		bad=1
	fi
	return $bad
}

max_pfn=$(sed -n 's/^max_pfn //p' $D/stats)
check "lookup: bad pfns refused, nothing changes" \
	refuses $D/lookup '\n' 'abc' '0x' '12a' '-1' '1 2' ' 5' '5\n\n' \
		'0x1000 ' '0x1000\n0x2000' "$max_pfn" '99999999999999999999999' \
		'0000000000000000000000000000000000000001'
check "lookup: the last pfn is fine" sh -c "echo $((max_pfn - 1)) >$D/lookup"
check "verify: anything but 1 refused, nothing changes" \
	refuses $D/verify '\n' '0' '2' 'yes' 'y' '1 ' ' 1' '1\n\n' '-1' '0x' \
		'11111111111111111111111111111111111111'

check "publish: anything but 0 or 1 refused, nothing changes" \
	refuses $D/publish '\n' '2' 'yes' '1 2' ' 1' '-1' '0x' 'abc'
check "fault: unknown faults refused, nothing changes" \
	refuses $D/fault '\n' 'on' 'leaf' 'leaf x' 'leaf 1 2' 'vaddr 1' \
		'offf' 'leaf -1'
check "fault: none while not published" \
	sh -c "! echo vaddr >$D/fault 2>/dev/null && grep -qx off $D/fault"

# The kernel's p2m changes under the instance: the balloon gives 1 MiB back
# to Xen. The instance shows the kernel's own leaves, so it sees the change
# as the kernel makes it: verification stays clean, 256 more pages are the
# balloon's, and the same the other way when the balloon takes them back.
# report_has LINE...: the verify report has every LINE.
report_has() {
	local l
	for l in "$@"; do
		has_line $D/verify "$l" || return 1
	done
}

if [ -w $BAL/target_kb ]; then
	target=$(cat $BAL/target_kb)
	base=$(sed -n 's/^balloon //p' $D/verify)
	check "balloon out 1 MiB" balloon_to $((target - 1024))
	check "verify on demand after the balloon" sh -c "echo 1 >$D/verify"
	check "seen as it happened: clean, 256 pages more the balloon's" \
		report_has "status clean" "mismatched 0" \
			"balloon $((base + 256))"
	check "balloon back in" balloon_to "$target"
	check "verify after the balloon took them back" sh -c "echo 1 >$D/verify"
	check "clean, the balloon as before" \
		report_has "status clean" "balloon $base"
fi

# Module parameters: at load, and at run time where they are writable.
P=/sys/module/xp2m_x86/parameters
check "max_listed: bad values refused at run time, nothing changes" \
	refuses $P/max_listed '0' '4097' '-1' 'abc' '16x' '\n'
check "max_listed: 64 taken" sh -c "echo 64 >$P/max_listed && [ \$(cat $P/max_listed) = 64 ]"
check "verify runs with max_listed=64" sh -c "echo 1 >$D/verify"
check "verify_on_load cannot be written at run time" \
	sh -c "! (echo 0 >$P/verify_on_load) 2>/dev/null && [ \$(cat $P/verify_on_load) = Y ]"

# refused_load ARG: modprobe with ARG fails, and the kernel logs one line
# saying which parameter is wrong. (Busybox tries finit_module(), then
# init_module(), so the kernel parses the parameters, and logs, twice.)
refused_load() {
	local log
	dmesg -c >/dev/null
	modprobe xp2m_x86 "$1" 2>/dev/null && return 1
	log=$(dmesg -c | sort -u)
	echo "$log"
	[ "$(echo "$log" | grep -c .)" = 1 ] &&
		echo "$log" | grep -q "^xp2m_x86: \`.*' invalid for parameter \`${1%%=*}'$"
}

check "modprobe -r xp2m_x86" modprobe -r xp2m_x86
for arg in max_listed=0 max_listed=5000 max_listed=x verify_on_load=maybe; do
	check "load with $arg refused, one line logged" refused_load "$arg"
done
check "module not loaded after refused loads" sh -c '! lsmod | grep -q "^xp2m_x86 "'

# Unload and load again, 20 times: each load imports and verifies clean.
# Only the first builds and publishes the linear p2m again; the import is
# what the repetition exercises.
dmesg -c >/dev/null
bad=0
lin=
for i in $(seq 20); do
	modprobe xp2m_x86 $lin || { echo "load $i failed"; bad=1; break; }
	lin=linear=0
	modprobe -r xp2m_x86 || { echo "unload $i failed"; bad=1; break; }
done
dmesg -c >/tmp/reload.log
n=$(grep -c 'xp2m_x86: live: verified .*: clean$' /tmp/reload.log)
if [ $bad = 0 ] && [ "$n" = 20 ]; then
	check_ok "20 unloads and loads, each verified clean"
else
	check_fail "20 unloads and loads: $n verified clean"
fi

# vaddr_published: the real shared_info's p2m_vaddr is the instance's own
# (its shared_info view), not the kernel's: the columns of "publish".
vaddr_published() {
	local ours
	ours=$(sed -n 's/^p2m_vaddr //p' $D/shared_info)
	# shellcheck disable=SC2046
	set -- $(grep '^p2m_vaddr ' $D/publish)
	[ -n "$ours" ] && [ "$2" = "$ours" ] && [ "$3" = "$ours" ] &&
		[ "$4" != "$ours" ] ||
		{ echo "ours $ours"; cat $D/publish; return 1; }
}

# publish=1 publishes at load whatever verify_on_load says: the check that
# publication needs runs anyway, as a write of 1 to "publish" runs its own.
if grep -qx 'follow on' /tmp/publish; then
	dmesg -c >/dev/null
	check "load with publish=1 verify_on_load=0" \
		modprobe xp2m_x86 publish=1 verify_on_load=0
	dmesg -c >/tmp/load-publish.log
	cat /tmp/load-publish.log
	check "publish=1 verify_on_load=0: checked at load, clean" \
		has_line $D/verify "status clean"
	check "publish=1 verify_on_load=0: published" \
		has_line $D/publish "state published"
	check "publish=1 verify_on_load=0: the log says published" \
		grep -q 'xp2m_x86: live: published in the shared_info' \
		/tmp/load-publish.log
	check "publish=1 verify_on_load=0: the real p2m_vaddr is the instance's" \
		vaddr_published
	check "modprobe -r xp2m_x86 (published)" modprobe -r xp2m_x86
else
	check_skip "publish=1 at load: the kernel's new leaves are not followed here (no kprobes)"
fi
check "load again" modprobe xp2m_x86 verify_on_load=0
check "verify_on_load=0: no report until asked" has_line $D/verify "status not run (write 1 to run)"
