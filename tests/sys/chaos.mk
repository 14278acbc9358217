# tests/sys/chaos.sh: vswitchd killed (SIGKILL) 50 times at random moments
# under TAP traffic and configuration changes; after each restart the
# configuration is the acknowledged one and traffic comes back (issue 19).
# Needs root.  Its own target (about RUNTIME), not in CHECKS: CI calls it.
#   make check-chaos [CHAOS_KILLS=N] [CHAOS_SEED=S]
check-chaos: $(BUILD)/bin/vswitchd $(BUILD)/bin/bridgectl
	BIN=$(BUILD)/bin CHAOS_KILLS=$(or $(CHAOS_KILLS),50) \
		$(if $(CHAOS_SEED),CHAOS_SEED=$(CHAOS_SEED)) \
		bash tests/sys/chaos.sh
.PHONY: check-chaos
