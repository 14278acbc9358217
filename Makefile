# Top-level, non-recursive Makefile (kvmtool style).  Each directory appends
# its sources, programs and test targets in its own *.mk fragment, included
# below.  Objects go to $(BUILD) (build/ by default, build-asan/ for the
# sanitizer build), so both builds can coexist.
#
#   make            build everything
#   make deps       install the Debian packages needed to build and test
#   make check      deps + build + every test
#   make asan       the same tests under ASan/UBSan (build-asan/)
#   make check-all  check, then asan: what CI runs
#   make bench      benchmarks (not part of check)
#   make demo       the README's main job
#   make install    PREFIX=/usr/local DESTDIR=; install-brctl adds brctl
#   make deb        a Debian package in build-deb-pkg/ (dpkg-buildpackage)
#   V=1             show full command lines; WERROR=0 to not stop on warnings

BUILD    ?= build
SANITIZE ?= 0
WERROR   ?= 1
V        ?= 0

CC       ?= cc
PKGS     := libnl-3.0 libnl-route-3.0 json-c check
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs libnl-3.0 libnl-route-3.0 json-c 2>/dev/null)
CHECK_LIBS := $(shell pkg-config --libs check 2>/dev/null)

WARN := -Wall -Wextra -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes \
	-Wold-style-definition -Wshadow -Wundef -Wwrite-strings -Wvla \
	-Wpointer-arith
ifeq ($(WERROR),1)
WARN += -Werror
endif

CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 $(WARN) -fno-strict-aliasing
CPPFLAGS += -D_GNU_SOURCE -Ilib -Ivswitchd -Ivswitchd/core -Ivswitchd/ports \
	-Ivswitchd/ctl -Ivswitchd/fdb -Ivswitchd/vlan -Ivswitchd/stp \
	$(PKG_CFLAGS) -MMD -MP
LDLIBS   += $(PKG_LIBS) -lpcap -lev -luring -lm

