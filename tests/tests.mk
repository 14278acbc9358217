# tests/: every tests/unit/check_<module>.c becomes one Check program.  By
# default it links every project library; a module's own fragment may give
# an explicit rule linking less (so its tests build while other parts of the
# tree are mid-change).  'check-unit' runs them all.
UNIT_SRCS := $(wildcard tests/unit/check_*.c)
UNIT_BINS := $(UNIT_SRCS:%.c=$(BUILD)/%)

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(VSWITCH_LIBS)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS)

check-unit: $(UNIT_BINS)
	@status=0; for t in $(UNIT_BINS); do \
		CK_FORK=yes $$t || status=1; done; exit $$status

PROGRAMS += $(UNIT_BINS)
CHECKS   += check-unit

# Benchmarks: every tests/bench/bench_<name>.c is a program that prints its
# figures; 'make bench' runs them all (never part of 'check').
BENCH_SRCS := $(wildcard tests/bench/bench_*.c)
BENCH_BINS := $(BENCH_SRCS:%.c=$(BUILD)/%)

$(BUILD)/tests/bench/%: $(BUILD)/tests/bench/%.o $(VSWITCH_LIBS)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

run-bench-bins: $(BENCH_BINS)
	@for b in $(BENCH_BINS); do echo "=== $$b"; $$b || exit 1; done

BENCHES += run-bench-bins

include $(wildcard tests/*/*.mk)
