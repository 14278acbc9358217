# VMs on switch ports (issue 7): test-guest VMs whose virtio-net rings
# vswitchd serves over vhost-user.  All need root and /dev/kvm; each runs
# its own vswitchd (socket and configuration in a temporary directory).
#
#   check-vm-ping       namespace <-> VM and VM <-> VM through vswitchd
#   check-vm-reconnect  vswitchd killed and restarted under running VMs
#   check-vm-vlan       VMs on different VLANs are isolated; a trunk sees tags
#   check-vm-dpdk       the VMM's device against DPDK's net_vhost (testpmd)
#   bench-vm            guest -> switch -> guest frames/s, next to the same
#                       guests through testpmd's net_vhost, and the ratio

VM_TEST_PROGS := $(BUILD)/bin/vswitchd $(BUILD)/bin/bridgectl \
	$(BUILD)/bin/brctl $(BUILD)/bin/vmm $(VMM_GUEST)
VM_TEST_ENV = VSWITCHD=$(BUILD)/bin/vswitchd BRIDGECTL=$(BUILD)/bin/bridgectl \
	VMM=$(BUILD)/bin/vmm GUEST=$(VMM_GUEST)

check-vm-ping: $(VM_TEST_PROGS)
	$(VM_TEST_ENV) bash tests/sys/vm-ping.sh

check-vm-reconnect: $(VM_TEST_PROGS)
	$(VM_TEST_ENV) bash tests/sys/vm-reconnect.sh

check-vm-vlan: $(VM_TEST_PROGS)
	$(VM_TEST_ENV) bash tests/sys/vm-vlan.sh

check-vm-dpdk: $(VM_TEST_PROGS)
	$(VM_TEST_ENV) bash tests/sys/vm-dpdk.sh

bench-vm: $(VM_TEST_PROGS)
	$(VM_TEST_ENV) bash tests/bench/vm-bench.sh

CHECKS  += check-vm-ping check-vm-reconnect check-vm-vlan check-vm-dpdk
BENCHES += bench-vm
.PHONY: check-vm-ping check-vm-reconnect check-vm-vlan check-vm-dpdk bench-vm
