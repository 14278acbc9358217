# tests/sys/demo-check.sh: 'make demo' as the README gives it, and with a
# broken step (DEMO_GUEST=/nonexistent/guest.elf) that must fail it with
# the reason on screen.  Needs root; the VM half uses tests/kvm/.
check-demo: $(BUILD)/bin/vswitchd $(BUILD)/bin/bridgectl $(BUILD)/bin/vmm \
		$(VMM_GUEST)
	BUILD=$(BUILD) SANITIZE=$(SANITIZE) tests/sys/demo-check.sh

CHECKS += check-demo
.PHONY: check-demo
