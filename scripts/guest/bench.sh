# SPDX-License-Identifier: GPL-2.0
# Run by `make bench`: load each benchmark module carried here; each prints
# its figures as "bench <name> <value> <unit>" lines and is unloaded again.

. /xp2m/lib.sh

# xp2m_p2m_bench first: some of its figures are free memory before and
# after, and what the others leave behind (page tables of the vmalloc space,
# objects freed after a grace period) would change them.
done_mods=" "
for m in /lib/modules/"$(uname -r)"/extra/xp2m_p2m_bench.ko \
	 /lib/modules/"$(uname -r)"/extra/*_bench.ko; do
	[ -e "$m" ] || continue
	m=$(basename "$m" .ko)
	case "$done_mods" in *" $m "*) continue ;; esac
	done_mods="$done_mods$m "
	check "bench module $m" modprobe "$m"
	modprobe -r "$m"
done
exit $XP2M_FAILED
