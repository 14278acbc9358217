# ctl/: bridgectl, the client of vswitchd's control socket.  It also
# answers as brctl when invoked by that name, so $(BUILD)/bin/brctl is a
# symlink to it.
CTL_SRCS := $(wildcard ctl/*.c)
CTL_OBJS := $(CTL_SRCS:%.c=$(BUILD)/%.o)

$(BUILD)/bin/bridgectl: $(CTL_OBJS) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpcap

$(BUILD)/bin/brctl: $(BUILD)/bin/bridgectl
	@[ "$(V)" = 1 ] || echo "  LN      $@"
	$(Q)ln -sf bridgectl $@

PROGRAMS += $(BUILD)/bin/bridgectl $(BUILD)/bin/brctl
