# SPDX-License-Identifier: GPL-2.0
# Run in a PV domU started by scripts/guest/domu-live.sh in dom0: load
# xp2m_x86 with its view published in the domU's shared_info, keep a 32 MiB
# pattern in tmpfs, and serve dom0's commands over xenstore until told to
# exit. dom0 drives Xen's toolstack against this domU meanwhile (save,
# restore, checkpoints, dump-core, xen-mfndump, memory changes, migration).
#
# Protocol, in the domU's own xenstore directory data/xp2m (which a new
# domain made by restore or migration starts without):
#   dom0 writes  cmd   "<seq> <verb> [args]"
#   domU writes  done  "<seq> <result>"
# and, once, state "ready" with md5 "<md5 of the pattern>". Verbs:
#   status       check again (verify); "<verify status> <publish state>
#                <md5> <p2m_vaddr published> <generation>"
#   frames       the "frames" view on the console between markers; "ok"
#   publish N    write N to the publish file; "ok" or "fail"
#   fault F      write F to the fault file; "ok" or "fail"
#   writer on|off  keep writing to tmpfs (a migration keeps iterating)
#   ramend       "<end> <publishes>": the end of the last RAM run that
#                memory_map shows, read without a check first, and the
#                publish view's count of publications (a resume, which
#                checks, republishes)
#   unload       modprobe -r xp2m_x86; "ok" or "fail"
#   exit         leave the loop (the domU powers off)

. /xp2m/lib.sh

D=/sys/kernel/debug/xp2m/live
T=/tmp/pattern

put() { xenstore-write "data/xp2m/$1" "$2"; }
get() { xenstore-read "data/xp2m/$1" 2>/dev/null; }

# The field $1 of the publish view, column $2 (1 shared_info, 2 xp2m).
pub_field() {
	awk -v f="$1" -v c="$2" '$1 == f { print $(c + 1) }' $D/publish
}

status() {
	local v p
	if [ ! -d $D ]; then
		echo "unloaded - $(md5sum $T/pattern | cut -c1-32) - -"
		return
	fi
	echo 1 >$D/verify
	v=$(sed -n 's/^status //p' $D/verify)
	# A report that is not clean goes to the console, for the record.
	[ "$v" = clean ] || cat $D/verify >&2
	p=$(sed -n 's/^state \([a-z]*\).*/\1/p' $D/publish)
	echo "$v $p $(md5sum $T/pattern | cut -c1-32)" \
	     "$(pub_field p2m_vaddr 1) $(pub_field p2m_generation 1)"
}

writer() {
	while [ -e /tmp/writer ]; do
		dd if=/dev/urandom of=$T/scratch bs=64k count=64 2>/dev/null
	done
}

serve() {
	local seq=0 cmd n verb res
	while :; do
		cmd=$(get cmd)
		n=${cmd%% *}
		if [ -z "$cmd" ] || [ "$n" = "$seq" ]; then
			sleep 1
			continue
		fi
		seq=$n
		verb=${cmd#* }
		case "$verb" in
		status) res=$(status) ;;
		frames)
			echo "XP2M-FRAMES-BEGIN"
			cat $D/frames
			echo "XP2M-FRAMES-END"
			res=ok
			;;
		publish\ *|fault\ *)
			if echo "${verb#* }" >"$D/${verb%% *}"; then
				res=ok
			else
				res=fail
			fi
			;;
		ramend)
			res=$(awk '/^ram:/ { r = 1; next }
				   r { sub(/.*->/, ""); sub(/\]/, ""); e = $0 }
				   END { print e }' $D/memory_map)
			[ -n "$res" ] || res=fail
			res="$res $(awk '$1 == "publishes" { print $2 }' \
				   $D/publish)"
			;;
		"writer on") touch /tmp/writer; writer & res=ok ;;
		"writer off") rm -f /tmp/writer; wait; res=ok ;;
		unload)
			if modprobe -r xp2m_x86; then res=ok; else res=fail; fi
			;;
		exit) put done "$seq ok"; return 0 ;;
		*) res="unknown verb" ;;
		esac
		put done "$seq $res"
	done
}

export PATH=/bin:/usr/bin
tar -xzf /xp2m/xenstore.tar.gz -C / || exit 1
echo "memory: $(grep MemTotal /proc/meminfo)"
kmemleak_reset
check "xenstore reachable from the domU" xenstore-read name
check "modprobe xp2m_x86 publish=1" modprobe xp2m_x86 publish=1
check "published at load" grep -q '^state published' $D/publish
mkdir -p $T && mount -t tmpfs -o size=64m tmpfs $T
dd if=/dev/urandom of=$T/pattern bs=1M count=32 2>/dev/null
put md5 "$(md5sum $T/pattern | cut -c1-32)"
put state ready
serve
# What xp2m printed and shows, for the record; its checks are dom0's.
dmesg | grep -E 'xp2m' | tail -n 20
for f in publish changes stats; do
	[ -r $D/$f ] && { echo "--- $f"; cat $D/$f; }
done
kmemleak_check
exit $XP2M_FAILED
