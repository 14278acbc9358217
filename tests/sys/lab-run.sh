#!/bin/bash
# lab-run.sh - every shipped lab end to end, then the lab commands on one:
#   1. for each labs/*.yml: lab up, lab check (every line PASS, exit 0),
#      lab down; afterwards no namespace, device, bridge or state file of
#      the lab is left, and vswitchd is still the only process;
#   2. lab capture -w - | tcpdump -r - shows the frames of a ping, twice
#      on the same link;
#   3. lab link h1 sw1 down: h1's namespace sees NO-CARRIER, lab status
#      says carrier off, the ping fails; up again: it passes;
#   4. lab status -j is JSON with every switch, link and host; lab graph
#      prints dot with the blocked link dashed;
#   5. a lab up that fails half-way (a startup command fails) leaves
#      nothing; lab up of a lab that is up is refused;
#   5b. STP fail-over: lab link on the root's link, the blocked port
#      forwards, the re-convergence time is printed;
#   6. kill -9 of vswitchd, then lab down removes the namespaces and TAPs
#      by name; a second lab down is a no-op.
# Needs root (namespaces, TAPs); every name starts with $LB.
. "$(dirname "$0")/lab-lib.sh"
need_root
command -v tcpdump >/dev/null || { echo "lab-run.sh: NOT RUN: no tcpdump" >&2; exit 1; }

start_daemon
nothing_left() {	# nothing_left WHAT
	local left
	left=$(leftovers)
	left+=$("$C" brctl show 2>/dev/null | grep -o "^$LB[^ 	]*")
	left+=$(ls "$VSWITCHD_LAB_DIR" 2>/dev/null)
	if [ -n "$left" ]; then fail "$1: left behind: $(echo $left)"
	else pass "$1: nothing left"; fi
}

# 1. every shipped lab (but those with VMs: lab-vm.sh, under tests/kvm/)
for f in labs/*.yml; do
	grep -q '^vms:' "$f" && continue
	if ! "$C" lab up "$f" >"$T/up" 2>&1; then
		fail "$f: lab up: $(cat "$T/up")"
		"$C" lab down "$f" >/dev/null 2>&1
		continue
	fi
	if "$C" lab check "$f" >"$T/check" 2>&1 &&
	   ! grep -q '^FAIL' "$T/check" && grep -q '^PASS' "$T/check"; then
		pass "$f: $(tail -1 "$T/check")"
	else
		fail "$f: lab check:"; cat "$T/check"
	fi
	"$C" lab down "$f" >/dev/null || fail "$f: lab down"
	nothing_left "$f"
done

# 2-4 on the MAC-learning lab
F=labs/mac-learning.yml
"$C" lab up "$F" >/dev/null || fail "lab up $F"
ns1=${LB}h1
for run in 1 2; do
	"$C" lab capture h1 -w - -c 4 >"$T/cap$run.pcap" 2>/dev/null &
	cap=$!
	sleep 0.3
	ip netns exec "$ns1" ping -c 3 -i 0.2 -W 1 10.0.0.2 >/dev/null
	for _ in $(seq 30); do kill -0 $cap 2>/dev/null || break; sleep 0.1; done
	kill $cap 2>/dev/null; wait $cap 2>/dev/null
	n=$(tcpdump -n -r - <"$T/cap$run.pcap" 2>/dev/null | grep -c ICMP)
	if [ "$n" -ge 2 ]; then pass "capture run $run: $n ICMP frames via tcpdump -r -"
	else fail "capture run $run: $n ICMP frames"; fi
done

"$C" lab link h1 sw1 down >/dev/null || fail "lab link h1 sw1 down"
if ip -n "$ns1" link show eth0 | grep -q NO-CARRIER; then
	pass "lab link down: h1's eth0 is NO-CARRIER"
else
	fail "lab link down: h1's eth0: $(ip -n "$ns1" -o link show eth0)"
fi
"$C" lab status >"$T/st"
if grep -E '^ +sw1:p1 .*carrier off' "$T/st" >/dev/null &&
   grep -E '^ +h1:eth0 .*no-carrier' "$T/st" >/dev/null; then
	pass "lab status shows the pulled cable at both ends"
else
	fail "lab status after link down:"; cat "$T/st"
fi
if ip netns exec "$ns1" ping -c 1 -W 1 10.0.0.2 >/dev/null 2>&1; then
	fail "ping passes over a pulled cable"
else
	pass "no ping over a pulled cable"
fi
"$C" lab link h1 sw1 up >/dev/null || fail "lab link h1 sw1 up"
if ip netns exec "$ns1" ping -c 3 -i 0.3 -W 1 10.0.0.2 >/dev/null 2>&1 &&
   ! ip -n "$ns1" link show eth0 | grep -q NO-CARRIER; then
	pass "link up again: carrier back, ping passes"
else
	fail "link up again"
fi
if "$C" -j lab status | python3 -c '
import json, sys
v = json.load(sys.stdin)
assert v["name"] == "mac" and len(v["switches"]) == 1
assert len(v["links"]) == 3 and len(v["hosts"]) == 3
assert all(e.get("carrier", True) for l in v["links"] for e in l["ends"])
'; then pass "lab status -j"; else fail "lab status -j"; fi
"$C" lab graph >"$T/dot"
if grep -q '^graph "mac"' "$T/dot" && [ "$(grep -c -- ' -- ' "$T/dot")" = 3 ]; then
	pass "lab graph: dot with 3 links"
else
	fail "lab graph"; cat "$T/dot"
fi
out=$("$C" lab up "$F" 2>&1)
[ $? = 1 ] && [[ $out == *"lab mac is already up"* ]] &&
	pass "second lab up refused: $out" || fail "second lab up: $out"
"$C" lab exec h2 ip -o addr show eth0 | grep -q 10.0.0.2/24 &&
	pass "lab exec h2" || fail "lab exec h2"
"$C" lab down mac >/dev/null
nothing_left "after capture/link/status"

# 4b. a process a startup command left running goes with lab down
sed 's/^  h2: .*/  h2: {addresses: {eth0: 10.0.0.2\/24}, exec: ["sleep 600 >\/dev\/null 2>\&1 \&"]}/' \
	labs/mac-learning.yml >"$T/bg.yml"
