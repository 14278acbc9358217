#!/bin/bash
# netns-demo.sh - the README's main job: vswitchd switching between three
# network-namespace hosts over TAP ports, with spanning tree on.
#
# Usage: demo/netns-demo.sh [BUILD-DIR]        (as root; default build)
#
# Starts vswitchd on a socket and configuration in a temporary directory,
# creates bridge demobr0 with STP on, adds three TAP ports (demo1..3), moves
# each into its own namespace (demons1..3, 10.252.0.1..3/24), waits for
# spanning tree to let the ports forward, pings every pair, and prints what
# the switch learned (brctl show, showmacs, showstp, bridgectl stats).
# Everything it creates is named demo*, and removed on exit, also on
# failure or Ctrl-C.
set -u

BUILD=${1:-build}
BIN=$(cd "$BUILD/bin" 2>/dev/null && pwd) ||
	{ echo "demo: no $BUILD/bin: run 'make' first" >&2; exit 1; }
NSS="demons1 demons2 demons3"
FWD_DELAY_S=2
DIR=
PID=

MON=
cleanup() {
	[ -n "$MON" ] && kill "$MON" 2>/dev/null
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill "$PID"
		wait "$PID" 2>/dev/null
	fi
	for n in $NSS; do ip netns del "$n" 2>/dev/null; done
	for d in demo1 demo2 demo3 demobr0; do ip link del "$d" 2>/dev/null; done
	[ -n "$DIR" ] && rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$(id -u)" != 0 ]; then
	echo "demo: must run as root (it creates TAPs and network namespaces)" >&2
	exit 1
fi
cleanup			# leftovers of an interrupted run
DIR=$(mktemp -d /tmp/vswitch-demo.XXXXXX)
export VSWITCHD_SOCKET=$DIR/vswitchd.sock
B="$BIN/brctl"
C="$BIN/bridgectl"
. "$(dirname "$0")/demo-lib.sh"

step "vswitchd (socket and configuration in $DIR)"
"$BIN/vswitchd" --socket "$VSWITCHD_SOCKET" --config "$DIR/config.json" \
	-l warn 2>"$DIR/vswitchd.log" &
PID=$!
for _ in $(seq 100); do "$C" info >/dev/null 2>&1 && break; sleep 0.05; done
"$C" info >/dev/null || die "vswitchd did not start" "$DIR/vswitchd.log"
echo "pid $PID"

step "a bridge with spanning tree on, three TAP ports"
echo "(forward delay ${FWD_DELAY_S} s instead of 15 s, so the ports forward" \
     "after $((2 * FWD_DELAY_S)) s rather than 30 s)"
show "$B" addbr demobr0
show "$B" setfd demobr0 $FWD_DELAY_S
show "$B" stp demobr0 on
show "$C" link set demobr0 up
"$C" monitor stp >"$DIR/stp-events" 2>&1 &
MON=$!
show "$B" addif demobr0 demo1 demo2 demo3

step "each TAP into its own namespace: demons1..3 = 10.252.0.1..3"
for i in 1 2 3; do
	must ip netns add demons$i
	must ip link set demo$i netns demons$i
	must ip -n demons$i addr add 10.252.0.$i/24 dev demo$i
	must ip -n demons$i link set demo$i up
	must ip -n demons$i link set lo up
	printf 'demons%s: %s\n' $i "$(ip -n demons$i -br addr show demo$i)"
done

step "spanning tree: listening -> learning -> forwarding (bridgectl monitor stp)"
for _ in $(seq $((FWD_DELAY_S * 30 + 50))); do
	n=$("$C" port show | grep -c "state forwarding")
	[ "$n" = 3 ] && break
	sleep 0.1
done
kill $MON 2>/dev/null; wait $MON 2>/dev/null
cat "$DIR/stp-events"
show "$C" port show
[ "$n" = 3 ] || die "only $n of 3 ports reached forwarding" "$DIR/vswitchd.log"

step "ping every pair"
status=0
for a in 1 2 3; do
	for b in 1 2 3; do
		[ $a = $b ] && continue
		if out=$(ip netns exec demons$a ping -n -c 3 -i 0.2 -W 2 \
			 10.252.0.$b 2>&1); then
			printf 'demons%s -> 10.252.0.%s: %s\n' $a $b \
				"$(echo "$out" | grep -E 'packets transmitted')"
		else
			printf 'demons%s -> 10.252.0.%s: FAILED\n' $a $b
			status=1
		fi
	done
done

step "what the switch knows"
show "$B" show
show "$B" showmacs demobr0
show "$C" fdb show br demobr0
show "$B" showstp demobr0
show "$C" stats demobr0

[ $status = 0 ] || die "some pings were not answered" "$DIR/vswitchd.log"
step "all pings answered; tearing down"
