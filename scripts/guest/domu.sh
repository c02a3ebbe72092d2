# SPDX-License-Identifier: GPL-2.0
# Run in a Xen PV dom0 (Debian's kernel) with the files of domu-prep.sh:
# start Xen's toolstack from the initramfs, boot the test kernel as a PV
# domU that runs the live-import checks (x86.sh), wait for it to power off,
# and pass its console on, its checks marked "domU:". The exit status is
# the domU's.

. /xp2m/lib.sh

X=/usr/lib/xen-4.17/bin
CONSOLE=/var/log/xen/console/guest-domu.log

toolstack() {
	local m
	for m in xenfs xen-evtchn xen-privcmd xen-gntdev xen-gntalloc; do
		modprobe "$m" || return 1
	done
	mount -t xenfs xenfs /proc/xen || return 1
	grep -q control_d /proc/xen/capabilities || return 1
	mkdir -p /dev/pts && mount -t devpts devpts /dev/pts || return 1
	tar -xzf /xp2m/xentools.tar.gz -C / || return 1
	mkdir -p /var/run/xen /var/run/xenstored /var/lib/xen \
		/var/lib/xenstored /var/log/xen/console || return 1
	"$X/xenstored" --pid-file=/var/run/xenstored.pid || return 1
	"$X/xen-init-dom0" || return 1
	"$X/xenconsoled" --log=guest --log-dir=/var/log/xen/console
}

check "Xen's toolstack runs in dom0 (xenstored, xenconsoled)" toolstack
check "xl create: the test kernel as a PV domU" \
	timeout 300 "$X/xl" create /xp2m/domu.cfg

# Wait for the domU to power off (it is destroyed then), or crash.
state=
for i in $(seq 300); do
	state=$("$X/xl" list domu 2>&1 | tail -n 1)
	case "$state" in
	*"invalid domain"*) state=gone; break ;;
	*--c---*|*---c--*) state=crashed; break ;;
	esac
	sleep 2
done
echo "domU: $state"
[ "$state" = gone ] || "$X/xl" destroy domu

echo "==== the domU's console"
# xenconsoled writes the log as the console is read: let it catch up.
sleep 2
rc=
if [ -r $CONSOLE ]; then
	tr -d '\r' <$CONSOLE |
		sed -e 's/^XP2M-CHECK \(ok\|fail\) /XP2M-CHECK \1 domU: /' \
		    -e 's/^XP2M-GUEST-EXIT /domU exit /' -e 's/^/domU| /'
	rc=$(tr -d '\r' <$CONSOLE | sed -n 's/^XP2M-GUEST-EXIT //p' | tail -n 1)
fi
echo "==== end of the domU's console"
if [ -z "$rc" ]; then
	check_fail "the domU never reported back ($state)"
	exit 1
fi
[ "$rc" = 0 ] || XP2M_FAILED=1
exit $XP2M_FAILED
