#!/bin/bash
# stp-kernel.sh - vswitchd's spanning tree against the Linux bridge's own
# (kernel STP, stp_state 1), over real links.
#
# Usage: tests/sys/stp-kernel.sh PATH/TO/vswitchd      (as root, init netns)
#
# Topology (two links between the bridges = a loop STP must break):
#
#   vskns1 --veth-- [kernel bridge vskk0] ==vsk1== [vswitchd vskbr0] --vsk3-- vskns2
#                                         ==vsk2==
#
# vsk1..vsk3 are TAP ports of vswitchd bridge vskbr0 (started with --script);
# the TAP netdevs vsk1 and vsk2 are enslaved to the kernel bridge vskk0, so
# each is one link between the two bridges.  vsk3's netdev is moved into
# namespace vskns2 (a host on our bridge); veth vskh0/vskh1 puts a host in
# vskns1 on the kernel bridge.  Both bridges run the same short timers (hello
# 1 s, max age 6 s, forward delay 4 s), path costs are pinned to 100, the
# bridge MACs are pinned so the bridge ids are known.  Kernel STP only runs
# in the initial network namespace (reference §9), so the kernel bridge and
# the link netdevs stay there.
#
# Run twice: vswitchd root (priority 4096 vs 32768), then kernel root.
# Checks per run:
#   1. both converge: the kernel's root_id (sysfs) and the root id in the
#      config BPDUs vswitchd sends to vskns2 both name the expected root;
#   2. exactly one of the four link ports blocks, and it is on the non-root
#      side (kernel: brport/state; vswitchd: its "state A -> B" log lines);
#   3. no loop: 5 broadcast pings from vskns1 reach vskns2 exactly 5 times,
#      never come back to vskns1, and the link counters stay small;
#   4. after the forwarding link (the non-root side's root port) is cut, the
#      other link's blocked port forwards within 2 x forward_delay + 1 s, and
#      vskns1 reaches vskns2 again.
# A third run loops two vswitchd bridges (vskpa root, vskpb) over two links
# made of TAP netdev pairs tied by tc mirred redirects: exactly one port
# blocks, on vskpb, and broadcasts from a host (vskns3) do not storm.
# Everything created is named vsk*, and removed on exit, also on failure.
# Without root the test FAILS (it did not run).

set -u

VSWITCHD=${1:-build/bin/vswitchd}
HELLO_CS=100 MAXAGE_CS=600 FD_CS=400
FD_S=4
COST=100
OUR_MAC=02:00:00:00:6a:00 K_MAC=02:00:00:00:6b:00
OUR_ID_MAC=020000006a00 K_ID_MAC=020000006b00
TMP=
PID=
fails=0
passes=0

say() { echo "stp-kernel: $*"; }
pass() { passes=$((passes + 1)); say "ok: $*"; }
fail() { fails=$((fails + 1)); say "FAIL: $*"; }

teardown() {
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
	fi
	PID=
	for n in vskns1 vskns2 vskns3; do ip netns del "$n" 2>/dev/null; done
	for d in vskk0 vskh0 vsk1 vsk2 vsk3 vskbr0 vska1 vska2 vskah vskb1 vskb2 \
		 vskpa vskpb; do
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
preflight test "TAPs, kernel bridge" "$VSWITCHD" ip ping tcpdump sysctl
teardown			# leftovers of an earlier, killed run
TMP=$(mktemp -d /tmp/vsktest.XXXXXX)
# Keep the daemon's control socket and stored configuration private.
export VSWITCHD_SOCKET=$TMP/vswitchd.sock VSWITCHD_CONFIG=$TMP/config.json

now() { date +%s.%N; }
elapsed() { echo "$(now) $1" | awk '{ printf "%.1f", $1 - $2 }'; }
noipv6() { sysctl -qw "net.ipv6.conf.$1.disable_ipv6=1"; }
kstate() { cat "/sys/class/net/$1/brport/state" 2>/dev/null; }
# vswitchd's last logged state of port $1 (log lines "vskbr0: P: state A -> B").
ostate() {
	grep -o "vskbr0: $1: state [a-z]* -> [a-z]*" "$TMP/vswitchd.log" |
		tail -n 1 | awk '{ print $NF }'
}
num() { case $1 in forwarding) echo 3 ;; blocking) echo 4 ;; learning) echo 2 ;;
	listening) echo 1 ;; *) echo 0 ;; esac; }
