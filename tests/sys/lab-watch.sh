#!/bin/bash
# lab-watch.sh - "bridgectl lab watch" (#17) on labs/stp-loop.yml, its
# output read from a file while it runs (so each line is flushed):
#   1. the snapshot: sw1 the root bridge, sw3:p2 blocking (alternate);
#   2. lab link sw1 sw3 down (the root's link to sw3): the watch shows both
#      ends down, sw3:p2 going blocking -> listening -> learning ->
#      forwarding, a topology change, sw3's new root port, all in lab names;
#   3. after an FDB flush, a ping h1 -> h3 shows h1's MAC learned on
#      sw1:p4 with the host's name;
#   4. -j: JSON lines, the same state changes with lab names;
#   5. SIGTERM ends the watch with 0 and an "end" line; lab down ends the
#      JSON one with 0 ("the lab went down"); kill -9 of vswitchd ends a
#      third with 3 and a message on stderr; usage errors give 2, an
#      unknown lab 1.
# Needs root (namespaces, TAPs); every name starts with $LB (lw-).
LB=${LB-lw-}
. "$(dirname "$0")/lab-lib.sh"
need_root

W= WJ= W3=
watch_cleanup() {
	for p in $W $WJ $W3; do kill "$p" 2>/dev/null; done
	[ -n "${TS:-}" ] && kill -- -"$TS" 2>/dev/null
	lab_cleanup
}
trap watch_cleanup EXIT

# wait_for FILE ERE: until a line of FILE matches (10 s at most).
wait_for() {
	for _ in $(seq 100); do
		grep -Eq -- "$2" "$1" && return 0
		sleep 0.1
	done
	return 1
}

# expect WHAT FILE ERE: PASS if a line of FILE matches.
expect() {
	if wait_for "$2" "$3"; then pass "$1: $(grep -E -m1 -- "$3" "$2")"
	else fail "$1: no line matching '$3' in:"; cat "$2"; fi
}

# status_of PID: its exit status in $st once it ended (10 s at most), or
# "running".
status_of() {
	st=running
	for _ in $(seq 100); do
		kill -0 "$1" 2>/dev/null || { wait "$1"; st=$?; return; }
		sleep 0.1
	done
}

T0='^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} '

start_daemon
"$C" lab up labs/stp-loop.yml >"$T/up" 2>&1 || fail "lab up: $(cat "$T/up")"
"$C" lab watch stp >"$T/watch" 2>"$T/watch.err" &
W=$!
"$C" -j lab watch stp >"$T/watch.json" 2>&1 &
WJ=$!

# 1. the snapshot
expect "snapshot: root" "$T/watch" "${T0}now +sw1 root bridge \(id 1000\."
expect "snapshot: blocked port" "$T/watch" \
	"${T0}now +sw3:p2 \(to sw2:p2\) blocking alternate carrier on$"
wait_for "$T/watch.json" '"event":"now".*"port":"sw3:p4"' ||
	fail "the JSON watch printed no snapshot"

# 2. pull the root's link to sw3, once the topology change of lab up is
# over (else the flag stays on and no new one is seen)
if grep -Eq "${T0}now +sw1 .*topology change" "$T/watch"; then
	wait_for "$T/watch" "${T0}tc +sw1 topology change over$" ||
		fail "the topology change of lab up does not end"
fi
"$C" lab link sw1 sw3 down >"$T/link" 2>&1 || fail "lab link: $(cat "$T/link")"
grep -q "re-converged in" "$T/link" || fail "lab link: $(cat "$T/link")"
sed -n '/ link  sw1:p3 (to sw3:p3) down/,$p' "$T/watch" >"$T/after"
expect "link down, sw1's end" "$T/after" "${T0}link +sw1:p3 \(to sw3:p3\) down$"
expect "link down, sw3's end" "$T/watch" "${T0}link +sw3:p3 \(to sw1:p3\) down$"
expect "sw3's root port disabled" "$T/watch" \
	"${T0}stp +sw3:p3 \(to sw1:p3\) forwarding -> disabled$"
for step in "blocking -> listening" "listening -> learning" \
	    "learning -> forwarding"; do
	expect "sw3:p2 $step" "$T/watch" "${T0}stp +sw3:p2 \(to sw2:p2\) $step$"
done
sed -n '/ link  sw1:p3 (to sw3:p3) down/,$p' "$T/watch" >"$T/after"
expect "topology change after the pull" "$T/after" \
	"${T0}tc +sw[123] topology change detected$"
expect "new root port" "$T/watch" "${T0}root +sw3 root port sw3:p3 -> sw3:p2$"
expect "new role" "$T/watch" "${T0}role +sw3:p2 \(to sw2:p2\) alternate -> root$"

# 3. FDB: flush, ping, h1's MAC learned on sw1:p4 under its name
h1mac=$(ip -n ${LB}h1 -o link show eth0 | grep -o 'link/ether [^ ]*' | cut -d' ' -f2)
"$C" fdb flush br ${LB}sw1 dynamic >/dev/null || fail "fdb flush"
n=$(wc -l <"$T/watch")
ip netns exec ${LB}h1 ping -c 2 -i 0.2 -W 1 10.0.1.3 >/dev/null ||
	fail "h1 does not reach h3 after the fail-over"
