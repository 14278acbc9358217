#!/bin/bash
# ctl-badinput.sh - bad input never crashes and never half-applies:
#  * a table of malformed bridgectl invocations, each with its exit status
#    and the words its message must contain;
#  * a table of malformed JSON-RPC requests sent as raw bytes, each with
#    its error code and message;
#  * after all of them the daemon still serves and its state is exactly
#    what it was (compared with the listings taken before).
. "$(dirname "$0")/ctl-lib.sh"

C="$BIN/bridgectl"
start_daemon
run() { "$@" >/dev/null || fail "setup: '$*' failed"; }
run "$C" link add br0 type bridge
run "$C" link add br1 type bridge
run "$C" port add br0 p1 type pcap mac 02:00:00:00:00:01
run "$C" port add br1 p2 type pcap mac 02:00:00:00:00:02
run "$C" vlan add dev p1 vid 10
run "$C" fdb add 02:00:00:00:00:aa dev p1 static

listings() {
	for c in "-j -d link show" "-j fdb show" "-j vlan show" "port show"; do
		# shellcheck disable=SC2086
		"$C" $c 2>&1
	done
	cat "$CONF"
}
listings >"$T/before"

# STATUS|WORDS|ARGS... (ARGS split on spaces; WORDS: a fixed string that
# stdout+stderr must contain)
n=0
while IFS='|' read -r want words args; do
	[ -z "$want" ] && continue
	case $want in \#*) continue ;; esac
	n=$((n + 1))
	# shellcheck disable=SC2086
	"$C" $args >"$T/out" 2>&1
	st=$?
	if [ "$st" != "$want" ]; then
		fail "bridgectl $args: status $st, want $want: $(cat "$T/out")"
	elif ! grep -qF -- "$words" "$T/out"; then
		fail "bridgectl $args: message lacks '$words': $(cat "$T/out")"
	else
		ok
	fi
done <<'TABLE'
2|unknown command 'frob'|frob
2|unknown option '--bogus'|--bogus show
2|--socket needs a PATH|--socket
2|unknown link command 'explode'|link explode
2|link add: missing NAME|link add
2|only 'type bridge'|link add br9 type veth
2|only 'type bridge'|link add br9
2|unknown bridge option 'stp'|link add br9 type bridge stp 1
2|stp_state '2': expected an integer 0..1|link add br9 type bridge stp_state 2
2|ageing_time 'x'|link add br9 type bridge ageing_time x
2|'hello_time' needs a value|link add br9 type bridge hello_time
2|vlan_protocol '802.1x'|link add br9 type bridge vlan_protocol 802.1x
2|mcast_snooping '1'|link add br9 type bridge mcast_snooping 1
2|vlan_default_pvid '4095'|link add br9 type bridge vlan_default_pvid 4095
1|device br0 already exists|link add br0 type bridge
1|cannot set hello_time 5|link add br9 type bridge hello_time 5
1|group_fwd_mask 1|link add br9 type bridge group_fwd_mask 1
2|'master' needs a BRIDGE|link set p1 master
2|unknown argument 'sideways'|link set p1 sideways
1|is not a bridge|link set p1 type bridge stp_state 1
1|Cannot find device "nothere"|link del nothere
2|unexpected argument 'extra'|link del br0 extra
1|Device "nothere" does not exist.|link show nothere
2|unknown fdb command 'grow'|fdb grow
2|fdb add: MAC is missing|fdb add dev p1
2|fdb add: dev DEV is missing|fdb add 02:00:00:00:00:bb
1|params.mac: '02:00:00:00:00' is not a MAC address|fdb add 02:00:00:00:00 dev p1
1|is not a unicast address|fdb add 01:00:5e:00:00:01 dev p1 static
2|invalid VLAN id '4095'|fdb add 02:00:00:00:00:bb dev p1 vlan 4095
1|vlan 99 not configured|fdb add 02:00:00:00:00:bb dev p1 vlan 99 static
1|already exists|fdb add 02:00:00:00:00:aa dev p1 static
1|device nodev does not exist|fdb add 02:00:00:00:00:bb dev nodev static
1|not found|fdb del 02:00:00:00:00:99 dev p1
2|unknown state 'weird'|fdb show state weird
2|invalid VLAN id or range '30-20'|vlan add dev p1 vid 30-20
2|invalid VLAN id or range '0'|vlan add dev p1 vid 0
2|vlan add: vid VID is missing|vlan add dev p1
1|params.pvid: not allowed with a range|vlan add dev p1 vid 20-30 pvid
1|vlan 11 not configured|vlan del dev p1 vid 10-11
2|unknown port type 'veth'|port add br0 p9 type veth
2|expected BRIDGE NAME type TYPE|port add br0 p9
2|unknown port argument 'colour'|port add br0 p9 type pcap colour red
1|params.args.mac: 'zz' is not a unicast MAC address|port add br0 p9 type pcap mac zz
1|bridge nobr does not exist|port add nobr p9 type pcap
1|already a member|port add br0 p2 type pcap
1|cannot open pcap port p9|port add br0 p9 type pcap rx /nonexistent/in.pcap
1|params.name: 'bad/name' is not a valid interface name|port add br0 bad/name type pcap
2|hairpin 'sometimes': expected on or off|port set p1 hairpin sometimes
2|priority '64': expected an integer 0..63|port set p1 priority 64
1|params.state: 'asleep' is not a port state|port set p1 state asleep
1|params.group_fwd_mask: 0x2 has bit 1|port set p1 group_fwd_mask 2
2|warp 'soon': expected milliseconds|debug time warp soon
2|expected 'time stop'|debug clock stop
2|unknown topic 'gossip'|monitor gossip
2|unexpected argument 'x'|info x
1|device nodev does not exist|capture nodev
1|bridge nobr does not exist|capture nobr p1
2|-c needs a COUNT of at least 1|capture p1 -c 0
2|-w needs a FILE|capture p1 -w
2|unexpected argument 'x'|capture br0 p1 x
2|unknown option '-z'|capture p1 -z
TABLE
[ "$n" -ge 30 ] && ok || fail "only $n bridgectl cases"
alive && ok || fail "daemon died after the bridgectl table"

