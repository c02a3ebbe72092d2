# SPDX-License-Identifier: GPL-2.0
# Run in a Xen PV dom0 (any memory layout): load xp2m_x86, which imports and
# verifies the kernel's p2m; check the report, that our "ranges" equals the
# kernel's own /sys/kernel/debug/xen/mmu/p2m byte for byte (where the kernel
# has CONFIG_XEN_DEBUG_FS), that every view reads, that the machine's pages
# and hypercalls (backend) move by exactly what an operation takes and
# issues; unload; no leak.
# If the host carried /xp2m/x86-input.sh, its checks run too, while loaded.
# May be sourced by another guest script, whose checks it then adds to.

command -v check >/dev/null || . /xp2m/lib.sh

D=/sys/kernel/debug/xp2m/live
KP2M=/sys/kernel/debug/xen/mmu/p2m

# has_line FILE LINE: FILE has LINE, exactly.
has_line() {
	grep -qxF "$2" "$1" || { echo "$1:"; cat "$1"; return 1; }
}

check "running as a Xen PV domain" \
	sh -c '[ "$(cat /sys/hypervisor/type)" = xen ] &&
	       [ "$(cat /sys/hypervisor/guest_type)" = PV ]'
echo "memory: $(grep MemTotal /proc/meminfo)"
kmemleak_reset
dmesg -c >/dev/null

check "modprobe xp2m_x86" modprobe xp2m_x86
dmesg -c >/tmp/load.log
cat /tmp/load.log
check "load: one line, import" grep -q 'xp2m_x86: live: .* imported in' /tmp/load.log
check "load: verified clean" grep -q 'xp2m_x86: live: verified .*: clean$' /tmp/load.log
check "verify report at load: clean" has_line $D/verify "status clean"
check "verify report at load: nothing mismatched" has_line $D/verify "mismatched 0"
check "verify report at load: the kernel's own leaves, read back clean" \
	has_line $D/verify "why -"
cat $D/verify

for f in ranges layout stats lookup frame_list verify memory_map overrides \
	 shared_info publish changes fault backend; do
	check "read $f" sh -c "cat $D/$f >/tmp/$f && [ -s /tmp/$f ]"
done
check "frame_list reads back through machine frames" has_line /tmp/frame_list "differing 0"
check "memory_map: from the hypervisor" \
	grep -qE '^source XENMEM_(machine_)?memory_map$' /tmp/memory_map
check "overrides: none on the live instance" \
	sh -c '[ "$(cat /tmp/overrides)" = "overrides 0" ]'
# Zero copy: every leaf is the kernel's, none the module's own.
check "stats: no leaf of its own" has_line /tmp/stats "pages private 0"
check "stats: the kernel's leaves, borrowed" \
	sh -c '[ "$(sed -n "s/^slots borrowed //p" /tmp/stats)" -gt 0 ]'
check "publish: not published unless asked" \
	grep -q '^state not published' /tmp/publish
check "fault: off" has_line /tmp/fault "off"
# The core's counts agree with the report's.
pfns=$(sed -n 's/^entries pfn //p' /tmp/stats)
check "stats and verify count the same frames" \
	grep -q "^ours pfn $pfns identity" /tmp/verify
check "shared_info: the linear list reads back through machine frames" \
	has_line /tmp/shared_info "differing 0"
check "shared_info: no slot of the linear view writable" \
	has_line /tmp/shared_info "linear writable 0"
# The pages the core holds from the machine are the live instance's own.
own=$(awk '$1 == "pages" && $2 ~ /^(private|mid|shared|frame_list|linear_tables)$/ {
	n += $3 } END { print n }' /tmp/stats)
check "backend: the pages the core holds, the instance's own in stats" \
	has_line /tmp/backend "pages $own"
check "xp2m/stats: no boot list held (the live instance borrows)" \
	has_line /sys/kernel/debug/xp2m/stats "pages list 0"
cat /tmp/memory_map /tmp/stats /tmp/layout /tmp/shared_info /tmp/publish \
	/tmp/changes /tmp/backend

if [ -r $KP2M ]; then
	cat $KP2M >/tmp/kernel-p2m
	if cmp /tmp/kernel-p2m /tmp/ranges; then
		check_ok "ranges equals the kernel's xen/mmu/p2m byte for byte ($(wc -l </tmp/ranges) lines)"
	else
		diff /tmp/kernel-p2m /tmp/ranges | head -n 20
		check_fail "ranges differs from the kernel's xen/mmu/p2m"
	fi
else
	echo "no $KP2M (kernel without CONFIG_XEN_DEBUG_FS): not compared"
fi
cat /tmp/ranges

