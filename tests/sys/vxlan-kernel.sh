#!/bin/bash
# vxlan-kernel.sh - our vxlan port against the Linux vxlan device (root).
#
#   vxka (vswitchd)                          vxkb (kernel)
#   bridge vxkbr0: vxkt1 (TAP) + vxk0  ==  vx0 (vxlan id 42) + vxkbr (bridge)
#     vxkt1 moved to vxkh1 192.168.42.1      veth vxkh2 in vxkh2 192.168.42.2
#   bridge vxkbr6: vxkt3 (TAP) + vxk6  ==  vx6 (vxlan id 43, IPv6) + vxkbr6
#     vxkt3 moved to vxkh3 192.168.43.1      veth vxkh4 in vxkh4 192.168.43.2
#   underlay: veth vxu1 10.10.0.1/24, fd00:10::1 <-> vxu2 10.10.0.2/24, fd00:10::2
#
# Checks:
#   1. pings both ways over the IPv4 underlay and over the IPv6 one;
#   2. the kernel's "bridge fdb show dev vx0" learns our VTEP (the MAC
#      of vxkh1 with "dst 10.10.0.1 self"), and our vxk0 learns the
#      kernel's (the MAC of vxkh2 with "dst 10.10.0.2 self");
#   3. the datagrams we send leave from per-flow source ports in
#      32768..60999 (tcpdump on the underlay), not from 4789, and carry
#      VNI 42 with the I flag; tshark -d udp.port==4789,vxlan decodes VNI
#      42 and the inner ICMP;
#   4. counters: the port's rx/tx and the per-VTEP ones;
#   5. kill -9 and a restart on the saved configuration, with the local
#      underlay address missing at start: the vxlan ports come back with
#      their arguments and traffic resumes once the address is back.
# Everything is named vx*, and removed on exit, also on failure.
VX_NSS="vxka vxkb vxkh1 vxkh2 vxkh3 vxkh4"
. "$(dirname "$0")/vxlan-lib.sh"
vx_need_root tcpdump tshark

S=$T/run/a.sock
CONFA=$T/lib/a.json
LOGA=$T/d-a.log
export VSWITCHD_SOCKET=$S

VX_IPV6=0 vx_ns_add vxkh1 vxkh2 vxkh3 vxkh4
VX_IPV6=1 vx_ns_add vxka vxkb
vx_veth vxka vxu1 vxkb vxu2
ip -n vxka addr add 10.10.0.1/24 dev vxu1
ip -n vxkb addr add 10.10.0.2/24 dev vxu2
ip -n vxka addr add fd00:10::1/64 dev vxu1 nodad
ip -n vxkb addr add fd00:10::2/64 dev vxu2 nodad

# The kernel side: vxlan devices in kernel bridges, a host behind each.
kb() { ip -n vxkb "$@" || fail "vxkb: ip $*"; }
kb link add vx0 type vxlan id 42 dstport 4789 local 10.10.0.2 remote 10.10.0.1
kb link add vx6 type vxlan id 43 dstport 4789 local fd00:10::2 remote fd00:10::1
for br in vxkbr:vx0:vxkh2:192.168.42.2 vxkbr6:vx6:vxkh4:192.168.43.2; do
	IFS=: read -r b v h a <<<"$br"
	kb link add "$b" type bridge
	kb link set "$v" master "$b"
	vx_veth vxkb "${h}p" "$h" "$h"
	kb link set "${h}p" master "$b"
	ip -n "$h" addr add "$a/24" dev "$h"
	kb link set "$v" up
	kb link set "$b" up
done

# Our side.  The TAPs are made in vxka and moved to their host namespace
# (once: after a restart the daemon finds them there again).
setup_hosts() {
	for h in vxkt1:vxkh1:192.168.42.1 vxkt3:vxkh3:192.168.43.1; do
		IFS=: read -r t n a <<<"$h"
		wait_for ip -n vxka link show "$t" >/dev/null 2>&1 ||
			fail "no TAP $t in vxka"
		ip -n vxka link set "$t" netns "$n" || fail "move $t"
		ip -n "$n" addr add "$a/24" dev "$t"
		ip -n "$n" link set "$t" up
	done
}
vx_start vxka "$S" "$CONFA" "$LOGA"
A=$VX_LAST_PID
run "$C" link add vxkbr0 type bridge
run "$C" link add vxkbr6 type bridge
run "$C" link set vxkbr0 up
run "$C" link set vxkbr6 up
run "$C" port add vxkbr0 vxkt1 type tap
run "$C" port add vxkbr0 vxk0 type vxlan vni 42 local 10.10.0.1 remote 10.10.0.2
run "$C" port add vxkbr6 vxkt3 type tap
# The iproute2 spelling, for the IPv6 one.
run "$C" link add vxk6 master vxkbr6 type vxlan id 43 local fd00:10::1 remote fd00:10::2
setup_hosts