# A failing multi-step change leaves nothing behind: the bridge whose
# second option fails is not created, and the failing port.set does not
# keep its first (mtu) step.
"$C" link add br9 type bridge ageing_time 100 hello_time 5 >/dev/null 2>&1
"$C" link show br9 >/dev/null 2>&1 && fail "br9 half-created" || ok
"$C" link set br0 type bridge ageing_time 777 hello_time 5 >/dev/null 2>&1
"$C" -j -d link show br0 | grep -q '"ageing_time":30000' && ok ||
	fail "bridge.set half-applied"
# (br0 is down, so p1 cannot be set forwarding: ENETDOWN after the mtu.)
"$C" port set p1 mtu 9000 state forwarding >/dev/null 2>&1 &&
	fail "port set state forwarding on a down bridge succeeded"
"$C" port show p1 | grep -q "mtu 1500 " && ok || fail "port.set half-applied"

# Raw JSON-RPC: each line is sent alone on a fresh connection.
python3 - "$SOCK" <<'PY' || fail "JSON-RPC table"
import json, socket, sys

sock = sys.argv[1]

def exchange(data, timeout=5):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    s.connect(sock)
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    out = b""
    while True:
        try:
            b = s.recv(65536)
        except socket.timeout:
            break
        if not b:
            break
        out += b
    s.close()
    return out

R = lambda m, p=None, i=1: json.dumps(
    {"jsonrpc": "2.0", "method": m, **({"params": p} if p is not None else {}), "id": i})

