#!/bin/bash
# tap-bridge.sh - vswitchd with real TAP ports, end to end.
#
# Usage: tests/sys/tap-bridge.sh PATH/TO/vswitchd      (as root)
#
# vswitchd builds bridge vstbr0 (its host device is a TAP named vstbr0)
# with TAP ports vst1..vst3.  Each TAP, and the bridge device, is moved into
# a namespace of its own (vstns1..3, vstnsh) with an address in 10.250.0.0/24;
# all traffic stays inside those namespaces.  Checks:
#   1. ping between every pair of port namespaces and to the bridge device;
#   2. a port whose netdev goes down stops receiving: vswitchd notices (link
#      watcher, across namespaces) and writes nothing more to it, while the
#      other ports go on; it forwards again once the netdev is back up;
#   3. the bridge device down stops all forwarding (as the Linux bridge);
#   4. the TAPs vanish when vswitchd exits.
# Everything created is named vst*, and removed on exit, also on failure.
# Without root the test FAILS (it did not run).

set -u

VSWITCHD=${1:-build/bin/vswitchd}
NS="vstns1 vstns2 vstns3 vstnsh"
TMP=
PID=
fails=0
passes=0

say() { echo "tap-bridge: $*"; }
pass() { passes=$((passes + 1)); say "ok: $*"; }
fail() { fails=$((fails + 1)); say "FAIL: $*"; }

cleanup() {
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
	fi
	for n in $NS; do ip netns del "$n" 2>/dev/null; done
	for d in vst1 vst2 vst3 vstbr0; do ip link del "$d" 2>/dev/null; done
	[ -n "$TMP" ] && rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

. "$(dirname "$0")/preflight.sh"
preflight test "TAPs, namespaces" "$VSWITCHD" ip ping
cleanup			# leftovers of an earlier, killed run
TMP=$(mktemp -d /tmp/vsttest.XXXXXX)

# In namespace $1: ping $2, all of 3 echoes answered within 2 s each.
ping_ok() { ip netns exec "$1" ping -n -q -c 3 -i 0.2 -W 2 "$2" >/dev/null 2>&1; }
# In namespace $1: ping $2 must get no reply.
ping_none() { ! ip netns exec "$1" ping -n -q -c 2 -i 0.2 -W 1 "$2" >/dev/null 2>&1; }
# rx counters of netdev $2 in namespace $1 (frames written to its TAP fd).
rx_total() {
	local d=/sys/class/net/$2/statistics a b
	read -r a < <(ip netns exec "$1" cat $d/rx_packets)
	read -r b < <(ip netns exec "$1" cat $d/rx_dropped)
	echo $((a + b))
}
# Waits up to 5 s for $1 to succeed.
wait_for() {
	for _ in $(seq 50); do "$@" && return 0; sleep 0.1; done
	return 1
}
log_has() { grep -q -- "$1" "$TMP/vswitchd.log"; }

cat >"$TMP/setup" <<'EOF'
bridge add vstbr0
port add vstbr0 vst1 type tap
port add vstbr0 vst2 type tap
port add vstbr0 vst3 type tap
EOF
"$VSWITCHD" --script "$TMP/setup" --test-mode >"$TMP/vswitchd.log" 2>&1 &
PID=$!

if ! wait_for ip link show vst3 >/dev/null 2>&1 ||
   ! ip link show vstbr0 >/dev/null 2>&1; then
	say "FAILED: vswitchd did not create vstbr0, vst1..vst3; its log:"
	cat "$TMP/vswitchd.log"
	exit 1
fi

setup_ns() {	# namespace, device, address
	ip netns add "$1" &&
	ip link set dev "$2" netns "$1" &&
	ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1" &&
	ip -n "$1" link set lo up &&
	ip -n "$1" addr add "$3/24" dev "$2" &&
	ip -n "$1" link set dev "$2" up
}
for i in 1 2 3; do
	setup_ns vstns$i vst$i 10.250.0.$i || { fail "namespace vstns$i"; exit 1; }
done
setup_ns vstnsh vstbr0 10.250.0.254 || { fail "namespace vstnsh"; exit 1; }

# 1. Forwarding through vswitchd, both directions, and to the host port.
for pair in 1:2 1:3 2:3 3:1 2:254 3:254; do
	src=${pair%:*} dst=${pair#*:}
	if ping_ok vstns$src 10.250.0.$dst; then
		pass "ping vstns$src -> 10.250.0.$dst"
	else
		fail "ping vstns$src -> 10.250.0.$dst"
	fi
done
if ping_ok vstnsh 10.250.0.1; then pass "ping bridge device -> vstns1"
else fail "ping bridge device -> vstns1"; fi

# 2. vst3's netdev goes down: vswitchd must stop writing to it (a write to a
# down TAP would show in its rx_dropped counter) and keep forwarding
# between the others.
ip -n vstns3 link set dev vst3 down
if wait_for log_has "vst3: carrier off"; then
	pass "vst3 down noticed across namespaces"
else
	fail "vst3 down not noticed"
fi
before=$(rx_total vstns3 vst3)
ip netns exec vstns1 ping -n -q -b -c 5 -i 0.2 -W 1 10.250.0.255 >/dev/null 2>&1
ping_none vstns1 10.250.0.3
after=$(rx_total vstns3 vst3)
if [ "$before" = "$after" ]; then
	pass "nothing written to vst3 while down"
else
	fail "vst3 got $((after - before)) frames while down"
fi
if ping_ok vstns1 10.250.0.2; then pass "vstns1 -> vstns2 while vst3 down"
else fail "vstns1 -> vstns2 while vst3 down"; fi
ip -n vstns3 link set dev vst3 up
if wait_for log_has "vst3: carrier on" && ping_ok vstns1 10.250.0.3; then
	pass "vst3 forwards again once up"
else
	fail "vst3 does not forward after up"
fi

# 3. Bridge device down: no forwarding at all; up again: forwarding.
ip -n vstnsh link set dev vstbr0 down
wait_for log_has "vstbr0: carrier off"
if ping_none vstns1 10.250.0.2; then pass "no forwarding while vstbr0 down"
else fail "forwarding while vstbr0 down"; fi
ip -n vstnsh link set dev vstbr0 up
if wait_for ping_ok vstns1 10.250.0.2; then pass "forwarding after vstbr0 up"
else fail "no forwarding after vstbr0 up"; fi

# 4. Clean exit: the ports' TAPs stay where they are (persistent, for the
# next start to find again); the bridge device goes with the daemon.
kill "$PID"
wait "$PID"
rc=$?
PID=
[ "$rc" = 0 ] && pass "vswitchd exited 0" || fail "vswitchd exit status $rc"
kept=1
for i in 1 2 3; do
	ip -n vstns$i link show vst$i >/dev/null 2>&1 || kept=0
done
[ $kept = 1 ] && pass "port TAPs kept on exit" || fail "a port TAP went with the daemon"
if ip -n vstnsh link show vstbr0 >/dev/null 2>&1; then
	fail "bridge device vstbr0 left after exit"
else
	pass "bridge device removed on exit"
fi

if [ $fails != 0 ]; then
	say "vswitchd log:"
	sed 's/^/    /' "$TMP/vswitchd.log"
fi
say "$passes passed, $fails failed"
[ $fails = 0 ]