ifeq ($(SANITIZE),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Filled in by the fragments.
PROGRAMS :=
CHECKS   :=
KVM_CHECKS :=
BENCHES  :=
CLEAN    :=

all:

include lib/lib.mk
include vswitchd/vswitchd.mk
include ctl/ctl.mk
include vmm/vmm.mk
include tests/tests.mk

all: $(PROGRAMS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  CC      $<"
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/%.a:
	@mkdir -p $(dir $@)
	@[ "$(V)" = 1 ] || echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

# Debian packages the build and the tests need.  Idempotent: apt runs only
# when something is missing, and 'apt-get update' only then.
DEB_PACKAGES := build-essential pkg-config libnl-3-dev libnl-route-3-dev \
	libpcap-dev libev-dev check libjson-c-dev iproute2 tcpdump \
	python3 bash-completion iputils-ping debhelper libyaml-dev \
	libseccomp-dev libcap-ng-dev liburing-dev
DEB_PACKAGES += $(DEB_PACKAGES_EXTRA)

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing:" $$missing; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq $$missing; \
	else \
		echo "make deps: all Debian packages present"; \
	fi

# 'check' runs every suite even if one fails, then fails if any did.
check: deps
	$(MAKE) all
	@mkdir -p $(BUILD)/check-logs; status=0; failed=; \
	for t in $(CHECKS); do \
		echo "=== $$t"; \
		rc=0; $(MAKE) --no-print-directory $$t \
			> $(BUILD)/check-logs/$$t.log 2>&1 || rc=1; \
		cat $(BUILD)/check-logs/$$t.log; \
		[ $$rc = 0 ] || { status=1; failed="$$failed $$t"; }; \
	done; \
	if [ $$status = 0 ]; then echo "make check: all suites passed"; \
	else \
		for t in $$failed; do \
			echo "=== failed: $$t ($(BUILD)/check-logs/$$t.log):"; \
			grep -E 'FAIL|[Ff]ailed|[Ee]rror|not ok' \
				$(BUILD)/check-logs/$$t.log | tail -n 15; \
		done; \
		echo "make check: SOME SUITES FAILED:$$failed"; \
	fi; exit $$status

asan:
	$(MAKE) check BUILD=build-asan SANITIZE=1

check-all: check asan

bench: all
	@for b in $(BENCHES); do $(MAKE) --no-print-directory $$b || exit 1; done

# The README's main job (root): vswitchd with a bridge (STP on) and three
# network-namespace hosts on TAP ports pinging each other, then a VM on a
# vswitchd bridge pinged by a namespace host (on this machine's /dev/kvm,
# or in the nested outer host when it has none: tests/kvm/); each half is
# timed and any failed step fails the demo (demo/demo.sh).  DEMO_GUEST=FILE
# boots FILE instead of the test guest.  demo-replay replays captures the
# repository holds through a 4-port bridge instead (no root needed).
DEMO_OUT ?= /tmp/vswitch-demo
demo-replay: deps
	$(MAKE) $(BUILD)/bin/vswitchd
	@mkdir -p $(DEMO_OUT)
	$(BUILD)/bin/vswitchd --replay --dump --log-level warn \
		--script demo/replay.setup \
		--in-dir tests/pcap/x-mac-move-back-forth --out-dir $(DEMO_OUT)
	@echo "egress captures: $(DEMO_OUT)/out-p*.pcap (tcpdump -r ...)"

demo: deps
	$(MAKE) $(BUILD)/bin/vswitchd $(BUILD)/bin/bridgectl $(BUILD)/bin/brctl \
		$(BUILD)/bin/vmm $(BUILD)/tests/guest/guest.elf
	BUILD=$(BUILD) LINUX_KVER=$(LINUX_KVER) DEMO_GUEST=$(DEMO_GUEST) \
		VMM=$(BUILD)/bin/vmm GUEST=$(BUILD)/tests/guest/guest.elf \
		demo/demo.sh

# Installation (docs/install.md lists the tree it lays out; tests/sys/
# sd-install.sh checks it).  PREFIX and DESTDIR as usual; the unit goes
# where systemd looks for units of that prefix.  'brctl' is not installed
# by default, so bridge-utils' brctl is never shadowed without asking:
# 'make install-brctl' adds it as a link to bridgectl.
PREFIX    ?= /usr/local
DESTDIR   ?=
BINDIR    ?= $(PREFIX)/bin
SBINDIR   ?= $(PREFIX)/sbin
MANDIR    ?= $(PREFIX)/share/man
DOCDIR    ?= $(PREFIX)/share/doc/vswitch
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SYSTEMD_UNIT_DIR ?= $(PREFIX)/lib/systemd/system
INSTALL   ?= install

install: $(BUILD)/bin/vswitchd $(BUILD)/bin/bridgectl $(BUILD)/bin/vmm
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(DOCDIR) $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(SYSTEMD_UNIT_DIR)
	$(INSTALL) -m 0755 $(BUILD)/bin/vswitchd $(DESTDIR)$(SBINDIR)/vswitchd
	$(INSTALL) -m 0755 $(BUILD)/bin/bridgectl $(DESTDIR)$(BINDIR)/bridgectl
	$(INSTALL) -m 0755 $(BUILD)/bin/vmm $(DESTDIR)$(BINDIR)/vmm
	$(INSTALL) -m 0644 docs/vswitchd.8 docs/bridgectl.8 $(DESTDIR)$(MANDIR)/man8/
	$(INSTALL) -m 0644 docs/vmm.1 $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 0644 README.md docs/rpc.md docs/install.md $(DESTDIR)$(DOCDIR)/
	$(INSTALL) -m 0644 ctl/bridgectl.bash-completion \
		$(DESTDIR)$(BASHCOMPDIR)/bridgectl
	sed 's|@SBINDIR@|$(SBINDIR)|g' vswitchd/vswitchd.service.in \
		>$(DESTDIR)$(SYSTEMD_UNIT_DIR)/vswitchd.service
	chmod 0644 $(DESTDIR)$(SYSTEMD_UNIT_DIR)/vswitchd.service

# bridgectl answers as brctl when called by that name.  Says so when
# another brctl (bridge-utils) comes first on PATH or would be replaced.
install-brctl: install
	@if [ -e $(DESTDIR)$(SBINDIR)/brctl ] && \
	    [ "$$(readlink $(DESTDIR)$(SBINDIR)/brctl)" != $(BINDIR)/bridgectl ]; then \
		echo "install-brctl: $(DESTDIR)$(SBINDIR)/brctl exists and is not ours; not replacing it" >&2; \
		exit 1; fi
	ln -sf $(BINDIR)/bridgectl $(DESTDIR)$(SBINDIR)/brctl
	ln -sf bridgectl.8 $(DESTDIR)$(MANDIR)/man8/brctl.8
	@other=$$(command -v brctl 2>/dev/null); \
	if [ -n "$$other" ] && [ "$$other" != $(SBINDIR)/brctl ]; then \
		echo "install-brctl: note: $$other comes first on PATH"; fi

# A Debian package (debian/) built with dpkg-buildpackage from a copy of
# the tracked files in $(DEB_OUT)/, so its by-products (.deb, .changes,
# .buildinfo, written beside the source tree) stay in the build tree.
DEB_OUT     ?= build-deb-pkg
DEB_VERSION := $(shell sed -n '1s/.*(\(.*\)).*/\1/p' debian/changelog)
deb:
	@command -v dh >/dev/null || { echo "make deb: needs debhelper (make deps)" >&2; exit 1; }
	rm -rf $(DEB_OUT) && mkdir -p $(DEB_OUT)/vswitch-$(DEB_VERSION)
	git ls-files -z | xargs -0 tar -cf - | tar -C $(DEB_OUT)/vswitch-$(DEB_VERSION) -xf -
	cd $(DEB_OUT)/vswitch-$(DEB_VERSION) && dpkg-buildpackage -b -us -uc
	@ls $(DEB_OUT)/*.deb

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/vswitchd $(DESTDIR)$(BINDIR)/bridgectl \
		$(DESTDIR)$(BINDIR)/vmm $(DESTDIR)$(MANDIR)/man8/vswitchd.8 \
		$(DESTDIR)$(MANDIR)/man8/bridgectl.8 $(DESTDIR)$(MANDIR)/man1/vmm.1 \
		$(DESTDIR)$(BASHCOMPDIR)/bridgectl \
		$(DESTDIR)$(SYSTEMD_UNIT_DIR)/vswitchd.service
	rm -rf $(DESTDIR)$(DOCDIR)
	if [ "$$(readlink $(DESTDIR)$(SBINDIR)/brctl)" = $(BINDIR)/bridgectl ]; then \
		rm -f $(DESTDIR)$(SBINDIR)/brctl $(DESTDIR)$(MANDIR)/man8/brctl.8; fi

clean:
	rm -rf build build-asan build-deb-pkg $(CLEAN)

.PHONY: all deps check asan check-all bench clean demo demo-replay $(CHECKS) \
	install install-brctl uninstall deb

-include $(shell find $(BUILD) -name '*.d' -type f 2>/dev/null)
