#!/bin/bash
# vxlan-bench.sh - TCP throughput across a VXLAN tunnel: our switches next
# to the kernel's, in one run (root; iperf3).
#
#   ours:   vxbh1 --TAP--> vswitchd (vxbna) --vxlan--> veth underlay -->
#           vswitchd (vxbnb) --TAP--> vxbh2
#   kernel: vxbk1 --veth--> bridge + vxlan (vxbka) --> veth underlay -->
#           vxlan + bridge (vxbkb) --veth--> vxbk2
#
# Both underlays are veth pairs (10.10.0.1/24 <-> 10.10.0.2/24, one pair per
# path, in separate namespaces); the hosts' MTU is 1450, the tunnel's.
# Prints each path's iperf3 throughput (SECONDS each, default 5, one TCP
# stream) and ours / kernel.  The machine's other load skews both; run it
# on a quiet machine for figures worth quoting.
# Everything is named vxb*, and removed on exit.
set -u
BIN=${BIN:-build/bin}
BIN=$(cd "$BIN" && pwd) || exit 1
SECS=${SECONDS_EACH:-5}
NSS="vxbna vxbnb vxbh1 vxbh2 vxbka vxbkb vxbk1 vxbk2"
DIR=$(mktemp -d /tmp/vxlan-bench.XXXXXX)
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	for n in $NSS; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
die() { echo "vxlan-bench: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "NOT RUN: needs root"
command -v iperf3 >/dev/null || die "NOT RUN: iperf3 missing (make deps)"

for n in $NSS; do
	ip netns del "$n" 2>/dev/null
	ip netns add "$n" || die "netns add $n"
	ip -n "$n" link set lo up
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
veth() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" || die "veth $2"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

# Ours.
veth vxbna vxbu1 vxbnb vxbu2
ip -n vxbna addr add 10.10.0.1/24 dev vxbu1
ip -n vxbnb addr add 10.10.0.2/24 dev vxbu2
ctl() { local h=$1; shift; VSWITCHD_SOCKET=$DIR/$h.sock "$BIN/bridgectl" "$@"; }
for h in 1 2; do
	ns=vxbn$(echo ab | cut -c$h)
	ip netns exec "$ns" "$BIN/vswitchd" --socket "$DIR/$h.sock" \
		--config "$DIR/$h.json" -l warn 2>>"$DIR/$h.log" &
	PIDS="$PIDS $!"
	for _ in $(seq 100); do ctl $h info >/dev/null 2>&1 && break; sleep 0.05; done
	ctl $h link add vxbbr type bridge || die "bridge $h"
	ctl $h link set vxbbr up
	ctl $h port add vxbbr vxbt$h type tap || die "tap $h"
	ctl $h port add vxbbr vxb0 type vxlan vni 42 local 10.10.0.$h \
		remote 10.10.0.$((3 - h)) || die "vxlan $h"
	ip -n "$ns" link set vxbt$h netns vxbh$h || die "move vxbt$h"
	ip -n vxbh$h addr add 192.168.60.$h/24 dev vxbt$h
	ip -n vxbh$h link set vxbt$h mtu 1450 up
done

# The kernel's.
veth vxbka vxbv1 vxbkb vxbv2
ip -n vxbka addr add 10.10.0.1/24 dev vxbv1
ip -n vxbkb addr add 10.10.0.2/24 dev vxbv2
for h in 1 2; do
	ns=vxbk$(echo ab | cut -c$h)
	ip -n "$ns" link add vxk0 type vxlan id 42 dstport 4789 \
		local 10.10.0.$h remote 10.10.0.$((3 - h)) || die "kernel vxlan $h"
	ip -n "$ns" link add vxkbr type bridge
	ip -n "$ns" link set vxk0 master vxkbr
	veth "$ns" vxbkp$h vxbk$h vxbk$h
	ip -n "$ns" link set vxbkp$h master vxkbr
	ip -n "$ns" link set vxk0 up
	ip -n "$ns" link set vxkbr up
	ip -n vxbk$h addr add 192.168.61.$h/24 dev vxbk$h
	ip -n vxbk$h link set vxbk$h mtu 1450
done

# measure CLIENT_NS SERVER_NS SERVER_IP: Gbit/s of one TCP stream.
measure() {
	ip netns exec "$2" iperf3 -s -1 -B "$3" >/dev/null 2>&1 &
	local srv=$!
	for _ in $(seq 50); do
		ip netns exec "$1" ping -c1 -W1 "$3" >/dev/null 2>&1 && break
		sleep 0.1
	done
	sleep 0.3
	ip netns exec "$1" iperf3 -c "$3" -t "$SECS" -J 2>/dev/null | python3 -c '
import json, sys
try:
    print("%.3f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9))
except Exception:
    print("0")'
	wait "$srv" 2>/dev/null
}
ours=$(measure vxbh1 vxbh2 192.168.60.2)
kern=$(measure vxbk1 vxbk2 192.168.61.2)
# Like for like: our TAPs take TSO/GSO from the hosts' stacks, but our
# VXLAN port sends no GSO (super-frames are segmented before they are
# encapsulated, one datagram per segment), so the kernel path once more
# with segmentation offloads off on its hosts' veths.
kern_nooff=
if command -v ethtool >/dev/null; then
	for h in 1 2; do
		ip netns exec vxbk$h ethtool -K vxbk$h tso off gso off gro off \
			>/dev/null 2>&1
	done
	kern_nooff=$(measure vxbk1 vxbk2 192.168.61.2)
fi
ratio() { python3 -c 'import sys; o, k = map(float, sys.argv[1:]); print("%.2f" % (o / k if k else 0))' "$1" "$2"; }
echo "vxlan TCP, TAP -> vswitchd -> VXLAN -> vswitchd -> TAP: $ours Gbit/s"
echo "vxlan TCP, veth -> kernel bridge+vxlan -> kernel vxlan+bridge -> veth: $kern Gbit/s"
echo "ratio ours/kernel: $(ratio "$ours" "$kern")"
if [ -n "$kern_nooff" ]; then
	echo "kernel path, hosts' TSO/GSO/GRO off: $kern_nooff Gbit/s"
	echo "ratio ours/kernel without offloads: $(ratio "$ours" "$kern_nooff")"
fi
[ "$ours" != 0 ] && [ "$kern" != 0 ] || die "a measurement failed (see above)"