# "k1 k2 o1 o2": port states of the two links, kernel side then ours (numbers).
link_states() {
	echo "$(kstate vsk1) $(kstate vsk2) $(num "$(ostate vsk1)") $(num "$(ostate vsk2)")"
}
stable() {	# every link port forwarding or blocking, and the hosts forwarding
	local s
	s=$(link_states)
	case "$s" in *[012]*) return 1 ;; esac
	[ "$(kstate vskh0)" = 3 ] && [ "$(ostate vsk3)" = forwarding ]
}
counters() {	# frames seen on the two links so far
	local t=0 d f
	for d in vsk1 vsk2; do
		for f in rx_packets tx_packets; do
			t=$((t + $(cat /sys/class/net/$d/statistics/$f)))
		done
	done
	echo $t
}
ping_ok() { ip netns exec vskns1 ping -n -q -c 2 -i 0.2 -W 1 10.251.0.2 >/dev/null 2>&1; }
# The 8-byte root id of the first config BPDU vswitchd sends to vskns2.
our_root_id() {
	timeout 5 ip netns exec vskns2 tcpdump -i vsk3 -Q in -n -c 1 -xx \
		'ether dst 01:80:c2:00:00:00 and ether[14:4] = 0x42420300 and ether[20] = 0' \
		2>/dev/null | awk '/0x00[0-9a-f]+:/ { for (i = 2; i <= NF; i++) h = h $i }
		END { print substr(h, 45, 4) "." substr(h, 49, 12) }'
}

