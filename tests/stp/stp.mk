# tests/stp/: spanning-tree scenarios (*.stp) run by stp-sim, which links
# only the STP module and lib/.
$(BUILD)/tests/stp/stp-sim: $(BUILD)/tests/stp/stp-sim.o $(LIBSTP) \
		$(LIBCOMMON)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

check-stp: $(BUILD)/tests/stp/stp-sim
	$(BUILD)/tests/stp/stp-sim $(sort $(wildcard tests/stp/*.stp))

CHECKS   += check-stp
PROGRAMS += $(BUILD)/tests/stp/stp-sim
