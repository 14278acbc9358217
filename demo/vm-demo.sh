#!/bin/bash
# vm-demo.sh - a VM on the switch: vswitchd with bridge demovmbr0, a
# network-namespace host on a TAP port (10.254.0.1/24), and the project's
# test guest started by the VMM with '--net demovmbr0' (its virtio-net
# rings served by vswitchd over vhost-user) answering ARP and ping at
# 10.254.0.2.  The host pings the VM; then the demo shows the VM's port in
# brctl show, the learned MACs and the port counters.
#
# Usage: demo/vm-demo.sh [BUILD-DIR]     (as root, with /dev/kvm; default build)
# Everything it creates is named demovm*, and removed on exit.
set -u

BUILD=${1:-build}
BIN=$(cd "$BUILD/bin" 2>/dev/null && pwd) ||
	{ echo "demo: no $BUILD/bin: run 'make' first" >&2; exit 1; }
GUEST=$BUILD/tests/guest/guest.elf
DIR=
PID=
VM=

cleanup() {
	[ -n "$VM" ] && kill "$VM" 2>/dev/null && wait "$VM" 2>/dev/null
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill "$PID"
		wait "$PID" 2>/dev/null
	fi
	ip netns del demovmns 2>/dev/null
	[ -n "$DIR" ] && rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || { echo "demo: must run as root" >&2; exit 1; }
[ -f "$GUEST" ] || { echo "demo: no test guest at $GUEST: run 'make'" >&2; exit 1; }
DIR=$(mktemp -d /tmp/demovm.XXXXXX)
export VSWITCHD_SOCKET=$DIR/vswitchd.sock
step() { echo; echo "### $*"; }

step "vswitchd, bridge demovmbr0, a namespace host on TAP port demovmtap"
"$BIN/vswitchd" --socket "$VSWITCHD_SOCKET" --config "$DIR/config.json" \
	-l warn 2>"$DIR/vswitchd.log" &
PID=$!
for _ in $(seq 100); do "$BIN/bridgectl" info >/dev/null 2>&1 && break; sleep 0.05; done
"$BIN/bridgectl" link add demovmbr0 type bridge
"$BIN/bridgectl" link set demovmbr0 up
"$BIN/bridgectl" port add demovmbr0 demovmtap type tap
ip netns add demovmns
ip link set demovmtap netns demovmns
ip -n demovmns link set lo up
ip -n demovmns link set demovmtap up
ip -n demovmns addr add 10.254.0.1/24 dev demovmtap

step "vmm run --net demovmbr0 --name demovm1 (test guest answering at 10.254.0.2)"
echo "+ vmm run --kernel $GUEST --mem 32M --name demovm1 --mac 02:00:00:de:00:01 --net demovmbr0 --cmdline ip=10.254.0.2"
timeout 120 "$BIN/vmm" run --kernel "$GUEST" --mem 32M --name demovm1 \
	--mac 02:00:00:de:00:01 --net demovmbr0 --cmdline "ip=10.254.0.2" \
	--serial "$DIR/vm.out" 2>"$DIR/vm.log" &
VM=$!
for _ in $(seq 100); do grep -q "guest: net mode" "$DIR/vm.out" 2>/dev/null && break; sleep 0.1; done
grep "guest: net\|virtio-net: mac" "$DIR/vm.out"

step "the namespace host pings the VM through vswitchd"
ip netns exec demovmns ping -n -c 3 -i 0.2 10.254.0.2

step "brctl show: the VM's port is named after the VM"
"$BIN/brctl" show demovmbr0
step "brctl showmacs demovmbr0"
"$BIN/brctl" showmacs demovmbr0
step "bridgectl stats demovmbr0"
"$BIN/bridgectl" stats demovmbr0

step "stopping the VM removes its port"
kill "$VM"; wait "$VM" 2>/dev/null; VM=
"$BIN/brctl" show demovmbr0
