# vswitchd/: the pure protocol modules (each its own library, so tests can
# link one alone) and the daemon's glue, by layer.
include vswitchd/fdb/fdb.mk
include vswitchd/vlan/vlan.mk
include vswitchd/stp/stp.mk

# Layers, each a folder: core/ (bridge, datapath, events, STP glue),
# ports/ (the port classes and what they need: netlink, vhost-user's
# protocol), ctl/ (control server, methods, views, configuration store),
# and at the top the front-ends (main, the setup language, replay, --dump).
VSWITCHD_SRCS ?= $(filter-out vswitchd/main.c,$(wildcard vswitchd/*.c \
	vswitchd/core/*.c vswitchd/ports/*.c vswitchd/ctl/*.c))
VSWITCHD_OBJS := $(VSWITCHD_SRCS:%.c=$(BUILD)/%.o)
LIBVSWITCH := $(BUILD)/libvswitch.a
$(LIBVSWITCH): $(VSWITCHD_OBJS)

# Link order: glue, then pure modules, then lib/.
VSWITCH_LIBS := $(LIBVSWITCH) $(LIBSTP) $(LIBFDB) $(LIBVLAN) $(LIBCOMMON)

$(BUILD)/bin/vswitchd: $(BUILD)/vswitchd/main.o $(VSWITCH_LIBS)
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# privs.c drops capabilities with libcap-ng.
$(BUILD)/bin/vswitchd: LDLIBS += -lcap-ng

PROGRAMS += $(BUILD)/bin/vswitchd
