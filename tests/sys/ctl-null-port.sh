#!/bin/bash
# ctl-null-port.sh - the "null" port class (vswitchd/ports/port-null.c), which
# exists to show that a port type is one file and one registration line:
# every front-end must take it without knowing it.
#   1. bridgectl: 'port add BR N type null' works, refuses arguments the
#      class does not list, and 'port --help' lists the type (from the
#      daemon's port.types); port show and stats show it and its counters.
#   2. it survives kill -9 and a restart on the saved configuration.
#   3. the setup language: 'port add BR N type null' in a replay, where a
#      broadcast from a pcap port floods to it and its own counters (the
#      --dump line from get_stats) count the frames.  pcap input is only
#      read in a replay, so the flood is checked there.
# pcap and null ports only; bridges and ports are named wtreg*.
. "$(dirname "$0")/ctl-lib.sh"

C="$BIN/bridgectl"
BR=wtregb0
N=wtregn0
CASE=$(cd "$(dirname "$0")/../pcap/t02-broadcast" && pwd)

# --- 1. bridgectl -----------------------------------------------------------
mkdir -p "$T/lib"
start_daemon
"$C" link add $BR type bridge || fail "link add $BR"
"$C" port add $BR wtregp1 type pcap mac 02:00:00:00:01:01 ||
	fail "port add wtregp1"
if "$C" port add $BR $N type null 2>"$T/err"; then ok; else
	fail "port add $N type null: $(cat "$T/err")"; fi
"$C" port add $BR wtregn1 type null mac 02:00:00:00:01:09 2>"$T/err"
st=$?
[ $st = 2 ] && grep -qF "unknown port argument 'mac' for type null" "$T/err" &&
	ok || fail "null with a mac: status $st, '$(cat "$T/err")'"
"$C" port --help >"$T/help" 2>&1
grep -qx "         null:" "$T/help" && ok ||
	fail "port --help does not list null: $(cat "$T/help")"
"$C" port show $N >"$T/show" 2>&1
grep -q "^$N: bridge $BR port 2 type null " "$T/show" && ok ||
	fail "port show: $(cat "$T/show")"
"$C" stats $N >"$T/stats" 2>&1
grep -q "^  $N (2): rx 0 pkts 0 bytes, tx 0 pkts 0 bytes" "$T/stats" &&
	grep -qx "    null: none" "$T/stats" && ok ||
	fail "stats $N: $(cat "$T/stats")"
"$C" -j stats $N | python3 -c '
import json, sys
p = json.load(sys.stdin)[0]["ports"][0]
sys.exit(0 if p["type"] == "null" and
	 p["null"] == {"tx_frames": 0, "tx_bytes": 0} else 1)' && ok ||
	fail "-j stats $N: $("$C" -j stats $N)"

# --- 2. restart on the saved configuration ----------------------------------
kill_daemon
start_daemon
"$C" port show $N >"$T/show" 2>&1
grep -q "^$N: bridge $BR port 2 type null " "$T/show" && ok ||
	fail "after a restart, port show: $(cat "$T/show")"
python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
p = [p for b in c["bridges"] for p in b["ports"] if p["name"] == sys.argv[2]]
sys.exit(0 if p and p[0]["type"] == "null" and p[0]["args"] == {} else 1)
' "$CONF" $N && ok || fail "saved configuration: $(cat "$CONF")"
kill_daemon

# --- 3. the setup language, in a replay -------------------------------------
# t02-broadcast: three broadcasts (60, 42 and 60 bytes) from p1 and p4.
cat >"$T/setup" <<EOF2
bridge add br0
port add br0 p1 type pcap mac 02:00:00:00:01:01
port add br0 p2 type pcap mac 02:00:00:00:01:02
port add br0 p3 type pcap mac 02:00:00:00:01:03
port add br0 p4 type pcap mac 02:00:00:00:01:04
port add br0 n0 type null
EOF2
if "$BIN/vswitchd" --replay --test-mode -l warn --no-config \
	--script "$T/setup" --in-dir "$CASE" --out-dir "$T" --dump \
	>"$T/dump" 2>&1; then ok; else
	fail "replay with a null port: $(cat "$T/dump")"; fi
grep -qE "^  n0 +5 +[a-z]+ +0 +3 +0 " "$T/dump" && ok ||
	fail "dump: n0 did not send 3 frames: $(cat "$T/dump")"
grep -qx "    null: tx_frames 3 tx_bytes 162" "$T/dump" && ok ||
	fail "dump: null counters: $(cat "$T/dump")"
# The pcap ports still get exactly what they got without it.
for p in p2 p3; do
	"$BIN/../tests/pcap/pcap-diff" "$CASE/expected-$p.pcap" "$T/out-$p.pcap" \
		>"$T/diff" 2>&1 && ok || fail "out-$p.pcap: $(cat "$T/diff")"
done
# The class's arguments in a replay: none, so a word is refused.
echo "port add br0 n1 type null rx x" >>"$T/setup"
"$BIN/vswitchd" --replay --test-mode -l warn --no-config \
	--script "$T/setup" --in-dir "$CASE" --out-dir "$T" >"$T/out" 2>&1
st=$?
[ $st = 1 ] && grep -qF "unknown option 'rx' for type null" "$T/out" && ok ||
	fail "null with rx in a replay: status $st, '$(cat "$T/out")'"

finish
