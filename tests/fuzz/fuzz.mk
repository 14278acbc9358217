# tests/fuzz/: libFuzzer targets, one per input surface (#19), each
# calling the real code.  They build only with clang, into their own tree
# ($(FUZZ_BUILD), objects instrumented for coverage, ASan and UBSan), by a
# second make of this Makefile with FUZZ=1:
#
#   make fuzz FUZZ_SECONDS=N   build, then run each target N seconds (one
#                              at a time, one job) on its corpus; print
#                              execs, execs/s and coverage per target;
#                              fail if any crashed (reproducer in
#                              $(FUZZ_BUILD)/crashes/)
#   make check-fuzz            replay every input of tests/fuzz/corpus/
#                              once through its target (deterministic,
#                              seconds): a crash once found stays a test
#   make fuzz-TARGET           run one target (FUZZ_SECONDS, default 60)
#
# Targets: rpc, config, script (control plane); pcap, vhost_msg,
# vhost_ring (ports); bridge (the datapath, with corpus-check's invariants
# asserted), stp (BPDUs and the state machine, with its invariants);
# vmm_boot (kernel/initrd loaders), vmm_pci (PCI configuration and
# virtio-pci registers); offload (virtio-net headers, segmentation);
# vxlan_gro (the VXLAN port's software GRO on frames from any VTEP).
#
# tests/fuzz/corpus/TARGET/ holds the seeds and every reproducer, and is
# only read: what a run finds goes to $(FUZZ_BUILD)/corpus/TARGET/.  For
# the pcap target ../shared/pcap-corpus is read as more seeds when present
# (never copied here).
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := rpc config script pcap vhost_msg vhost_ring vmm_boot \
		bridge stp vmm_pci lab offload vxlan_gro
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/tests/fuzz/fuzz_%)
# Messages the targets print for bad input are expected: stdout and stderr
# of the code under test are closed (libFuzzer keeps its own reports).
FUZZ_FLAGS   := -close_fd_mask=3 -print_final_stats=1
FUZZ_PCAP_CORPUS := $(wildcard ../shared/pcap-corpus)
FUZZ_EXTRA_SEEDS.pcap := $(FUZZ_PCAP_CORPUS)
# The bridge target reads the same captures as frame sequences, converted
# into the build tree (seeds.py --bridge-extra), never into the repository.
FUZZ_EXTRA_SEEDS.bridge := $(if $(FUZZ_PCAP_CORPUS),$(FUZZ_BUILD)/seeds/bridge)
# Inputs big enough for a vhost-user message sequence, a pcap with a few
# frames, two regions of guest memory, a small kernel image.
FUZZ_MAX_LEN.vhost_msg  := 8192
FUZZ_MAX_LEN.vhost_ring := 33000
FUZZ_MAX_LEN.pcap       := 16384
FUZZ_MAX_LEN.vmm_boot   := 65536
FUZZ_MAX_LEN.bridge     := 16384
FUZZ_MAX_LEN.offload    := 9229
FUZZ_MAX_LEN.vxlan_gro  := 16384

DEB_PACKAGES_EXTRA += clang libclang-rt-14-dev

ifeq ($(FUZZ),1)
# Inside the fuzz build.  clang warns about two things gcc does not in a
# netlink macro of <linux/netlink.h> (NLMSG_OK compares __u32 with int).
WARN    += -Wno-sign-compare
# Every bridge allocates its FDB whole (44 MiB by default), which made a
# script or configuration input cost 5 ms: a small table instead (and its
# "table full" paths within reach).
CPPFLAGS += -DFDB_DEFAULT_MAX_ENTRIES=4096
# Likewise each bridge's packet pool: 512 packets of 64 KiB, 32 MiB that
# ASan maps, shadows and unmaps for every bridge (script inputs ran at
# 170/s).  9216-byte frames still allow jumbo MTUs.
CPPFLAGS += -DPKT_DATA_MAX=9216
# And fewer of them: a burst is at most PKT_BURST frames, and a bridge made
# per input (bridge, script targets) calloc'd and freed 512 (150 inputs/s).
CPPFLAGS += -DDP_POOL_SIZE=128
CFLAGS  += -fsanitize=fuzzer-no-link,address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined

FUZZ_COMMON := $(BUILD)/tests/fuzz/fuzz-daemon.o

$(BUILD)/tests/fuzz/fuzz_vmm_boot: $(BUILD)/tests/fuzz/fuzz_vmm_boot.o \
		$(LIBVMM) $(LIBCOMMON)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(VMM_LIBS)

$(BUILD)/tests/fuzz/fuzz_vmm_boot.o: CPPFLAGS += -Ivmm

$(BUILD)/tests/fuzz/fuzz_vmm_pci: $(BUILD)/tests/fuzz/fuzz_vmm_pci.o \
		$(LIBVMM) $(LIBCOMMON)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(VMM_LIBS)

$(BUILD)/tests/fuzz/fuzz_vmm_pci.o: CPPFLAGS += -Ivmm