check "verify on demand" sh -c "echo 1 >$D/verify"
check "verify on demand: clean" has_line $D/verify "status clean"
check "lookup of pfn 0x100" sh -c "echo 0x100 >$D/lookup"
check "lookup: a frame, mapped back by the M2P" \
	sh -c "grep -qx 'class pfn' $D/lookup && grep -qx 'm2p 0x100' $D/lookup"

# backend_moved MU MX: backend reads as /tmp/backend did with MU more
# mmu_update and MX more mmuext_op hypercalls, and nothing else changed.
backend_moved() {
	awk -v mu="$1" -v mx="$2" '$2 == "mmu_update" { $3 += mu }
		$2 == "mmuext_op" { $3 += mx } { print }' /tmp/backend \
		>/tmp/backend.want
	cmp /tmp/backend.want $D/backend || { cat $D/backend; return 1; }
}
check "reading, verifying and looking up: no hypercall, no page" \
	backend_moved 0 0

# pub_field FIELD COLUMN: a field of "publish" (2 the real shared_info's,
# 3 the instance's, 4 the kernel's).
pub_field() {
	awk -v f="$1" -v c="$2" '$1 == f { print $c }' $D/publish
}

# pub_vaddr REAL OURS GEN: "publish" has REAL as the real p2m_vaddr, OURS
# as the instance's, and the real generation at GEN.
pub_vaddr() {
	[ "$(pub_field p2m_vaddr 2)" = "$1" ] &&
		[ "$(pub_field p2m_vaddr 3)" = "$2" ] &&
		[ "$(pub_field p2m_generation 2)" = "$3" ] ||
		{ cat $D/publish; return 1; }
}

# withdrawn_vaddr OURS GEN: as pub_vaddr with the kernel's p2m_vaddr as it
# was before anything was published (/tmp/publish), and no fault left.
withdrawn_vaddr() {
	pub_vaddr "$(awk '$1 == "p2m_vaddr" { print $2 }' /tmp/publish)" \
		"$1" "$2" && has_line $D/fault off
}

# Published, a leaf of the view faulted and put back: each way one
# mmu_update (the M2P entry of the leaf's copy) and one TLB flush, no more.
if grep -qx 'follow on' /tmp/publish; then
	check "publish: the probe missed no call" has_line /tmp/publish "missed 0"
	check "publish in this dom0" sh -c "echo 1 >$D/publish"
	check "publish: no hypercall" backend_moved 0 0
	check "fault: leaf 0" sh -c "echo 'leaf 0' >$D/fault"
	check "fault leaf 0: one mmu_update, one mmuext_op, nothing else" \
		backend_moved 1 1
	check "fault off" sh -c "echo off >$D/fault"
	check "fault off: one mmu_update, one mmuext_op again" backend_moved 2 2
	# A non-canonical p2m_vaddr in the real shared_info, the instance's
	# own unchanged, the generation two on; off, and withdrawn with the
	# fault in place, each puts back what belongs there.
	ours=$(sed -n 's/^p2m_vaddr //p' /tmp/shared_info)
	gen=$(pub_field p2m_generation 2)
	check "fault: vaddr" sh -c "echo vaddr >$D/fault"
	check "fault vaddr: the real p2m_vaddr non-canonical, the instance's as it was" \
		pub_vaddr 0x800000000000 "$ours" $((gen + 2))
	check "fault vaddr: no hypercall" backend_moved 2 2
	check "fault off (vaddr)" sh -c "echo off >$D/fault"
	check "fault off: the real p2m_vaddr the instance's again" \
		pub_vaddr "$ours" "$ours" $((gen + 4))
	check "fault: vaddr, again" sh -c "echo vaddr >$D/fault"
	check "withdraw, the vaddr fault in place" sh -c "echo 0 >$D/publish"
	check "withdrawn: the real p2m_vaddr the kernel's, the fault off" \
		withdrawn_vaddr "$ours" $((gen + 10))
	check "withdraw: no hypercall" backend_moved 2 2
	check "withdrawn" grep -q '^state not published' $D/publish
	cat $D/backend
else
	check_skip "publish and fault: the kernel's new leaves are not followed here (no kprobes)"
fi

if [ -r /xp2m/x86-input.sh ]; then
	. /xp2m/x86-input.sh
fi
if [ -x /usr/sbin/xp2m ]; then
	. /xp2m/tool.sh
fi

dmesg -c >/dev/null
check "modprobe -r xp2m_x86" modprobe -r xp2m_x86
check "unload: debugfs directory gone" test ! -e $D
check "unload: every xp2m module gone" sh -c '! lsmod | grep -q "^xp2m"'
check "unload: nothing about xp2m in the log" xp2m_log_clean
kmemleak_check
exit $XP2M_FAILED
