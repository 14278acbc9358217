# tests/sys/vxlan-*.sh: the vxlan port class end to end (root, network
# namespaces; every name starts with vx).  vxlan-kernel: interop with the
# Linux vxlan device over IPv4 and IPv6 underlays, and a restart;
# vxlan-hre: head-end replication between three of our VTEPs;
# vxlan-badinput: crafted datagrams counted by reason, bad 'port add';
# vxlan-ovs: interop with Open vSwitch's userspace VXLAN; vxlan-mcast: a
# multicast-group underlay between three VTEPs; vxlan-gso: large TCP
# transfers checked end to end with UDP GSO/GRO and software GRO on.
VXLAN_TESTS := $(filter-out tests/sys/vxlan-lib.sh,$(wildcard tests/sys/vxlan-*.sh))

check-vxlan: $(BUILD)/bin/vswitchd $(BUILD)/bin/bridgectl
	@status=0; for t in $(VXLAN_TESTS); do \
		BIN=$(BUILD)/bin bash $$t || status=1; done; exit $$status

CHECKS += check-vxlan
.PHONY: check-vxlan
# openvswitch-switch is for vxlan-ovs.sh, which runs its own ovsdb-server and
# ovs-vswitchd (userspace datapath) in a namespace; the service is not used.
DEB_PACKAGES_EXTRA += tshark iperf3 openvswitch-switch

# The two-host demo: two namespaces, each its own vswitchd, one VXLAN
# segment between them (demo/vxlan-demo.sh; root).  Not part of 'check'.
# Where KVM allows, a VM (the test guest, through the VMM) joins host 2.
demo-vxlan: $(BUILD)/bin/vswitchd $(BUILD)/bin/bridgectl $(BUILD)/bin/vmm \
		$(BUILD)/tests/guest/guest.elf
	demo/vxlan-demo.sh $(BUILD)

.PHONY: demo-vxlan

# TCP throughput over our VXLAN next to the kernel's (root, iperf3;
# tests/bench/vxlan-bench.sh).  Part of 'make bench', never of 'check'.
bench-vxlan: $(BUILD)/bin/vswitchd $(BUILD)/bin/bridgectl
	BIN=$(BUILD)/bin tests/bench/vxlan-bench.sh

BENCHES += bench-vxlan
.PHONY: bench-vxlan