# One run: $1 = "vswitchd" or "kernel" (the side that must become root).
run() {
	local root=$1 ours_prio kprio want t0 s k1 k2 o1 o2 c0 c1 n2 n1 cut other
	local kroot oroot
	if [ "$root" = vswitchd ]; then
		ours_prio=4096 kprio=32768 want=1000.$OUR_ID_MAC
	else
		ours_prio=32768 kprio=4096 want=1000.$K_ID_MAC
	fi
	say "--- run: $root should be root (expected root id $want)"

	# The kernel bridge and a host on it.
	ip link add vskk0 address $K_MAC type bridge stp_state 1 priority $kprio \
		hello_time $HELLO_CS max_age $MAXAGE_CS forward_delay $FD_CS \
		mcast_snooping 0 || { fail "$root: kernel bridge"; return; }
	noipv6 vskk0
	if [ "$(cat /sys/class/net/vskk0/bridge/stp_state)" != 1 ]; then
		fail "$root: kernel bridge stp_state is $(cat /sys/class/net/vskk0/bridge/stp_state), not 1 (is /sbin/bridge-stp present?)"
		teardown
		return
	fi
	ip link add vskh0 type veth peer name vskh1 && noipv6 vskh0 && noipv6 vskh1 &&
	ip netns add vskns1 && ip link set vskh1 netns vskns1 &&
	ip netns exec vskns1 sysctl -qw net.ipv6.conf.vskh1.disable_ipv6=1 &&
	ip -n vskns1 link set lo up && ip -n vskns1 addr add 10.251.0.1/24 dev vskh1 &&
	ip -n vskns1 link set vskh1 up &&
	ip link set vskh0 master vskk0 && ip link set dev vskh0 type bridge_slave cost $COST &&
	ip link set vskh0 up && ip link set vskk0 up || { fail "$root: host vskns1"; teardown; return; }

	# vswitchd's bridge, its three TAP ports.
	cat >"$TMP/setup" <<EOF
bridge add vskbr0 address $OUR_MAC priority $ours_prio stp_state 1 hello_time $HELLO_CS max_age $MAXAGE_CS forward_delay $FD_CS
port add vskbr0 vsk1 type tap mac 02:00:00:00:6a:01
port add vskbr0 vsk2 type tap mac 02:00:00:00:6a:02
port add vskbr0 vsk3 type tap mac 02:00:00:00:6a:03
link set dev vsk1 cost $COST
link set dev vsk2 cost $COST
link set dev vsk3 cost $COST
EOF
	"$VSWITCHD" --script "$TMP/setup" --test-mode --log-level info \
		>"$TMP/vswitchd.log" 2>&1 &
	PID=$!
	for _ in $(seq 50); do ip link show vsk3 >/dev/null 2>&1 && break; sleep 0.1; done
	if ! ip link show vsk3 >/dev/null 2>&1; then
		fail "$root: vswitchd did not create its TAPs; log:"
		sed 's/^/    /' "$TMP/vswitchd.log"
		teardown
		return
	fi
	for d in vsk1 vsk2; do
		noipv6 $d && ip link set $d master vskk0 &&
		ip link set dev $d type bridge_slave cost $COST && ip link set $d up ||
			{ fail "$root: enslave $d"; teardown; return; }
	done
	ip netns add vskns2 && ip link set vsk3 netns vskns2 &&
	ip netns exec vskns2 sysctl -qw net.ipv6.conf.vsk3.disable_ipv6=1 &&
	ip -n vskns2 link set lo up && ip -n vskns2 addr add 10.251.0.2/24 dev vsk3 &&
	ip -n vskns2 link set vsk3 up || { fail "$root: host vskns2"; teardown; return; }

	# 1. Convergence: ports leave listening/learning after 2 x fd.
	t0=$(now)
	for _ in $(seq 250); do stable && break; sleep 0.1; done
	sleep 2			# and stays so (a late change would show now)
	if stable; then
		pass "$root: converged ($(elapsed "$t0") s; link states k1 k2 o1 o2 = $(link_states))"
	else
		fail "$root: not converged after $(elapsed "$t0") s: k1 k2 o1 o2 = $(link_states), vskh0 $(kstate vskh0), vsk3 $(ostate vsk3)"
	fi
	kroot=$(cat /sys/class/net/vskk0/bridge/root_id)
	oroot=$(our_root_id)
	if [ "$kroot" = "$want" ] && [ "$oroot" = "$want" ]; then
		pass "$root: both agree on root $want (kernel root_id, vswitchd's BPDUs)"
	else
		fail "$root: root ids: kernel $kroot, vswitchd BPDUs $oroot, want $want"
	fi
	say "$root: root bridge is the $( [ "$kroot" = 1000.$OUR_ID_MAC ] && echo vswitchd || echo kernel) bridge"

	# 2. Exactly one blocking link port, on the non-root side.
	read -r k1 k2 o1 o2 <<<"$(link_states)"
	n=0
	for s in $k1 $k2 $o1 $o2; do [ "$s" = 4 ] && n=$((n + 1)); done
	if [ $n = 1 ] && { { [ "$root" = vswitchd ] && [ "$o1$o2" = 33 ]; } ||
			   { [ "$root" = kernel ] && [ "$k1$k2" = 33 ]; }; }; then
		pass "$root: one blocking port, on the non-root side (k1 k2 o1 o2 = $k1 $k2 $o1 $o2)"
	else
		fail "$root: blocking ports: k1 k2 o1 o2 = $k1 $k2 $o1 $o2 (want exactly one 4, on the non-root side)"
	fi

	# 3. No loop: broadcasts arrive once, never return, counters bounded.
	ip netns exec vskns2 tcpdump -i vsk3 -Q in -n -l icmp >"$TMP/icmp2" 2>/dev/null &
	local td2=$!
	ip netns exec vskns1 tcpdump -i vskh1 -Q in -n -l icmp >"$TMP/icmp1" 2>/dev/null &
	local td1=$!
	sleep 1
	c0=$(counters)
	ip netns exec vskns1 ping -n -q -b -c 5 -i 0.2 -W 1 10.251.0.255 >/dev/null 2>&1
	sleep 2
	c1=$(counters)
	kill $td1 $td2 2>/dev/null
	wait $td1 $td2 2>/dev/null
	n2=$(grep -c 'echo request' "$TMP/icmp2")
	n1=$(grep -c 'echo request' "$TMP/icmp1")
	if [ "$n2" = 5 ] && [ "$n1" = 0 ] && [ $((c1 - c0)) -lt 100 ]; then
		pass "$root: no loop: 5 broadcasts -> 5 at vskns2, 0 back at vskns1, $((c1 - c0)) frames on the links in ~3 s"
	else
		fail "$root: loop? 5 broadcasts -> $n2 at vskns2, $n1 back at vskns1, $((c1 - c0)) frames on the links in ~3 s"
	fi
	if ping_ok; then pass "$root: vskns1 reaches vskns2"
	else fail "$root: vskns1 cannot reach vskns2"; fi

	# 4. Cut the forwarding link: the non-root side's root port.
	if [ "$root" = vswitchd ]; then
		[ "$k1" = 3 ] && cut=vsk1 other=vsk2 || cut=vsk2 other=vsk1
	else
		[ "$o1" = 3 ] && cut=vsk1 other=vsk2 || cut=vsk2 other=vsk1
	fi
	t0=$(now)
	ip link set $cut down
	local ok=0
	for _ in $(seq $(( (2 * FD_S + 1) * 10 ))); do
		if [ "$root" = vswitchd ]; then
			[ "$(kstate $other)" = 3 ] && ok=1
		else
			[ "$(ostate $other)" = forwarding ] && ok=1
		fi
		[ $ok = 1 ] && break
		sleep 0.1
	done
	if [ $ok = 1 ]; then
		pass "$root: $cut cut, $other forwarding after $(elapsed "$t0") s (limit $((2 * FD_S + 1)) s)"
	else
		fail "$root: $cut cut, $other not forwarding after $(elapsed "$t0") s: k1 k2 o1 o2 = $(link_states)"
	fi
	if ping_ok; then pass "$root: vskns1 reaches vskns2 over $other"
	else fail "$root: vskns1 cannot reach vskns2 over $other"; fi

	if [ $fails != 0 ]; then
		say "vswitchd log of this run:"
		sed 's/^/    /' "$TMP/vswitchd.log"
	fi
	teardown
}

