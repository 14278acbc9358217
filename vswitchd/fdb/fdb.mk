# vswitchd/fdb/: the forwarding database, a pure library.  Its test and
# benchmark link only it and lib/, so they build while the rest of the tree
# is mid-change (explicit rules win over the pattern rules in tests/tests.mk).
LIBFDB := $(BUILD)/libfdb.a
$(LIBFDB): $(patsubst %.c,$(BUILD)/%.o,$(wildcard vswitchd/fdb/*.c))

$(BUILD)/tests/unit/check_fdb: $(BUILD)/tests/unit/check_fdb.o $(LIBFDB) \
		$(LIBCOMMON)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS)

$(BUILD)/tests/bench/bench_fdb: $(BUILD)/tests/bench/bench_fdb.o $(LIBFDB) \
		$(LIBCOMMON)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^
