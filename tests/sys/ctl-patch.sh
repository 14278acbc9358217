#!/bin/bash
# ctl-patch.sh - the "patch" port class: a wire inside vswitchd between two
# ports that name each other as peer.
#   1. two bridges joined by a wire: namespace hosts behind each ping
#      across it; the wire's own counters move;
#   2. one end down is seen by the other as no carrier (ping stops), up
#      again resumes;
#   3. two wires between the bridges make a loop: with STP on, BPDUs cross
#      the wires (a kernel bridge as wire would swallow them), exactly one
#      wire end blocks, pings pass;
#   4. kill -9 and a restart: the wires come back joined from the saved
#      configuration, pings resume;
#   5. bad creations are refused with a clear error, nothing changes;
#   6. in a replay (no loop, no devices) frames cross the wire too.
# Needs root and /dev/net/tun; names start "pt".
. "$(dirname "$0")/ctl-lib.sh"

if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ]; then
	echo "ctl-patch.sh: NOT RUN: needs root and /dev/net/tun" >&2
	exit 1
fi
pt_cleanup() {
	ip netns del ptns0 2>/dev/null
	ip netns del ptns1 2>/dev/null
	for d in ptb0 ptb1 ptt0 ptt1; do ip link del "$d" 2>/dev/null; done
	ctl_cleanup
}
trap pt_cleanup EXIT

C="$BIN/bridgectl"
# field PORT KEY: a field of 'bridgectl -j port show PORT'.
field() {
	"$C" -j port show "$1" | python3 -c "
import json, sys
v = json.load(sys.stdin)
v = v[0] if isinstance(v, list) else v
print(str(v.get('$2')).lower())"
}
# hosts: a TAP port on each bridge, moved into its own namespace.
hosts() {
	for i in 0 1; do
		ip netns add ptns$i 2>/dev/null
		ip link set ptt$i netns ptns$i || fail "move ptt$i"
		ip -n ptns$i addr add 10.78.0.$((i + 1))/24 dev ptt$i
		ip -n ptns$i link set ptt$i up
	done
}
pings() { ip netns exec ptns0 ping -c 2 -i 0.2 -W 2 10.78.0.2 >"$T/ping" 2>&1; }
# wait_pings SECONDS: pings pass within SECONDS.
wait_pings() {
	for _ in $(seq "$1"); do pings && return 0; sleep 1; done
	return 1
}

start_daemon
for b in 0 1; do
	"$C" link add ptb$b type bridge || fail "link add ptb$b"
	"$C" link set ptb$b up
	"$C" port add ptb$b ptt$b type tap || fail "port add ptt$b"
done

# 1. One wire.  The first end waits for its peer without carrier.
"$C" port add ptb0 ptw0a type patch peer ptw0b || fail "port add ptw0a"
[ "$(field ptw0a carrier)" = false ] && ok || fail "a lone end has carrier"
"$C" port add ptb1 ptw0b type patch peer ptw0a || fail "port add ptw0b"
[ "$(field ptw0a carrier)" = true ] && [ "$(field ptw0b carrier)" = true ] &&
	ok || fail "joined ends lack carrier"
hosts
wait_pings 5 && ok || fail "ping across the wire: $(tail -2 "$T/ping")"
"$C" -j stats show ptw0a >"$T/stats" 2>&1 || "$C" -j stats >"$T/stats" 2>&1
grep -q '"tx_frames": *[1-9]' "$T/stats" && ok ||
	fail "the wire counted nothing: $(head -c 600 "$T/stats")"

# 2. Pull the cable at one end: the other end loses carrier.
"$C" port set ptw0a down || fail "port set down"
[ "$(field ptw0b carrier)" = false ] && ok || fail "peer kept carrier"
pings && fail "ping passed over a wire that is down" || ok
"$C" port set ptw0a up || fail "port set up"
[ "$(field ptw0b carrier)" = true ] && ok || fail "peer carrier not back"
wait_pings 5 && ok || fail "ping after up: $(tail -2 "$T/ping")"

