# tests/sys/mininet.sh: Mininet's Linux-bridge switch (--switch lxbr) on
# vswitchd, unchanged: our brctl first in PATH, the hosts in namespaces,
# the links veths (netdev ports), pingall on linear,3 and on a loop of
# three switches with STP (exactly one port blocking).  Root; about 40 s.
check-mininet: $(BUILD)/bin/vswitchd $(BUILD)/bin/bridgectl $(BUILD)/bin/brctl
	BIN=$(BUILD)/bin bash tests/sys/mininet.sh

CHECKS += check-mininet
DEB_PACKAGES_EXTRA += mininet
.PHONY: check-mininet
