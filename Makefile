# SPDX-License-Identifier: GPL-2.0
#
# xp2m: Xen PV memory translation, out-of-tree module suite.
#
#   make [KDIR=<kernel build dir>] [ARCH=um|arm64 ...]   build the modules
#   make check        every check CI runs (kernels are built and cached)
#   make bench        the benchmark figures, one `bench <name> <value> <unit>` a line
#   make demo         boot Xen + a PV dom0 in QEMU, load the suite, show debugfs
#   make kernels      build (or find in the cache) the test kernels
#   make clean
#
# See README.md.

KDIR ?= /lib/modules/$(shell uname -r)/build

.PHONY: all modules clean check bench demo kernels help

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || \
		find . -path ./build -prune -o \( -name '*.o' -o -name '*.ko' \
		-o -name '*.mod' -o -name '*.mod.c' -o -name '.*.cmd' \
		-o -name 'modules.order' -o -name 'Module.symvers' \) -print0 | \
		xargs -0 rm -f
	rm -rf build

check:
	scripts/check.sh

bench:
	scripts/bench.sh

demo:
	scripts/demo.sh

kernels:
	scripts/kernel.sh x86 >/dev/null
	scripts/kernel.sh um >/dev/null

help:
	@sed -n '3,12p' Makefile | sed 's/^# \{0,1\}//'
