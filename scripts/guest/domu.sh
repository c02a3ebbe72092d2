# SPDX-License-Identifier: GPL-2.0
# Run in a Xen PV dom0 (Debian's kernel) with the files of domu-prep.sh:
# start Xen's toolstack from the initramfs, then the test kernel as a PV
# domU running the live-import checks (x86.sh); wait for it to power off;
# pass its console on, its checks marked with its name. Then the test
# kernel again, with xp2m's view published, for Xen's toolstack to read
# (domu-live.sh). (A PVH or HVM
# guest cannot run here: QEMU's emulated CPU has no hardware paging
# support for Xen to give it.)

. /xp2m/lib.sh

X=/usr/lib/xen-4.17/bin
export PATH=/bin:/usr/bin

toolstack() {
	local m
	for m in xenfs xen-evtchn xen-privcmd xen-gntdev xen-gntalloc; do
		modprobe "$m" || return 1
	done
	mount -t xenfs xenfs /proc/xen || return 1
	grep -q control_d /proc/xen/capabilities || return 1
	mkdir -p /dev/pts && mount -t devpts devpts /dev/pts || return 1
	tar -xzf /xp2m/xentools.tar.gz -C / || return 1
	tar -xzf /xp2m/xenstore.tar.gz -C / || return 1
	mkdir -p /var/run/xen /var/run/xenstored /var/lib/xen \
		/var/lib/xenstored /var/log/xen/console || return 1
	"$X/xenstored" --pid-file=/var/run/xenstored.pid || return 1
	"$X/xen-init-dom0" || return 1
	"$X/xenconsoled" --log=guest --log-dir=/var/log/xen/console
}

# guest NAME WHAT: start /xp2m/NAME.cfg, wait for it to power off (it is
# destroyed then) or crash, pass its console on.
guest() {
	local name=$1 what=$2

	if check "$name: xl create: $what" \
		timeout 300 "$X/xl" create "/xp2m/$name.cfg"; then
		relay "$name"
	fi
}

# relay NAME: wait for domain NAME to power off or crash, pass its console
# on, its checks marked with its name.
relay() {
	local name=$1 state= rc= i
	local console=/var/log/xen/console/guest-$name.log

	for i in $(seq 300); do
		state=$("$X/xl" list "$name" 2>&1 | tail -n 1)
		case "$state" in
		*"invalid domain"*) state=gone; break ;;
		*---s--*) state=shutdown; break ;;
		*--c---*|*---c--*) state=crashed; break ;;
		esac
		sleep 2
	done
	echo "$name: $state"
	if [ "$state" = shutdown ] && [ -x /usr/sbin/xp2m ]; then
		mfndump "$name" "$console"
	fi
	[ "$state" = gone ] || "$X/xl" destroy "$name"

	echo "==== the console of $name"
	# xenconsoled writes the log as the console is read: let it catch up.
	sleep 2
	if [ -r "$console" ]; then
		tr -d '\r' <"$console" |
			sed -e "s/^XP2M-CHECK \(ok\|fail\|skip\) /XP2M-CHECK \1 $name: /" \
			    -e "s/^XP2M-GUEST-EXIT /$name exit /" -e "s/^/$name| /"
		rc=$(tr -d '\r' <"$console" |
		     sed -n 's/^XP2M-GUEST-EXIT //p' | tail -n 1)
	fi
	echo "==== end of the console of $name"
	if [ -z "$rc" ]; then
		check_fail "$name never reported back ($state)"
	elif [ "$rc" != 0 ]; then
		XP2M_FAILED=1
	fi
}

# mfndump NAME CONSOLE: the domU kept after it powered off (on_poweroff =
# "preserve"): the snapshot its xp2m printed against what Xen's toolstack
# reads of its p2m, xen-mfndump dump-p2m, word for word.
mfndump() {
	local domid

	domid=$("$X/xl" domid "$1")
	tr -d '\r' <"$2" |
		sed -n '/^XP2M-SNAPSHOT-BEGIN/,/^XP2M-SNAPSHOT-END/p' |
		sed '1d;$d' >/tmp/$1-snapshot
	check "$1: its snapshot, from its console" test -s /tmp/$1-snapshot
	check "$1: xp2m compare --domain $domid: its snapshot is what xen-mfndump reads" \
		sh -c "PATH=\$PATH:$X /usr/sbin/xp2m compare --domain $domid \
			--snapshot /tmp/$1-snapshot >/tmp/$1-compare"
	cat /tmp/$1-compare
	# And a reading that differs in one word is told, to the pfn.
	PATH=$PATH:$X xen-mfndump dump-p2m "$domid" |
		sed 's/^  pfn=0x100 ==> mfn=0x[0-9a-f]*/  pfn=0x100 ==> mfn=0x1/' \
		>/tmp/$1-mfndump
	check "$1: xp2m compare: a word changed in xen-mfndump's output, exit 1" \
		rc_is 1 /usr/sbin/xp2m compare --mfndump /tmp/$1-mfndump \
		--snapshot /tmp/$1-snapshot
	check "$1: xp2m compare: that pfn and no other" \
		sh -c "grep -q '^ \[0x100->0x101\] ' /tmp/rc.out &&
		       grep -q ': 1 differ in 1 ranges$' /tmp/rc.out"
}
. /xp2m/domu-live.sh

if check "Xen's toolstack runs in dom0 (xenstored, xenconsoled)" toolstack; then
	guest domu "the test kernel as a PV domU"
	live_domu
	relay domu-live
	live_debian && relay domu-debian
fi
exit $XP2M_FAILED
