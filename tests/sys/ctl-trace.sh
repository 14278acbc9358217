#!/bin/bash
# bridgectl trace over the control socket: the text equals what the
# replay's 'trace' command prints for the same setup (one engine), -j is
# the bridge.trace JSON, a pcap frame traces like the same frame given by
# fields, a dry run changes neither the FDB nor any counter, --learn
# learns, and bad frames or ports give clear errors.  pcap ports, no root.
CTL_PREFIX=tr-ctl-trace
. "$(dirname "$0")/ctl-lib.sh"
C="$BIN/bridgectl"
A=02:00:00:00:00:0a B=02:00:00:00:00:0b

mkdir -p "$T/lib"
start_daemon
"$C" link add trbr0 type bridge || fail "link add trbr0"
"$C" link set trbr0 up || fail "link set trbr0 up"
for i in 1 2 3; do
	"$C" port add trbr0 trp$i type pcap mac 02:00:00:00:01:0$i ||
		fail "port add trp$i"
done

# 1. The same frame through the replay's 'trace' command: same text.
cat > "$T/setup" <<EOS
bridge add trbr0
port add trbr0 trp1 type pcap mac 02:00:00:00:01:01
port add trbr0 trp2 type pcap mac 02:00:00:00:01:02
port add trbr0 trp3 type pcap mac 02:00:00:00:01:03
trace trp1 src $A dst $B
EOS
mkdir -p "$T/replay"
"$BIN/vswitchd" --replay --test-mode -l warn --script "$T/setup" \
	--in-dir "$T/replay" --out-dir "$T/replay" > "$T/want" ||
	fail "replay trace"
grep -q "^result: leaves at trbr0/trp2 trbr0/trp3$" "$T/want" ||
	fail "replay trace: unexpected result: $(cat "$T/want")"
"$C" stats trbr0 > "$T/stats0" || fail "stats"
expect_out "trace text" "$T/want" "$C" trace trp1 src $A dst $B
expect_out "trace text with bridge" "$T/want" "$C" trace trbr0 trp1 src $A dst $B

# 2. A frame of a pcap file: t01's first frame is A -> B, 60 bytes.
expect_out "trace pcap" "$T/want" "$C" trace trp1 pcap \
	"$(dirname "$0")/../pcap/t01-learn-unicast/in-p1.pcap" 1

# 3. JSON: the leaves and the dry-run flag.
if "$C" -j trace trp1 src $A dst $B > "$T/json"; then
	/usr/bin/python3 - "$T/json" <<'PY' || fail "trace -j: $(cat "$T/json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["dry_run"] is True
assert [(l["bridge"], l["port"]) for l in r["leaves"]] == \
    [("trbr0", "trp2"), ("trbr0", "trp3")], r["leaves"]
assert r["hops"][0]["out"] == ["trp2", "trp3"]
steps = [s["step"] for s in r["hops"][0]["steps"]]
assert "learn" in steps and "lookup" in steps, steps
PY
	ok
else
	fail "trace -j failed"
fi

# 4. The dry runs learned nothing and counted nothing.
"$C" fdb show br trbr0 > "$T/fdb" 2>&1
grep -qi "$A" "$T/fdb" && fail "dry run learned $A: $(cat "$T/fdb")" || ok
"$C" stats trbr0 > "$T/stats1"
cmp -s "$T/stats0" "$T/stats1" && ok ||
	fail "dry run changed counters: $(diff "$T/stats0" "$T/stats1")"

# 5. --learn learns A; then B -> A is known unicast to trp1.
"$C" trace --learn trp1 src $A dst $B > /dev/null || fail "trace --learn"
"$C" fdb show br trbr0 | grep -qi "$A dev trp1" && ok ||
	fail "--learn did not learn $A: $("$C" fdb show br trbr0)"
"$C" trace trp2 src $B dst $A > "$T/known" || fail "trace known"
grep -q "^  lookup trp1: known - vid 0$" "$T/known" &&
	grep -q "^result: leaves at trbr0/trp1$" "$T/known" && ok ||
	fail "known unicast: $(cat "$T/known")"

# 6. Errors: a clear message, exit 2 (usage) or 1 (refused).
"$C" trace trp1 src $A > /dev/null 2> "$T/err"
[ $? = 2 ] && grep -q "needs src MAC and dst MAC" "$T/err" && ok ||
	fail "missing dst: $(cat "$T/err")"
"$C" trace trp1 src $A dst $B vlan 5000 > /dev/null 2> "$T/err"
[ $? = 2 ] && grep -q "vlan: bad VID '5000'" "$T/err" && ok ||
	fail "bad vid: $(cat "$T/err")"
"$C" trace trnone src $A dst $B > /dev/null 2> "$T/err"
[ $? = 1 ] && grep -q "trnone: no such port" "$T/err" && ok ||
	fail "bad port: $(cat "$T/err")"
"$C" trace trp1 hex 0102 > "$T/runt" 2> "$T/err" &&
	grep -q "drop trp1: runt" "$T/runt" && ok ||
	fail "runt: $(cat "$T/runt" "$T/err")"
alive && ok || fail "vswitchd died"
finish
