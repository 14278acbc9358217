#!/bin/bash
# offload.sh - checksum and segmentation offloads through TAP ports, end
# to end (pkt-offload.h), verified with tshark.
#
# Usage: tests/sys/offload.sh BINDIR   (root)
#
# Bridge ofsw (vswitchd) has four ports: TAPs ofta and oftb (offloads on,
# the default) in namespaces ofns1 (10.78.0.1) and ofns2 (10.78.0.2), TAP
# oftc with no_offload in ofns3 (10.78.0.3), and pcap port ofpc writing
# what it is sent to a file.  oftb does not learn, so TCP from ofns1 to
# ofns2 is unknown unicast, flooded to every port.  ofns1's stack sends
# 64 KiB GSO super-frames with partial checksums.  Checked:
#  - oftb (takes offloads) receives frames larger than its MTU, i.e. the
#    super-frames unsegmented, and the switch segmented nothing for it;
#  - oftc (no offloads) never receives a frame beyond its MTU, and every
#    TCP and IPv4 checksum it receives is correct;
#  - ofpc (pcap) gets segments no larger than the MTU with correct
#    checksums and sequence numbers that tile the stream;
#  - the switch counts the software work on ofpc and oftc only.
# Everything is named of* and removed on exit, also on failure.
BIN=$1
say() { echo "offload: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }
. "$(dirname "$0")/preflight.sh"
. "$(dirname "$0")/switch-lib.sh"
preflight test "namespaces, TAPs" "$BIN/vswitchd" ip iperf3 tshark tcpdump python3

NSS="ofns1 ofns2 ofns3"
cleanup_more() {
	for f in "$T"/*.pid; do [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
}
switch_scratch "$BIN" ofoffload "$NSS" "ofta oftb oftc ofsw"

switch_start "$BIN" "$T" ofsw || fail "vswitchd did not start"
"$C" port add ofsw ofta type tap >/dev/null || fail "port add ofta"
"$C" port add ofsw oftb type tap >/dev/null || fail "port add oftb"
"$C" port add ofsw oftc type tap no_offload >/dev/null || fail "port add oftc"
"$C" port add ofsw ofpc type pcap tx "$T/ofpc.pcap" >/dev/null ||
	fail "port add ofpc"
"$C" port set oftb learning off || fail "port set oftb learning off"
i=1
for d in ofta oftb oftc; do
	ip netns add ofns$i || fail "netns ofns$i"
	ip link set $d netns ofns$i || fail "move $d"
	ip -n ofns$i link set lo up
	ip -n ofns$i addr add 10.78.0.$i/24 dev $d
	ip -n ofns$i link set $d up
	i=$((i + 1))
done
# The sender's TAP must offer TSO to its stack, or nothing here is tested.
ip netns exec ofns1 ethtool -k ofta 2>/dev/null |
	grep -q "^tcp-segmentation-offload: on" ||
	fail "ofta's stack does not see TSO (TUNSETOFFLOAD failed?)"
ip netns exec ofns1 ping -c 1 -W 2 10.78.0.2 >/dev/null || fail "no ping"

for i in 2 3; do
	ip netns exec ofns$i tcpdump -i $( [ $i = 2 ] && echo oftb || echo oftc ) \
		-s 0 -U -w "$T/rx$i.pcap" tcp port 5201 2>/dev/null &
	echo $! >"$T/td$i.pid"
done
ip netns exec ofns2 iperf3 -s -D -I "$T/srv.pid" >/dev/null 2>&1 ||
	fail "iperf3 server"
sleep 1
ip netns exec ofns1 iperf3 -c 10.78.0.2 -n 4M -l 64K >"$T/client" 2>&1 ||
	{ cat "$T/client" >&2; fail "iperf3 transfer"; }
sleep 1
for i in 2 3; do
	td=$(cat "$T/td$i.pid")
	kill "$td"
	wait "$td" 2>/dev/null	# the capture file complete (not vswitchd)
done
"$C" -j stats ofsw >"$T/stats.json" || fail "stats"
"$C" port del ofpc >/dev/null || fail "port del ofpc"	# closes its file

# maxlen FILE: the longest frame; bad FILE: frames with a bad IPv4 or TCP
# checksum (tshark verifies both when told to).
maxlen() { tshark -r "$1" -T fields -e frame.len 2>/dev/null | sort -n | tail -1; }
bad() {
	tshark -r "$1" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
		-Y "ip.checksum.status == 0 || tcp.checksum.status == 0" \
		2>/dev/null | wc -l
}
count() { tshark -r "$1" -Y "tcp.len > 0" 2>/dev/null | wc -l; }
MAXB=$(maxlen "$T/rx2.pcap"); MAXC=$(maxlen "$T/rx3.pcap")
MAXP=$(maxlen "$T/ofpc.pcap")
say "longest frame: oftb $MAXB, oftc $MAXC, ofpc $MAXP bytes"
[ "$(count "$T/rx2.pcap")" -gt 0 ] || fail "oftb captured no TCP data"
[ "$(count "$T/rx3.pcap")" -gt 0 ] || fail "oftc captured no TCP data"
[ "$(count "$T/ofpc.pcap")" -gt 0 ] || fail "ofpc got no TCP data"
[ "$MAXB" -gt 1514 ] || fail "oftb got no super-frame: offloads not used end to end"
[ "$MAXC" -le 1514 ] || fail "oftc (no offloads) got a $MAXC-byte frame"
[ "$MAXP" -le 1514 ] || fail "ofpc got a $MAXP-byte frame"
BC=$(bad "$T/rx3.pcap"); BP=$(bad "$T/ofpc.pcap")
[ "$BC" = 0 ] || fail "oftc received $BC frames with bad checksums"
[ "$BP" = 0 ] || fail "ofpc received $BP frames with bad checksums"
# The data segments to ofpc tile the stream: each starts where the last
# ended (one TCP connection's data direction; iperf3's control connection
# is port 5201 too, so group by connection).
tshark -r "$T/ofpc.pcap" -Y "tcp.len > 0 && tcp.dstport == 5201" \
	-T fields -e tcp.srcport -e tcp.seq_raw -e tcp.len -e ip.id \
	2>/dev/null >"$T/segs"
/usr/bin/python3 - "$T/segs" "$T/stats.json" <<'PY' || exit 1
import json, sys
segs = [l.split() for l in open(sys.argv[1])]
by = {}
for sp, seq, ln, ipid in segs:
    by.setdefault(sp, []).append((int(seq), int(ln), int(ipid, 16)))
big = max(by.values(), key=len)
for (s1, l1, i1), (s2, l2, i2) in zip(big, big[1:]):
    if s2 != (s1 + l1) % 2**32:
        sys.exit("offload: FAILED: ofpc segments do not tile: seq %d+%d then %d" % (s1, l1, s2))
print("offload: ofpc: %d data segments tile the stream" % len(big), file=sys.stderr)
st = json.load(open(sys.argv[2]))
ports = {p["name"]: p for b in st.get("bridges", [st]) for p in b["ports"]} \
    if isinstance(st, dict) and "bridges" in st else None
if ports is None:
    ports = {}
    def walk(o):
        if isinstance(o, dict):
            if "name" in o and "tx_sw_gso" in o:
                ports[o["name"]] = o
            for v in o.values(): walk(v)
        elif isinstance(o, list):
            for v in o: walk(v)
    walk(st)
for n in ("ofta", "oftb", "oftc", "ofpc"):
    if n not in ports:
        sys.exit("offload: FAILED: no counters for %s in stats" % n)
def c(n, k): return ports[n][k]
print("offload: tx_sw_gso oftb %d oftc %d ofpc %d; tx_sw_segs oftc %d ofpc %d; bad_offload on ofta %d"
      % (c("oftb", "tx_sw_gso"), c("oftc", "tx_sw_gso"), c("ofpc", "tx_sw_gso"),
         c("oftc", "tx_sw_segs"), c("ofpc", "tx_sw_segs"),
         ports["ofta"]["drops"]["bad_offload"]), file=sys.stderr)
if c("oftb", "tx_sw_gso") or c("oftb", "tx_sw_csum"):
    sys.exit("offload: FAILED: the switch did software work for oftb, which takes offloads")
if not c("oftc", "tx_sw_gso") or not c("ofpc", "tx_sw_gso"):
    sys.exit("offload: FAILED: no GSO frame was segmented for oftc/ofpc")
if ports["ofta"]["drops"]["bad_offload"]:
    sys.exit("offload: FAILED: the kernel's own headers were refused")
PY
say "PASSED"
