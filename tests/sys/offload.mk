# --- offload: checksum/GSO offloads through TAP ports (pkt-offload.h) -------
# A TCP stream of 64 KiB super-frames from a namespace, flooded to a TAP
# that takes offloads (gets them whole), a TAP without (segmented), and a
# pcap port (segmented); tshark checks lengths and checksums.  ~10 s.
check-offload: $(BUILD)/bin/vswitchd $(BUILD)/bin/bridgectl
	tests/sys/offload.sh $(BUILD)/bin

CHECKS += check-offload
DEB_PACKAGES_EXTRA += iperf3 tshark tcpdump ethtool
.PHONY: check-offload
