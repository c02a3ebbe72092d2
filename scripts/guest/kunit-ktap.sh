# SPDX-License-Identifier: GPL-2.0
# Run by scripts/kunit-uml.sh in the UML kernel kunit.py runs: load every
# KUnit module carried here, all before any unload so that KUnit numbers
# their suites as one run, after the top-level KTAP header kunit.py reads
# (/xp2m/nsuites suites in all: KUnit prints it only for built-in suites).

. /xp2m/lib.sh

echo "KTAP version 1" >/dev/kmsg
echo "1..$(cat /xp2m/nsuites)" >/dev/kmsg
for m in $(kunit_modules); do
	modprobe "$m" || XP2M_FAILED=1
done
exit $XP2M_FAILED
