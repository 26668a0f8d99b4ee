# nfsec: build the module and the userspace programs, run the tests.
#
#   make                 nfsec.ko for KDIR, and userspace/
#   make KDIR=/path      the module for another kernel (a build tree or linux-headers dir)
#   make check           every test: unit, KUnit and VM (what .ci/run runs)
#   make bench           nfsec against XFRM and clear in a guest: bench/RESULTS.md
#   make style           checkpatch on the module
#   make install         nfsec.ko into /lib/modules/<release>/extra (depmod unless DESTDIR),
#                        and what userspace/Makefile installs, under $(DESTDIR)
#   make uninstall       all of it again, but for /etc/nfsec
#   make dkms-install    the module's sources to DKMS, which builds it for this kernel
#                        (KVER=release for another) and each one installed later
#   make dkms-uninstall  DKMS's builds, the registration and the sources again
#
# Objects for each kernel go to build/<kernel release>/ so one tree serves several kernels.

# The running kernel's build tree if it has one, else the Debian 6.1 headers the
# setup (scripts/deps) installs.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
		    $(lastword $(sort $(wildcard /usr/src/linux-headers-6.1.0-*-amd64))))
# make dkms-install's kernel: a KVER given to make (KVER=release on its command line or in
# the environment), else scripts/dkms-install's own default, the running kernel. Read
# before the line below, which overrides one from the environment.
DKMS_KVER := $(if $(filter command line environment,$(origin KVER)),$(KVER))
KVER = $(shell sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)
MOD_OUT = build/$(KVER)
PREFIX ?= /usr/local

.PHONY: all module userspace check bench unit kunit vm style install uninstall dkms-install dkms-uninstall clean

all: module userspace

module:
	@test -n "$(KDIR)" -a -f "$(KDIR)/Makefile" || \
		{ echo "no kernel build tree (KDIR=$(KDIR)): run scripts/deps or set KDIR"; exit 1; }
	@mkdir -p $(MOD_OUT)/kmod
	@find $(MOD_OUT) -xtype l -delete
	@ln -sf $(CURDIR)/Kbuild $(CURDIR)/VERSION $(MOD_OUT)/
	@ln -sfn $(CURDIR)/include $(MOD_OUT)/include
	@ln -sf $(CURDIR)/kmod/Kbuild $(CURDIR)/kmod/*.[ch] $(MOD_OUT)/kmod/
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(MOD_OUT) modules
	@echo "built $(MOD_OUT)/kmod/nfsec.ko for $(KVER)"

userspace:
	$(MAKE) -C userspace

check:
	scripts/check

bench:
	scripts/bench

unit:
	$(MAKE) -C userspace check

kunit vm:
	scripts/check --only $@

style:
	scripts/style

MODULE_DEST = $(DESTDIR)/lib/modules/$(KVER)/extra/nfsec.ko

install: all
	install -D -m 0644 $(MOD_OUT)/kmod/nfsec.ko $(MODULE_DEST)
	test -n "$(DESTDIR)" || depmod -a $(KVER)
	$(MAKE) -C userspace install PREFIX=$(PREFIX)

uninstall:
	rm -f $(MODULE_DEST)
	-rmdir $(dir $(MODULE_DEST)) 2> /dev/null
	test -n "$(DESTDIR)" || depmod -a $(KVER)
	$(MAKE) -C userspace uninstall PREFIX=$(PREFIX)

dkms-install:
	scripts/dkms-install $(DKMS_KVER)

dkms-uninstall:
	scripts/dkms-uninstall

clean:
	rm -rf build
	$(MAKE) -C userspace clean
