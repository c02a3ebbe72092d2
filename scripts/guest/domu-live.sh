# SPDX-License-Identifier: GPL-2.0
# Sourced by domu.sh in a Xen PV dom0 whose toolstack runs: Xen's own
# toolstack judges the view xp2m publishes in a PV domU.
#
# The domU (domu-live.cfg, scripts/guest/live-domu.sh) loads xp2m_x86 with
# publish=1 and keeps a 32 MiB pattern in tmpfs; this side drives save,
# restore, checkpoints, dump-core, xen-mfndump, memory changes and (with a
# hypervisor that has shadow paging) live migration against it, each
# checked by what the toolstack prints and by the domU's own verification.
# The domU is told what to do over xenstore (see live-domu.sh).

LIVE=domu-live
# The sequence number of dom0's last command: a file, since checks run
# their commands in subshells.
LSEQ=/tmp/lseq
echo 0 >$LSEQ

ldom() {
	"$X/xl" domid $LIVE 2>/dev/null
}

# lcmd VERB [ARGS]: the domU's answer, or fail after 120 s.
lcmd() {
	local id r i lseq
	lseq=$(($(cat $LSEQ) + 1))
	echo $lseq >$LSEQ
	id=$(ldom) || return 1
	xenstore-write "/local/domain/$id/data/xp2m/cmd" "$lseq $*" || return 1
	for i in $(seq 120); do
		r=$(xenstore-read "/local/domain/$(ldom)/data/xp2m/done" 2>/dev/null)
		case "$r" in
		"$lseq "*) echo "${r#* }"; return 0 ;;
		esac
		sleep 1
	done
	echo "no answer to '$*'" >&2
	return 1
}

# lexit: tell the domU to power off, and wait until it is gone (its answer
# may go with it, before it can be read).
lexit() {
	local id i lseq
	lseq=$(($(cat $LSEQ) + 1))
	echo $lseq >$LSEQ
	id=$(ldom) || return 1
	xenstore-write "/local/domain/$id/data/xp2m/cmd" "$lseq exit" || return 1
	for i in $(seq 120); do
		ldom >/dev/null || return 0
		sleep 1
	done
	echo "still there 120 s after 'exit'"
	return 1
}

# The domU's status, field $1: 1 verify, 2 publish state, 3 md5, 4
# p2m_vaddr published, 5 generation.
lstatus() {
	lcmd status | cut -d' ' -f"$1"
}

# lis FIELD VALUE: the domU's status has VALUE in FIELD.
lis() {
	local v
	v=$(lstatus "$1")
	[ "$v" = "$2" ] || { echo "status field $1 is '$v', not '$2'"; return 1; }
}

# lok VERB [ARGS]: the domU answers ok.
lok() {
	local r
	r=$(lcmd "$@")
	[ "$r" = ok ] || { echo "'$*': $r"; return 1; }
}

# lfails VERB [ARGS]: the domU answers fail (bad input refused).
lfails() {
	[ "$(lcmd "$@")" = fail ]
}

# Wait until the domU's view is published again (after a resume): at most
# about two minutes.
wait_published() {
	local i s
	for i in $(seq 30); do
		s=$(lcmd status) || return 1
		case "$s" in
		"clean published "*) echo "$s"; return 0 ;;
		esac
		sleep 3
	done
	echo "last status: $s" >&2
	return 1
}

# The domU runs: it is listed, and neither crashed nor paused.
alive() {
	"$X/xl" list $LIVE 2>/dev/null | tail -n 1 |
		awk 'NF >= 5 && $5 ~ /^[-rb]+$/ { ok = 1 } END { exit !ok }'
}

# uptime in centiseconds, for durations.
now_cs() {
	tr -d . </proc/uptime | cut -d' ' -f1
}

# mfndump_runs DOMID: xen-mfndump dump-p2m as runs of frames, in the
# format of xp2m's "frames" view (pfn lines only).
mfndump_runs() {
	"$X/xen-mfndump" dump-p2m "$1" | awk '
	/pfn=0x/ {
		p = $1; sub("pfn=", "", p); m = $3; sub("mfn=", "", m)
		if (m == "0xffffffffffffffff" || length(m) == 18) {
			flush(); next
		}
		pv = p + 0; mv = m + 0
		if (open && pv == start + n && mv == first + n) { n++; next }
		flush(); open = 1; start = pv; first = mv; n = 1
	}
	function flush() {
		if (open)
			printf(" [0x%x->0x%x] pfn 0x%x\n", start, start + n, first)
		open = 0
	}
	END { flush() }'
}

