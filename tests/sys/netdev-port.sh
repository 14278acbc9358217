#!/bin/bash
# netdev-port.sh - existing interfaces as bridge ports (the "netdev" class),
# end to end (root).  vswitchd runs on a socket and configuration in a
# temporary directory.  Two namespaces, ndns1 and ndns2, each hold one end
# of a veth pair (ndp1, ndp2); the other ends (ndv1, ndv2) become ports of
# bridge ndbr0, and so does a macvlan (ndmv0, passthru) on a third veth
# (ndv3) whose peer is in ndns3.  (No dummy: this test kernel has no dummy
# driver, nor 8021q, so tagged frames are written by netdev-vlan.py.)
# Checks:
#   1. "brctl addif" and "link set DEV master BR" of an existing device
#      choose the netdev type; the port's MAC and ifindex are the
#      device's; the device is promiscuous (ip -d link: promiscuity)
#      while attached;
#   2. pings both ways, untagged, with ndv1 on the receive ring and ndv2
#      re-added on the recvmmsg path (io socket); stats show each mode;
#      pings through the macvlan port;
#   2b. TCP through, which needs the checksums a veth peer leaves to
#      offload finished by the port; 2 MB with TSO/GSO off on the peers;
#   3. VLAN filtering with tagged frames both ways: veth passes the tag
#      beside the frame, so they leave tagged only if the port put the
#      tag back;
#   4. carrier: the peer set down turns the port's carrier off and the
#      ping fails; up again, it resumes;
#   5. promiscuity back to what it was after "port del", after kill -9 and
#      after SIGTERM;
#   6. kill -9 and restart: the netdev ports come back from the saved
#      configuration and pings resume;
#   7. bad input (missing device, loopback, a bridge device, our own TAP
#      port, the same TAP renamed, a kernel bridge's port) refused with a clear error, the daemon
#      alive and the configuration unchanged.
# Everything is named nd*, and removed on exit, also on failure.
. "$(dirname "$0")/ctl-lib.sh"

NSS="ndns1 ndns2 ndns3"
DEVS="ndmv0 ndv1 ndv2 ndv3 ndv4 ndtap0 ndtapr ndbr0 ndkbr"
if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ]; then
	echo "netdev-port.sh: NOT RUN: needs root and /dev/net/tun" >&2
	exit 1
fi
for tool in ip ping python3 ethtool; do
	command -v $tool >/dev/null ||
		{ echo "netdev-port.sh: NOT RUN: '$tool' missing (make deps)" >&2; exit 1; }
done
nd_cleanup() {
	for n in $NSS; do ip netns del "$n" 2>/dev/null; done
	for d in $DEVS; do ip link del "$d" 2>/dev/null; done
	ctl_cleanup
}
trap nd_cleanup EXIT
# Whatever an interrupted earlier run left.
for n in $NSS; do ip netns del "$n" 2>/dev/null; done
for d in $DEVS; do ip link del "$d" 2>/dev/null; done

C="$BIN/bridgectl"
B="$BIN/brctl"
run() { "$@" >/dev/null || fail "setup: '$*' failed"; }
ping_ok() { ip netns exec "$1" ping -n -q -c 2 -i 0.2 -W 2 "$2" >/dev/null 2>&1; }
ping_none() { ! ip netns exec "$1" ping -n -q -c 2 -i 0.2 -W 1 "$2" >/dev/null 2>&1; }
wait_for() { for _ in $(seq 50); do "$@" && return 0; sleep 0.1; done; return 1; }
promisc() { ip -d link show "$1" | sed -n 's/.* promiscuity \([0-9]*\) .*/\1/p'; }
port_field() { # port_field DEV KEY: a member of the port's port.show object
	"$C" -j port show "$1" 2>/dev/null | python3 -c \
		"import json,sys; print(json.load(sys.stdin)[0]$2)" 2>/dev/null
}
stat_of() { # stat_of DEV KEY: one of the port's netdev counters
	"$C" -j stats "$1" 2>/dev/null | python3 -c "
import json, sys
for b in json.load(sys.stdin):
    for p in b['ports']:
        if p['name'] == '$1': print(p['netdev']['$2'])" 2>/dev/null
}
carrier_is() { [ "$(port_field "$1" "['carrier']")" = "$2" ]; }

