#!/bin/bash
# stp-bench.sh - spanning tree convergence after a link failure, in real
# seconds over real links: vswitchd against the kernel bridge in the same
# ring position.
#
# Usage: tests/sys/stp-bench.sh PATH/TO/vswitchd      (as root, init netns)
#
# Ring of four bridges, all with hello 1 s, max age 6 s, forward delay 4 s,
# path cost 100 on every port:
#
#       vskns0 -- R (vskr0, prio 4096, root)
#                /                     \
#      N1 (vskr1, prio 8192)      N2 (vskr3, prio 12288)
#                \                     /
#                 X (vskr2, prio 16384) -- vskns2
#
# R, N1 and N2 are vswitchd bridges (one daemon).  X is, in turn, a vswitchd
# bridge and a kernel bridge (kernel STP).  X's root port faces N1 (the lower
# designated bridge); its port facing N2 blocks.  A link between two
# vswitchd bridges is a pair of TAP netdevs joined by tc mirred redirects;
# a link to the kernel bridge is vswitchd's TAP netdev enslaved to it.
#
# Measured: the link R-N1 is cut (both its netdevs down) while vskns0 pings
# vskns2 every 0.1 s; the figure is the time from the cut to the first echo
# reply.  802.1D has X wait for the stale root information on its port to
# N1 to age out (N1's own claims to be root are inferior, so ignored), then
# take its N2 port through listening and learning: about max age + 2 x
# forward delay.  What differs between the two runs is only X.
# Prints both figures and their ratio.  Takes about a minute and a half.
# Everything is named vsk* and removed on exit, also on failure.

set -u

VSWITCHD=${1:-build/bin/vswitchd}
TIMERS="hello_time 100 max_age 600 forward_delay 400"
COST=100
TMP=
PID=
PINGPID=

say() { echo "stp-bench: $*"; }

