#!/bin/bash
# netdev-bench.sh - frames/s veth -> switch -> veth: vswitchd with netdev
# ports against the kernel bridge, on the same veths, interleaved.
#
# Usage: tests/bench/netdev-bench.sh BINDIR [RUNS] [SECONDS]   (root)
#
# Namespace ndbs holds ndbp1, namespace ndbr holds ndbp2; their peers ndbv1
# and ndbv2 are the two ports of, in turn, vswitchd bridge ndbvs (netdev
# ports, the TPACKET_V3 ring) and kernel bridge ndbkr.  pktblast sends
# SIZE-byte unicast frames (64 and 1500) from ndbp1 to ndbp2's MAC for
# SECONDS; the figure is what ndbp2 received (its rx_packets) per second,
# printed with what the sender offered.
# Each run measures both switches back to back; the medians and their
# ratio (vswitchd / kernel) are printed.  The sender, the switch and the
# softirqs share this machine's CPUs, so the figures are what the whole
# path does here, not what the switch alone could.  Everything is named
# ndb* and removed on exit, also on failure.
BIN=$1
RUNS=${2:-5}
SECS=${3:-3}
BLAST=$BIN/../tests/bench/pktblast
say() { echo "netdev-bench: $*" >&2; }
. "$(dirname "$0")/../sys/preflight.sh"
. "$(dirname "$0")/../sys/switch-lib.sh"
preflight benchmark "namespaces, veths, a kernel bridge" "$BIN/vswitchd" ip python3
[ -x "$BLAST" ] || { say "FAILED: no $BLAST; this benchmark did not run"; exit 1; }

switch_scratch "$BIN" ndbench "ndbs ndbr" "ndbv1 ndbv2 ndbkr"

ip netns add ndbs && ip netns add ndbr || exit 1
ip link add ndbv1 type veth peer name ndbp1 netns ndbs || exit 1
ip link add ndbv2 type veth peer name ndbp2 netns ndbr || exit 1
for i in 1 2; do
	sysctl -qw net.ipv6.conf.ndbv$i.disable_ipv6=1
	ip link set ndbv$i up
done
ip netns exec ndbs sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip netns exec ndbr sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip -n ndbs link set ndbp1 up
ip -n ndbr link set ndbp2 up
DST=$(ip netns exec ndbr cat /sys/class/net/ndbp2/address)
ip link add ndbkr type bridge && ip link set ndbkr up || exit 1

switch_start "$BIN" "$T" ndbvs || { say "FAILED: vswitchd did not start"; exit 1; }

# use vswitchd|kernel: both veths become ports of that switch only.  A
# second of broadcasts from ndbp2 lets the switch learn where DST is, so
# the measured frames are known unicast (no flooding).
use() {
	for d in ndbv1 ndbv2; do
		"$C" port del $d >/dev/null 2>&1
		ip link set $d nomaster
	done
	for d in ndbv1 ndbv2; do
		if [ "$1" = vswitchd ]; then
			"$C" port add ndbvs $d type netdev >/dev/null || return 1
		else
			ip link set $d master ndbkr || return 1
		fi
	done
	sleep 0.3
	ip netns exec ndbr "$BLAST" send ndbp2 ff:ff:ff:ff:ff:ff 60 1 "$DST" \
		>/dev/null
	sleep 0.5	# the learning burst drained
}
rx() { ip netns exec ndbr cat /sys/class/net/ndbp2/statistics/rx_packets; }
measure() { # measure SIZE FILE: appends "received/s sent/s" to FILE
	local a b sent
	a=$(rx)
	sent=$(ip netns exec ndbs "$BLAST" send ndbp1 "$DST" "$1" "$SECS")
	sleep 0.2
	b=$(rx)
	echo $(( (b - a) / SECS )) $(( sent / SECS )) >>"$2"
}

for size in 64 1500; do
	: >"$T/v.$size"; : >"$T/k.$size"
	# 64-byte figures: the switch sees 60 bytes (no FCS).
	fsz=$((size - 4))
	for r in $(seq "$RUNS"); do
		use vswitchd || { say "FAILED: cannot attach to vswitchd"; exit 1; }
		measure $fsz "$T/v.$size"
		use kernel || { say "FAILED: cannot attach to the kernel bridge"; exit 1; }
		measure $fsz "$T/k.$size"
	done
done
"$C" stats ndbvs >"$T/stats" 2>&1

python3 - "$T" "$RUNS" <<'PY'
import statistics, sys
t, runs = sys.argv[1], int(sys.argv[2])
print("netdev-bench: frames/s veth -> switch -> veth, median of %d interleaved runs" % runs)
print("%-6s %14s %14s %7s" % ("size", "vswitchd", "kernel bridge", "ratio"))
for size in (64, 1500):
    v = [[int(w) for w in x.split()] for x in open("%s/v.%d" % (t, size))]
    k = [[int(w) for w in x.split()] for x in open("%s/k.%d" % (t, size))]
    mv = statistics.median(r[0] for r in v)
    mk = statistics.median(r[0] for r in k)
    print("%-6d %14.0f %14.0f %7.2f" % (size, mv, mk, mv / mk if mk else 0))
    print("       received/s per run: vswitchd %s; kernel %s"
          % ([r[0] for r in v], [r[0] for r in k]))
    print("       offered (sent/s) median: vswitchd runs %.0f, kernel runs %.0f"
          % (statistics.median(r[1] for r in v),
             statistics.median(r[1] for r in k)))
PY
echo "vswitchd counters at the end:"
sed 's/^/  /' "$T/stats"
