# tests/trace: bridgectl trace's engine.  check-trace compares the text of
# the catalogue traces literally, then checks that every tests/pcap case's
# input frames, traced first, go exactly where the replay then sends them.
# No root, no network: a few seconds.
check-trace: $(BUILD)/bin/vswitchd $(BUILD)/tests/pcap/pcap-diff
	tests/trace/run.sh $(BUILD)
	TRACE_CHECK=1 tests/pcap/run-cases.sh $(BUILD)

CHECKS += check-trace
