# SPDX-License-Identifier: GPL-2.0
# Run by `make bench`: load each benchmark module carried here; each prints
# its figures as "bench <name> <value> <unit>" lines and is unloaded again.

. /xp2m/lib.sh

for m in /lib/modules/"$(uname -r)"/extra/*_bench.ko; do
	[ -e "$m" ] || continue
	m=$(basename "$m" .ko)
	check "bench module $m" modprobe "$m"
	modprobe -r "$m"
done
exit $XP2M_FAILED
