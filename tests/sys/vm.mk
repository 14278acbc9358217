# VMs on switch ports (issue 7): test-guest VMs whose virtio-net rings
# vswitchd serves over vhost-user.  All need root and KVM (tests/kvm/);
# each runs its own vswitchd (socket and configuration in a temporary
# directory).
#
#   check-vm-ping       namespace <-> VM and VM <-> VM through vswitchd
#   check-vm-reconnect  vswitchd killed and restarted under running VMs
#   check-vm-vlan       VMs on different VLANs are isolated; a trunk sees tags
#   check-vm-dpdk       the VMM's device against DPDK's net_vhost (testpmd)
#   check-chaos-vm      check-vm-reconnect's kill and restart 50 times
#                       (VM_RECONNECT_KILLS; issue 19), in check-kvm: 10
#                       times under ASan and in the nested outer host
#   check-vm-sandbox    the VMM's seccomp filter (a forbidden call kills it
#                       with SIGSYS; guests run unchanged), --user, and a
#                       VMM started by a non-root user (docs/security.md)
#   bench-vm            guest -> switch -> guest frames/s, next to the same
#                       guests through testpmd's net_vhost, and the ratio

VM_TEST_PROGS := $(BUILD)/bin/vswitchd $(BUILD)/bin/bridgectl \
	$(BUILD)/bin/brctl $(BUILD)/bin/vmm $(VMM_GUEST)
VM_TEST_ENV = VSWITCHD=$(BUILD)/bin/vswitchd BRIDGECTL=$(BUILD)/bin/bridgectl \
	VMM=$(BUILD)/bin/vmm GUEST=$(VMM_GUEST)

# Each suite runs through tests/kvm/kvm-run.sh (host /dev/kvm, or the
# nested outer host when this machine's KVM cannot run the test guest);
# check-kvm runs all five with check-vmm's boot test in one go.
KVM_SUITE.vm-ping = $(VM_TEST_ENV) bash tests/sys/vm-ping.sh
KVM_SUITE.vm-reconnect = $(VM_TEST_ENV) bash tests/sys/vm-reconnect.sh
KVM_SUITE.vm-vlan = $(VM_TEST_ENV) bash tests/sys/vm-vlan.sh
KVM_SUITE.vm-dpdk = $(VM_TEST_ENV) bash tests/sys/vm-dpdk.sh
KVM_SUITE.vm-sandbox = $(VM_TEST_ENV) bash tests/sys/vm-sandbox.sh
KVM_SUITE.bench-vm = $(VM_TEST_ENV) bash tests/bench/vm-bench.sh
CHAOS_VM_KILLS = $(if $(filter 1,$(SANITIZE)),10,50)
KVM_SUITE.chaos-vm = VM_RECONNECT_KILLS=$(or $(VM_RECONNECT_KILLS),$(CHAOS_VM_KILLS)) \
	$(VM_TEST_ENV) bash tests/sys/vm-reconnect.sh
KVM_CHECKS += vm-ping chaos-vm vm-vlan vm-dpdk vm-sandbox
check-kvm: $(VM_TEST_PROGS)

check-vm-ping check-vm-reconnect check-vm-vlan check-vm-dpdk \
check-vm-sandbox: $(VM_TEST_PROGS)
	$(call kvm_run,$(@:check-%=%))

bench-vm: $(VM_TEST_PROGS)
	$(call kvm_run,bench-vm)

check-chaos-vm: $(VM_TEST_PROGS)
	$(call kvm_run,chaos-vm)

BENCHES += bench-vm
.PHONY: check-vm-ping check-vm-reconnect check-vm-vlan check-vm-dpdk \
	check-vm-sandbox check-chaos-vm bench-vm