# The devices.  The host stack stays off the root-side ends: no address,
# no IPv6 (docs/architecture.md, "Existing interfaces").
for i in 1 2 3; do
	ip netns add ndns$i || fail "netns add ndns$i"
	ip link add ndv$i type veth peer name ndp$i netns ndns$i ||
		{ echo "netdev-port.sh: cannot create veths" >&2; exit 1; }
	sysctl -qw net.ipv6.conf.ndv$i.disable_ipv6=1
	ip link set ndv$i up
	ip netns exec ndns$i sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 \
		net.ipv4.conf.all.arp_ignore=1
	ip -n ndns$i addr add 10.97.0.$i/24 dev ndp$i
	ip -n ndns$i link set ndp$i up
done
# A macvlan in passthru mode on ndv3 reaches ndns3 through ndv3.
ip link add ndmv0 link ndv3 type macvlan mode passthru ||
	fail "cannot create a macvlan device"
sysctl -qw net.ipv6.conf.ndmv0.disable_ipv6=1
ip link set ndmv0 up
declare -A BASE		# each device's promiscuity before we attach
for d in ndv1 ndv2 ndmv0; do BASE[$d]=$(promisc $d); done

start_daemon
run "$B" addbr ndbr0
run "$C" link set ndbr0 up

# 1. The type is chosen from the device; MAC and promiscuity.
"$B" addif ndbr0 ndv1 || fail "brctl addif ndbr0 ndv1"
"$C" link set dev ndv2 master ndbr0 || fail "link set dev ndv2 master ndbr0"
"$B" addif ndbr0 ndmv0 || fail "brctl addif ndbr0 ndmv0"
for d in ndv1 ndv2 ndmv0; do
	t=$(port_field $d "['type']")
	[ "$t" = netdev ] && ok || fail "$d: type '$t', want netdev"
	i=$(port_field $d "['ifindex']")
	[ "$i" = "$(cat /sys/class/net/$d/ifindex)" ] && ok ||
		fail "$d: port ifindex '$i' is not the device's"
	m=$(port_field $d "['mac']")
	[ "$m" = "$(cat /sys/class/net/$d/address)" ] && ok ||
		fail "$d: port MAC $m is not the device's"
	[ "$(promisc $d)" = $((BASE[$d] + 1)) ] && ok ||
		fail "$d: promiscuity $(promisc $d) while attached"
done

# 2. Pings, ring on ndv1; then ndv2 on the recvmmsg path.
wait_for ping_ok ndns1 10.97.0.2 && ok || fail "ping ndns1 -> ndns2 (ring)"
ping_ok ndns2 10.97.0.1 && ok || fail "ping ndns2 -> ndns1 (ring)"
ping_ok ndns1 10.97.0.3 && ok || fail "ping ndns1 -> ndns3 (macvlan)"
ping_ok ndns3 10.97.0.2 && ok || fail "ping ndns3 -> ndns2 (macvlan)"
[ "$(stat_of ndv1 ring_mode)" = 1 ] && ok || fail "ndv1 not in ring mode"
[ "$(stat_of ndv1 rx_frames)" -gt 0 ] 2>/dev/null && ok ||
	fail "ndv1: rx_frames '$(stat_of ndv1 rx_frames)'"
run "$C" port del ndv2
run "$C" port add ndbr0 ndv2 type netdev io socket
[ "$(stat_of ndv2 ring_mode)" = 0 ] && ok || fail "ndv2 not in socket mode"
wait_for ping_ok ndns1 10.97.0.2 && ok || fail "ping ndns1 -> ndns2 (socket)"
ping_ok ndns2 10.97.0.1 && ok || fail "ping ndns2 -> ndns1 (socket)"
[ "$(stat_of ndv2 tx_frames)" -gt 0 ] 2>/dev/null && ok ||
	fail "ndv2: tx_frames '$(stat_of ndv2 tx_frames)'"
