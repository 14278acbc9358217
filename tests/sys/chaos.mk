# tests/sys/chaos.sh: vswitchd killed (SIGKILL) 50 times at random moments
# under TAP traffic and configuration changes; after each restart the
# configuration is the acknowledged one and traffic comes back, and no
# TAP, socket or process is left over (issue 19).  Needs root.  81 s on
# the 2 shared vCPUs under load (2026-12-03), so it is in CHECKS.
#   make check-chaos [CHAOS_KILLS=N] [CHAOS_SEED=S]
# The same for the VMM's vhost-user front-end: check-chaos-vm (vm.mk).
check-chaos: $(BUILD)/bin/vswitchd $(BUILD)/bin/bridgectl
	BIN=$(BUILD)/bin CHAOS_KILLS=$(or $(CHAOS_KILLS),50) \
		$(if $(CHAOS_SEED),CHAOS_SEED=$(CHAOS_SEED)) \
		bash tests/sys/chaos.sh

CHECKS += check-chaos
.PHONY: check-chaos