# --- 1. pings both ways, over IPv4 and IPv6 underlays --------------------
pings() {
	wait_for ping_ok vxkh1 192.168.42.2 1 || true
	ping_ok vxkh1 192.168.42.2 && ok || fail "$1: ping vxkh1 -> vxkh2 (IPv4 underlay)"
	ping_ok vxkh2 192.168.42.1 && ok || fail "$1: ping vxkh2 -> vxkh1 (IPv4 underlay)"
	wait_for ping_ok vxkh3 192.168.43.2 1 || true
	ping_ok vxkh3 192.168.43.2 && ok || fail "$1: ping vxkh3 -> vxkh4 (IPv6 underlay)"
	ping_ok vxkh4 192.168.43.1 && ok || fail "$1: ping vxkh4 -> vxkh3 (IPv6 underlay)"
}
pings "first start"

# --- 2. each side learns the other's VTEP --------------------------------
mac1=$(ip -n vxkh1 -br link show vxkt1 | awk '{print $3}')
mac2=$(ip -n vxkh2 -br link show vxkh2 | awk '{print $3}')
mac4=$(ip -n vxkh4 -br link show vxkh4 | awk '{print $3}')
ip -n vxkb -d link show vx0 >/dev/null
bridge -n vxkb fdb show dev vx0 >"$T/kfdb"
# (iproute2 ends these lines with a space.)
grep -qE "^$mac1 dst 10.10.0.1 self *$" "$T/kfdb" && ok ||
	fail "kernel fdb lacks '$mac1 dst 10.10.0.1 self': $(cat "$T/kfdb")"
grep -qE "^00:00:00:00:00:00 dst 10.10.0.1 self permanent *$" "$T/kfdb" && ok ||
	fail "kernel default entry: $(cat "$T/kfdb")"
vx_fdb "$S" vxk0 >"$T/ofdb"
grep -qx "$mac2 dev vxk0 dst 10.10.0.2 self" "$T/ofdb" && ok ||
	fail "our fdb lacks '$mac2 dev vxk0 dst 10.10.0.2 self': $(cat "$T/ofdb")"
grep -qx "00:00:00:00:00:00 dev vxk0 dst 10.10.0.2 self permanent" "$T/ofdb" &&
	ok || fail "our default entry: $(cat "$T/ofdb")"
vx_fdb "$S" vxk6 >"$T/ofdb6"
grep -qx "$mac4 dev vxk6 dst fd00:10::2 self" "$T/ofdb6" && ok ||
	fail "our IPv6 fdb lacks '$mac4 ... dst fd00:10::2 self': $(cat "$T/ofdb6")"

# bridgectl fdb show lists the same "self" entries in the kernel's form:
# text byte for byte as bridge fdb show (trailing space included), JSON
# with the same keys in the same order.
"$C" fdb show dev vxk0 >"$T/ofdbshow"
grep -qx "00:00:00:00:00:00 dst 10.10.0.2 self permanent" "$T/ofdbshow" &&
	grep -qx "$mac2 dst 10.10.0.2 self " "$T/ofdbshow" && ok ||
	fail "bridgectl fdb show dev vxk0: $(cat -A "$T/ofdbshow")"
"$C" fdb show | grep -qx "$mac2 dev vxk0 dst 10.10.0.2 self " && ok ||
	fail "bridgectl fdb show lacks the self entry: $("$C" fdb show)"
"$C" fdb show dev vxk0 vlan 1 | grep -q " self" &&
	fail "fdb show vlan 1 lists self entries (they have no VLAN)" || ok
bridge -n vxkb -j fdb show dev vx0 >"$T/kj"
"$C" -j fdb show dev vxk0 >"$T/oj"
python3 - "$T/kj" "$T/oj" <<'EOF2' && ok || fail "fdb show -j keys differ from the kernel's: $(cat "$T/kj") vs $(cat "$T/oj")"
import json, sys
def keys(f):
    return {tuple(e.keys()) for e in json.load(open(f)) if "self" in e.get("flags", [])}
k, o = keys(sys.argv[1]), keys(sys.argv[2])

sys.exit(0 if k and k == o else 1)
EOF2