# The domU's frames view, pfn lines below $1 entries: the last dump on its
# console, once xenconsoled has written all of it.
domu_runs() {
	local log=/var/log/xen/console/guest-$LIVE.log i
	for i in $(seq 60); do
		[ "$(grep -c '^XP2M-FRAMES-END' "$log")" -ge "$2" ] && break
		sleep 1
	done
	tr -d '\r' <"$log" |
		awk '/^XP2M-FRAMES-BEGIN/ { n = 0; on = 1; next }
		     /^XP2M-FRAMES-END/ { on = 0 }
		     on && / pfn 0x/ { l[n++] = $0 }
		     END { for (i = 0; i < n; i++) print l[i] }' |
		awk -v max="$1" '{ s = $1; sub("\\[", "", s); sub("->.*", "", s)
				   if (s + 0 < max + 0) print }'
}

# save_c TAG: time a checkpoint (xl save -c), in centiseconds; its log in
# /tmp/save-TAG, its status in /tmp/save-TAG.rc.
save_c() {
	local t0
	t0=$(now_cs)
	"$X/xl" -v save -c $LIVE /tmp/cp >/tmp/save-"$1" 2>&1
	echo $? >/tmp/save-"$1".rc
	rm -f /tmp/cp
	echo $(($(now_cs) - t0))
}

# saved TAG: that checkpoint succeeded.
saved() {
	[ "$(cat /tmp/save-"$1".rc)" = 0 ] || { tail -n 5 /tmp/save-"$1"; return 1; }
}

# live_start [KERNEL CFG]: create the domU (the test kernel by default)
# and wait until it has published and written its pattern.
live_start() {
	local i
	check "$LIVE: xl create: ${1:-the test kernel} with xp2m published" \
		timeout 300 "$X/xl" create "${2:-/xp2m/domu-live.cfg}" || return 1
	for i in $(seq 300); do
		[ "$(xenstore-read "/local/domain/$(ldom)/data/xp2m/state" \
		     2>/dev/null)" = ready ] && break
		sleep 1
	done
	MD5=$(xenstore-read "/local/domain/$(ldom)/data/xp2m/md5")
	check "$LIVE: ready, a 32 MiB pattern written" test -n "$MD5"
}

# The published view against the toolstack's readers, and the kernel's.
live_readers() {
	local s vaddr kvaddr t_ours t_kernel t id max i times

	s=$(lcmd status)
	echo "$LIVE: $s"
	check "$LIVE: verification clean, view published" \
		sh -c "case '$s' in 'clean published $MD5 '*) ;; *) exit 1 ;; esac"
	vaddr=$(echo "$s" | cut -d' ' -f4)
	id=$(ldom)
	max=$(xenstore-read /local/domain/$id/memory/static-max 2>/dev/null)
	"$X/xen-mfndump" dump-p2m "$id" >/tmp/mfndump
	max=$(sed -n 's/.*P2M size: = \([0-9]*\).*/\1/p' /tmp/mfndump)
	check "xen-mfndump dump-p2m reads the published view" test -n "$max"
	mfndump_runs "$id" >/tmp/runs-ours
	lcmd frames >/dev/null
	domu_runs "$max" 1 >/tmp/runs-domu
	check "xen-mfndump equals the domU's own frames ($(wc -l </tmp/runs-ours) runs)" \
		cmp /tmp/runs-ours /tmp/runs-domu

	t_ours=$(save_c ours)
	check "save -c with xp2m's view succeeds" saved ours
	check "the domU runs on after the checkpoint" alive
	check "save -c reads the p2m list at xp2m's p2m_vaddr $vaddr" \
		grep -q "p2m list from $vaddr" /tmp/save-ours
	check "after the checkpoint: published again, clean" wait_published

	check "withdraw" lok publish 0
	kvaddr=$(lstatus 4)
	"$X/xen-mfndump" dump-p2m "$id" >/dev/null
	mfndump_runs "$id" >/tmp/runs-kernel
	check "xen-mfndump: xp2m's view equals the kernel's" \
		cmp /tmp/runs-ours /tmp/runs-kernel
	t_kernel=$(save_c kernel)
	check "save -c with the kernel's fields succeeds" saved kernel
	check "save -c with the kernel's fields reads the kernel's list $kvaddr" \
		grep -q "p2m list from $kvaddr" /tmp/save-kernel
	# Under emulation one checkpoint's time varies by several times with
	# what else the host runs: the fastest of five of each, alternated.
	times="ours ${t_ours}0 kernel ${t_kernel}0"
	for i in 2 3 4 5; do
		t=$(save_c kernel); [ "$t" -lt "$t_kernel" ] && t_kernel=$t
		times="$times, kernel ${t}0"
		lok publish 1 >/dev/null
		t=$(save_c ours); [ "$t" -lt "$t_ours" ] && t_ours=$t
		times="$times ours ${t}0"
		wait_published >/dev/null
		lok publish 0 >/dev/null
	done
	echo "save -c, each in ms: $times"
	echo "save -c, fastest of 5: ${t_ours}0 ms with xp2m's view, ${t_kernel}0 ms with the kernel's"
	check "save -c with xp2m's view within 1.2x of the kernel's (${t_ours}0 ms vs ${t_kernel}0 ms)" \
		test $((t_ours * 10)) -le $((t_kernel * 12 + 20))
	check "publish again" lok publish 1
	check "xl dump-core returns 0" \
		sh -c "'$X/xl' dump-core $LIVE /tmp/core; rc=\$?; rm -f /tmp/core; exit \$rc"
}

