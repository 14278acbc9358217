# tests/sys/lab-*.sh: network teaching labs (#17, docs/labs.md).
#   lab-bad.sh  >= 30 bad lab files: their exact one-line error, nothing
#               created (a vswitchd of its own, no root needed)
#   lab-run.sh  every shipped lab up / check / down, nothing left; capture,
#               link down seen as NO-CARRIER, status, graph, a failed up,
#               down after kill -9 (root: namespaces, TAPs)
#   lab-watch.sh  lab watch on the STP loop: a pulled link's state changes,
#               topology change, FDB learning, in lab names; -j; a terminal
#               screen; how it ends (root)
#   lab-kwire.sh  the STP loop with one wire made of a Linux bridge: what
#               crosses it and what blocks, against our patch wire (root)
check-lab: $(BUILD)/bin/vswitchd $(BUILD)/bin/bridgectl
	@status=0; for t in tests/sys/lab-bad.sh tests/sys/lab-run.sh \
			tests/sys/lab-watch.sh tests/sys/lab-kwire.sh; do \
		BIN=$(BUILD)/bin bash $$t || status=1; done; exit $$status

CHECKS += check-lab
DEB_PACKAGES_EXTRA += tcpdump bc
.PHONY: check-lab

# Benchmark: lab up/down of a 10-switch ring with 20 hosts against the same
# topology made with ip(8) and kernel bridges (tests/bench/lab-bench.sh).
bench-lab: $(BUILD)/bin/vswitchd $(BUILD)/bin/bridgectl
	BIN=$(BUILD)/bin bash tests/bench/lab-bench.sh

BENCHES += bench-lab
.PHONY: bench-lab

# labs/ with VMs (root, KVM): through tests/kvm/kvm-run.sh like the other
# VM suites.
KVM_SUITE.lab-vm = BIN=$(BUILD)/bin $(VM_TEST_ENV) bash tests/sys/lab-vm.sh
KVM_CHECKS += lab-vm
LAB_VM_PROGS := $(BUILD)/bin/vswitchd $(BUILD)/bin/bridgectl \
	$(BUILD)/bin/vmm $(VMM_GUEST)
check-kvm: $(LAB_VM_PROGS)
check-lab-vm: $(LAB_VM_PROGS)
	$(call kvm_run,lab-vm)
.PHONY: check-lab-vm
