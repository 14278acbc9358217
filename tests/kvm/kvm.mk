# tests/kvm/: the one runner of every suite that needs KVM (issue 12).
#
# A fragment declares a suite with
#   KVM_CHECKS += NAME                      (part of check-kvm), or not, and
#   KVM_SUITE.NAME = COMMAND                (run from the top of the tree)
#   check-kvm: PROGRAMS...                  (what the command needs built)
# and runs a suite on its own with $(call kvm_run,NAME...).
#
# tests/kvm/kvm-run.sh chooses once: this machine's /dev/kvm if it boots
# the test guest, else the nested outer host (QEMU TCG + kvm-amd) that
# runs all the suites of one call in a single boot.  VSWITCH_KVM=host or
# VSWITCH_KVM=nested forces a mode.
#
#   check-kvm        every suite of KVM_CHECKS, in one go (part of check)
#
# Suites that must NOT need KVM prove it with tests/kvm/without-kvm.sh,
# which hides /dev/kvm in a private mount namespace.

KVM_RUN = BUILD=$(BUILD) LINUX_KVER=$(LINUX_KVER) VMM=$(BUILD)/bin/vmm \
	GUEST=$(VMM_GUEST) tests/kvm/kvm-run.sh
kvm_run = $(KVM_RUN) $(foreach s,$(1),'$(s)=$(KVM_SUITE.$(s))')

check-kvm: $(BUILD)/bin/vmm $(VMM_GUEST)
	$(call kvm_run,$(KVM_CHECKS))

CHECKS += check-kvm
.PHONY: check-kvm
