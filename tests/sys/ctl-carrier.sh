#!/bin/bash
# ctl-carrier.sh - the lab features of a port, end to end (issue #17):
#   1. 'link set dev P carrier off' on a TAP port: 'ip link' inside the
#      namespace the TAP lives in shows NO-CARRIER, bridgectl's 'link show'
#      too, pings stop; 'carrier on' and they resume;
#   2. two bridges joined by two patch wires with STP: one end blocks;
#      pulling the cable of a forwarding wire takes the carrier from both
#      of its ends and the tree re-converges through the other wire
#      (pings pass again); plugging it back restores the carrier;
#   3. storm_limit and the impairment options reach port show and the
#      saved configuration; impairments are refused on a TAP;
#   4. a lossy patch wire (loss 30, seed 5) in a replay twice: the same
#      frames are lost both times, another seed loses others.
# Needs root and /dev/net/tun; names start "lc".
CTL_PREFIX=lc-carrier
. "$(dirname "$0")/ctl-lib.sh"

if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ]; then
	echo "ctl-carrier.sh: NOT RUN: needs root and /dev/net/tun" >&2
	exit 1
fi
lc_cleanup() {
	for n in lcns0 lcns1 lcns2 lcns3; do ip netns del $n 2>/dev/null; done
	for d in lcb0 lcb1 lcb2 lct0 lct1 lct2 lct3; do
		ip link del "$d" 2>/dev/null
	done
	ctl_cleanup
}
trap lc_cleanup EXIT

C="$BIN/bridgectl"
# field PORT KEY: a field of 'bridgectl -j port show PORT'.
field() {
	"$C" -j port show "$1" | /usr/bin/python3 -c "
import json, sys
v = json.load(sys.stdin)
v = v[0] if isinstance(v, list) else v
print(str(v.get('$2')).lower())"
}
# host I TAP ADDR: moves TAP into namespace lcnsI with ADDR/24.
host() {
	ip netns add lcns$1 2>/dev/null
	ip link set "$2" netns lcns$1 || fail "move $2"
	ip -n lcns$1 addr add "$3"/24 dev "$2"
	ip -n lcns$1 link set "$2" up
}
# ping_ok FROM-NS ADDR: two pings pass.
ping_ok() {
	ip netns exec "$1" ping -c 2 -i 0.2 -W 1 "$2" >"$T/ping" 2>&1
}
# wait_ping SECONDS FROM-NS ADDR: pings pass within SECONDS.
wait_ping() {
	local s=$1
	shift
	for _ in $(seq "$s"); do ping_ok "$@" && return 0; sleep 1; done
	return 1
}

start_daemon

# 1. A TAP port's cable.
"$C" link add lcb0 type bridge || fail "link add lcb0"
"$C" link set lcb0 up
for i in 0 1; do
	"$C" port add lcb0 lct$i type tap || fail "port add lct$i"
	host $i lct$i 10.79.0.$((i + 1))
done
wait_ping 5 lcns0 10.79.0.2 && ok || fail "ping before: $(tail -2 "$T/ping")"
"$C" link set dev lct0 carrier off || fail "carrier off"
ip -n lcns0 link show lct0 | grep -q NO-CARRIER && ok ||
	fail "the namespace does not see NO-CARRIER: $(ip -n lcns0 link show lct0)"
"$C" link show lct0 | grep -q NO-CARRIER && ok ||
	fail "link show: $("$C" link show lct0)"
"$C" -j link show lct0 | grep -q '"NO-CARRIER"' && ok ||
	fail "link show -j: $("$C" -j link show lct0)"
[ "$(field lct0 state)" = disabled ] && ok ||
	fail "port state with the cable pulled: $(field lct0 state)"
ping_ok lcns0 10.79.0.2 && fail "ping passed with the cable pulled" || ok
"$C" link set dev lct0 carrier on || fail "carrier on"
ip -n lcns0 link show lct0 | grep -q NO-CARRIER &&
	fail "NO-CARRIER after carrier on" || ok
wait_ping 5 lcns0 10.79.0.2 && ok || fail "ping after: $(tail -2 "$T/ping")"
"$C" port set lct0 carrier maybe >"$T/out" 2>&1 &&
	fail "carrier maybe accepted" || ok

# 2. Two patch wires between lcb1 and lcb2 with STP.
for b in 1 2; do
	"$C" link add lcb$b type bridge stp_state 1 forward_delay 400 \
		hello_time 100 max_age 600 || fail "link add lcb$b"
	"$C" link set lcb$b up
	"$C" port add lcb$b lct$b type tap || fail "port add lct$b"
	host $b lct$b 10.79.1.$b
done
"$C" link set lcb1 type bridge priority 4096 || fail "lcb1 priority"
"$C" port add lcb1 lcw0a type patch peer lcw0b || fail "wire 0a"
"$C" port add lcb2 lcw0b type patch peer lcw0a || fail "wire 0b"
"$C" port add lcb1 lcw1a type patch peer lcw1b || fail "wire 1a"
"$C" port add lcb2 lcw1b type patch peer lcw1a || fail "wire 1b"
WIRES="lcw0a lcw0b lcw1a lcw1b"
states() { for p in $WIRES; do echo -n "$p=$(field $p state) "; done; }
# converged N-FWD N-BLOCK SECONDS
converged() {
	for _ in $(seq $(($3 * 2))); do
		s=$(states)
		[ "$(echo "$s" | grep -o forwarding | wc -l)" = "$1" ] &&
			[ "$(echo "$s" | grep -o blocking | wc -l)" = "$2" ] &&
			return 0
		sleep 0.5
	done
	return 1
}
converged 3 1 30 && ok || fail "loop: want 3 forwarding, 1 blocking: $(states)"
wait_ping 15 lcns1 10.79.1.2 && ok || fail "ping with STP: $(tail -2 "$T/ping")"
# The wire whose lcb2 end forwards (the root port) gets its cable pulled
# at lcb1's end.
if [ "$(field lcw0b state)" = forwarding ]; then pull=lcw0a far=lcw0b other=lcw1b
else pull=lcw1a far=lcw1b other=lcw0b; fi
"$C" link set dev $pull carrier off || fail "carrier off $pull"
[ "$(field $pull carrier)" = false ] && [ "$(field $far carrier)" = false ] &&
	ok || fail "a pulled wire: $pull carrier $(field $pull carrier), $far carrier $(field $far carrier)"