[ "$(stat_of ndv1 rx_outgoing)" = 0 ] && ok ||
	fail "ndv1 read back $(stat_of ndv1 rx_outgoing) of its own frames"

# 2b. TCP.  The peers hand their segments over with checksum offload, so
# they arrive with TP_STATUS_CSUMNOTREADY and pass only if the port
# finishes the checksum; a short exchange fits one segment each way.  Bulk
# data needs TSO/GSO off on the senders (docs/architecture.md).
tcp_through() { # tcp_through BYTES: ndns1 sends, ndns2 counts
	ip netns exec ndns2 python3 -c "
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('10.97.0.2', 5001)); s.listen(1); s.settimeout(5)
c, _ = s.accept(); c.settimeout(5); n = 0
while True:
    d = c.recv(65536)
    if not d: break
    n += len(d)
print(n)" >"$T/tcp" 2>/dev/null &
	local spid=$!
	sleep 0.3
	ip netns exec ndns1 timeout 10 python3 -c "
import socket
s = socket.create_connection(('10.97.0.2', 5001), timeout=5)
s.sendall(b'x' * $1); s.close()" 2>/dev/null
	wait $spid
	[ "$(cat "$T/tcp")" = "$1" ]
}
tcp_through 1000 && ok || fail "TCP, 1000 bytes: '$(cat "$T/tcp")' arrived"
[ "$(stat_of ndv1 rx_csum_completed)" -gt 0 ] 2>/dev/null && ok ||
	fail "ndv1: no checksum completed"
for i in 1 2; do ip netns exec ndns$i ethtool -K ndp$i tso off gso off; done
tcp_through 2000000 && ok || fail "TCP, 2 MB: '$(cat "$T/tcp")' arrived"

# 3. Tagged frames under VLAN filtering, both ways (ring and recvmmsg
# path): the veth hands the tag beside the frame, so they arrive tagged in
# VLAN 10 only if the port put the tag back; without it they would be
# classified untagged (VLAN 1) and leave untagged.
V="python3 $(dirname "$0")/netdev-vlan.py"
run "$C" vlan add dev ndv1 vid 10
run "$C" vlan add dev ndv2 vid 10
run "$C" link set ndbr0 type bridge vlan_filtering 1
vlan_through() { # vlan_through FROM-NS FROM-DEV TO-NS TO-DEV
	ip netns exec "$3" $V recv "$4" 02:00:00:00:0a:0a >"$T/vlan" &
	local rpid=$!
	sleep 0.5
	ip netns exec "$1" $V send "$2" 10 02:00:00:00:0a:0a
	wait $rpid
	[ "$(cat "$T/vlan")" = 10 ]
}
vlan_through ndns1 ndp1 ndns2 ndp2 && ok ||
	fail "VLAN 10 frame ndns1 -> ndns2 arrived as '$(cat "$T/vlan")'"
vlan_through ndns2 ndp2 ndns1 ndp1 && ok ||
	fail "VLAN 10 frame ndns2 -> ndns1 arrived as '$(cat "$T/vlan")'"
[ "$(stat_of ndv1 rx_vlan_restored)" -gt 0 ] 2>/dev/null && ok ||
	fail "ndv1: no tag restored (ring)"
[ "$(stat_of ndv2 rx_vlan_restored)" -gt 0 ] 2>/dev/null && ok ||
	fail "ndv2: no tag restored (socket)"
ping_ok ndns1 10.97.0.2 && ok || fail "untagged ping under filtering"
run "$C" link set ndbr0 type bridge vlan_filtering 0

# 4. Carrier follows the device.
ip -n ndns2 link set ndp2 down
wait_for carrier_is ndv2 False && ok || fail "ndv2: carrier still on, peer down"
ping_none ndns1 10.97.0.2 && ok || fail "ping through a port without carrier"
ip -n ndns2 link set ndp2 up
wait_for carrier_is ndv2 True && ok || fail "ndv2: carrier still off, peer up"
wait_for ping_ok ndns1 10.97.0.2 && ok || fail "ping after carrier back"
ip link set ndmv0 down
wait_for carrier_is ndmv0 False && ok || fail "ndmv0: carrier on while down"
ip link set ndmv0 up
wait_for carrier_is ndmv0 True && ok || fail "ndmv0: carrier off while up"

