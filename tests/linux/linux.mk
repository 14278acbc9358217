# tests/linux/: real Linux guests (issue 8).  A stock Debian 12 kernel boots
# under our VMM and under QEMU, on a real (hardware-model) /dev/kvm: the
# machines' own /dev/kvm is PVM and cannot run stock Linux, so the tests run
# in an outer host, the same Debian kernel under QEMU TCG with -cpu max,
# which loads kvm-amd.  See docs/linux-guests.md.
#
#   linux-static     $(BUILD)/static/vswitchd and $(BUILD)/static/vmm
#                    (-static: the outer host's initramfs has no libc)
#   linux-prepare    kernel, busybox, both initramfs images, in $(BUILD)/linux
#   linux-yardstick  QEMU -enable-kvm boots the guest inside the outer host
#   check-linux      nested: our VMM boots the guest, pings the host through
#                    vswitchd, and brings up 2 vCPUs; direct: QEMU (TCG) as a
#                    vhost-user front-end of vswitchd pings a namespace host
#   bench-linux      both VMMs, same kernel+initramfs, one outer host: time to
#                    the guest init's first line, ratio ours/QEMU, and RSS
#                    beyond guest RAM; the bzImage, and the vmlinux in it
#   bench-linux-tcp  two guests on two vhost-user ports of one vswitchd, TCP
#                    from one to the other (tcpxfer.c in the guests), under
#                    our VMM and under QEMU, interleaved: Mbit/s, ratio
#
# Everything is fetched with apt-get download (Debian only) and nothing
# binary is committed.  The kernel is the one vmm/vmm.mk's loader tests use
# (the version linux-image-amd64 depends on today).

LINUX_KVER    = $(patsubst linux-image-%,%,$(VMM_DEB_KERNEL_PKG))
LINUX_STATIC := $(BUILD)/static/vswitchd $(BUILD)/static/vmm
# bench-linux-tcp: bridgectl reads the ports' counters in the outer host,
# tcpxfer is the guests' TCP sink and source.
LINUX_TCP    := $(BUILD)/static/bridgectl $(BUILD)/static/tcpxfer
LINUX_STUBS  := $(BUILD)/tests/linux/static-stubs.o

# libpcap.a pulls in libdbus-1.a (its D-Bus capture module); Debian has no
# libsystemd.a, whose two functions libdbus wants come from the stubs.
# glibc's warnings about NSS functions (getpwnam, getaddrinfo...) in static
# programs are filtered out: vswitchd resolves no names.
# $(call static_filtered,LIBS): links $^ and LIBS into $@ -static, with
# glibc's NSS warnings filtered out.
define static_filtered
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@ (static)"
	$(Q)$(CC) -static $(LDFLAGS) -o $@.tmp $^ $(1) 2>$@.err; st=$$?; \
	grep -v 'statically linked applications requires\|: in function' \
		$@.err >&2; rm -f $@.err; [ $$st = 0 ] && mv $@.tmp $@
endef

$(BUILD)/static/vswitchd: $(BUILD)/vswitchd/main.o $(VSWITCH_LIBS) $(LINUX_STUBS)
	$(call static_filtered,$(LDLIBS) -lcap-ng -ldbus-1 -lpthread)

# The same stubs as vswitchd (its libpcap.a pulls in libdbus).
$(BUILD)/static/bridgectl: $(CTL_OBJS) $(LIBCOMMON) $(LINUX_STUBS)
	$(call static_filtered,$(PKG_LIBS) -lpcap -lyaml -ldbus-1 -lpthread)

$(BUILD)/static/tcpxfer: $(BUILD)/tests/linux/tcpxfer.o
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@ (static)"
	$(Q)$(CC) -static $(LDFLAGS) -o $@ $^

$(BUILD)/static/vmm: $(VMM_MAIN) $(LIBVMM) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@ (static)"
	$(Q)$(CC) -static $(LDFLAGS) -o $@ $^ $(VMM_LIBS)

LINUX_ENV = BUILD=$(BUILD) LINUX_KVER=$(LINUX_KVER) \
	VMM_STATIC=$(BUILD)/static/vmm VSWITCHD_STATIC=$(BUILD)/static/vswitchd \
	BRIDGECTL_STATIC=$(BUILD)/static/bridgectl TCPXFER_STATIC=$(BUILD)/static/tcpxfer

linux-static: $(LINUX_STATIC) $(LINUX_TCP)

# The script caches downloads and unpacked trees; it only rebuilds the
# initramfs images (seconds).  Missing static binaries are reported, and the
# scenarios that need them fail inside the outer host.
linux-prepare:
	$(LINUX_ENV) tests/linux/prepare.sh

linux-yardstick: linux-prepare
	BUILD=$(BUILD) tests/linux/run-nested.sh qemu-yardstick

ifeq ($(SANITIZE),1)
check-linux bench-linux bench-linux-tcp:
	@echo "$@: not run in the sanitizer build: its programs are linked" \
		"-static for the outer host, which ASan cannot do; run it in" \
		"the plain build ('make check' does, for check-linux)"
else
check-linux: $(LINUX_STATIC) $(BUILD)/bin/vswitchd
	$(LINUX_ENV) tests/linux/prepare.sh
	@status=0; \
	BUILD=$(BUILD) tests/linux/run-nested.sh \
		ours-ping,ours-ping-vhost,ours-smp || status=1; \
	BUILD=$(BUILD) VSWITCHD=$(BUILD)/bin/vswitchd \
		tests/linux/qemu-frontend.sh || status=1; \
	exit $$status

# Fails only when a guest does not boot; the ratio is reported, not asserted.
bench-linux: $(LINUX_STATIC)
	$(LINUX_ENV) VMLINUX=1 tests/linux/prepare.sh
	BUILD=$(BUILD) tests/linux/run-nested.sh bench

# Two guests, TCP between them through vswitchd, ours vs QEMU; fails only
# when a guest does not boot or a transfer does not complete.  20 guest
# boots and 10 transfers of 320 MiB: about 15 minutes, more with retries.
bench-linux-tcp: $(LINUX_STATIC) $(LINUX_TCP)
	$(LINUX_ENV) tests/linux/prepare.sh
	BUILD=$(BUILD) tests/linux/bench-tcp.sh
endif

# qemu-system-x86: the outer host, the yardstick and the vhost-user peer;
# cpio: the initramfs images; libdbus-1-dev: libdbus-1.a for the static link;
# xz-utils: the benchmark unpacks the vmlinux from the bzImage.
DEB_PACKAGES_EXTRA += qemu-system-x86 cpio libdbus-1-dev xz-utils

CHECKS  += check-linux
BENCHES += bench-linux bench-linux-tcp

.PHONY: linux-static linux-prepare linux-yardstick check-linux bench-linux \
	bench-linux-tcp
