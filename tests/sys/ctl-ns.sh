#!/bin/bash
# ctl-ns.sh - bridgectl/brctl against real TAPs in network namespaces, end
# to end (root).  vswitchd runs on a socket and configuration in a
# temporary directory; "brctl addif ctnbr0 ctn1 ctn2 ctn3" creates three
# TAP ports, each moved into its own namespace (ctnns1..3) with an address
# in 10.251.0.0/24.  Checks:
#   1. every namespace pings the two others;
#   2. brctl showmacs lists each namespace's MAC on its TAP's port number
#      (as bridgectl port show gives it);
#   3. bridgectl capture writes a pcap that tcpdump reads, with the ICMP
#      echo request and reply of a ping;
#   4. bridgectl monitor fdb prints the learn events of a ping, and the
#      removals of a flush with a "Deleted" prefix;
#   5. VLAN filtering: ctn1 and ctn2 in VLAN 10, ctn3 in VLAN 20 (PVID,
#      untagged): ctn1 <-> ctn2 works, ctn1 -> ctn3 does not;
#   6. carrier off on ctn3 (ip link set down in its namespace): its learned
#      entries leave showmacs, and frames to it are no longer sent;
#   7. "link set ctn2 master ctnbr1" moves the port to another bridge, as
#      the kernel does, keeping its TAP.
# Everything is named ctn*, and removed on exit, also on failure.
. "$(dirname "$0")/ctl-lib.sh"

NSS="ctnns1 ctnns2 ctnns3"
MONPID=
if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ]; then
	echo "ctl-ns.sh: NOT RUN: needs root and /dev/net/tun" >&2
	exit 1
fi
for tool in ip ping tcpdump python3; do
	command -v $tool >/dev/null ||
		{ echo "ctl-ns.sh: NOT RUN: '$tool' missing (make deps)" >&2; exit 1; }
done
ns_cleanup() {
	[ -n "$MONPID" ] && kill "$MONPID" 2>/dev/null && wait "$MONPID" 2>/dev/null
	for n in $NSS; do ip netns del "$n" 2>/dev/null; done
	for d in ctn1 ctn2 ctn3 ctnbr0 ctnbr1; do ip link del "$d" 2>/dev/null; done
	ctl_cleanup
}
trap ns_cleanup EXIT
for n in $NSS; do ip netns del "$n" 2>/dev/null; done	# an earlier run

C="$BIN/bridgectl"
B="$BIN/brctl"
start_daemon
expect_caps_dropped "TAP ports with capabilities dropped"

run() { "$@" >/dev/null || fail "setup: '$*' failed"; }
run "$B" addbr ctnbr0
run "$C" link set ctnbr0 up
run "$B" addif ctnbr0 ctn1 ctn2 ctn3
for i in 1 2 3; do
	ip netns add ctnns$i || fail "netns add ctnns$i"
	# No IPv6 chatter (MLD, router solicitations) in the captures.
	ip netns exec ctnns$i sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip link set ctn$i netns ctnns$i || fail "move ctn$i"
	ip -n ctnns$i addr add 10.251.0.$i/24 dev ctn$i
	ip -n ctnns$i link set ctn$i up
	ip -n ctnns$i link set lo up
done

ping_ok() { ip netns exec "$1" ping -n -q -c 2 -i 0.2 -W 2 "$2" >/dev/null 2>&1; }
ping_none() { ! ip netns exec "$1" ping -n -q -c 2 -i 0.2 -W 1 "$2" >/dev/null 2>&1; }
mac_of() { ip -n ctnns$1 -br link show ctn$1 | awk '{print $3}'; }
port_no_of() { "$C" port show "$1" | sed -n 's/.* port \([0-9]*\) .*/\1/p'; }
wait_for() { for _ in $(seq 50); do "$@" && return 0; sleep 0.1; done; return 1; }

