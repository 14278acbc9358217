#!/bin/bash
# lab-bench.sh - time of "bridgectl lab up" + "lab down" of a ring of 10
# switches (STP on) with 20 hosts, next to the same topology made and
# removed by a shell script with ip(8): kernel bridges (STP on), veth
# pairs for the ring and the hosts, the same namespaces and addresses.
# The anchor is the script, not Mininet's "mn --switch lxbr": lxbr calls
# bridge-utils' brctl, which is not installed here, and installing it
# would put another brctl on every helper's PATH.  Runs interleaved
# (ours, anchor, ours, ...), RUNS times (default 5); prints medians,
# min..max and the ratio.  Root; names start "lbb".
set -u
BIN=$(cd "${BIN:-build/bin}" && pwd) || exit 1
RUNS=${RUNS:-5}
T=$(mktemp -d /tmp/lbbench.XXXXXX)
export VSWITCHD_SOCKET=$T/vswitchd.sock VSWITCHD_LAB_DIR=$T/labs
export BRIDGECTL_LAB_PREFIX=lbb-
C=$BIN/bridgectl
PID=
NSW=10
NH=20

cleanup() {
	"$C" lab down "$T/ring.yml" >/dev/null 2>&1
	anchor_down 2>/dev/null
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
[ "$(id -u)" = 0 ] || { echo "lab-bench.sh: NOT RUN: needs root" >&2; exit 1; }

# The lab file.
{
	echo "name: ring"
	echo "switches:"
	for i in $(seq $NSW); do
		echo "  sw$i: {stp: true, forward_delay: 2, hello_time: 1, max_age: 6}"
	done
	echo "hosts:"
	for h in $(seq $NH); do echo "  h$h: {addresses: {eth0: 10.77.0.$h/24}}"; done
	echo "links:"
	for i in $(seq $NSW); do
		echo "  - [sw$i:r, sw$((i % NSW + 1)):l]"
	done
	for h in $(seq $NH); do echo "  - [h$h:eth0, sw$(( (h - 1) / 2 + 1 )):p$h]"; done
} >"$T/ring.yml"

anchor_up() {
	for i in $(seq $NSW); do
		ip link add lbbs$i type bridge stp_state 1 forward_delay 200 || return 1
		ip link set lbbs$i up
	done
	for i in $(seq $NSW); do
		j=$((i % NSW + 1))
		ip link add lbbs$i-r type veth peer name lbbs$j-l || return 1
		ip link set lbbs$i-r master lbbs$i up
		ip link set lbbs$j-l master lbbs$j up
	done
	for h in $(seq $NH); do
		s=$(( (h - 1) / 2 + 1 ))
		ip netns add lbbh$h || return 1
		ip -n lbbh$h link set lo up
		ip link add lbbs$s-p$h type veth peer name lbbh$h-e || return 1
		ip link set lbbh$h-e netns lbbh$h
		ip -n lbbh$h link set lbbh$h-e name eth0
		ip -n lbbh$h addr add 10.77.0.$h/24 dev eth0
		ip -n lbbh$h link set eth0 up
		ip link set lbbs$s-p$h master lbbs$s up
	done
}
anchor_down() {
	for h in $(seq $NH); do ip netns del lbbh$h; done
	for i in $(seq $NSW); do ip link del lbbs$i-r; done
	for i in $(seq $NSW); do ip link del lbbs$i; done
}

now() { date +%s.%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f s (%.3f..%.3f)", m, v[1], v[NR] }'; }

"$BIN/vswitchd" --socket "$VSWITCHD_SOCKET" --no-config -l warn 2>"$T/log" &
PID=$!
for _ in $(seq 100); do "$C" info >/dev/null 2>&1 && break; sleep 0.05; done
for r in $(seq "$RUNS"); do
	t0=$(now)
	"$C" lab up --no-wait "$T/ring.yml" >/dev/null || { echo "lab up failed" >&2; exit 1; }
	t1=$(now)
	"$C" lab down ring >/dev/null || { echo "lab down failed" >&2; exit 1; }
	t2=$(now)
	anchor_up || { echo "anchor up failed" >&2; exit 1; }
	t3=$(now)
	anchor_down 2>/dev/null
	t4=$(now)
	echo "$t1 - $t0" | bc >>"$T/our_up"
	echo "$t2 - $t1" | bc >>"$T/our_down"
	echo "$t3 - $t2" | bc >>"$T/anc_up"
	echo "$t4 - $t3" | bc >>"$T/anc_down"
	paste -d+ "$T/our_up" "$T/our_down" | tail -1 | bc >>"$T/our_all"
	paste -d+ "$T/anc_up" "$T/anc_down" | tail -1 | bc >>"$T/anc_all"
done
mo=$(median <"$T/our_up" | cut -d' ' -f1)
ma=$(median <"$T/anc_up" | cut -d' ' -f1)
echo "lab ring of $NSW switches, $NH hosts, $RUNS runs (median, min..max):"
echo "  bridgectl lab up:      $(median <"$T/our_up")"
echo "  bridgectl lab down:    $(median <"$T/our_down")"
echo "  ip/bridge script up:   $(median <"$T/anc_up")"
echo "  ip/bridge script down: $(median <"$T/anc_down")"
echo "  up ratio ours/anchor:  $(echo "scale=3; $mo / $ma" | bc) (target < 0.5)"
echo "  up+down ours/anchor:   $(echo "scale=3; $(median <"$T/our_all" | cut -d' ' -f1) / $(median <"$T/anc_all" | cut -d' ' -f1)" | bc)"
