#!/bin/bash
# ctl-atomic.sh - a multi-part change that fails half-way leaves everything
# as it was, through every front-end:
#   1. JSON-RPC, through bridgectl and as raw requests;
#   2. the setup language, a line of --script in the daemon (listings
#      compared with a daemon started from the same file without the line)
#      and in a --replay (--dump compared);
#   3. the configuration replayed at start-up: a file whose 3rd bridge is
#      invalid makes vswitchd refuse to start and stays untouched.
# After each refused change 'bridgectl -j -d link show', '-j port show',
# '-j fdb show', '-j vlan show' and the saved file must be byte-identical
# to before.  pcap ports only; bridges and ports are named wtat*.
. "$(dirname "$0")/ctl-lib.sh"

C="$BIN/bridgectl"
BR=wtat0
P1=wtatp1
P2=wtatp2

# state FILE: every listing and the saved configuration, in one file.
state() {
	{
		for cmd in "-d link show" "port show" "fdb show" "vlan show"; do
			echo "== $cmd"
			"$C" -j $cmd | mask_ifindex
		done
		echo "== $CONF"
		cat "$CONF" 2>/dev/null
	} >"$1" 2>&1
}

# same NAME: the state now must equal $T/before.
same() {
	grep -q "does not exist" "$T/before" && fail "$1: a listing failed"
	state "$T/after"
	if cmp -s "$T/before" "$T/after"; then
		ok
	else
		fail "$1: state changed:"
		diff -u "$T/before" "$T/after" | sed 's/^/    /' | head -30 >&2
	fi
}

# refused NAME CMD...: CMD must fail and change nothing.
refused() {
	local name=$1
	shift
	state "$T/before"
	if "$@" >"$T/out" 2>&1; then
		fail "$name: accepted"
	else
		ok
	fi
	same "$name"
}

# rpc METHOD PARAMS: sends one raw JSON-RPC request; fails unless the
# reply is an error.
rpc() {
	python3 - "$SOCK" "$1" "$2" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall((json.dumps({"jsonrpc": "2.0", "method": sys.argv[2],
                       "params": json.loads(sys.argv[3]), "id": 1})
           + "\n").encode())
buf = b""
while not buf.endswith(b"\n"):
    b = s.recv(65536)
    if not b:
        break
    buf += b
sys.exit(1 if "error" in json.loads(buf) else 0)
PY
}

# --- the starting point: options, port settings, VLANs, FDB entries --------
mkdir -p "$T/lib"
start_daemon
"$C" link add $BR type bridge forward_delay 100 ageing_time 1000 ||
	fail "link add $BR"
"$C" port add $BR $P1 type pcap mac 02:00:00:00:a0:01 || fail "port add $P1"
"$C" port add $BR $P2 type pcap mac 02:00:00:00:a0:02 || fail "port add $P2"
"$C" port set $P1 cost 100 learning off || fail "port set $P1"
"$C" vlan add dev $P1 vid 10-12 || fail "vlan add $P1"
"$C" vlan add dev $P2 vid 5 pvid untagged || fail "vlan add $P2"
"$C" fdb add 02:00:00:00:b0:01 dev $P1 vlan 10 master static ||
	fail "fdb add static"

# --- 1. JSON-RPC --------------------------------------------------------------
refused "bridgectl: stp_state on, then a refused group_fwd_mask" \
	"$C" link set $BR type bridge stp_state 1 group_fwd_mask 1
refused "bridgectl: ageing_time, then hello_time out of range" \
	"$C" link set $BR type bridge ageing_time 500 hello_time 99999
refused "bridgectl: default PVID moved, then a refused group_fwd_mask" \
	"$C" link set $BR type bridge vlan_default_pvid 5 group_fwd_mask 1
# Written in the other order, but applied in table order by every
# front-end: filtering goes on first, then the default PVID is refused
# while filtering (as the kernel's br_changelink()).
refused "bridgectl: default PVID written before vlan_filtering" \
	"$C" link set $BR type bridge vlan_default_pvid 7 vlan_filtering 1
refused "bridgectl: port options, cost out of range last" \
	"$C" port set $P1 learning on flood off cost 99999
refused "bridgectl: vlan del of a range with a hole" \
	"$C" vlan del dev $P1 vid 10-13
refused "rpc: bridge.set stp_state, max_age, then vlan_protocol refused" \
	rpc bridge.set "{\"name\":\"$BR\",\"options\":{\"stp_state\":1,\"max_age\":700,\"group_fwd_mask\":4}}"
refused "rpc: bridge.set with forward_delay refused after stp_state (middle)" \
	rpc bridge.set "{\"name\":\"$BR\",\"options\":{\"priority\":1,\"forward_delay\":100,\"stp_state\":1,\"hello_time\":5000}}"
refused "rpc: port.set down, then a state refused on a down port" \
	rpc port.set "{\"name\":\"$P2\",\"flood\":false,\"up\":false,\"state\":\"forwarding\"}"
refused "rpc: port.set move to a missing bridge" \
	rpc port.set "{\"name\":\"$P2\",\"flood\":false,\"master\":\"wtatnone\"}"
