#!/bin/bash
# vxlan-bench.sh - TCP throughput across a VXLAN tunnel: our switches next
# to the kernel's, in one run (root; iperf3).
#
#   ours:   vxbnh1 --TAP--> vswitchd (vxbna) --vxlan--> veth underlay -->
#           vswitchd (vxbnb) --TAP--> vxbnh2
#   base:   the same from another build (BASE_BIN), vxbm*, if given
#   kernel: vxbk1 --veth--> bridge + vxlan (vxbka) --> veth underlay -->
#           vxlan + bridge (vxbkb) --veth--> vxbk2
#
# Both underlays are veth pairs (10.10.0.1/24 <-> 10.10.0.2/24, one pair per
# path, in separate namespaces); the hosts' MTU is 1450, the tunnel's.
# Our VXLAN ports take the TAPs' TCP super-frames and send them as UDP GSO
# runs, read UDP_GRO runs and regrow super-frames (vxlan-gso.h); NOGRO=1
# adds a path of ours with 'gro off' (vxbg*), to see what the regrowing
# buys.  PERF=FILE records `perf record -e cpu-clock -g -a` during the
# first round's measurement of ours into FILE (perf report -i FILE).
# Prints each path's iperf3 throughput (SECONDS_EACH seconds, default 5,
# one TCP stream), RUNS (default 5) interleaved rounds: medians, spread,
# and ours / kernel.  The machine's other load skews both; run it
# on a quiet machine for figures worth quoting.
# Everything is named vxb*, and removed on exit.
set -u
BIN=${BIN:-build/bin}
BIN=$(cd "$BIN" && pwd) || exit 1
SECS=${SECONDS_EACH:-5}
# BASE_BIN: another build's bin/ (e.g. the tree before a change), run
# as a third path in the same interleaving.
BASE_BIN=${BASE_BIN:-}
[ -n "$BASE_BIN" ] && BASE_BIN=$(cd "$BASE_BIN" && pwd)
RUNS=${RUNS:-5}
NSS="vxbna vxbnb vxbnh1 vxbnh2 vxbka vxbkb vxbk1 vxbk2"
[ -n "$BASE_BIN" ] && NSS="$NSS vxbma vxbmb vxbmh1 vxbmh2"
NOGRO=${NOGRO:-}
[ -n "$NOGRO" ] && NSS="$NSS vxbga vxbgb vxbgh1 vxbgh2"
PERF=${PERF:-}
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

# Ours: ours_setup TAG BINDIR SUBNET [VXLAN ARGS] makes namespaces
# vxbTAGa/vxbTAGb (a vswitchd each) and hosts vxbTAGh1/vxbTAGh2 (SUBNET.1
# and .2).
ctl() { local h=$1; shift; VSWITCHD_SOCKET=$DIR/$h.sock "$BIN/bridgectl" "$@"; }
ours_setup() {
	local tag=$1 bin=$2 net=$3 h ns
	shift 3
	veth vxb${tag}a vxb${tag}u1 vxb${tag}b vxb${tag}u2
	ip -n vxb${tag}a addr add 10.10.0.1/24 dev vxb${tag}u1
	ip -n vxb${tag}b addr add 10.10.0.2/24 dev vxb${tag}u2
	for h in 1 2; do
		ns=vxb$tag$(echo ab | cut -c$h)
		ip netns exec "$ns" "$bin/vswitchd" --socket "$DIR/$tag$h.sock" \
			--config "$DIR/$tag$h.json" -l warn 2>>"$DIR/$tag$h.log" &
		PIDS="$PIDS $!"
		for _ in $(seq 100); do ctl $tag$h info >/dev/null 2>&1 && break; sleep 0.05; done
		ctl $tag$h link add vxbbr type bridge || die "bridge $tag$h"
		ctl $tag$h link set vxbbr up
		ctl $tag$h port add vxbbr vxbt$h type tap || die "tap $tag$h"
		ctl $tag$h port add vxbbr vxb0 type vxlan vni 42 local 10.10.0.$h \
			remote 10.10.0.$((3 - h)) "$@" || die "vxlan $tag$h"
		ip -n "$ns" link set vxbt$h netns vxb${tag}h$h || die "move vxbt$h"
		ip -n vxb${tag}h$h addr add $net.$h/24 dev vxbt$h
		ip -n vxb${tag}h$h link set vxbt$h mtu 1450 up
	done
}
ours_setup n "$BIN" 192.168.60
[ -n "$BASE_BIN" ] && ours_setup m "$BASE_BIN" 192.168.62
[ -n "$NOGRO" ] && ours_setup g "$BIN" 192.168.63 gro off

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
# RUNS rounds, each path once per round in turn (so drifting load of the
# shared machine hits them alike); then medians and spread (min..max).
offload() {
	for h in 1 2; do
		ip netns exec vxbk$h ethtool -K vxbk$h tso "$1" gso "$1" gro "$1" \
			>/dev/null 2>&1
	done
}
have_ethtool=; command -v ethtool >/dev/null && have_ethtool=1
: >"$DIR/ours"; : >"$DIR/kern"; : >"$DIR/nooff"; : >"$DIR/base"; : >"$DIR/nogro"
for r in $(seq "$RUNS"); do
	if [ -n "$PERF" ] && [ "$r" = 1 ]; then
		perf record -q -e cpu-clock -g -a -o "$PERF" -- sleep "$SECS" \
			>/dev/null 2>&1 &
		perfpid=$!
	fi
	measure vxbnh1 vxbnh2 192.168.60.2 >>"$DIR/ours"
	[ -n "$PERF" ] && [ "$r" = 1 ] && wait "$perfpid"
	[ -n "$BASE_BIN" ] && measure vxbmh1 vxbmh2 192.168.62.2 >>"$DIR/base"
	[ -n "$NOGRO" ] && measure vxbgh1 vxbgh2 192.168.63.2 >>"$DIR/nogro"
	[ -n "$have_ethtool" ] && offload on
	measure vxbk1 vxbk2 192.168.61.2 >>"$DIR/kern"
	# The kernel path once more with segmentation offloads off on its
	# hosts: what a tunnel moving one frame per syscall compares with.
	if [ -n "$have_ethtool" ]; then
		offload off
		measure vxbk1 vxbk2 192.168.61.2 >>"$DIR/nooff"
	fi
