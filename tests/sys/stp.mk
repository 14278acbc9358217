# Spanning tree against the Linux bridge (issue 3).  Both need root and the
# initial network namespace (kernel STP receives no BPDUs elsewhere).
#   check-sys-stp: vswitchd and a kernel bridge joined by two links, each side
#                  root in turn: root agreement, one blocked port, no storm,
#                  failover within 2 x forward_delay + 1 s.
#   bench-stp:     convergence after a link cut in a 4-bridge ring, vswitchd
#                  vs the kernel bridge in the same position (not in CHECKS).
check-sys-stp: $(BUILD)/bin/vswitchd
	tests/sys/stp-kernel.sh $(BUILD)/bin/vswitchd

bench-stp: $(BUILD)/bin/vswitchd
	tests/sys/stp-bench.sh $(BUILD)/bin/vswitchd

CHECKS  += check-sys-stp
BENCHES += bench-stp
DEB_PACKAGES_EXTRA += tcpdump iproute2 iputils-ping
.PHONY: check-sys-stp bench-stp