# 1. Everyone reaches everyone (the first pings also wait for DAD/links).
wait_for ping_ok ctnns1 10.251.0.2 || true
for a in 1 2 3; do
	for b in 1 2 3; do
		[ $a = $b ] && continue
		ping_ok ctnns$a 10.251.0.$b && ok ||
			fail "ping ctnns$a -> 10.251.0.$b"
	done
done

# 2. showmacs: each namespace MAC, not local, on its TAP's port number.
"$B" showmacs ctnbr0 >"$T/macs" || fail "showmacs"
for i in 1 2 3; do
	mac=$(mac_of $i)
	no=$(port_no_of ctn$i)
	[ -n "$mac" ] && [ -n "$no" ] || { fail "no MAC/port for ctn$i"; continue; }
	if grep -qP "^ *$no\t$mac\tno\t" "$T/macs"; then ok; else
		fail "showmacs: $mac not on port $no:"; cat "$T/macs" >&2
	fi
	# The TAP port's own MAC (the switch side) is local on the same port.
	own=$("$C" -j port show ctn$i | python3 -c \
		'import json,sys; print(json.load(sys.stdin)[0]["mac"])')
	grep -qP "^ *$no\t$own\tyes\t" "$T/macs" && ok ||
		fail "showmacs: local $own not on port $no"
done
# showstp gives the same port numbers.
"$B" showstp ctnbr0 >"$T/stp" || fail "showstp"
for i in 1 2 3; do
	grep -q "^ctn$i ($(port_no_of ctn$i))$" "$T/stp" && ok ||
		fail "showstp: ctn$i port number"
done

# 3. capture: 4 frames on ctn1 while ctnns1 pings ctnns2.
"$C" capture ctnbr0 ctn1 -w "$T/cap.pcap" -c 4 2>"$T/cap.err" &
CAPPID=$!
sleep 0.3
ip netns exec ctnns1 ping -n -q -c 6 -i 0.2 -W 1 10.251.0.2 >/dev/null 2>&1
for _ in $(seq 30); do kill -0 $CAPPID 2>/dev/null || break; sleep 0.1; done
if kill -0 $CAPPID 2>/dev/null; then
	kill $CAPPID; fail "capture -c 4 did not stop"
fi
wait $CAPPID && ok || fail "capture failed: $(cat "$T/cap.err")"
if tcpdump -n -r "$T/cap.pcap" >"$T/cap.txt" 2>"$T/tcpdump.err"; then
	ok
	n=$(wc -l <"$T/cap.txt")
	[ "$n" = 4 ] && ok || fail "capture: $n frames, want 4"
	grep -q "10.251.0.1 > 10.251.0.2: ICMP echo request" "$T/cap.txt" &&
		grep -q "10.251.0.2 > 10.251.0.1: ICMP echo reply" "$T/cap.txt" &&
		ok || { fail "capture: no echo request/reply:"; cat "$T/cap.txt" >&2; }
else
	fail "tcpdump -r: $(cat "$T/tcpdump.err")"
fi
# SIGTERM ends an open-ended capture with a readable file.
"$C" capture ctn2 -w "$T/cap2.pcap" 2>/dev/null &
CAPPID=$!
sleep 0.3
ping_ok ctnns2 10.251.0.3 || true
kill -TERM $CAPPID
wait $CAPPID && ok || fail "capture did not exit cleanly on SIGTERM"
tcpdump -n -r "$T/cap2.pcap" 2>/dev/null | grep -q "ICMP echo request" && ok ||
	fail "capture after SIGTERM: no frames readable"

# 4. monitor fdb: flush, then a ping relearns both ends.
"$C" monitor fdb >"$T/mon" 2>&1 &
MONPID=$!
sleep 0.3
run "$C" fdb flush dev ctn1
ping_ok ctnns1 10.251.0.2 || fail "ping after flush"
sleep 0.3
kill $MONPID; wait $MONPID 2>/dev/null; MONPID=
m1=$(mac_of 1)
grep -q "^Deleted $m1 dev ctn1 master ctnbr0$" "$T/mon" && ok ||
	{ fail "monitor: no 'Deleted $m1' line:"; cat "$T/mon" >&2; }
