#!/bin/bash
# vxlan-badinput.sh - hostile and mistaken input to the vxlan port class
# (root).  vswitchd runs in namespace vxba with two vxlan ports on the same
# UDP socket (vxb0: VNI 42 in bridge vxbbr0, vxb1: VNI 44 in vxbbr1); a
# sender in vxbs (vxlan-send.py) writes datagrams to 10.10.0.1:4789 over
# the veth underlay vxbu2 -> vxbu1.
#   1. 21 datagrams with one defect each, every one counted under its
#      reason: short header (5), I flag clear (4), unknown VNI (4), inner
#      runt (3), inner oversize (3, one beyond the receive buffer),
#      multicast inner source (1, the pipeline's bad_src), and after
#      'port set vxb0 mtu 1400' a frame that fitted before (1) -- and the
#      reserved bits are ignored (RFC 7348 §5): a header with every
#      reserved bit set is delivered, as are frames of exactly MTU + 18
#      bytes; VNI 44 reaches vxb1, not vxb0 (demultiplexing);
#   2. 21 bad 'port add ... type vxlan' commands are refused with a clear
#      error, non-zero status, and leave the configuration file and the
#      port list unchanged;
#   3. the daemon is alive throughout.
# Everything is named vx*, and removed on exit, also on failure.
VX_NSS="vxba vxbs"
. "$(dirname "$0")/vxlan-lib.sh"
vx_need_root

S=$T/run/b.sock
CONFB=$T/lib/b.json
export VSWITCHD_SOCKET=$S
SEND="python3 $(dirname "$0")/vxlan-send.py"

vx_ns_add vxba vxbs
vx_veth vxba vxbu1 vxbs vxbu2
ip -n vxba addr add 10.10.0.1/24 dev vxbu1
ip -n vxbs addr add 10.10.0.2/24 dev vxbu2
vx_start vxba "$S" "$CONFB" "$T/d-b.log"
A=$VX_LAST_PID
run "$C" link add vxbbr0 type bridge
run "$C" link add vxbbr1 type bridge
run "$C" link set vxbbr0 up
run "$C" link set vxbbr1 up
run "$C" port add vxbbr0 vxb0 type vxlan vni 42 local 10.10.0.1 remote 10.10.0.2
run "$C" port add vxbbr1 vxb1 type vxlan vni 44 local 10.10.0.1 remote 10.10.0.2

# --- 1. crafted datagrams --------------------------------------------------
# MTU 1450: inner frames up to 1468 bytes (MTU + 14 + one 4-byte tag).
send() { ip netns exec vxbs $SEND 10.10.0.1 "$@" >>"$T/sent" || fail "send $*"; }
send short0=raw: short1=raw:08 short3=raw:080000 short4=raw:08000000 \
	short7=raw:08000000002a00
send noI0=flags:0 noI-allelse=flags:0xf7 noI-80=flags:0x80 noI-01=flags:1
send vni43=vni:43 vni0=vni:0 vnimax=vni:16777215 vni45=vni:45
send runt0=inner:0 runt1=inner:1 runt13=inner:13
send over1469=inner:1469 over9000=inner:9000 over9300=inner:9300
send mcastsrc=src:01:00:5e:00:00:01
# Good ones: reserved bits all set, the largest frame, VNI 44.
send rsvd=flags:0xff,rsvd:0xff fit1468=inner:1468 vni44=vni:44
stat_is() {
	local port=$1 key=$2 want=$3 v
	for _ in $(seq 20); do
		v=$(vx_stat "$S" "$port" "$key")
		[ "$v" = "$want" ] && break
		sleep 0.1
	done
	[ "$v" = "$want" ] && ok || fail "$port counter '$key' is '$v', want $want"
}
stat_is vxb0 sock_rx_datagrams 23
stat_is vxb0 sock_rx_short 5
stat_is vxb0 sock_rx_bad_flags 4
stat_is vxb0 sock_rx_unknown_vni 4
stat_is vxb0 rx_runt 3
stat_is vxb0 rx_oversize 3
stat_is vxb0 rx_packets 3	# mcastsrc, rsvd, fit1468
stat_is vxb1 rx_packets 1	# vni44
stat_is vxb1 rx_runt 0
stat_is vxb1 sock_rx_short 5	# the same socket
"$C" -j stats vxb0 | python3 -c '
import json, sys
p = json.load(sys.stdin)[0]["ports"][0]
d = p["drops"]
sys.exit(0 if d.get("runt") == 3 and d.get("oversize") == 3 and
	 d.get("bad_src") == 1 else 1)' && ok ||
	fail "vxb0 pipeline drops: $("$C" -j stats vxb0)"
