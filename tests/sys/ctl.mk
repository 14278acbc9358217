# tests/sys/ctl-*.sh: the control server, bridgectl/brctl and the durable
# configuration, end to end.  Each script runs its own vswitchd on a socket
# and configuration in a temporary directory.  Most use pcap ports; ctl-tap
# and ctl-ns (TAPs in network namespaces: pings, showmacs, VLANs, carrier,
# capture, monitor) and ctl-fullfs (the configuration on a full tmpfs) need
# root and fail when they cannot run.
CTL_TESTS := $(filter-out tests/sys/ctl-lib.sh,$(wildcard tests/sys/ctl-*.sh))

# ctl-null-port.sh compares captures with pcap-diff.
CTL_TEST_PROGS := $(BUILD)/bin/vswitchd $(BUILD)/bin/bridgectl \
	$(BUILD)/bin/brctl $(BUILD)/tests/pcap/pcap-diff

check-ctl: $(CTL_TEST_PROGS)
	@status=0; for t in $(CTL_TESTS); do \
		BIN=$(BUILD)/bin bash $$t || status=1; done; exit $$status

CHECKS += check-ctl
.PHONY: check-ctl

# One suite alone: make check-ctl-badinput runs tests/sys/ctl-badinput.sh.
check-ctl-%: tests/sys/ctl-%.sh $(CTL_TEST_PROGS)
	BIN=$(BUILD)/bin bash $<