sleep 0.3
tail -n +"$((n + 1))" "$T/watch" >"$T/after"
expect "FDB learned after the ping" "$T/after" \
	"${T0}fdb +sw1:p4 \(to h1:eth0\) learned $h1mac \(h1\)"

# 4. the JSON lines
if /usr/bin/python3 - "$T/watch.json" <<'EOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert all(e["lab"] == "stp" and "time" in e and "ts" in e for e in ev)
assert any(e["event"] == "stp" and e["port"] == "sw3:p2" and
           e["peer"] == "sw2:p2" and e["was"] == "learning" and
           e["state"] == "forwarding" for e in ev), "no sw3:p2 forwarding"
assert any(e["event"] == "tc" and e["active"] for e in ev), "no tc"
assert any(e["event"] == "fdb" and e.get("host") == "h1" and
           e["port"] == "sw1:p4" for e in ev), "no fdb h1"
print(len(ev), "JSON lines")
EOF
then pass "lab watch -j: JSON lines with lab names"
else fail "lab watch -j:"; cat "$T/watch.json"; fi

# 5. how it ends
kill -TERM $W
status_of $W; W=
[ "$st" = 0 ] && tail -1 "$T/watch" | grep -Eq "${T0}end +interrupted$" &&
	pass "SIGTERM: exit 0, '$(tail -1 "$T/watch")'" ||
	fail "SIGTERM: exit $st, last line '$(tail -1 "$T/watch")'"
"$C" lab down stp >/dev/null || fail "lab down"
status_of $WJ; WJ=
[ "$st" = 0 ] && tail -1 "$T/watch.json" | grep -q '"reason":"the lab went down"' &&
	pass "lab down ends the watch: exit 0" ||
	fail "lab down: watch exit $st, last line $(tail -1 "$T/watch.json")"

"$C" lab up labs/mac-learning.yml >/dev/null || fail "lab up mac"
"$C" lab watch >"$T/w3" 2>"$T/w3.err" &
W3=$!
wait_for "$T/w3" "${T0}now " || fail "watch of lab mac: no snapshot"
# on a terminal (script(1) gives it one): the redrawn screen
if command -v script >/dev/null; then
	# a session of its own (killed as a group); stdin stays open
	setsid bash -c 'sleep 30 | script -q -f -e -c "stty rows 30 cols 100; $0 lab watch" "$1"' \
		"$C" "$T/tty" >/dev/null 2>&1 &
	TS=$!
	: > /dev/null; wait_for "$T/tty" "latest events" || fail "no screen on a terminal"
	"$C" fdb flush br ${LB}sw1 dynamic >/dev/null || fail "fdb flush"
	ip netns exec ${LB}h1 ping -c 1 -W 1 10.0.0.2 >/dev/null
	sleep 0.5
	/usr/bin/python3 - "$T/tty" >"$T/screen" <<'EOF'
import re, sys
d = open(sys.argv[1], 'rb').read().decode('utf-8', 'replace')
assert '\x1b[?1049h' in d, 'no alternate screen'
last = d.rsplit('\x1b[H', 1)[-1]
print(re.sub(r'\x1b\[[0-9;?]*[a-zA-Z]', '', last).replace('\r', ''))
EOF
	if grep -Eq '^  sw1:p1 +to h1:eth0 +forwarding' "$T/screen" &&
	   grep -Eq "fdb +sw1:p1 \(to h1:eth0\) learned .* \(h1\)" "$T/screen"; then
		pass "on a terminal: a screen with the ports and the latest events"
	else
		fail "on a terminal, the last screen:"; cat "$T/screen"
	fi
else
	fail "no script(1) (bsdutils): the terminal screen is not tested"
fi
kill -9 "$VSWITCHD_PID"; wait "$VSWITCHD_PID" 2>/dev/null; VSWITCHD_PID=
status_of $W3; W3=
if [ -n "${TS:-}" ]; then
	for _ in $(seq 50); do grep -q "end   vswitchd went away" "$T/tty" && break; sleep 0.1; done
	grep -q "vswitchd closed the connection" "$T/tty" &&
		pass "on a terminal: the screen is left, the reason printed" ||
		fail "on a terminal: no end message after kill -9"
	kill -- -"$TS" 2>/dev/null
fi
[ "$st" = 3 ] && grep -q "vswitchd closed the connection" "$T/w3.err" &&
	pass "vswitchd killed: exit 3, '$(cat "$T/w3.err")'" ||
	fail "vswitchd killed: exit $st, stderr '$(cat "$T/w3.err")'"
"$C" lab down mac >/dev/null 2>&1

"$C" lab watch a b >/dev/null 2>&1
st=$?
[ $st = 2 ] && pass "two names: usage error (2)" || fail "two names: exit $st"
"$C" lab watch nosuch >/dev/null 2>"$T/err"
st=$?
[ $st = 1 ] && grep -q "no lab 'nosuch' is up" "$T/err" &&
	pass "unknown lab: exit 1, $(cat "$T/err")" ||
	fail "unknown lab: exit $st, $(cat "$T/err")"
finish lab-watch.sh