cases = [
    # (raw bytes, code, words in message)
    (b"not json\n", -32700, "parse error"),
    (b'{"jsonrpc":"2.0","method":"daemon.info","id":1\n', -32700, "truncated"),
    (b'{"jsonrpc":"2.0","method":"daemon.info","id":1}}\n', -32700, "parse error"),
    (b'{"jsonrpc":"2.0","method":"daemon.info","id":1,}\n', -32700, "parse error"),
    (b"\xff\xfe{}\n", -32700, "parse error"),
    (b'{"jsonrpc":"2.0","method":"da\x00emon.info","id":1}\n', -32700, "NUL"),
    (b"[1,2]\n", -32600, "batch"),
    (b"42\n", -32600, "must be a JSON object"),
    (b'{"method":"daemon.info","id":1}\n', -32600, "jsonrpc"),
    (b'{"jsonrpc":"1.0","method":"daemon.info","id":1}\n', -32600, "jsonrpc"),
    (b'{"jsonrpc":"2.0","id":1}\n', -32600, "method must be a string"),
    (b'{"jsonrpc":"2.0","method":7,"id":1}\n', -32600, "method must be a string"),
    (b'{"jsonrpc":"2.0","method":"daemon.info","params":[1],"id":1}\n', -32600, "params must be an object"),
    (b'{"jsonrpc":"2.0","method":"daemon.info","id":{"a":1}}\n', -32600, "id must be"),
    (b'{"jsonrpc":"2.0","method":"daemon.info","id":1,"extra":2}\n', -32600, "unknown member"),
    ((R("no.such.method") + "\n").encode(), -32601, "method not found: no.such.method"),
    ((R("bridge.add", {}) + "\n").encode(), -32602, "params.name: missing"),
    ((R("bridge.add", {"name": 5}) + "\n").encode(), -32602, "params.name: must be a string"),
    ((R("bridge.add", {"name": "brx", "colour": 1}) + "\n").encode(), -32602, "params.colour: unknown parameter"),
    ((R("bridge.add", {"name": "brx", "options": {"stp_state": 7}}) + "\n").encode(), -32602, "params.options.stp_state: 7 out of range 0..1"),
    ((R("bridge.add", {"name": "brx", "options": {"ageing_time": "1"}}) + "\n").encode(), -32602, "params.options.ageing_time: must be an integer"),
    ((R("bridge.add", {"name": "brx", "options": {"wings": 2}}) + "\n").encode(), -32602, "params.options.wings: unknown option"),
    ((R("bridge.add", {"name": "brx", "options": []}) + "\n").encode(), -32602, "params.options: must be an object"),
    ((R("bridge.add", {"name": "this-name-is-too-long"}) + "\n").encode(), -32602, "not a valid interface name"),
    ((R("bridge.add", {"name": "br0"}) + "\n").encode(), -32000, "device br0 already exists"),
    ((R("vlan.add", {"dev": "p1", "vid": 5000}) + "\n").encode(), -32602, "params.vid: 5000 out of range 1..4094"),
    ((R("vlan.add", {"dev": "p1", "vid": -3}) + "\n").encode(), -32602, "params.vid: -3 out of range"),
    ((R("vlan.add", {"dev": "p1", "vid": 1.5}) + "\n").encode(), -32602, "params.vid: must be an integer"),
    ((R("vlan.add", {"dev": "p1", "vid": 18446744073709551615}) + "\n").encode(), -32602, "out of range"),
    ((R("port.set", {"name": "p1", "learning": "yes"}) + "\n").encode(), -32602, "params.learning: must be a boolean"),
    ((R("port.set", {"name": "p1", "cost": 0}) + "\n").encode(), -32602, "params.cost: 0 out of range 1..65535"),
    ((R("port.set", {"name": "p1", "name2": 0}) + "\n").encode(), -32602, "params.name2: unknown parameter"),
    ((R("fdb.add", {"mac": "02:00:00:00:00:bb", "dev": "p1", "state": "sometimes"}) + "\n").encode(), -32602, "params.state"),
    ((R("fdb.add", {"mac": None, "dev": "p1"}) + "\n").encode(), -32602, "params.mac: must not be null"),
    ((R("debug.time", {"op": "rewind"}) + "\n").encode(), -32602, "params.op: 'rewind'"),
    ((R("debug.time", {"op": "warp"}) + "\n").encode(), -32602, "params.ms: missing"),
    ((R("stp.show", {"bridge": "nob"}) + "\n").encode(), -32000, "bridge nob does not exist"),
    ((R("port.del", {"name": "br0"}) + "\n").encode(), -32000, "br0 is a bridge, not a port"),
    ((R("monitor.subscribe", {"topics": ["fdb", 3]}) + "\n").encode(), -32602, "params.topics[1]"),
    # A NUL inside a string would cut it for every C consumer: br0 and br1
    # exist, so a cut name would be taken for them (or br1 deleted).
    (b'{"jsonrpc":"2.0","method":"bridge.add","params":{"name":"relA\\u0000 / : spaces"},"id":1}\n', -32602, "params.name: contains a NUL byte"),
    (b'{"jsonrpc":"2.0","method":"bridge.add","params":{"name":"br0\\u0000x"},"id":1}\n', -32602, "params.name: contains a NUL byte"),
    (b'{"jsonrpc":"2.0","method":"bridge.del","params":{"name":"br1\\u0000../../whatever"},"id":1}\n', -32602, "params.name: contains a NUL byte"),
    (b'{"jsonrpc":"2.0","method":"port.add","params":{"bridge":"br0","name":"p9","type":"pcap","args":{"rx":"/dev/null\\u0000x"}},"id":1}\n', -32602, "params.args.rx: contains a NUL byte"),
    (b'{"jsonrpc":"2.0","method":"monitor.subscribe","params":{"topics":["fdb","stp\\u0000"]},"id":1}\n', -32602, "params.topics[1]: contains a NUL byte"),
    (b'{"jsonrpc":"2.0","method":"bridge.add","params":{"name":"brq","na\\u0000me":"x"},"id":1}\n', -32600, "member name contains a NUL byte"),
    (b'{"jsonrpc":"2.0","method":"bridge.list\\u0000x","id":1}\n', -32600, "method contains a NUL byte"),
    (b'{"jsonrpc":"2.0\\u0000","method":"bridge.list","id":1}\n', -32600, "jsonrpc must be"),
    # Ill-formed UTF-8 is refused before parsing and never echoed (every
    # reply is checked to decode as strict UTF-8 below).
    (b'{"jsonrpc":"2.0","method":"bridge.add","params":{"name":"a\xc0\xafb"},"id":1}\n', -32700, "invalid UTF-8 at byte"),
    (b'{"jsonrpc":"2.0","method":"bridge.add","params":{"name":"\xed\xa0\x80"},"id":1}\n', -32700, "invalid UTF-8 at byte"),
    (b'{"jsonrpc":"2.0","method":"bridge.add","params":{"name":"\xf4\x90\x80\x80"},"id":1}\n', -32700, "invalid UTF-8 at byte"),
    (b'{"jsonrpc":"2.0","method":"no.\xe0\x80\xaf","id":1}\n', -32700, "invalid UTF-8 at byte 30"),
    (b'{"jsonrpc":"2.0","method":"bridge.add","params":{"name":"ok\xc3"},"id":1}\n', -32700, "invalid UTF-8"),
]
bad = 0
for raw, code, words in cases:
    out = exchange(raw)
    try:
        out.decode("utf-8")	# strict: no overlong, surrogate, > U+10FFFF
        rep = json.loads(out.split(b"\n")[0])
        err = rep["error"]
        assert err["code"] == code, (err, code)
        assert words in err["message"], (err["message"], words)
        if code == -32000:
            assert "errno" in err["data"] and "errname" in err["data"], err
        if code in (-32700,):
            assert rep["id"] is None, rep
    except Exception as e:
        print("FAIL: JSON-RPC %r: %r (got %r)" % (raw[:80], e, out[:300]), file=sys.stderr)
        bad += 1