# The good frame's source was learned with its VTEP.
vx_fdb "$S" vxb0 | grep -qx "02:00:00:00:00:01 dev vxb0 dst 10.10.0.2 self" &&
	ok || fail "vxb0 fdb: $(vx_fdb "$S" vxb0)"
# Ageing on the switch clock: 300 s later the learned entry is gone.
run "$C" debug time warp 301000
for _ in $(seq 30); do
	vx_fdb "$S" vxb0 | grep -q "^02:00:00:00:00:01 " || break
	sleep 0.1
done
vx_fdb "$S" vxb0 | grep -q "^02:00:00:00:00:01 " &&
	fail "learned entry not aged: $(vx_fdb "$S" vxb0)" || ok
stat_is vxb0 aged 1
vx_fdb "$S" vxb0 | grep -qx "00:00:00:00:00:00 dev vxb0 dst 10.10.0.2 self permanent" &&
	ok || fail "default entry aged too: $(vx_fdb "$S" vxb0)"
# A smaller MTU: 1450 bytes no longer fit.
run "$C" port set vxb0 mtu 1400
send fit-no-more=inner:1450 fit1418=inner:1418
stat_is vxb0 rx_oversize 4
stat_is vxb0 rx_packets 4
kill -0 "$A" && "$C" info >/dev/null && ok || fail "vswitchd died on crafted datagrams"
# 600 random datagrams (seeded, so a failure repeats): random lengths up
# to 1600 bytes, two in three with a valid header for VNI 42 or 44 and
# random reserved bits; every one must be counted somewhere, and the
# daemon must live.
before=$(vx_stat "$S" vxb0 sock_rx_datagrams)
ip netns exec vxbs python3 -c '
import os, random, socket, struct, time
r = random.Random(18)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(600):
    n = r.randrange(0, 1600)
    b = bytearray(r.getrandbits(8) for _ in range(n))
    if n >= 8 and r.random() < 0.67:
        b[0] |= 0x08
        b[4:7] = (r.choice([42, 44])).to_bytes(3, "big")
    s.sendto(bytes(b), ("10.10.0.1", 4789))
    if i % 50 == 49:
        time.sleep(0.02)'
stat_is vxb0 sock_rx_datagrams $((before + 600))
kill -0 "$A" && "$C" info >/dev/null && ok || fail "vswitchd died on random datagrams"
python3 - "$("$C" -j stats vxb0)" "$("$C" -j stats vxb1)" <<'EOF2' && ok || fail "random datagrams: not every one counted"
import json, sys
a = json.loads(sys.argv[1])[0]["ports"][0]["vxlan"]
b = json.loads(sys.argv[2])[0]["ports"][0]["vxlan"]
sock = a["sock_rx_short"] + a["sock_rx_bad_flags"] + a["sock_rx_unknown_vni"]
ports = sum(p[k] for p in (a, b) for k in ("rx_packets", "rx_runt", "rx_oversize",
                                           "rx_no_buffer", "rx_unattached"))
sys.exit(0 if sock + ports == a["sock_rx_datagrams"] else 1)
EOF2

# --- 2. bad port add commands ----------------------------------------------
cp "$CONFB" "$T/conf.before"
"$C" port show >"$T/ports.before"
bad() {
	local want=$1
	shift
	"$C" port add vxbbr0 vxbad type vxlan "$@" >"$T/out" 2>"$T/err"
	st=$?
	if [ $st != 0 ] && grep -qF -- "$want" "$T/err"; then ok; else
		fail "port add ... $*: status $st, '$(cat "$T/err")', want '$want'"
	fi
}
bad "vni: missing"
bad "vni: '16777216' is not a number from 0 to 16777215" vni 16777216
bad "vni: 'abc' is not a number" vni abc
bad "vni: '-1' is not a number" vni -1
bad "vni: '0x2a' is not a number" vni 0x2a
bad "'vni' needs a value" vni
bad "dstport: '0' is not a number from 1 to 65535" vni 5 dstport 0
bad "dstport: '65536' is not a number from 1 to 65535" vni 5 dstport 65536
bad "local: '10.0.0.300' is not an IP address" vni 5 local 10.0.0.300
bad "remote: '10.10.0.2,,10.10.0.3' is not a list of IP addresses" \
	vni 5 remote 10.10.0.2,,10.10.0.3
