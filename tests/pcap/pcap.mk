# tests/pcap: the pcap-replay forwarding cases and the corpus invariants.
$(BUILD)/tests/pcap/pcap-diff: $(BUILD)/tests/pcap/pcap-diff.o
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ -lpcap

PROGRAMS += $(BUILD)/tests/pcap/pcap-diff

check-pcap: $(BUILD)/bin/vswitchd $(BUILD)/tests/pcap/pcap-diff
	tests/pcap/run-cases.sh $(BUILD)

CHECKS += check-pcap

check-pcap-corpus: $(BUILD)/bin/vswitchd $(BUILD)/tests/pcap/pcap-diff
	tests/pcap/corpus-check.py $(BUILD)

check-pcap-bad-input: $(BUILD)/bin/vswitchd
	tests/pcap/bad-input.sh $(BUILD)

CHECKS += check-pcap-corpus check-pcap-bad-input
