# vhost-user ports (issue 5): unit tests that link only the vhost modules
# (so they build while the rest of vswitchd is mid-change), the hostile
# front-end, the DPDK interop test and the benchmark.

# DPDK's testpmd (virtio-user front-ends) for the interop test and bench;
# Open vSwitch with DPDK as the bench's second baseline.
DEB_PACKAGES_EXTRA += dpdk-dev librte-net-virtio23 librte-net-vhost23 \
	librte-mempool-ring23

VHOST_RING_OBJS := $(BUILD)/vswitchd/ports/vhost-ring.o
VHOST_MSG_OBJS  := $(BUILD)/vswitchd/ports/vhost-msg.o $(BUILD)/vswitchd/ports/guest-fault.o \
		   $(VHOST_RING_OBJS)

$(BUILD)/tests/unit/check_vhost_ring: $(BUILD)/tests/unit/check_vhost_ring.o \
		$(VHOST_RING_OBJS) $(LIBCOMMON)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS)

$(BUILD)/tests/unit/check_vhost_msg: $(BUILD)/tests/unit/check_vhost_msg.o \
		$(VHOST_MSG_OBJS) $(LIBCOMMON)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS)

# The hostile front-end: a standalone program using only lib/ headers.
VHOST_HOSTILE := $(BUILD)/tests/sys/vhost-hostile
$(VHOST_HOSTILE): $(BUILD)/tests/sys/vhost-hostile.o
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

PROGRAMS += $(VHOST_HOSTILE)

# The bench's vCPU placement probe (tests/bench/xcpu.c), standalone.
XCPU := $(BUILD)/tests/bench/xcpu
$(XCPU): $(BUILD)/tests/bench/xcpu.o
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ -lpthread

PROGRAMS += $(XCPU)

# System tests (root; DPDK from 'make deps').  Both run against this
# build's vswitchd, so 'make asan' runs them under the sanitizers.
check-vhost-hostile: $(BUILD)/bin/vswitchd $(BUILD)/bin/bridgectl $(VHOST_HOSTILE)
	tests/sys/vhost-hostile.sh $(BUILD)/bin/vswitchd $(VHOST_HOSTILE) \
		$(BUILD)/bin/bridgectl

check-vhost-dpdk: $(BUILD)/bin/vswitchd $(BUILD)/bin/bridgectl
	tests/sys/vhost-dpdk.sh $(BUILD)/bin/vswitchd $(BUILD)/bin/bridgectl

CHECKS += check-vhost-hostile check-vhost-dpdk

# Benchmark: one testpmd (two virtio-user ports, mac forwarding) loops
# frames through vswitchd, testpmd-as-switch and OVS-DPDK, interleaved,
# 5 runs; prints medians and the ratios to the baselines.
# OVS-DPDK, the second baseline, is installed only for the benchmark (its
# service is not wanted on machines that only build and test).
bench-vhost: $(BUILD)/bin/vswitchd $(XCPU)
	@dpkg-query -W -f='$${Status}' openvswitch-switch-dpdk 2>/dev/null | \
		grep -q 'install ok installed' || \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		openvswitch-switch-dpdk || \
		echo "bench-vhost: OVS-DPDK unavailable; its baseline is skipped"
	VH_BENCH_XCPU=$(XCPU) tests/bench/vhost-bench.sh $(BUILD)/bin/vswitchd

BENCHES += bench-vhost
.PHONY: check-vhost-hostile check-vhost-dpdk bench-vhost