grep -q "^$m1 dev ctn1 master ctnbr0$" "$T/mon" && ok ||
	{ fail "monitor: no learn line for $m1:"; cat "$T/mon" >&2; }

# 5. VLANs: ctn1, ctn2 in VLAN 10, ctn3 in VLAN 20, untagged PVID.
run "$C" vlan add dev ctn1 vid 10 pvid untagged
run "$C" vlan add dev ctn2 vid 10 pvid untagged
run "$C" vlan add dev ctn3 vid 20 pvid untagged
for d in ctn1 ctn2 ctn3; do run "$C" vlan del dev $d vid 1; done
run "$C" link set ctnbr0 type bridge vlan_filtering 1
ping_ok ctnns1 10.251.0.2 && ok || fail "VLAN 10: ctn1 -> ctn2"
ping_none ctnns1 10.251.0.3 && ok || fail "VLAN 10 reached VLAN 20 (ctn1 -> ctn3)"
"$C" fdb show br ctnbr0 | grep -q "$m1 dev ctn1 vlan 10 master ctnbr0" && ok ||
	fail "fdb show: $m1 not learned in VLAN 10"
run "$C" link set ctnbr0 type bridge vlan_filtering 0
ping_ok ctnns1 10.251.0.3 && ok || fail "filtering off: ctn1 -> ctn3"

# 6. Carrier off on ctn3: its entries go, nothing more is sent to it.
m3=$(mac_of 3)
"$B" showmacs ctnbr0 | grep -q "$m3" && ok || fail "ctn3's MAC not learned"
ip -n ctnns3 link set ctn3 down
gone() { ! "$B" showmacs ctnbr0 | grep -q "$m3"; }
wait_for gone && ok || fail "ctn3 down: $m3 still in showmacs"
"$C" port show ctn3 | grep -q "state disabled" && ok ||
	fail "ctn3 down: port not disabled: $("$C" port show ctn3)"
tx_of() { "$C" -j stats ctn3 | python3 -c '
import json, sys
for b in json.load(sys.stdin):
    for p in b["ports"]:
        if p["name"] == "ctn3": print(p["tx_packets"])'; }
before=$(tx_of)
ping_none ctnns1 10.251.0.3 && ok || fail "ctn3 down: ping still answered"
after=$(tx_of)
[ "$before" = "$after" ] && ok || fail "ctn3 down: tx went $before -> $after"
ip -n ctnns3 link set ctn3 up
wait_for ping_ok ctnns1 10.251.0.3 && ok || fail "ctn3 up again: no ping"

# 7. "link set ctn2 master ctnbr1" moves the port (the TAP stays, in its
# namespace): ctnbr1 lists it, ctnbr0 no longer, ctn1 no longer reaches it.
run "$B" addbr ctnbr1
run "$C" link set ctnbr1 up
"$C" link set ctn2 master ctnbr1 || fail "link set ctn2 master ctnbr1"
"$C" port show ctn2 | grep -q "bridge ctnbr1 port 1 " && ok ||
	fail "ctn2 not moved: $("$C" port show ctn2)"
"$B" show ctnbr0 | grep -q ctn2 && fail "ctn2 still listed on ctnbr0" || ok
ip -n ctnns2 link show ctn2 >/dev/null 2>&1 && ok || fail "ctn2's TAP vanished"
ping_none ctnns1 10.251.0.2 && ok || fail "ctn1 still reaches ctn2 on ctnbr1"
"$C" link set ctn2 master ctnbr0 || fail "link set ctn2 master ctnbr0"
wait_for ping_ok ctnns1 10.251.0.2 && ok || fail "ctn2 back on ctnbr0: no ping"
"$B" addif ctnbr1 ctn2 2>"$T/err" && fail "brctl addif of a port of ctnbr0"
grep -q "already a member of a bridge" "$T/err" && ok ||
	fail "addif of a member: $(cat "$T/err")"

alive && ok || fail "vswitchd died"
finish