# Faults in xp2m's view alone: the toolstack must trip over them.
live_faults() {
	local id=$(ldom)

	check "fault: a leaf of xp2m's view" lok fault leaf 0
	"$X/xl" -v save -c $LIVE /tmp/cp >/tmp/save-fault 2>&1
	rm -f /tmp/cp
	check "save -c refuses it: Bad mfn in p2m_frame_list" \
		grep -q "Bad mfn in p2m_frame_list\[0\]" /tmp/save-fault
	check "the domU keeps running" alive
	check "fault off" lok fault off

	check "fault: a non-canonical p2m_vaddr" lok fault vaddr
	"$X/xl" -v save -c $LIVE /tmp/cp >/tmp/save-vaddr 2>&1
	rm -f /tmp/cp
	check "save refuses it: Bad virtual p2m address range" \
		grep -q "Bad virtual p2m address range" /tmp/save-vaddr
	"$X/xen-mfndump" dump-p2m "$id" >/tmp/mfndump-vaddr 2>&1
	check "xen-mfndump refuses it: Bad virtual p2m address range" \
		grep -q "Bad virtual p2m address range" /tmp/mfndump-vaddr
	"$X/xl" dump-core $LIVE /tmp/core >/tmp/core-vaddr 2>&1
	rm -f /tmp/core
	check "dump-core refuses it: Bad virtual p2m address range" \
		grep -q "Bad virtual p2m address range" /tmp/core-vaddr
	check "the domU keeps running" alive
	check "fault off" lok fault off
	check "clean and published after the faults" wait_published
}

# mem_set MIB: set the domU's memory, wait until it has it.
mem_set() {
	local i
	"$X/xl" mem-set $LIVE "${1}m" || return 1
	for i in $(seq 120); do
		[ "$("$X/xl" list $LIVE | awk 'NR == 2 { print $3 }')" = "$1" ] &&
			return 0
		sleep 1
	done
	return 1
}

# Save and restore, the pattern and the publication checked after.
round_trip() {
	local what=$1
	"$X/xl" -v save $LIVE /tmp/img >/tmp/save-"$what" 2>&1 ||
		{ tail -n 5 /tmp/save-"$what"; return 1; }
	check "$what: the domU is gone after save" sh -c "! '$X/xl' list $LIVE"
	"$X/xl" -v restore /tmp/img >/tmp/restore-"$what" 2>&1 ||
		{ tail -n 5 /tmp/restore-"$what"; rm -f /tmp/img; return 1; }
	rm -f /tmp/img
	alive
}

live_restore() {
	check "balloon: mem-set down by 16 MiB" mem_set 112
	check "balloon: clean while down" lis 1 clean
	check "balloon: mem-set back up" mem_set 128
	check "balloon: clean when back" lis 1 clean
	check "save and restore with xp2m's view published" round_trip published
	check "restored: published again, clean" wait_published
	check "restored: the pattern's md5 unchanged" lis 3 "$MD5"
}