"$C" link show $far | grep -q NO-CARRIER && ok ||
	fail "the far end shows no NO-CARRIER: $("$C" link show $far)"
t0=$(date +%s.%N)
for _ in $(seq 40); do
	[ "$(field $other state)" = forwarding ] && break
	sleep 0.5
done
t1=$(date +%s.%N)
[ "$(field $other state)" = forwarding ] && ok ||
	fail "no re-convergence: $(states)"
[ "$(field $far state)" = disabled ] && ok ||
	fail "the far end of the pulled wire is $(field $far state), not disabled"
echo "ctl-carrier: re-converged through $other in $(echo "$t1 - $t0" | bc) s"
wait_ping 15 lcns1 10.79.1.2 && ok || fail "ping after re-convergence: $(tail -2 "$T/ping")"
"$C" link set dev $pull carrier on || fail "carrier on $pull"
[ "$(field $far carrier)" = true ] && ok || fail "$far: carrier not back"

# 3. The options in the views, the saved configuration, refusals.
"$C" port set lcw0a storm_limit 500 delay 3 loss 0.5 rate 10000 seed 9 ||
	fail "port set impairments"
[ "$(field lcw0a loss)" = 0.5 ] && [ "$(field lcw0a storm_limit)" = 500 ] &&
	[ "$(field lcw0a seed)" = 9 ] && ok ||
	fail "port show: loss $(field lcw0a loss) storm_limit $(field lcw0a storm_limit)"
grep -q '"loss": *0.5' "$CONF" && grep -q '"storm_limit": *500' "$CONF" && ok ||
	fail "not saved: $(grep -o '"lcw0a".\{0,300\}' "$CONF" | head -c 400)"
grep -q '"carrier"' "$CONF" && fail "the carrier was saved" || ok
"$C" port set lct1 loss 1 >"$T/out" 2>&1 && fail "loss on a TAP accepted" ||
	{ grep -q "only patch ports" "$T/out" && ok ||
		fail "unclear error: $(cat "$T/out")"; }
"$C" port set lcw0a loss 0.0001 >"$T/out" 2>&1 &&
	fail "loss 0.0001 accepted" || ok
"$C" port set lcw0a loss 100.5 >"$T/out" 2>&1 &&
	fail "loss 100.5 accepted" || ok
"$C" link set lcb1 type bridge transparent 1 >"$T/out" 2>&1 &&
	fail "transparent accepted with STP on" ||
	{ grep -qi "busy" "$T/out" && ok || fail "unclear error: $(cat "$T/out")"; }
"$C" link set lcb0 type bridge hub 1 transparent 1 || fail "hub+transparent"
"$C" -j link show lcb0 >/dev/null
"$C" -d -j link show lcb0 | grep -q '"hub": *1\|"hub": *true' && ok ||
	fail "hub not shown: $("$C" -d -j link show lcb0 | head -c 600)"
kill "$VSWITCHD_PID"; wait "$VSWITCHD_PID"; VSWITCHD_PID=

# 4. A lossy wire in a replay, twice with one seed, once with another.
/usr/bin/python3 - "$T/in-p1.pcap" <<'EOF'
import struct, sys
out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)]
for i in range(200):
    f = b"\xff" * 6 + bytes.fromhex("02000000000a") + b"\x88\xb5" + struct.pack("!I", i)
    f += bytes(60 - len(f))
    out.append(struct.pack("<IIII", 1 + i // 100, (i % 100) * 10000, 60, 60) + f)
open(sys.argv[1], "wb").write(b"".join(out))
EOF
replay() {
	mkdir -p "$T/r$1"
	cat >"$T/setup" <<EOF
bridge add br0
bridge add br1
port add br0 p1 type pcap mac 02:00:00:00:01:01
port add br0 w0 type patch peer w1
port add br1 w1 type patch peer w0
port add br1 p3 type pcap mac 02:00:00:00:01:03
link set dev w0 loss 30 seed $2
EOF
	"$BIN/vswitchd" --replay --script "$T/setup" --no-config --test-mode \
		-l warn --in-dir "$T" --out-dir "$T/r$1" >"$T/replay.out" 2>&1 ||
		fail "replay $1: $(cat "$T/replay.out")"
}
replay a 5
replay b 5
replay c 6
na=$(tcpdump -r "$T/ra/out-p3.pcap" -n 2>/dev/null | grep -c "^[0-9]")
[ "$na" -gt 100 ] && [ "$na" -lt 180 ] && ok ||
	fail "loss 30: $na of 200 arrived"
cmp -s "$T/ra/out-p3.pcap" "$T/rb/out-p3.pcap" && ok ||
	fail "the same seed lost different frames"
cmp -s "$T/ra/out-p3.pcap" "$T/rc/out-p3.pcap" &&
	fail "another seed lost the same frames" || ok
echo "ctl-carrier: loss 30 seed 5: $na of 200 frames arrived, twice the same"
finish
