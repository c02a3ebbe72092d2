# SPDX-License-Identifier: GPL-2.0
#
# xp2m: Xen PV memory translation, out-of-tree module suite.
#
#   make [KDIR=<kernel build dir>] [ARCH=um|arm64 ...]   build what users run
#   make install      install it for KDIR's kernel (extra/), then depmod
#   make tests        build the tests and benchmarks too (XP2M_TESTS=y)
#   make dkms         register, build and install the sources with DKMS
#   make dkms-remove  remove them from DKMS again
#   make deb          build the xp2m-dkms Debian package (in build/deb/)
#   make check        every check CI runs (kernels are built and cached)
#   make bench        the benchmark figures, one `bench <name> <value> <unit>` a line
#   make demo         boot Xen + a PV dom0 in QEMU, load the suite, show debugfs
#   make kernels      build (or find in the cache) the test kernels
#   make version      print the version the modules will report
#   make clean
#
# See README.md.

KDIR ?= /lib/modules/$(shell uname -r)/build
ifeq ($(origin XP2M_VERSION),undefined)
XP2M_VERSION := $(shell $(CURDIR)/scripts/version.sh)
endif
export XP2M_VERSION

DKMS_SRC = /usr/src/xp2m-$(XP2M_VERSION)
# The release of KDIR's kernel, as Kbuild installs under it.
KRELEASE = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' \
	     $(KDIR)/include/generated/utsrelease.h 2>/dev/null)

.PHONY: all modules tests install modules_install dkms dkms-remove deb \
	clean check bench demo kernels version help

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tests:
	$(MAKE) -C $(KDIR) M=$(CURDIR) XP2M_TESTS=y modules

# Build first without the tests, so that only what users run is installed
# whatever was built last. Kbuild skips depmod where the build tree has no
# System.map (distributions' header packages): run it here.
install modules_install:
	$(MAKE) -C $(KDIR) M=$(CURDIR) XP2M_TESTS= modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) XP2M_TESTS= modules_install
	depmod -b $(or $(INSTALL_MOD_PATH),/) $(KRELEASE)

# The sources DKMS builds from: what Kbuild needs, with VERSION and
# dkms.conf carrying the version; built and installed for KDIR's kernel,
# and from then on for every kernel that gets headers.
dkms:
	scripts/dkms-source.sh $(DKMS_SRC) $(XP2M_VERSION)
	dkms add xp2m/$(XP2M_VERSION)
	dkms install xp2m/$(XP2M_VERSION) $(if $(KRELEASE),-k $(KRELEASE))

dkms-remove:
	dkms remove xp2m/$(XP2M_VERSION) --all
	rm -rf $(DKMS_SRC)

deb:
	scripts/deb.sh $(XP2M_VERSION)

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

version:
	@echo $(XP2M_VERSION)

help:
	@sed -n '3,18p' Makefile | sed 's/^# \{0,1\}//'