# Live migration to this host, with a hypervisor that can (shadow paging).
live_migrate() {
	local out g0
	if [ ! -e /xp2m/xen-shadow ]; then
		check_skip "live migration: Debian's Xen has no shadow paging, which a PV guest's log-dirty mode needs (give one that has as XP2M_XEN)"
		return
	fi
	check "migrate: completes" \
		sh -c "'$X/xl' -v migrate -s env $LIVE LC_ALL=C >/tmp/migrate 2>&1"
	check "migrated: published again, clean" wait_published
	check "migrated: the pattern's md5 unchanged" lis 3 "$MD5"

	# Past its boot maximum the domU's balloon hot-adds memory, on pfns
	# whose leaves are the kernel's shared missing page: the kernel gives
	# them leaves, and the generation moves, while the toolstack iterates.
	g0=$(lstatus 5)
	r0=$(lcmd ramend)
	"$X/xl" mem-max $LIVE 256m
	lcmd writer on >/dev/null
	"$X/xl" -v migrate -s env $LIVE LC_ALL=C >/tmp/migrate-abort 2>&1 &
	# Grow once the toolstack has mapped the p2m list and taken its
	# generation, not after a guessed delay: on a loaded host the
	# migration can take longer to start than the growth to finish, and
	# the toolstack then reads the grown p2m and rightly completes.
	for i in $(seq 600); do
		grep -q 'p2m list from' /tmp/migrate-abort && break
		sleep 0.1
	done
	grep 'p2m list from' /tmp/migrate-abort
	"$X/xl" mem-set $LIVE 256m
	wait
	# Before anything checks: the map the views read is the grown one.
	r1=$(lcmd ramend)
	lcmd writer off >/dev/null
	echo "RAM in memory_map ends at ${r0% *}, grown: ${r1% *}" \
	     "(publications ${r0#* } -> ${r1#* })"
	if [ "${r0#* }" != "${r1#* }" ]; then
		check_skip "grown: memory_map before any check: the domU resumed meanwhile, and its resume checked"
	else
		check "grown: memory_map shows the hot-added RAM before any check" \
			test $((${r1% *})) -gt $((${r0% *}))
	fi
	echo "migration while growing: generation $g0 -> $(lstatus 5)," \
	     "$("$X/xl" list $LIVE | awk 'NR == 2 { print $3 }') MiB"
	check "migrate while the p2m grows: aborted" \
		sh -c "grep -q 'p2m generation count changed. Migration aborted.' \
			/tmp/migrate-abort || { tail -n 8 /tmp/migrate-abort; exit 1; }"
	check "aborted: the domU keeps running" alive
	out=$("$X/xl" list | grep -c -- "$LIVE--incoming")
	check "aborted: no incoming domain left" test "$out" = 0
	check "aborted: clean" lis 1 clean
	check "migrate again: completes" \
		sh -c "'$X/xl' -v migrate -s env $LIVE LC_ALL=C >/tmp/migrate2 2>&1"
	check "migrated again: published, clean" wait_published
	mem_set 128
}

live_withdraw() {
	local g0 g1 kvaddr
	g0=$(lstatus 5)
	check "withdraw" lok publish 0
	g1=$(lstatus 5)
	check "withdrawn: the generation moved forward ($g0 -> $g1)" \
		test "$g1" -gt "$g0"
	check "bad input to publish: refused" lfails publish 2
	kvaddr=$(lstatus 4)
	check "published again" lok publish 1
	# The resume publishes the instance again from a work item: unloading
	# at once must wait for it, and leave the kernel's fields in place.
	save_c unload >/dev/null
	check "unload right after a checkpoint" lok unload
	save_c unloaded >/dev/null
	check "unloaded: save -c reads the kernel's list $kvaddr" \
		grep -q "p2m list from $kvaddr" /tmp/save-unloaded
	check "save and restore with the kernel's fields" round_trip kernel
	check "restored: the pattern's md5 unchanged" lis 3 "$MD5"
}

# The round trip again with Debian's own kernel as the domU (the modules
# built against its headers), where the harness prepared one.
live_debian() {
	local s vaddr
	if [ ! -e /xp2m/domu-debian.cfg ]; then
		check_skip "Debian's kernel as the published domU: the modules were not built against Debian's headers"
		return 1
	fi
	LIVE=domu-debian
	live_start "Debian's kernel" /xp2m/domu-debian.cfg || return 0
	s=$(lcmd status)
	echo "$LIVE: $s"
	check "$LIVE: verification clean, view published" \
		sh -c "case '$s' in 'clean published $MD5 '*) ;; *) exit 1 ;; esac"
	vaddr=$(echo "$s" | cut -d' ' -f4)
	save_c debian >/dev/null
	check "$LIVE: save -c reads the p2m list at xp2m's p2m_vaddr $vaddr" \
		grep -q "p2m list from $vaddr" /tmp/save-debian
	check "$LIVE: save and restore with xp2m's view published" \
		round_trip debian-published
	check "$LIVE: restored: published again, clean" wait_published
	check "$LIVE: restored: the pattern's md5 unchanged" lis 3 "$MD5"
	check "$LIVE: powers off when told" lexit
	return 0
}

live_domu() {
	export PATH=$X:$PATH
	live_start || return
	live_readers
	live_faults
	live_restore
	live_migrate
	live_withdraw
	check "$LIVE: powers off when told" lexit
}
