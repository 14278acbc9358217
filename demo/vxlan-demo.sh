#!/bin/bash
# vxlan-demo.sh - one layer-2 segment across two "hosts" over VXLAN.
#
# Usage: demo/vxlan-demo.sh [BUILD-DIR]        (as root; default build)
#
# Each host is a network namespace (vxdemoa, vxdemob) running its own
# vswitchd; a veth pair is the underlay between them (10.10.0.1/24 <->
# 10.10.0.2/24).  On each, bridge vxdbr0 has a TAP port moved into a
# namespace host (vxdemoh1 192.168.50.1, vxdemoh2 192.168.50.2) and a vxlan
# port vxd0 (VNI 42) whose remote is the other host.  The hosts ping each
# other across the tunnel; the demo then prints both switches' remote
# tables (bridgectl fdb show) and the tunnel counters.  Everything it
# creates is named vxd*/vxdemo*, and removed on exit, also on failure or
# Ctrl-C.  (A VM behind one side, as the issue sketches, is not part of
# it yet.)
set -u

BUILD=${1:-build}
BIN=$(cd "$BUILD/bin" 2>/dev/null && pwd) ||
	{ echo "demo: no $BUILD/bin: run 'make' first" >&2; exit 1; }
NSS="vxdemoa vxdemob vxdemoh1 vxdemoh2"
DIR=
PIDS=

cleanup() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for n in $NSS; do ip netns del "$n" 2>/dev/null; done
	[ -n "$DIR" ] && rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$(id -u)" != 0 ]; then
	echo "demo: must run as root (it creates TAPs and network namespaces)" >&2
	exit 1
fi
die() { echo "demo: FAILED: $*" >&2; exit 1; }
step() { echo; echo "== $*"; }

DIR=$(mktemp -d /tmp/vxlan-demo.XXXXXX)
for n in $NSS; do
	ip netns del "$n" 2>/dev/null
	ip netns add "$n" || die "netns add $n"
	ip -n "$n" link set lo up
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
done
ip link add vxdu1 netns vxdemoa type veth peer name vxdu2 netns vxdemob ||
	die "underlay veth"
ip -n vxdemoa addr add 10.10.0.1/24 dev vxdu1
ip -n vxdemob addr add 10.10.0.2/24 dev vxdu2
ip -n vxdemoa link set vxdu1 up
ip -n vxdemob link set vxdu2 up

ctl() { local h=$1; shift; VSWITCHD_SOCKET=$DIR/$h.sock "$BIN/bridgectl" "$@"; }
for h in 1 2; do
	ns=vxdemo$(echo ab | cut -c$h)
	self=10.10.0.$h other=10.10.0.$((3 - h))
	step "host $h ($ns, underlay $self): vswitchd, bridge vxdbr0, TAP vxdt$h, vxlan vxd0 -> $other"
	ip netns exec "$ns" "$BIN/vswitchd" --socket "$DIR/$h.sock" \
		--config "$DIR/$h.json" -l warn 2>>"$DIR/$h.log" &
	PIDS="$PIDS $!"
	for _ in $(seq 100); do
		ctl $h info >/dev/null 2>&1 && break
		sleep 0.05
	done
	ctl $h link add vxdbr0 type bridge || die "bridge on host $h"
	ctl $h link set vxdbr0 up || die "bridge up on host $h"
	ctl $h port add vxdbr0 vxdt$h type tap || die "TAP on host $h"
	ctl $h port add vxdbr0 vxd0 type vxlan vni 42 local "$self" \
		remote "$other" || die "vxlan port on host $h"
	echo "bridgectl port add vxdbr0 vxd0 type vxlan vni 42 local $self remote $other"
	ip -n "$ns" link set vxdt$h netns vxdemoh$h || die "move vxdt$h"
	ip -n vxdemoh$h addr add 192.168.50.$h/24 dev vxdt$h
	ip -n vxdemoh$h link set vxdt$h up
done

step "ping across the tunnel"
ip netns exec vxdemoh1 ping -n -c 3 -i 0.2 -W 2 192.168.50.2 ||
	die "vxdemoh1 cannot reach 192.168.50.2"
ip netns exec vxdemoh2 ping -n -c 3 -i 0.2 -W 2 192.168.50.1 ||
	die "vxdemoh2 cannot reach 192.168.50.1"

for h in 1 2; do
	step "host $h: bridgectl fdb show dev vxd0 (remote VTEPs), stats vxd0"
	ctl $h fdb show dev vxd0
	ctl $h stats vxd0
done
echo
echo "demo: the two hosts share one layer-2 segment over VXLAN"
