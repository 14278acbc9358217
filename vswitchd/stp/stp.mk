# vswitchd/stp/: the pure 802.1D spanning tree (protocol, administration,
# BPDU codec).  Links against lib/ only.
LIBSTP := $(BUILD)/libstp.a
$(LIBSTP): $(patsubst %.c,$(BUILD)/%.o,$(wildcard vswitchd/stp/*.c))

# The unit tests link only this module and lib/, so they build while other
# parts of the tree are mid-change.
$(BUILD)/tests/unit/check_stp: $(BUILD)/tests/unit/check_stp.o $(LIBSTP) \
		$(LIBCOMMON)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS)
