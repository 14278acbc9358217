# Existing interfaces as ports (issue 14, part 2): the netdev port class
# end to end (tests/sys/netdev-port.sh: veths into two namespaces and a
# dummy device as ports, pings with and without VLAN tags, carrier,
# promiscuity given back on removal, SIGTERM and kill -9, re-attach from
# the saved configuration, bad input).  Needs root; everything it creates
# is named nd*.  The VLAN-tag reinsertion has unit tests of its own
# (tests/unit/check_netdev_frame.c, in check-unit).
check-netdev: $(BUILD)/bin/vswitchd $(BUILD)/bin/bridgectl $(BUILD)/bin/brctl
	BIN=$(BUILD)/bin bash tests/sys/netdev-port.sh

CHECKS += check-netdev
DEB_PACKAGES_EXTRA += iproute2 iputils-ping python3 ethtool
.PHONY: check-netdev

# Benchmark (not in CHECKS): frames/s veth -> switch -> veth with netdev
# ports against the kernel bridge, 64 and 1500 bytes, interleaved runs,
# medians and the ratio (tests/bench/netdev-bench.sh; root).  pktblast is
# its traffic source, a standalone program.
PKTBLAST := $(BUILD)/tests/bench/pktblast
$(PKTBLAST): $(BUILD)/tests/bench/pktblast.o
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

PROGRAMS += $(PKTBLAST)

bench-netdev: $(BUILD)/bin/vswitchd $(BUILD)/bin/bridgectl $(PKTBLAST)
	tests/bench/netdev-bench.sh $(BUILD)/bin

BENCHES += bench-netdev
.PHONY: bench-netdev

# iperf3 TCP through TAP ports (offloads) against the kernel bridge.
bench-tcp: $(BUILD)/bin/vswitchd $(BUILD)/bin/bridgectl $(BUILD)/tests/bench/xcpu
	tests/bench/tcp-bench.sh $(BUILD)/bin

BENCHES += bench-tcp
.PHONY: bench-tcp

# 64-byte frames/s and loss through TAP ports against the kernel bridge
# with veths (tests/bench/tap64-bench.sh; root).
bench-tap64: $(BUILD)/bin/vswitchd $(BUILD)/bin/bridgectl $(PKTBLAST) \
		$(BUILD)/tests/bench/xcpu
	tests/bench/tap64-bench.sh $(BUILD)/bin

BENCHES += bench-tap64
.PHONY: bench-tap64

# The same with full-size frames (1518 B on the wire, 1514 without FCS).
bench-tap1518: $(BUILD)/bin/vswitchd $(BUILD)/bin/bridgectl $(PKTBLAST) \
		$(BUILD)/tests/bench/xcpu
	tests/bench/tap64-bench.sh $(BUILD)/bin 5 3 1518

BENCHES += bench-tap1518
.PHONY: bench-tap1518