done
# stat FILE: "median (min..max)"
stat() { python3 -c '
import statistics, sys
v = [float(x) for x in open(sys.argv[1]).read().split()]
print("%.3f (%.3f..%.3f)" % (statistics.median(v), min(v), max(v)) if v else "0")' "$1"; }
med() { stat "$1" | cut -d" " -f1; }
ratio() { python3 -c 'import sys; o, k = map(float, sys.argv[1:]); print("%.2f" % (o / k if k else 0))' "$1" "$2"; }
ours=$(med "$DIR/ours"); kern=$(med "$DIR/kern")
echo "vxlan TCP, $RUNS interleaved runs of ${SECS}s, Gbit/s median (min..max):"
echo "ours:   TAP -> vswitchd -> VXLAN -> vswitchd -> TAP: $(stat "$DIR/ours")"
[ -n "$BASE_BIN" ] && echo "base:   the same with $BASE_BIN: $(stat "$DIR/base")"
[ -n "$NOGRO" ] && echo "ours, vxlan gro off: $(stat "$DIR/nogro")"
echo "kernel: veth -> bridge+vxlan -> vxlan+bridge -> veth: $(stat "$DIR/kern")"
echo "ratio ours/kernel: $(ratio "$ours" "$kern")"
if [ -n "$have_ethtool" ]; then
	echo "kernel, hosts' TSO/GSO/GRO off: $(stat "$DIR/nooff")"
	echo "ratio ours/kernel without offloads: $(ratio "$ours" "$(med "$DIR/nooff")")"
fi
[ -n "$BASE_BIN" ] && echo "ratio ours/base: $(ratio "$ours" "$(med "$DIR/base")")"
[ -n "$NOGRO" ] && echo "ratio ours/ours gro off: $(ratio "$ours" "$(med "$DIR/nogro")")"
# What our tunnel did (sender a, receiver b), over every round.
for h in 1 2; do
	ctl n$h -j stats vxb0 2>/dev/null | python3 -c '
import json, sys
v = json.load(sys.stdin)[0]["ports"][0].get("vxlan", {})
keys = ("tx_datagrams", "tx_gso_frames", "tx_gso_sends", "tx_gso_fallback",
        "sock_rx_datagrams", "sock_rx_gro_runs", "rx_gro_frames",
        "rx_gro_merged", "tx_errors", "rx_no_buffer")
print(sys.argv[1] + ": " + " ".join("%s=%s" % (k, v.get(k, 0)) for k in keys))' "ours vswitchd $h"
done
[ "$ours" != 0.000 ] && [ "$kern" != 0.000 ] || die "a measurement failed (see above)"
