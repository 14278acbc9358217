# tests/sys/sd-*.sh: running vswitchd as a system daemon (clear errors when
# it is absent, --detach, --pidfile, --log-file, run-time log levels, the
# installed tree).  Each test works in a temporary directory of its own,
# never on the default /run or /var/lib paths; names it gives the system
# start with "sd".
SD_TESTS := $(filter-out tests/sys/sd-lib.sh,$(wildcard tests/sys/sd-*.sh))

check-sd: $(BUILD)/bin/vswitchd $(BUILD)/bin/bridgectl $(BUILD)/bin/brctl \
		$(BUILD)/bin/vmm
	@status=0; for t in $(SD_TESTS); do \
		BIN=$(BUILD)/bin BUILD=$(BUILD) SANITIZE=$(SANITIZE) bash $$t || status=1; done; \
		exit $$status

CHECKS += check-sd
.PHONY: check-sd
