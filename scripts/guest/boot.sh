# SPDX-License-Identifier: GPL-2.0
# Run in a test guest to see that the kernel starts init on this host (and
# how long it took): nothing else to do; the init around it reports back.

echo "uptime at init: $(cut -d' ' -f1 /proc/uptime) s"
exit 0
