# vmm/: the KVM virtual machine monitor.
#
#   $(BUILD)/bin/vmm            the VMM
#   $(LIBVMM)               everything but main.c, for the unit tests
#   check-vmm               unit tests, the test guest booted under KVM, and
#                           bad input (stock Linux guests: check-linux)
#   bench-vmm               start-up time and memory overhead
#
# The Debian kernel the loader tests use is fetched into the
# build tree (not committed) with apt-get download; a failed download
# fails the tests.

# Objects live under $(BUILD)/obj/: $(BUILD)/bin/vmm is the program.
VMM_SRCS := $(filter-out vmm/main.c,$(wildcard vmm/*.c vmm/x86/*.c))
VMM_OBJS := $(VMM_SRCS:%.c=$(BUILD)/obj/%.o)
VMM_MAIN := $(BUILD)/obj/vmm/main.o
LIBVMM   := $(BUILD)/libvmm.a
$(LIBVMM): $(VMM_OBJS)

VMM_LIBS := -lpthread -ljson-c -lseccomp
VMM_GUEST := $(BUILD)/tests/guest/guest.elf

$(BUILD)/obj/vmm/%.o: vmm/%.c
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) -Ivmm $(CFLAGS) -c -o $@ $<

$(BUILD)/bin/vmm: $(VMM_MAIN) $(LIBVMM) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(VMM_LIBS)

PROGRAMS += $(BUILD)/bin/vmm

# ---- Debian kernel for the loader tests ------------------------------------
# The package linux-image-amd64 currently depends on (6.1.0-56 when this
# was written), so the download keeps working as Debian updates.
VMM_DEB_KERNEL_PKG = $(or $(shell apt-cache depends linux-image-amd64 \
	2>/dev/null | sed -n 's/.*Depends: \(linux-image-[0-9].*-amd64\)$$/\1/p' \
	| head -1),linux-image-6.1.0-56-amd64)
VMM_DEB_DIR        := $(BUILD)/debian-kernel
VMM_DEB_VMLINUZ    := $(VMM_DEB_DIR)/vmlinuz
# The .deb stays in the download cache tests/linux/prepare.sh uses, so the
# real-Linux-guest tests do not fetch the same package again.
VMM_DEB_CACHE      := $(BUILD)/linux/debs

$(VMM_DEB_VMLINUZ):
	@mkdir -p $(VMM_DEB_DIR) $(VMM_DEB_CACHE)
	$(Q)cd $(VMM_DEB_CACHE) && ls $(VMM_DEB_KERNEL_PKG)_*.deb >/dev/null 2>&1 || \
		{ echo "  FETCH   $(VMM_DEB_KERNEL_PKG)"; \
		  apt-get download -q $(VMM_DEB_KERNEL_PKG) >/dev/null 2>&1; } || \
		{ echo "vmm: apt-get download $(VMM_DEB_KERNEL_PKG) failed" >&2; \
		  exit 1; }
	$(Q)cd $(VMM_DEB_DIR) && rm -rf root && \
		dpkg -x $(abspath $(VMM_DEB_CACHE))/$(VMM_DEB_KERNEL_PKG)_*.deb root && \
		cp root/boot/vmlinuz-* vmlinuz && rm -rf root

# ---- unit tests (linked with only what they test) --------------------------
VMM_UNIT := $(BUILD)/tests/unit/check_vmm_boot $(BUILD)/tests/unit/check_vmm_dev

$(VMM_UNIT): $(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(LIBVMM) $(LIBCOMMON)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(VMM_LIBS) $(CHECK_LIBS)

$(BUILD)/tests/unit/check_vmm_boot.o: CPPFLAGS += -Ivmm \
	-DVMM_TEST_BZIMAGE='"$(abspath $(VMM_DEB_VMLINUZ))"'

$(BUILD)/tests/unit/check_vmm_dev.o: CPPFLAGS += -Ivmm

# check-unit (tests/tests.mk) runs these too, so it needs the kernel.
check-unit: $(VMM_DEB_VMLINUZ)

# ---- system tests and benchmark ---------------------------------------------
# A stock Debian kernel under this VMM (it cannot run on these machines'
# /dev/kvm) is tested by check-linux, tests/linux/linux.mk.

# check-vmm needs no KVM: the unit tests, and the bad-input table twice,
# as this machine is and with /dev/kvm hidden (every mistake in what the
# user gives is reported before the VMM opens /dev/kvm).  The boot test
# needs KVM: it is a suite of check-kvm (tests/kvm/kvm.mk).
check-vmm: $(BUILD)/bin/vmm $(VMM_UNIT) $(VMM_GUEST) $(VMM_DEB_VMLINUZ)
	@status=0; \
	for t in $(VMM_UNIT); do CK_FORK=yes $$t || status=1; done; \
	BUILD=$(BUILD) VMM=$(BUILD)/bin/vmm GUEST=$(VMM_GUEST) \
		sh tests/sys/vmm-badinput.sh || status=1; \
	echo "vmm-badinput again, without /dev/kvm:"; \
	BUILD=$(BUILD) VMM=$(BUILD)/bin/vmm GUEST=$(VMM_GUEST) \
		tests/kvm/without-kvm.sh sh tests/sys/vmm-badinput.sh || status=1; \
	exit $$status

KVM_SUITE.vmm-boot = VMM=$(BUILD)/bin/vmm GUEST=$(VMM_GUEST) sh tests/sys/vmm-boot.sh
KVM_SUITE.bench-vmm = $(BUILD)/tests/bench/vmm-bench $(BUILD)/bin/vmm $(VMM_GUEST)
KVM_CHECKS += vmm-boot
check-kvm: $(BUILD)/bin/vmm $(VMM_GUEST)

check-vmm-boot: $(BUILD)/bin/vmm $(VMM_GUEST)
	$(call kvm_run,vmm-boot)

bench-vmm: $(BUILD)/bin/vmm $(VMM_GUEST) $(BUILD)/tests/bench/vmm-bench
	$(call kvm_run,bench-vmm)

# Not tests/bench/bench_*.c: that rule would link the switch's libraries.
$(BUILD)/tests/bench/vmm-bench: $(BUILD)/obj/vmm/bench/vmm-bench.o $(LIBCOMMON)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(VMM_LIBS)

CHECKS  += check-vmm
.PHONY: check-vmm-boot
BENCHES += bench-vmm