# Oversize: 1 MiB + 1 byte without a newline => -32600 and closed.
big = b'{"jsonrpc":"2.0","method":"daemon.info","id":1,"x":"' + b"a" * (1 << 20)
out = exchange(big)
try:
    rep = json.loads(out.split(b"\n")[0])
    assert rep["error"]["code"] == -32600 and "1 MiB" in rep["error"]["message"]
except Exception as e:
    print("FAIL: oversize: %r %r" % (e, out[:200]), file=sys.stderr); bad += 1

# Exactly at the limit with a newline is still parsed (and refused for its
# unknown member, not for its size).
pad = (1 << 20) - len(b'{"jsonrpc":"2.0","method":"daemon.info","id":1,"x":""}')
line = b'{"jsonrpc":"2.0","method":"daemon.info","id":1,"x":"' + b"a" * pad + b'"}'
assert len(line) == 1 << 20
rep = json.loads(exchange(line + b"\n").split(b"\n")[0])
if rep.get("error", {}).get("code") != -32600 or "unknown member" not in rep["error"]["message"]:
    print("FAIL: 1 MiB request: %r" % rep, file=sys.stderr); bad += 1

# Several requests in one write, one split across writes, a notification
# (no id: no reply), blank lines.
s = socket.socket(socket.AF_UNIX); s.connect(sock); s.settimeout(5)
f = s.makefile("rwb")
f.write((R("daemon.info", i=1) + "\n\n" + R("bridge.list", i=2) + "\n").encode())
f.write(b'{"jsonrpc":"2.0","method":"daemon.info"}\n')
f.write(R("daemon.info", i="three").encode()[:10]); f.flush()
f.write(R("daemon.info", i="three").encode()[10:] + b"\n"); f.flush()
ids = [json.loads(f.readline())["id"] for _ in range(3)]
if ids != [1, 2, "three"]:
    print("FAIL: pipelined ids %r" % ids, file=sys.stderr); bad += 1
