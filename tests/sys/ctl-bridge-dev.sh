#!/bin/bash
# ctl-bridge-dev.sh - every bridge has its bridge device, as the kernel's:
# a bridge made by brctl addbr or bridgectl link add has a netdev of its
# name carrying the bridge MAC, up and down with the bridge; the host can
# put an address on it, a namespace host behind a port pings that address,
# and a broadcast from a port reaches it (tcpdump on the device).  After
# kill -9 and a restart the device is back; deleting the bridge removes it.
# Needs root, /dev/net/tun and tcpdump; names start "bdv".
. "$(dirname "$0")/ctl-lib.sh"

if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ]; then
	echo "ctl-bridge-dev.sh: NOT RUN: needs root and /dev/net/tun" >&2
	exit 1
fi
NS=bdvns1
bdv_cleanup() {
	[ -n "${DUMP_PID:-}" ] && kill "$DUMP_PID" 2>/dev/null
	ip netns del $NS 2>/dev/null
	for d in bdv0 bdv1 bdvt1; do
		ip link del "$d" 2>/dev/null
	done
	ctl_cleanup
}
trap bdv_cleanup EXIT

C="$BIN/bridgectl"
# link_flag DEV: "up" or "down", as the netdev's IFF_UP says.
link_flag() {
	ip -j link show "$1" 2>/dev/null | python3 -c '
import json, sys
l = json.load(sys.stdin)[0]
print("up" if "UP" in l["flags"] else "down")'
}
dev_mac() { ip -j link show "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])'; }
br_mac() { "$C" -j link show "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])'; }

start_daemon

# 1. Both ways of making a bridge make its device.
"$BIN/brctl" addbr bdv0 || fail "brctl addbr"
"$C" link add bdv1 type bridge || fail "link add"
for b in bdv0 bdv1; do
	ip -d link show "$b" 2>/dev/null | grep -q "tun type tap" && ok ||
		fail "$b: no bridge device ($(ip -d link show "$b" 2>&1 | head -3))"
done

# 2. Up and down with the bridge.
"$C" link set bdv0 up || fail "link set up"
[ "$(link_flag bdv0)" = up ] && ok || fail "bdv0 not up after link set up"
"$C" link set bdv0 down || fail "link set down"
[ "$(link_flag bdv0)" = down ] && ok || fail "bdv0 still up after link set down"
"$C" link set bdv0 up || fail "link set up again"

# 3. An address on it, and a port whose host lives in a namespace.
ip addr add 10.77.0.1/24 dev bdv0 && ok || fail "ip addr add on bdv0"
"$BIN/brctl" addif bdv0 bdvt1 || fail "addif bdvt1"
ip netns add $NS || fail "netns add"
ip link set bdvt1 netns $NS || fail "move bdvt1"
ip -n $NS addr add 10.77.0.2/24 dev bdvt1
ip -n $NS link set bdvt1 up
ip -n $NS link set lo up
[ "$(dev_mac bdv0)" = "$(br_mac bdv0)" ] && ok ||
	fail "bdv0 has MAC $(dev_mac bdv0), the bridge $(br_mac bdv0)"

# 4. The namespace host pings the bridge's address (ARP broadcast to the
# device, unicast replies back through the bridge).
ip netns exec $NS ping -c 3 -i 0.2 -W 2 10.77.0.1 >"$T/ping" 2>&1 && ok ||
	fail "ping of the bridge address: $(tail -3 "$T/ping")"

# 5. A broadcast from the port reaches the device.
tcpdump -i bdv0 -n -l -c 1 'arp and dst host 10.77.0.99' >"$T/dump" 2>/dev/null &
DUMP_PID=$!
sleep 1
ip netns exec $NS ping -c 2 -W 1 10.77.0.99 >/dev/null 2>&1
for _ in $(seq 30); do kill -0 $DUMP_PID 2>/dev/null || break; sleep 0.1; done
kill $DUMP_PID 2>/dev/null
wait $DUMP_PID 2>/dev/null
DUMP_PID=
grep -q "Request who-has 10.77.0.99" "$T/dump" && ok ||
	fail "no ARP broadcast seen on bdv0: $(cat "$T/dump")"

# The listings number the bridge and a TAP port by their ifindex, as ip
# link does: the bridge's in this namespace, the port's in its own.
want="$(cat /sys/class/net/bdv0/ifindex): bdv0: "
"$C" link show bdv0 | head -1 | grep -q "^$want" && ok ||
	fail "link show bdv0: '$("$C" link show bdv0 | head -1)', want '$want...'"
want=$(ip -n $NS -j link show bdvt1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["ifindex"])')
got=$("$C" -j link show bdvt1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0].get("ifindex"))')
[ "$got" = "$want" ] && ok || fail "bdvt1 ifindex: $got, in its namespace $want"

# 6. After kill -9 and a restart the device is back, up, with the MAC.
mac_before=$(br_mac bdv0)
kill_daemon
ip link show bdv0 >/dev/null 2>&1 && fail "bdv0 outlived its daemon" || ok
start_daemon
ip -d link show bdv0 2>/dev/null | grep -q "tun type tap" && ok ||
	fail "bdv0 not back after restart"
[ "$(link_flag bdv0)" = up ] && ok || fail "bdv0 not up after restart"
[ "$(br_mac bdv0)" = "$mac_before" ] && [ "$(dev_mac bdv0)" = "$mac_before" ] &&
	ok || fail "MAC after restart: bridge $(br_mac bdv0), device $(dev_mac bdv0), was $mac_before"

# 7. Deleting the bridge removes the device.
"$C" link set bdv1 down
"$BIN/brctl" delbr bdv1 || fail "delbr bdv1"
ip link show bdv1 >/dev/null 2>&1 && fail "bdv1 left behind" || ok
finish
