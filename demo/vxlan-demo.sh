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
# tables (bridgectl fdb show) and the tunnel counters.  Where KVM runs
# the project's test guest (/dev/kvm usable, BUILD/bin/vmm and
# BUILD/tests/guest/guest.elf built: 'make demo-vxlan' builds them), a VM
# (vxdemovm, 192.168.50.3) joins host 2's bridge over vhost-user
# ('vmm run --net vxdbr0' against host 2's vswitchd) and host 1 pings it
# across the tunnel; without KVM the demo says so and goes on without it
# (DEMO_VM=0 leaves it out, DEMO_VM=1 makes a missing KVM an error).
# Everything it creates is named vxd*/vxdemo*, and removed on exit, also
# on failure or Ctrl-C.
set -u

BUILD=${1:-build}
BIN=$(cd "$BUILD/bin" 2>/dev/null && pwd) ||
	{ echo "demo: no $BUILD/bin: run 'make' first" >&2; exit 1; }
NSS="vxdemoa vxdemob vxdemoh1 vxdemoh2"
DIR=
PIDS=
VM=
VMM=$BIN/vmm
GUEST=$BUILD/tests/guest/guest.elf
DEMO_VM=${DEMO_VM:-auto}

cleanup() {
	[ -n "$VM" ] && kill "$VM" 2>/dev/null && wait "$VM" 2>/dev/null
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

# A VM behind host 2, where KVM allows.
vm_ok=
if [ "$DEMO_VM" != 0 ]; then
	if [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -x "$VMM" ] && [ -f "$GUEST" ]; then
		vm_ok=1
	elif [ "$DEMO_VM" = 1 ]; then
		die "DEMO_VM=1 but no usable /dev/kvm, $VMM or $GUEST"
	else
		step "NO VM: /dev/kvm, $VMM or $GUEST missing; the demo goes on without one"
	fi
fi
if [ -n "$vm_ok" ]; then
	step "host 2: a VM on vxdbr0 (vmm run --net vxdbr0, test guest at 192.168.50.3)"
	echo "\$ vmm run --kernel $GUEST --mem 32M --name vxdemovm --mac 02:00:00:de:50:03 --net vxdbr0 --cmdline ip=192.168.50.3"
	VSWITCHD_SOCKET=$DIR/2.sock timeout 120 "$VMM" run --kernel "$GUEST" \
		--mem 32M --name vxdemovm --mac 02:00:00:de:50:03 --net vxdbr0 \
		--cmdline "ip=192.168.50.3" --serial "$DIR/vm.out" \
		2>"$DIR/vm.log" &
	VM=$!
	for _ in $(seq 300); do
		grep -q "guest: net mode" "$DIR/vm.out" 2>/dev/null && break
		kill -0 "$VM" 2>/dev/null || break
		sleep 0.1
	done
	grep -q "guest: net mode" "$DIR/vm.out" 2>/dev/null ||
		die "the VM did not reach its network mode: $(tail -5 "$DIR/vm.log")"
	step "host 1's namespace host pings the VM behind host 2, across the tunnel"
	ip netns exec vxdemoh1 ping -n -c 3 -i 0.2 -W 2 192.168.50.3 ||
		die "vxdemoh1 cannot reach the VM at 192.168.50.3"
fi

for h in 1 2; do
	step "host $h: bridgectl fdb show dev vxd0 (remote VTEPs), stats vxd0"
	ctl $h fdb show dev vxd0
	ctl $h stats vxd0
done
echo
echo "demo: the two hosts share one layer-2 segment over VXLAN"