# The lab file parser alone (ctl/lab/, libyaml).
$(BUILD)/tests/fuzz/fuzz_lab: $(BUILD)/tests/fuzz/fuzz_lab.o \
		$(LAB_PARSE_OBJS) $(LIBCOMMON)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ -lyaml

$(BUILD)/tests/fuzz/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_COMMON) \
		$(VSWITCH_LIBS)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

fuzz-bins: $(FUZZ_BINS)
.PHONY: fuzz-bins
endif

# From the ordinary build: the fuzz tree is made by a second make.
fuzz-build:
	$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang FUZZ=1 \
		SANITIZE=0 fuzz-bins

# fuzz_run TARGET: one run of FUZZ_SECONDS, then its figures on one line.
define fuzz_run
	@mkdir -p $(FUZZ_BUILD)/corpus/$(1) $(FUZZ_BUILD)/crashes
	@echo "=== fuzz_$(1): $(FUZZ_SECONDS) s"
	@$(FUZZ_BUILD)/tests/fuzz/fuzz_$(1) $(FUZZ_FLAGS) -jobs=0 \
		-max_total_time=$(FUZZ_SECONDS) \
		$(if $(FUZZ_MAX_LEN.$(1)),-max_len=$(FUZZ_MAX_LEN.$(1))) \
		-artifact_prefix=$(FUZZ_BUILD)/crashes/$(1)- \
		$(FUZZ_BUILD)/corpus/$(1) tests/fuzz/corpus/$(1) \
		$(FUZZ_EXTRA_SEEDS.$(1)) >$(FUZZ_BUILD)/fuzz_$(1).log 2>&1; \
	st=$$?; \
	cov=$$(grep -E '^#[0-9]+' $(FUZZ_BUILD)/fuzz_$(1).log | tail -1 | \
		sed -n 's/.*cov: \([0-9]*\) ft: \([0-9]*\) corp: \([0-9]*\).*/edges \1 ft \2 corpus \3/p'); \
	execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' \
		$(FUZZ_BUILD)/fuzz_$(1).log); \
	rate=$$(sed -n 's/^stat::average_exec_per_sec: *//p' \
		$(FUZZ_BUILD)/fuzz_$(1).log); \
	rss=$$(sed -n 's/^stat::peak_rss_mb: *//p' $(FUZZ_BUILD)/fuzz_$(1).log); \
	echo "fuzz_$(1): $$execs execs, $$rate exec/s, $$cov, peak RSS $$rss MB, status $$st"; \
	if [ $$st != 0 ]; then \
		echo "fuzz_$(1): CRASHED; log $(FUZZ_BUILD)/fuzz_$(1).log:"; \
		grep -E 'ERROR|SUMMARY|Test unit written|==[0-9]+==' \
			$(FUZZ_BUILD)/fuzz_$(1).log | head -20; \
		exit 1; \
	fi
endef

fuzz: fuzz-build
	@status=0; for t in $(FUZZ_TARGETS); do \
		$(MAKE) --no-print-directory fuzz-$$t || status=1; done; \
	exit $$status

$(FUZZ_TARGETS:%=fuzz-%): fuzz-%: fuzz-build
	$(call fuzz_run,$*)

fuzz-bridge: $(FUZZ_EXTRA_SEEDS.bridge)
$(FUZZ_BUILD)/seeds/bridge: tests/fuzz/seeds.py
	@rm -rf $@
	python3 tests/fuzz/seeds.py --bridge-extra $(FUZZ_PCAP_CORPUS) $@

# Each corpus file once, in order: deterministic, no new inputs.
check-fuzz: fuzz-build
	@status=0; start=$$(date +%s.%N); \
	python3 -c 'import ast, sys; ast.parse(open(sys.argv[1]).read())' \
		tests/fuzz/seeds.py || { echo "check-fuzz: tests/fuzz/seeds.py" \
		"does not parse"; status=1; }; \
	for t in $(FUZZ_TARGETS); do \
		n=$$(ls tests/fuzz/corpus/$$t | wc -l); \
		if $(FUZZ_BUILD)/tests/fuzz/fuzz_$$t -close_fd_mask=3 \
			tests/fuzz/corpus/$$t/* >$(FUZZ_BUILD)/check_$$t.log 2>&1; \
		then echo "fuzz_$$t: $$n corpus inputs replayed"; \
		else echo "fuzz_$$t: FAILED on its corpus:"; \
			grep -E 'ERROR|SUMMARY|Running:' $(FUZZ_BUILD)/check_$$t.log | tail -5; \
			status=1; fi; \
	done; \
	echo "check-fuzz: $$(awk "BEGIN { printf \"%.1f\", $$(date +%s.%N) - $$start }") s"; \
	exit $$status

CHECKS += check-fuzz
CLEAN  += $(FUZZ_BUILD)
.PHONY: fuzz fuzz-build check-fuzz $(FUZZ_TARGETS:%=fuzz-%)