# Pure vswitchd loop: bridges vskpa (root) and vskpb in one daemon, joined by
# two links, each a pair of TAP netdevs tied by tc mirred redirects; a host
# in vskns3 on vskpa.  Exactly one of the four link ports blocks (on vskpb,
# the non-root), and broadcasts from the host do not loop.
ostate2() {	# last logged state of port $2 of vswitchd bridge $1
	grep -o "$1: $2: state [a-z]* -> [a-z]*" "$TMP/vswitchd.log" |
		tail -n 1 | awk '{ print $NF }'
}
loop_states() {
	echo "$(num "$(ostate2 vskpa vska1)") $(num "$(ostate2 vskpa vska2)")" \
	     "$(num "$(ostate2 vskpb vskb1)") $(num "$(ostate2 vskpb vskb2)")"
}
link_frames() {
	local t=0 d f
	for d in vska1 vska2; do
		for f in rx_packets tx_packets; do
			t=$((t + $(cat /sys/class/net/$d/statistics/$f)))
		done
	done
	echo $t
}
loop_only() {
	local s n=0 p c0 c1 n3 td t0 ok=0 a b
	say "--- run: two vswitchd bridges, two links"
	cat >"$TMP/setup" <<EOF
bridge add vskpa address 02:00:00:00:6c:00 priority 4096 stp_state 1 hello_time $HELLO_CS max_age $MAXAGE_CS forward_delay $FD_CS
bridge add vskpb address 02:00:00:00:6d:00 stp_state 1 hello_time $HELLO_CS max_age $MAXAGE_CS forward_delay $FD_CS
port add vskpa vska1 type tap mac 02:00:00:00:6c:01
port add vskpa vska2 type tap mac 02:00:00:00:6c:02
port add vskpa vskah type tap mac 02:00:00:00:6c:0a
port add vskpb vskb1 type tap mac 02:00:00:00:6d:01
port add vskpb vskb2 type tap mac 02:00:00:00:6d:02
EOF
	"$VSWITCHD" --script "$TMP/setup" --test-mode --log-level info \
		>"$TMP/vswitchd.log" 2>&1 &
	PID=$!
	for _ in $(seq 50); do ip link show vskb2 >/dev/null 2>&1 && break; sleep 0.1; done
	for p in vska1:vskb1 vskb1:vska1 vska2:vskb2 vskb2:vska2; do
		a=${p%:*} b=${p#*:}
		tc qdisc add dev "$a" ingress &&
		tc filter add dev "$a" parent ffff: protocol all u32 match u32 0 0 \
			action mirred egress redirect dev "$b" ||
			{ fail "loop: tc wire $a -> $b (tc, u32, mirred)"; teardown; return; }
	done
	ip netns add vskns3 && ip link set vskah netns vskns3 &&
	ip netns exec vskns3 sysctl -qw net.ipv6.conf.vskah.disable_ipv6=1 &&
	ip -n vskns3 link set lo up && ip -n vskns3 addr add 10.251.1.1/24 dev vskah &&
	ip -n vskns3 link set vskah up || { fail "loop: host vskns3"; teardown; return; }
	t0=$(now)
	for _ in $(seq 250); do
		s=$(loop_states)
		case "$s" in
		*[012]*) ;;
		*) [ "$(ostate2 vskpa vskah)" = forwarding ] && ok=1 ;;
		esac
		[ $ok = 1 ] && break
		sleep 0.1
	done
	sleep 2
	s=$(loop_states)
	for p in $s; do [ "$p" = 4 ] && n=$((n + 1)); done
	if [ $ok = 1 ] && [ $n = 1 ] && [ "${s:0:3}" = "3 3" ]; then
		pass "loop: converged in $(elapsed "$t0") s, one blocking port, on vskpb (a1 a2 b1 b2 = $s)"
	else
		fail "loop: port states a1 a2 b1 b2 = $s after $(elapsed "$t0") s (want one 4, on vskpb)"
	fi
	ip netns exec vskns3 tcpdump -i vskah -Q in -n -l icmp >"$TMP/icmp3" 2>/dev/null &
	td=$!
	sleep 1
	c0=$(link_frames)
	ip netns exec vskns3 ping -n -q -b -c 5 -i 0.2 -W 1 10.251.1.255 >/dev/null 2>&1
	sleep 2
	c1=$(link_frames)
	kill $td 2>/dev/null
	wait $td 2>/dev/null
	n3=$(grep -c 'echo request' "$TMP/icmp3")
	if [ "$n3" = 0 ] && [ $((c1 - c0)) -lt 100 ]; then
		pass "loop: no storm: 5 broadcasts, 0 back at the sender, $((c1 - c0)) frames on the links in ~3 s"
	else
		fail "loop: storm? 5 broadcasts, $n3 back at the sender, $((c1 - c0)) frames on the links in ~3 s"
	fi
	if [ $fails != 0 ]; then
		say "vswitchd log of this run:"
		sed 's/^/    /' "$TMP/vswitchd.log"
	fi
	teardown
}

run vswitchd
run kernel
if command -v tc >/dev/null; then
	loop_only
else
	fail "loop: 'tc' not found (make deps); the pure vswitchd loop did not run"
fi
say "$passes passed, $fails failed"
[ $fails = 0 ]