refused "rpc: port.add with a bad argument after good ones" \
	rpc port.add "{\"bridge\":\"$BR\",\"name\":\"wtatp3\",\"type\":\"pcap\",\"args\":{\"mac\":\"02:00:00:00:a0:03\",\"nonsense\":1}}"
refused "rpc: bridge.add with a bad option last" \
	rpc bridge.add "{\"name\":\"wtat1\",\"options\":{\"ageing_time\":100,\"hello_time\":1}}"
refused "rpc: vlan.del of a range with a hole" \
	rpc vlan.del "{\"dev\":\"$P1\",\"vid\":10,\"vid_end\":13}"
kill_daemon
cp "$CONF" "$T/saved"

# --- 2a. the setup language in the daemon -------------------------------------
# Started from the saved file, with and without one refused line.
daemon_with() {
	cp "$T/saved" "$CONF"
	printf '%s\n' "$@" >"$T/setup"
	start_daemon --script "$T/setup"
}
daemon_with "# nothing"
state "$T/before"
kill_daemon
while read -r line; do
	[ -n "$line" ] || continue
	daemon_with "expect-fail $line"
	same "--script: $line"
	kill_daemon
done <<EOF
link set dev $P1 learning on flood off cost 99999
link set dev $P1 priority 3 hairpin on nonsense 1
link set dev $P1 mtu 9000 learning on cost 0 flood off
link set dev $P2 flood off state disabled bcast_flood maybe
link set dev $P2 flood off down state forwarding
bridge set $BR vlan_default_pvid 7 vlan_filtering 1
bridge set $BR ageing_time 1000 hello_time 99999
bridge set $BR stp_state 1 priority 3 group_fwd_mask 1
bridge set $BR vlan_default_pvid 5 priority 7 group_fwd_mask 1
bridge set $BR address 02:00:00:00:c0:01 ageing_time 5 bogus 1
vlan del dev $P1 vid 10-13
port add $BR wtatp3 type pcap mac 02:00:00:00:a0:03 nonsense 1
EOF

# --- 2b. the setup language in a replay ---------------------------------------
base="bridge add $BR ageing_time 1000
port add $BR $P1 type pcap mac 02:00:00:00:a0:01
port add $BR $P2 type pcap mac 02:00:00:00:a0:02
vlan add dev $P1 vid 10-12
fdb add 02:00:00:00:b0:01 dev $P1 vlan 10 static
fdb add 02:00:00:00:b0:03 dev $P1 vlan 11 static"
replay() {
	printf '%s\n' "$base" "$@" >"$T/setup"
	(cd "$T" && "$BIN/vswitchd" --replay --script "$T/setup" --no-config \
		--test-mode -l warn --dump --in-dir "$T" --out-dir "$T") \
		>"$T/dump" 2>"$T/replay.err"
}
replay "# nothing" || fail "replay of the base: $(cat "$T/replay.err")"
cp "$T/dump" "$T/dump0"
while read -r line; do
	[ -n "$line" ] || continue
	if replay "expect-fail $line" && cmp -s "$T/dump0" "$T/dump"; then
		ok
	else
		fail "--replay: $line: $(cat "$T/replay.err")"
		diff -u "$T/dump0" "$T/dump" | sed 's/^/    /' | head -20 >&2
	fi
done <<EOF
vlan del dev $P1 vid 10-13
vlan del dev $P1 vid 9-11
bridge set $BR vlan_default_pvid 7 vlan_filtering 1
bridge add wtat1 ageing_time 100 hello_time 1
EOF
# A bridge a refused 'bridge add' created must be gone: adding it again
# works.
replay "expect-fail bridge add wtat1 ageing_time 100 hello_time 1" \
	"bridge add wtat1" && ok ||
	fail "--replay: a refused bridge add left its bridge: $(cat "$T/replay.err")"

# --- 3. the configuration at start-up ------------------------------------------
# Three bridges, the 3rd with an option out of range: vswitchd refuses to
# start and leaves the file as it was (docs/vswitchd.8 DURABLE
# CONFIGURATION).
python3 - "$T/saved" "$CONF" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
b = doc["bridges"][0]
for name, opts in (("wtat1", {}), ("wtat2", {"hello_time": 99999})):
    nb = json.loads(json.dumps(b))
    nb["name"] = name
    nb["ports"] = []
    nb["fdb"] = []
    nb["options"].update(opts)
    doc["bridges"].append(nb)
json.dump(doc, open(sys.argv[2], "w"), indent=1)
PY
cp "$CONF" "$T/bad"
rm -f "$CONF.bak" "$SOCK"	# from the daemons above
touch -d '2001-01-01' "$CONF"
stamp=$(stat -c %Y "$CONF")
if try_start; then
	fail "start-up: a file with an invalid 3rd bridge was loaded"
	kill_daemon
else
	ok
	grep -q "refusing to start" "$T/out" && ok ||
		fail "start-up: no 'refusing to start': $(cat "$T/out")"
fi
cmp -s "$T/bad" "$CONF" && [ "$(stat -c %Y "$CONF")" = "$stamp" ] && ok ||
	fail "start-up: the refused file was changed"
[ ! -e "$CONF.bak" ] && ok || fail "start-up: a .bak was written"
[ ! -e "$SOCK" ] && ok || fail "start-up: the socket was left behind"

finish