# 3. A second wire closes a loop; STP (short timers) blocks one end.
for b in 0 1; do
	"$C" link set ptb$b type bridge stp_state 1 forward_delay 400 \
		hello_time 100 max_age 600 || fail "stp on ptb$b"
done
"$C" port add ptb0 ptw1a type patch peer ptw1b || fail "second wire a"
"$C" port add ptb1 ptw1b type patch peer ptw1a || fail "second wire b"
blocked=0
for _ in $(seq 40); do
	blocked=0
	for p in ptw0a ptw0b ptw1a ptw1b; do
		[ "$(field $p state)" = blocking ] && blocked=$((blocked + 1))
	done
	fwd=$(for p in ptw0a ptw0b ptw1a ptw1b; do field $p state; done |
		grep -c forwarding)
	[ "$blocked" = 1 ] && [ "$fwd" = 3 ] && break
	sleep 0.5
done
[ "$blocked" = 1 ] && ok ||
	fail "loop: $blocked wire ends blocking, expected 1 ($(for p in ptw0a ptw0b ptw1a ptw1b; do echo -n "$p=$(field $p state) "; done))"
wait_pings 15 && ok || fail "ping with STP: $(tail -2 "$T/ping")"

# 4. kill -9 and restart: both wires come back joined.
kill_daemon
start_daemon
for p in ptw0a ptw0b ptw1a ptw1b; do
	[ "$(field $p carrier)" = true ] || fail "$p: no carrier after restart"
done
ok
# The hosts' TAPs are found again in their namespaces (sd-restart.sh).
wait_pings 20 && ok || fail "ping after restart: $(tail -2 "$T/ping")"

# 5. Refused, with the listing unchanged.
"$C" -j port show >"$T/before"
bad() {
	if "$C" port add "$@" >"$T/out" 2>&1; then
		fail "accepted: port add $*"
	elif ! grep -q "$BAD_WANT" "$T/out"; then
		fail "port add $*: unclear error: $(cat "$T/out")"
	else
		ok
	fi
}
BAD_WANT="peer" bad ptb0 ptw2a type patch
BAD_WANT="own peer" bad ptb0 ptw2a type patch peer ptw2a
BAD_WANT="patched to" bad ptb0 ptw2a type patch peer ptw0b
BAD_WANT="already" bad ptb1 ptw0a type patch peer ptw0b
"$C" -j port show >"$T/after"
cmp -s "$T/before" "$T/after" && ok || fail "a refused port add changed the ports"
kill "$VSWITCHD_PID"; wait "$VSWITCHD_PID"; VSWITCHD_PID=

# 6. A replay: t02's two broadcasts from p1 on br0 leave p3 on br1.
cp tests/pcap/t02-broadcast/in-p1.pcap "$T/in-p1.pcap" 2>/dev/null ||
	cp "$(dirname "$0")/../pcap/t02-broadcast/in-p1.pcap" "$T/in-p1.pcap"
cat >"$T/setup" <<EOF
bridge add br0
bridge add br1
port add br0 p1 type pcap mac 02:00:00:00:01:01
port add br0 w0 type patch peer w1
port add br1 w1 type patch peer w0
port add br1 p3 type pcap mac 02:00:00:00:01:03
EOF
(cd "$T" && "$BIN/vswitchd" --replay --script "$T/setup" --no-config \
	--test-mode -l warn --in-dir "$T" --out-dir "$T") >"$T/replay.out" 2>&1 ||
	fail "replay: $(cat "$T/replay.out")"
n=$(tcpdump -r "$T/out-p3.pcap" -n 2>/dev/null | grep -c "^[0-9][0-9]:")
[ "$n" = 2 ] && ok || fail "replay: p3 emitted $n frames, expected 2"
finish
