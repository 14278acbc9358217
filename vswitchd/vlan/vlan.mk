# vswitchd/vlan/: pure 802.1Q/802.1ad membership and classification.
LIBVLAN := $(BUILD)/libvlan.a
$(LIBVLAN): $(patsubst %.c,$(BUILD)/%.o,$(wildcard vswitchd/vlan/*.c))

# The unit test needs only this module and lib/, so it links nothing else
# (it builds even while the rest of vswitchd/ is mid-change).
$(BUILD)/tests/unit/check_vlan: $(BUILD)/tests/unit/check_vlan.o $(LIBVLAN) \
		$(LIBCOMMON)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS)