"$C" lab up "$T/bg.yml" >/dev/null || fail "lab up with a background process"
pids=$(ip netns pids ${LB}h2)
[ -n "$pids" ] || fail "no process in ${LB}h2"
"$C" lab down mac >/dev/null
left=
for p in $pids; do
	for _ in $(seq 20); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$p" 2>/dev/null && left+=" $p"
done
[ -z "$left" ] && [ -n "$pids" ] && pass "lab down killed the host's processes ($pids)" ||
	fail "processes left:$left"
nothing_left "after lab down with a background process"

# 5. a failure half-way leaves nothing
sed 's/^  h3: .*/  h3: {addresses: {eth0: 10.0.0.3\/24}, exec: [false]}/' \
	labs/mac-learning.yml >"$T/half.yml"
out=$("$C" lab up "$T/half.yml" 2>&1)
[ $? = 1 ] && [[ $out == *"exec 'false' failed"* ]] &&
	pass "lab up failing half-way: exit 1" || fail "lab up half-way: $out"
nothing_left "after a failed lab up"

# 5b. STP fail-over: pull the root's cable to sw3; sw3's blocked port
# takes over; the re-convergence time is printed.
"$C" lab up labs/stp-loop.yml >"$T/up" || fail "lab up stp: $(cat "$T/up")"
"$C" lab link sw1 sw3 down >"$T/link" 2>&1
cat "$T/link"
if grep -q "re-converged in" "$T/link" &&
   [ "$("$C" -j port show ${LB}sw3-p2 | python3 -c 'import json,sys; v=json.load(sys.stdin); print((v[0] if isinstance(v, list) else v)["state"])')" = forwarding ] &&
   ip netns exec ${LB}h1 ping -c 2 -i 0.2 -W 1 10.0.1.3 >/dev/null; then
	pass "fail-over: sw3:p2 forwards, h1 reaches h3 ($(grep -o 're-converged in .*' "$T/link"))"
else
	fail "fail-over after lab link sw1 sw3 down"; "$C" lab status
fi
"$C" lab down stp >/dev/null

# 6. kill -9 of the daemon, then lab down
"$C" lab up labs/stp-loop.yml --no-wait >/dev/null || fail "lab up stp"
kill -9 "$VSWITCHD_PID"; wait "$VSWITCHD_PID" 2>/dev/null; VSWITCHD_PID=
"$C" lab down stp >"$T/down" 2>&1 || fail "lab down after kill -9: $(cat "$T/down")"
nothing_left "lab down after kill -9 of vswitchd"
"$C" lab down labs/stp-loop.yml >/dev/null 2>&1 &&
	pass "second lab down: no-op" || fail "second lab down"
finish lab-run.sh
