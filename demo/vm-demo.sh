#!/bin/bash
# vm-demo.sh - a VM on the switch: vswitchd with bridge demovmbr0, a
# network-namespace host on a TAP port (10.254.0.1/24), and the project's
# test guest started by the VMM with '--net demovmbr0' (its virtio-net
# rings served by vswitchd over vhost-user) answering ARP and ping at
# 10.254.0.2.  The host pings the VM; then the demo shows the VM's port in
# brctl show, the learned MACs and the port counters.
#
# Usage: demo/vm-demo.sh [BUILD-DIR]     (as root, with a KVM that runs the
#        test guest: 'make demo' runs it through tests/kvm/kvm-run.sh, in
#        the nested outer host when this machine has none)
# DEMO_GUEST=FILE boots FILE instead of the test guest.  A step that fails
# ends the demo with a non-zero exit and its reason on the terminal (the
# VMM's own error line included).
# Everything it creates is named demovm*, and removed on exit.
set -u

BUILD=${1:-build}
BIN=$(cd "$BUILD/bin" 2>/dev/null && pwd) ||
	{ echo "demo: no $BUILD/bin: run 'make' first" >&2; exit 1; }
GUEST=${DEMO_GUEST:-$BUILD/tests/guest/guest.elf}
DIR=
PID=
VM=
. "$(dirname "$0")/demo-lib.sh"

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

[ "$(id -u)" = 0 ] || die "must run as root (TAPs, namespaces, KVM)"
ip netns del demovmns 2>/dev/null	# a leftover of an interrupted run
DIR=$(mktemp -d /tmp/demovm.XXXXXX)
export VSWITCHD_SOCKET=$DIR/vswitchd.sock

step "vswitchd, bridge demovmbr0, a namespace host on TAP port demovmtap"
"$BIN/vswitchd" --socket "$VSWITCHD_SOCKET" --config "$DIR/config.json" \
	-l warn 2>"$DIR/vswitchd.log" &
PID=$!
for _ in $(seq 100); do "$BIN/bridgectl" info >/dev/null 2>&1 && break; sleep 0.05; done
"$BIN/bridgectl" info >/dev/null 2>&1 || die "vswitchd did not start" "$DIR/vswitchd.log"
show "$BIN/bridgectl" link add demovmbr0 type bridge
show "$BIN/bridgectl" link set demovmbr0 up
show "$BIN/bridgectl" port add demovmbr0 demovmtap type tap
must ip netns add demovmns
must ip link set demovmtap netns demovmns
must ip -n demovmns link set lo up
must ip -n demovmns link set demovmtap up
must ip -n demovmns addr add 10.254.0.1/24 dev demovmtap

step "vmm run --net demovmbr0 --name demovm1 (test guest answering at 10.254.0.2)"
echo "\$ vmm run --kernel $GUEST --mem 32M --name demovm1 --mac 02:00:00:de:00:01 --net demovmbr0 --cmdline ip=10.254.0.2"
timeout 120 "$BIN/vmm" run --kernel "$GUEST" --mem 32M --name demovm1 \
	--mac 02:00:00:de:00:01 --net demovmbr0 --cmdline "ip=10.254.0.2" \
	--serial "$DIR/vm.out" 2>"$DIR/vm.log" &
VM=$!
# Up to 30 s: under the nested outer host the guest starts more slowly.
for _ in $(seq 300); do
	grep -q "guest: net mode" "$DIR/vm.out" 2>/dev/null && break
	kill -0 "$VM" 2>/dev/null || break
	sleep 0.1
done
if ! grep -q "guest: net mode" "$DIR/vm.out" 2>/dev/null; then
	if kill -0 "$VM" 2>/dev/null; then
		die "the VM did not reach its network mode in 30 s" "$DIR/vm.log"
	fi
	wait "$VM"
	st=$?
	VM=
	die "the VMM exited with status $st before the guest was up" "$DIR/vm.log"
fi
grep "guest: net\|virtio-net: mac" "$DIR/vm.out"

step "the namespace host pings the VM through vswitchd"
show ip netns exec demovmns ping -n -c 3 -i 0.2 -W 2 10.254.0.2

step "brctl show: the VM's port is named after the VM"
show "$BIN/brctl" show demovmbr0
step "brctl showmacs demovmbr0"
show "$BIN/brctl" showmacs demovmbr0
step "bridgectl stats demovmbr0"
show "$BIN/bridgectl" stats demovmbr0

step "stopping the VM removes its port"
kill "$VM"; wait "$VM" 2>/dev/null; VM=
show "$BIN/brctl" show demovmbr0
if "$BIN/brctl" show demovmbr0 | grep -qw demovm1; then
	die "the VM's port demovm1 is still on the bridge" "$DIR/vswitchd.log"
fi
step "the VM answered every ping through the switch; tearing down"