bad "remote: 224.1.1.1 is not a unicast address" vni 5 remote 224.1.1.1
bad "remote: 0.0.0.0 is not a unicast address" vni 5 remote 0.0.0.0
bad "remote: fd00::2 is not of the same family as local" \
	vni 5 local 10.10.0.1 remote fd00::2
bad "remote: 10.10.0.2 is given twice" vni 5 remote 10.10.0.2,10.10.0.2
bad "local: 239.1.1.1 is a multicast address" vni 5 local 239.1.1.1
bad "ttl: '0' is not a number from 1 to 255" vni 5 ttl 0
bad "tos: '256' is not a number from 0 to 255" vni 5 tos 256
bad "learning: 'maybe' is not on or off" vni 5 learning maybe
bad "vni 42 is already used by vxb0 on UDP port 4789" vni 42 local 10.10.0.1
bad "ageing: '1000001' is not a number from 0 to 1000000" vni 5 ageing 1000001
bad "unknown port argument 'srcport' for type vxlan" vni 5 srcport 1
cmp -s "$CONFB" "$T/conf.before" && ok ||
	fail "configuration changed by refused commands"
"$C" port show >"$T/ports.after"
cmp -s "$T/ports.before" "$T/ports.after" && ok ||
	fail "port list changed: $(diff "$T/ports.before" "$T/ports.after")"
# The usage lists the class's arguments, from the daemon.
"$C" port --help >"$T/help" 2>&1
grep -qE "^ +vni 0-16777215 +VXLAN network identifier" "$T/help" &&
	grep -qE "^ +\[remote IP\[,IP\.\.\.\]\] " "$T/help" && ok ||
	fail "port --help: $(sed -n '/vxlan:/,$p' "$T/help")"
# The iproute2 spelling: a standalone device (no 'master') is checked as
# a port is; unknown words are refused.
"$C" link add vxbad type vxlan id 5 dstport 0 >"$T/out" 2>"$T/err"
st=$?
[ $st != 0 ] && grep -qF "dstport" "$T/err" && ok ||
	fail "link add without master, dstport 0: $st '$(cat "$T/err")'"
"$C" link show vxbad >/dev/null 2>&1 && fail "refused vxbad was made" || ok
"$C" link add vxbad master vxbbr0 type vxlan id 5 srcport 1 2 >"$T/out" 2>"$T/err"
st=$?
[ $st != 0 ] && grep -qF "unsupported vxlan argument 'srcport'" "$T/err" && ok ||
	fail "link add with srcport: $st '$(cat "$T/err")'"
"$C" link add vxbad master vxbbr0 type vxlan id 99999999 >"$T/out" 2>"$T/err"
st=$?
[ $st != 0 ] && grep -qF "vni: '99999999' is not a number" "$T/err" && ok ||
	fail "link add with a bad id: $st '$(cat "$T/err")'"
cmp -s "$CONFB" "$T/conf.before" && ok ||
	fail "configuration changed by refused link adds"
# A good one after all that, and the same VNI on another UDP port, in
# the iproute2 spelling with nolearning.
run "$C" link add vxb2 master vxbbr0 type vxlan id 42 local 10.10.0.1 \
	dstport 4790 nolearning
"$C" -j port show vxb2 | python3 -c '
import json, sys
a = json.load(sys.stdin)[0]["args"]
sys.exit(0 if a["vni"] == 42 and a["dstport"] == 4790 and
	 a["learning"] == "off" else 1)' && ok ||
	fail "link add vxb2: $("$C" -j port show vxb2)"
# link set master moves it to another bridge, keeping its socket.
run "$C" link set vxb2 master vxbbr1
"$C" port show vxb2 | grep -q "^vxb2: bridge vxbbr1 " && ok ||
	fail "link set vxb2 master vxbbr1: $("$C" port show vxb2)"
ip netns exec vxbs $SEND 10.10.0.1 x=vni:42 >/dev/null
ip netns exec vxbs python3 -c '
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(struct.pack("!II", 0x08000000, 42 << 8) + bytes(60), ("10.10.0.1", 4790))'
stat_is vxb2 rx_packets 1
kill -0 "$A" && "$C" info >/dev/null && ok || fail "vswitchd died on bad commands"

vx_finish