s.close()

# A peer that disconnects mid-request does no harm.
s = socket.socket(socket.AF_UNIX); s.connect(sock)
s.sendall(b'{"jsonrpc":"2.0","method":"bridge.add","params":{"name":"brz"}')
s.close()

# Mutation fuzz (fixed seed): flipped bytes, cuts and splices of valid
# requests, including mutating ones.  Any reply is fine; the daemon must
# survive and answer daemon.info afterwards.
import random
rng = random.Random(4242)
seeds = [R("bridge.add", {"name": "fz0", "options": {"stp_state": 1}}),
         R("port.set", {"name": "p1", "learning": True, "cost": 5}),
         R("vlan.add", {"dev": "p1", "vid": 10, "vid_end": 12}),
         R("fdb.add", {"mac": "02:00:00:00:00:bb", "dev": "p1"}),
         R("bridge.list"), R("fdb.show", {"br": "br0"})]
s = socket.socket(socket.AF_UNIX); s.connect(sock)
for n in range(400):
    b = bytearray(rng.choice(seeds).encode())
    for _ in range(rng.randint(1, 4)):
        op = rng.randint(0, 2)
        i = rng.randrange(len(b))
        if op == 0:
            b[i] = rng.randrange(256)
        elif op == 1:
            del b[i:i + rng.randint(1, 8)]
        else:
            b[i:i] = rng.choice([b"{", b"}", b'"', b"\\", b"\xc3", b"9" * 30, b"null"])
    try:
        s.sendall(bytes(b).replace(b"\n", b" ") + b"\n")
    except OSError:
        s = socket.socket(socket.AF_UNIX); s.connect(sock)
s.close()
rep = json.loads(exchange((R("daemon.info") + "\n").encode()).split(b"\n")[0])
if "result" not in rep:
    print("FAIL: after fuzz: %r" % rep, file=sys.stderr); bad += 1
# The fuzz may have created or changed things; undo what it can have done
# so the state comparison below still holds.
for m, p in [("bridge.del", {"name": "fz0"}), ("vlan.del", {"dev": "p1", "vid": 10, "vid_end": 12})]:
    exchange((R(m, p) + "\n").encode())

print("JSON-RPC cases: %d, failures: %d" % (len(cases) + 4, bad))
sys.exit(1 if bad or len(cases) < 20 else 0)
PY
[ $? = 0 ] && ok

alive && ok || fail "daemon died after the JSON-RPC table"
listings >"$T/after"
if cmp -s "$T/before" "$T/after"; then
	ok
else
	fail "state or configuration changed by refused requests:"
	diff -u "$T/before" "$T/after" | head -40 | sed 's/^/    /' >&2
fi
finish