teardown() {
	[ -n "$PINGPID" ] && kill "$PINGPID" 2>/dev/null && wait "$PINGPID" 2>/dev/null
	PINGPID=
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
	fi
	PID=
	for n in vskbn0 vskbn2; do ip netns del "$n" 2>/dev/null; done
	for d in vskr2 vskh2 vsk01 vsk10 vsk03 vsk30 vsk12 vsk21 vsk23 vsk32 vskh0; do
		ip link del "$d" 2>/dev/null
	done
}
cleanup() {
	teardown
	[ -n "$TMP" ] && rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

. "$(dirname "$0")/preflight.sh"
preflight benchmark "TAPs, kernel bridge, tc" "$VSWITCHD" ip ping tc sysctl
teardown
TMP=$(mktemp -d /tmp/vskbench.XXXXXX)
export VSWITCHD_SOCKET=$TMP/vswitchd.sock VSWITCHD_CONFIG=$TMP/config.json

now() { date +%s.%N; }
noipv6() { sysctl -qw "net.ipv6.conf.$1.disable_ipv6=1"; }
# Frames entering netdev $1 leave through $2 (one direction of a wire).
redirect() {
	tc qdisc add dev "$1" ingress &&
	tc filter add dev "$1" parent ffff: protocol all u32 match u32 0 0 \
		action mirred egress redirect dev "$2"
}
wire() { redirect "$1" "$2" && redirect "$2" "$1"; }
ostate() {	# vswitchd's last logged state of port $2 of bridge $1
	grep -o "$1: $2: state [a-z]* -> [a-z]*" "$TMP/vswitchd.log" |
		tail -n 1 | awk '{ print $NF }'
}
kstate() { cat "/sys/class/net/$1/brport/state" 2>/dev/null; }
host_ns() {	# namespace, device (already in the init netns), address
	ip netns add "$1" && ip link set "$2" netns "$1" &&
	ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1" &&
	ip -n "$1" link set lo up && ip -n "$1" addr add "$3/24" dev "$2" &&
	ip -n "$1" link set "$2" up
}
ping_once() { ip netns exec vskbn0 ping -n -q -c 1 -W 1 10.252.0.2 >/dev/null 2>&1; }

# One measurement: $1 = "vswitchd" or "kernel" (what X is).  Sets RESULT
# to the convergence time in seconds, left empty on failure.
measure() {
	local x=$1 t0 t
	RESULT=
	{
		echo "bridge add vskr0 address 02:00:00:00:7a:00 priority 4096 stp_state 1 $TIMERS"
		echo "bridge add vskr1 address 02:00:00:00:7b:00 priority 8192 stp_state 1 $TIMERS"
		echo "bridge add vskr3 address 02:00:00:00:7d:00 priority 12288 stp_state 1 $TIMERS"
		echo "port add vskr0 vsk01 type tap mac 02:00:00:00:7a:01"
		echo "port add vskr0 vsk03 type tap mac 02:00:00:00:7a:03"
		echo "port add vskr0 vskh0 type tap mac 02:00:00:00:7a:0a"
		echo "port add vskr1 vsk10 type tap mac 02:00:00:00:7b:01"
		echo "port add vskr1 vsk12 type tap mac 02:00:00:00:7b:02"
		echo "port add vskr3 vsk30 type tap mac 02:00:00:00:7d:01"
		echo "port add vskr3 vsk32 type tap mac 02:00:00:00:7d:02"
		if [ "$x" = vswitchd ]; then
			echo "bridge add vskr2 address 02:00:00:00:7c:00 priority 16384 stp_state 1 $TIMERS"
			echo "port add vskr2 vsk21 type tap mac 02:00:00:00:7c:01"
			echo "port add vskr2 vsk23 type tap mac 02:00:00:00:7c:03"
			echo "port add vskr2 vskh2 type tap mac 02:00:00:00:7c:0a"
		fi
		for p in vsk01 vsk03 vskh0 vsk10 vsk12 vsk30 vsk32; do
			echo "link set dev $p cost $COST"
		done
		[ "$x" = vswitchd ] && for p in vsk21 vsk23 vskh2; do
			echo "link set dev $p cost $COST"
		done
	} >"$TMP/setup"
	if [ "$x" = kernel ]; then
		ip link add vskr2 address 02:00:00:00:7c:00 type bridge stp_state 1 \
			priority 16384 hello_time 100 max_age 600 forward_delay 400 \
			mcast_snooping 0 && noipv6 vskr2 || return
		if [ "$(cat /sys/class/net/vskr2/bridge/stp_state)" != 1 ]; then
			say "kernel bridge is not in kernel STP mode (is /sbin/bridge-stp present?)"
			return
		fi
	fi
	"$VSWITCHD" --script "$TMP/setup" --test-mode --log-level info \
		>"$TMP/vswitchd.log" 2>&1 &
	PID=$!
	for _ in $(seq 50); do ip link show vsk32 >/dev/null 2>&1 && break; sleep 0.1; done
	wire vsk01 vsk10 && wire vsk03 vsk30 || { say "tc wires failed"; return; }
	if [ "$x" = vswitchd ]; then
		wire vsk12 vsk21 && wire vsk32 vsk23 && host_ns vskbn2 vskh2 10.252.0.2 ||
			{ say "X links failed"; return; }
	else
		for d in vsk12 vsk32; do
			ip link set "$d" master vskr2 &&
			ip link set dev "$d" type bridge_slave cost $COST ||
				{ say "enslaving $d failed"; return; }
		done
		ip link add vskh2 type veth peer name vskh2p && noipv6 vskh2 && noipv6 vskh2p &&
		ip link set vskh2 master vskr2 && ip link set dev vskh2 type bridge_slave cost $COST &&
		ip link set vskh2 up && ip link set vskr2 up &&
		host_ns vskbn2 vskh2p 10.252.0.2 || { say "X host failed"; return; }
	fi
	host_ns vskbn0 vskh0 10.252.0.1 || { say "host vskbn0 failed"; return; }

	# Converged as designed: X's N2 port blocking, its N1 port forwarding,
	# and traffic flows.
	local ok=0
	for _ in $(seq 40); do
		if [ "$x" = vswitchd ]; then
			[ "$(ostate vskr2 vsk23)" = blocking ] &&
			[ "$(ostate vskr2 vsk21)" = forwarding ] && ping_once && ok=1
		else
			[ "$(kstate vsk32)" = 4 ] && [ "$(kstate vsk12)" = 3 ] && ping_once && ok=1
		fi
		[ $ok = 1 ] && break
		sleep 0.5
	done
	if [ $ok != 1 ]; then
		say "X=$x: ring did not converge as designed"
		sed 's/^/    /' "$TMP/vswitchd.log"
		return
	fi
	sleep 2

	ip netns exec vskbn0 ping -D -n -i 0.1 -W 1 10.252.0.2 >"$TMP/ping" 2>&1 &
	PINGPID=$!
	sleep 1
	t0=$(now)
	ip link set vsk01 down
	ip link set vsk10 down
	t=
	for _ in $(seq 400); do
		sleep 0.1
		t=$(awk -v t0="$t0" -F'[][]' '/bytes from/ && $2 > t0 { print $2 - t0; exit }' "$TMP/ping")
		[ -n "$t" ] && break
	done
	kill "$PINGPID" 2>/dev/null
	wait "$PINGPID" 2>/dev/null
	PINGPID=
	[ -n "$t" ] && RESULT=$(printf '%.1f' "$t")
}

say "ring R-N1-X-N2, cut R-N1; time to the first echo reply vskns0 -> vskns2"
measure vswitchd
ours=$RESULT
teardown
measure kernel
kern=$RESULT
teardown
say "X = vswitchd:     ${ours:-no convergence} s"
say "X = kernel bridge: ${kern:-no convergence} s"
if [ -n "$ours" ] && [ -n "$kern" ]; then
	say "ratio vswitchd / kernel: $(echo "$ours $kern" | awk '{ printf "%.2f", $1 / $2 }')"
	say "(802.1D expectation: about max age 6 s + 2 x forward delay 4 s = 14 s)"
else
	exit 1
fi
