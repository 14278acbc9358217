# tests/compat/: the differential test against the kernel's bridge.  Every
# tests/pcap case the kernel here can run the same way goes through a
# kernel bridge (veths, in a namespace of its own) and through vswitchd
# (TAP ports, its bridge device), and the two are compared: each port's
# frames, the copies to the bridge device, the FDB listing, refusals.  It
# prints the case count and each skipped case with its reason, and fails
# when fewer than 30 cases ran.  Needs root; names cpk*, cpo*.
check-compat: $(BUILD)/bin/vswitchd $(BUILD)/bin/bridgectl
	python3 tests/compat/compat.py $(BUILD)/bin

CHECKS += check-compat
.PHONY: check-compat
