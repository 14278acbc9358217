# tests/sys/: tests that need root, TAPs, network namespaces or KVM.  They
# never skip: without root they fail and say they did not run.

# --- tap (helper "tap"): the tap port class and nl.c ---------------------
# tap-check links port-tap.c, nl.c and port.c alone (the bridge functions a
# tap port calls are recorders in the test), so it builds while the rest of
# vswitchd/ is mid-change.  tap-bridge.sh runs the whole daemon: a bridge of
# three TAPs, each moved into its own namespace, ping across it.
TAP_CHECK := $(BUILD)/tests/sys/tap-check
$(TAP_CHECK): $(BUILD)/tests/sys/tap-check.o $(BUILD)/vswitchd/ports/port-tap.o \
		$(BUILD)/vswitchd/ports/port-args.o $(BUILD)/vswitchd/ports/port-io.o \
		$(BUILD)/vswitchd/ports/nl.o $(BUILD)/vswitchd/ports/port.o \
		$(BUILD)/vswitchd/core/clock.o $(LIBVLAN) $(LIBCOMMON)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS)

PROGRAMS += $(TAP_CHECK)

check-sys-tap: $(TAP_CHECK) $(BUILD)/bin/vswitchd
	CK_FORK=yes $(TAP_CHECK)
	tests/sys/tap-bridge.sh $(BUILD)/bin/vswitchd

CHECKS += check-sys-tap
DEB_PACKAGES_EXTRA += iputils-ping
.PHONY: check-sys-tap
# --- end tap -----------------------------------------------------------------
