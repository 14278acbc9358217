# vmm/: the KVM virtual machine monitor.
#
#   $(BUILD)/bin/vmm            the VMM
#   $(LIBVMM)               everything but main.c, for the unit tests
#   check-vmm               unit tests, the test guest booted under KVM, bad
#                           input, and a stock Debian kernel booted under the
#                           VMM inside QEMU/TCG (nested, about 30 s)
#   bench-vmm               start-up time and memory overhead
#
# The Debian kernel the loader and nested tests use is fetched into the
# build tree (not committed) with apt-get download; a failed download
# fails the tests.

# Objects live under $(BUILD)/obj/: $(BUILD)/bin/vmm is the program.
VMM_SRCS := $(filter-out vmm/main.c,$(wildcard vmm/*.c vmm/x86/*.c))
VMM_OBJS := $(VMM_SRCS:%.c=$(BUILD)/obj/%.o)
VMM_MAIN := $(BUILD)/obj/vmm/main.o
LIBVMM   := $(BUILD)/libvmm.a
$(LIBVMM): $(VMM_OBJS)

VMM_LIBS := -lpthread -ljson-c
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

# A static build, for running inside the nested test's minimal initramfs.
$(BUILD)/vmm-static: $(VMM_MAIN) $(LIBVMM) $(LIBCOMMON)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -static -o $@ $^ $(VMM_LIBS)

# ---- Debian kernel for the loader tests ------------------------------------
# The package linux-image-amd64 currently depends on (6.1.0-56 when this
# was written), so the download keeps working as Debian updates.
VMM_DEB_KERNEL_PKG = $(or $(shell apt-cache depends linux-image-amd64 \
	2>/dev/null | sed -n 's/.*Depends: \(linux-image-[0-9].*-amd64\)$$/\1/p' \
	| head -1),linux-image-6.1.0-56-amd64)
VMM_DEB_DIR        := $(BUILD)/debian-kernel
VMM_DEB_VMLINUZ    := $(VMM_DEB_DIR)/vmlinuz

$(VMM_DEB_VMLINUZ):
	@mkdir -p $(VMM_DEB_DIR)
	@echo "  FETCH   $(VMM_DEB_KERNEL_PKG)"
	$(Q)cd $(VMM_DEB_DIR) && rm -f *.deb && \
		apt-get download -q $(VMM_DEB_KERNEL_PKG) >/dev/null 2>&1 || \
		{ echo "vmm: apt-get download $(VMM_DEB_KERNEL_PKG) failed" >&2; \
		  exit 1; }
	$(Q)cd $(VMM_DEB_DIR) && rm -rf root modules && dpkg -x *.deb root && \
		mv root/lib/modules modules && cp root/boot/vmlinuz-* vmlinuz && \
		rm -rf root *.deb

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
# The nested test (a stock Debian kernel under our VMM, inside QEMU/TCG
# with kvm-amd) needs these; 'make deps' installs them.
DEB_PACKAGES_EXTRA += qemu-system-x86 busybox-static cpio

# A sanitizer build cannot link statically; the nested test runs in the
# plain 'make check' (check-all runs both).
ifeq ($(SANITIZE),1)
VMM_STATIC_DEP :=
VMM_NESTED = echo "note: nested Linux boot test not run in the sanitizer build (static ASan is unsupported); 'make check' runs it"
else
VMM_STATIC_DEP := $(BUILD)/vmm-static
VMM_NESTED = BUILD=$(BUILD) VMM_STATIC=$(BUILD)/vmm-static \
	sh tests/sys/vmm-linux-nested.sh
endif

check-vmm: $(BUILD)/bin/vmm $(VMM_STATIC_DEP) $(VMM_UNIT) $(VMM_GUEST) \
		$(VMM_DEB_VMLINUZ)
	@status=0; \
	for t in $(VMM_UNIT); do CK_FORK=yes $$t || status=1; done; \
	BUILD=$(BUILD) VMM=$(BUILD)/bin/vmm GUEST=$(VMM_GUEST) \
		sh tests/sys/vmm-boot.sh || status=1; \
	BUILD=$(BUILD) VMM=$(BUILD)/bin/vmm GUEST=$(VMM_GUEST) \
		sh tests/sys/vmm-badinput.sh || status=1; \
	$(VMM_NESTED) || status=1; \
	exit $$status

bench-vmm: $(BUILD)/bin/vmm $(VMM_GUEST) $(BUILD)/tests/bench/vmm-bench
	$(BUILD)/tests/bench/vmm-bench $(BUILD)/bin/vmm $(VMM_GUEST)

# Not tests/bench/bench_*.c: that rule would link the switch's libraries.
$(BUILD)/tests/bench/vmm-bench: $(BUILD)/obj/vmm/bench/vmm-bench.o $(LIBCOMMON)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(VMM_LIBS)

CHECKS  += check-vmm
BENCHES += bench-vmm
