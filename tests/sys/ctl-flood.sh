#!/bin/bash
# ctl-flood.sh - a MAC flood at ten times what the table may learn (#19):
# a bridge limited to 1000 learned entries (fdb_max_learned) receives
# 10,000 frames from 10,000 new source MACs on one TAP port, twice.
#   - what it could not learn is counted (learn_full), the table stays at
#     its limit, nothing is evicted;
#   - a host learned before the flood still gets its unicast alone (no
#     flooding: its entry survived);
#   - the daemon's RSS after the second flood is what it was after the
#     first (flat: nothing grows per frame or per refused address).
# Needs root and /dev/net/tun; names start "hx".
. "$(dirname "$0")/ctl-lib.sh"

if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ]; then
	echo "ctl-flood.sh: NOT RUN: needs root and /dev/net/tun" >&2
	exit 1
fi
hx_cleanup() {
	for d in hxbr0 hxt1 hxt2 hxt3; do ip link del "$d" 2>/dev/null; done
	ctl_cleanup
}
trap hx_cleanup EXIT

C="$BIN/bridgectl"
# Under ASan, freed memory waits in a quarantine (256 MB by default) and
# would count in RSS: keep it small, so RSS shows what is held.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4
start_daemon
"$C" link add hxbr0 type bridge fdb_max_learned 1000 || fail "link add"
"$C" link set hxbr0 up
for i in 1 2 3; do
	"$C" port add hxbr0 hxt$i type tap mac 02:00:00:00:4a:0$i ||
		fail "port add hxt$i"
	sysctl -qw net.ipv6.conf.hxt$i.disable_ipv6=1
done

# stat KEY: a bridge counter of 'bridgectl -j stats hxbr0'.
stat() {
	"$C" -j stats hxbr0 | python3 -c "
import json, sys
v = json.load(sys.stdin)
v = v[0] if isinstance(v, list) else v
print(v.get('$1', 0))"
}
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$VSWITCHD_PID/status"; }

# The traffic, from Python with packet sockets on the TAP netdevs (what is
# sent there enters the switch through the port).
cat >"$T/flood.py" <<'PY'
import os, socket, struct, sys, time

def sock(dev):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.bind((dev, 0))
    return s

def frame(dst, src, tag):
    return dst + src + b"\x88\xb5" + tag.ljust(46, b".")

B = bytes.fromhex("02000000bb01")
cmd = sys.argv[1]
if cmd == "learn":          # B speaks once on hxt2
    sock("hxt2").send(frame(b"\xff" * 6, B, b"hello from B"))
elif cmd == "flood":        # N frames from N new sources on hxt1
    s, base, n = sock("hxt1"), int(sys.argv[2]), int(sys.argv[3])
    for i in range(n):
        src = b"\x02\x99" + struct.pack(">I", base + i)
        s.send(frame(B[:5] + b"\x77", src, b"flood"))
        if i % 200 == 199:
            time.sleep(0.01)    # the TAP queue holds 1000 frames
elif cmd == "unicast":      # from hxt3 to B: where does it go?
    r1, r2 = sock("hxt1"), sock("hxt2")
    for r in (r1, r2):
        r.settimeout(0.05)
        try:
            while True:
                r.recv(2048)
        except socket.timeout:
            pass
    sock("hxt3").send(frame(B, bytes.fromhex("02000000cc03"), b"to B"))
    got = {}
    for name, r in (("hxt1", r1), ("hxt2", r2)):
        r.settimeout(0.5)
        got[name] = 0
        try:
            while True:
                d, a = r.recvfrom(2048)
                if a[2] != 4 and d[:6] == B and b"to B" in d:
                    got[name] += 1
        except socket.timeout:
            pass
    print(got["hxt1"], got["hxt2"])
PY

python3 "$T/flood.py" learn
sleep 0.2
[ "$(stat fdb_learned)" -ge 1 ] && ok || fail "B was not learned"

rx() { "$C" -j stats hxt1 | python3 -c "
import json, sys
v = json.load(sys.stdin)
def find(o):
    if isinstance(o, dict):
        if o.get('name') == 'hxt1' and 'rx_packets' in o: return o['rx_packets']
        for x in o.values():
            r = find(x)
            if r is not None: return r
    if isinstance(o, list):
        for x in o:
            r = find(x)
            if r is not None: return r
print(find(v) or 0)"; }

rss0=$(rss)
python3 "$T/flood.py" flood 0 10000
sleep 0.5
rss1=$(rss)
rx1=$(rx)
full1=$(stat learn_full)
learned1=$(stat fdb_learned)
echo "ctl-flood: first flood: $rx1 frames in, $learned1 learned, learn_full $full1, RSS $rss0 -> $rss1 kB"
[ "$learned1" -le 1000 ] && ok || fail "table above its limit: $learned1 learned"
[ "$rx1" -ge 5000 ] && ok || fail "only $rx1 of 10000 frames reached the switch"
# Everything past the limit was refused and counted (B and 999 others fit).
[ "$full1" -ge $((rx1 - 1000)) ] && ok ||
	fail "learn_full $full1 for $rx1 frames with room for 999"

python3 "$T/flood.py" flood 100000 10000
sleep 0.5
rss2=$(rss)
full2=$(stat learn_full)
echo "ctl-flood: second flood: learn_full $full2, RSS $rss1 -> $rss2 kB"
[ "$full2" -gt "$full1" ] && ok || fail "second flood not counted"
[ $((rss2 - rss1)) -lt 1024 ] && ok ||
	fail "RSS grew by $((rss2 - rss1)) kB over the second flood"

# B's entry survived: its unicast goes to hxt2 alone.
read -r on1 on2 < <(python3 "$T/flood.py" unicast)
[ "$on2" = 1 ] && [ "$on1" = 0 ] && ok ||
	fail "unicast to B: hxt1 got $on1, hxt2 got $on2 (want 0 and 1)"
finish