# 5a. port del gives promiscuity back.
run "$C" port del ndmv0
[ "$(promisc ndmv0)" = "${BASE[ndmv0]}" ] && ok ||
	fail "ndmv0: promiscuity $(promisc ndmv0) after port del, was ${BASE[ndmv0]}"
run "$B" addif ndbr0 ndmv0

# 6. kill -9: promiscuity back at once (5b); restart re-attaches.
kill_daemon
for d in ndv1 ndv2 ndmv0; do
	[ "$(promisc $d)" = "${BASE[$d]}" ] && ok ||
		fail "$d: promiscuity $(promisc $d) after kill -9, was ${BASE[$d]}"
done
start_daemon
for d in ndv1 ndv2 ndmv0; do
	[ "$(port_field $d "['type']")" = netdev ] && ok ||
		fail "$d: not re-attached after restart"
	[ "$(promisc $d)" = $((BASE[$d] + 1)) ] && ok ||
		fail "$d: promiscuity $(promisc $d) after restart"
done
[ "$(port_field ndv2 "['args']['io']")" = socket ] && ok ||
	fail "ndv2: io socket not kept across restart"
wait_for ping_ok ndns1 10.97.0.2 && ok || fail "ping after restart"
ping_ok ndns2 10.97.0.1 && ok || fail "ping back after restart"

# 7. Bad input: clear errors, daemon alive, configuration unchanged.
run "$C" port add ndbr0 ndtap0 type tap
cp "$CONF" "$T/conf-before"
bad() { # bad WHAT EXPECTED-MESSAGE CMD...
	local what=$1 want=$2
	shift 2
	if "$@" >/dev/null 2>"$T/err"; then
		fail "$what: accepted"
	elif grep -qF -- "$want" "$T/err"; then
		ok
	else
		fail "$what: message '$(cat "$T/err")', want '$want'"
	fi
}
bad "missing device" "interface ndnone does not exist" \
	"$C" port add ndbr0 ndnone type netdev
bad "loopback" "lo is a loopback device; it cannot be a bridge port" \
	"$C" port add ndbr0 lo type netdev
bad "brctl loopback" "can't add lo to bridge ndbr0: Invalid argument" \
	"$B" addif ndbr0 lo
bad "bridge device" "device ndbr0 is a bridge device itself" \
	"$C" port add ndbr0 ndbr0 type netdev
bad "own TAP" "device ndtap0 is already a member of a bridge" \
	"$C" port add ndbr0 ndtap0 type netdev
ip link add ndv4 type veth peer name ndp4 && ip link add ndkbr type bridge &&
	ip link set ndv4 master ndkbr || fail "cannot enslave ndv4 to a kernel bridge"
bad "kernel bridge port" "ndv4 already has a master (ndkbr)" \
	"$C" port add ndbr0 ndv4 type netdev
ip link set ndtap0 down && ip link set ndtap0 name ndtapr ||
	fail "cannot rename ndtap0"
bad "own TAP renamed" "ndtapr is a TAP device of this vswitchd" \
	"$C" port add ndbr0 ndtapr type netdev
alive && ok || fail "vswitchd died on bad input"
cmp -s "$T/conf-before" "$CONF" && ok ||
	{ fail "configuration changed by refused requests:"; diff "$T/conf-before" "$CONF" >&2; }

# 5c. SIGTERM: promiscuity back too.
kill -TERM "$VSWITCHD_PID"
wait "$VSWITCHD_PID" 2>/dev/null
VSWITCHD_PID=
for d in ndv1 ndv2 ndmv0; do
	[ "$(promisc $d)" = "${BASE[$d]}" ] && ok ||
		fail "$d: promiscuity $(promisc $d) after SIGTERM, was ${BASE[$d]}"
done
finish
