# ctl/: bridgectl, the client of vswitchd's control socket.  It also
# answers as brctl when invoked by that name, so $(BUILD)/bin/brctl is a
# symlink to it.
CTL_SRCS := $(wildcard ctl/*.c ctl/lab/*.c)
CTL_OBJS := $(CTL_SRCS:%.c=$(BUILD)/%.o)

$(BUILD)/bin/bridgectl: $(CTL_OBJS) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lpcap -lyaml

$(BUILD)/bin/brctl: $(BUILD)/bin/bridgectl
	@[ "$(V)" = 1 ] || echo "  LN      $@"
	$(Q)ln -sf bridgectl $@

PROGRAMS += $(BUILD)/bin/bridgectl $(BUILD)/bin/brctl

# The lab file parser alone (pure), for its unit test and fuzz target.
LAB_PARSE_OBJS := $(BUILD)/ctl/lab/lab-parse.o $(BUILD)/ctl/lab/lab-plan.o

$(BUILD)/tests/unit/check_lab: $(BUILD)/tests/unit/check_lab.o \
		$(LAB_PARSE_OBJS) $(LIBCOMMON)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS) -lyaml