# --- 3. the outer headers ------------------------------------------------
ip netns exec vxkb tcpdump -i vxu2 -nn -x -c 6 -w "$T/u.pcap" \
	"udp dst port 4789 and src host 10.10.0.1" >/dev/null 2>&1 &
TD=$!
sleep 0.5
ip netns exec vxkh1 ping -n -q -c 3 -i 0.2 -W 1 192.168.42.2 >/dev/null 2>&1
ip netns exec vxkh1 ping -n -q -c 3 -i 0.2 -W 1 -s 200 192.168.42.2 >/dev/null 2>&1
sleep 0.3
kill "$TD" 2>/dev/null
wait "$TD" 2>/dev/null
python3 - "$T/u.pcap" >"$T/outer" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
off, n = 24, 0
while off + 16 <= len(d):
    incl = struct.unpack("<I", d[off + 8:off + 12])[0]
    pkt = d[off + 16:off + 16 + incl]
    off += 16 + incl
    ip = pkt[14:]
    ihl = (ip[0] & 15) * 4
    sport, dport = struct.unpack("!HH", ip[ihl:ihl + 4])
    vx = ip[ihl + 8:ihl + 16]
    vni = int.from_bytes(vx[4:7], "big")
    print(sport, dport, vx[0], vni)
    n += 1
EOF
[ -s "$T/outer" ] && ok || fail "no datagram of ours captured on the underlay"
awk '$1 < 32768 || $1 > 60999 || $2 != 4789 || $3 != 8 || $4 != 42 { bad = 1 }
     END { exit bad }' "$T/outer" && ok ||
	fail "outer UDP/VXLAN headers (sport dport flags vni): $(cat "$T/outer")"

# A third-party dissector agrees: tshark decodes VNI 42 and the inner ICMP
# echo requests.
tshark -r "$T/u.pcap" -d udp.port==4789,vxlan -T fields -e vxlan.vni \
	-e vxlan.flag_i -e icmp.type >"$T/tshark" 2>"$T/tshark.err"
grep -qP "^42\t(1|True)\t8$" "$T/tshark" && ok ||
	fail "tshark decode (vni, I flag, icmp type): $(cat "$T/tshark" "$T/tshark.err")"

# --- 4. counters ---------------------------------------------------------
for k in rx_packets tx_packets tx_datagrams learned "vtep 10.10.0.2 rx_packets" \
	"vtep 10.10.0.2 tx_packets"; do
	v=$(vx_stat "$S" vxk0 "$k")
	[ "$v" -gt 0 ] 2>/dev/null && ok || fail "vxk0 counter '$k' is '$v'"
done
for k in rx_runt rx_oversize tx_no_remote tx_errors sock_rx_bad_flags; do
	v=$(vx_stat "$S" vxk0 "$k")
	[ "$v" = 0 ] && ok || fail "vxk0 counter '$k' is '$v', want 0"
done
"$C" stats vxk0 >"$T/stats" 2>&1
grep -q "vtep 10.10.0.2 tx_packets [1-9]" "$T/stats" && ok ||
	fail "bridgectl stats vxk0: $(cat "$T/stats")"

# --- 5. restart on the saved configuration --------------------------------
# With the underlay address gone meanwhile (as after a reboot, before the
# network is up): the daemon must still start, as Linux keeps a vxlan
# device whose local address is missing, and carry traffic once it is
# back.
vx_stop "$A"
ip -n vxka addr del 10.10.0.1/24 dev vxu1
vx_start vxka "$S" "$CONFA" "$LOGA"
A=$VX_LAST_PID
ip -n vxka addr add 10.10.0.1/24 dev vxu1
"$C" -j port show vxk0 | python3 -c '
import json, sys
p = json.load(sys.stdin)[0]
a = p["args"]
sys.exit(0 if p["type"] == "vxlan" and p["bridge"] == "vxkbr0" and
	 a["vni"] == 42 and a["local"] == "10.10.0.1" and
	 a["remote"] == "10.10.0.2" and a["dstport"] == 4789 else 1)' && ok ||
	fail "after a restart, port show vxk0: $("$C" -j port show vxk0)"
python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
p = [p for b in c["bridges"] for p in b["ports"] if p["name"] == "vxk6"]
sys.exit(0 if p and p[0]["type"] == "vxlan" and
	 p[0]["args"] == {"vni": "43", "local": "fd00:10::1",
			  "remote": "fd00:10::2"} else 1)' "$CONFA" && ok ||
	fail "saved configuration of vxk6: $(cat "$CONFA")"
pings "after a restart"

vx_finish
