#!/bin/bash
# vxlan-hre.sh - head-end replication between three of our VTEPs (root).
#
# Three vswitchd, each in its namespace vxha/vxhb/vxhc with underlay
# address 10.10.0.1/2/3 on one kernel bridge (namespace vxhu), each with a
# bridge vxhbr, a TAP moved to a host namespace (vxhh1..3, 192.168.44.1..3)
# and a vxlan port vxh0, VNI 42, whose 'remote' lists the two other VTEPs
# (the default entry's destinations).  Checks:
#   1. a broadcast from vxhh1 reaches vxhh2 and vxhh3 exactly once each,
#      and the sender's port sent one datagram to each VTEP;
#   2. unknown unicast likewise;
#   3. every host pings every other; each remote table then holds the
#      two other hosts' MACs, each with its own VTEP;
#   4. a known unicast from vxhh1 to vxhh2 goes to 10.10.0.2 only;
#   5. with 'learning off' (vxh0 on vxha re-added so) nothing is learned,
#      and the same unicast goes to both VTEPs (only the default entry is
#      used).
# Everything is named vx*, and removed on exit, also on failure.
VX_NSS="vxha vxhb vxhc vxhu vxhh1 vxhh2 vxhh3"
. "$(dirname "$0")/vxlan-lib.sh"
vx_need_root

L2="python3 $(dirname "$0")/vxlan-l2.py"
vx_ns_add $VX_NSS
vx_underlay vxh a b c
others() { for j in 1 2 3; do [ $j = "$1" ] || printf "10.10.0.%s," $j; done | sed 's/,$//'; }
for i in 1 2 3; do
	x=$(echo abc | cut -c$i)
	vx_start vxh$x "$(sock $x)" "$T/lib/$x.json" "$T/d-$x.log"
	run ctl $x link add vxhbr type bridge
	run ctl $x link set vxhbr up
	run ctl $x port add vxhbr vxht$i type tap
	run ctl $x port add vxhbr vxh0 type vxlan vni 42 local 10.10.0.$i \
		remote "$(others $i)"
	ip -n vxh$x link set vxht$i netns vxhh$i || fail "move vxht$i"
	ip -n vxhh$i addr add 192.168.44.$i/24 dev vxht$i
	ip -n vxhh$i link set vxht$i up
done
mac_of() { ip -n vxhh$1 -br link show vxht$1 | awk '{print $3}'; }

# count_after MARK DST: sends one frame marked MARK from vxhh1 to DST and
# prints how many vxhh2 and vxhh3 each received ("N2 N3").
count_after() {
	local mark=$1 dst=$2 j pids=
	for j in 2 3; do
		ip netns exec vxhh$j $L2 count vxht$j "$mark" 3 >"$T/n$j" \
			2>"$T/r$j" &
		pids="$pids $!"
	done
	for j in 2 3; do wait_for grep -qs ready "$T/r$j"; done
	ip netns exec vxhh1 $L2 send vxht1 "$dst" "$mark"
	wait $pids
	echo "$(cat "$T/n2") $(cat "$T/n3")"
}
stat_a() { vx_stat "$(sock a)" vxh0 "$1"; }

# --- 1. broadcast ----------------------------------------------------------
b2=$(stat_a "vtep 10.10.0.2 tx_packets")
b3=$(stat_a "vtep 10.10.0.3 tx_packets")
got=$(count_after bcast-1 ff:ff:ff:ff:ff:ff)
[ "$got" = "1 1" ] && ok || fail "broadcast: vxhh2/vxhh3 got '$got', want '1 1'"
[ "$(stat_a "vtep 10.10.0.2 tx_packets")" = $((b2 + 1)) ] &&
	[ "$(stat_a "vtep 10.10.0.3 tx_packets")" = $((b3 + 1)) ] && ok ||
	fail "broadcast: per-VTEP tx of vxha: $(ctl a stats vxh0)"

# --- 2. unknown unicast ----------------------------------------------------
got=$(count_after unknown-1 02:00:00:99:99:99)
[ "$got" = "1 1" ] && ok || fail "unknown unicast: got '$got', want '1 1'"

# --- 3. pings and learning -------------------------------------------------
wait_for ping_ok vxhh1 192.168.44.2 1 || true
for a in 1 2 3; do
	for b in 1 2 3; do
		[ $a = $b ] && continue
		ping_ok vxhh$a 192.168.44.$b && ok ||
			fail "ping vxhh$a -> 192.168.44.$b"
	done
done
for i in 1 2 3; do
	x=$(echo abc | cut -c$i)
	vx_fdb "$(sock $x)" vxh0 >"$T/fdb$x"
	for j in 1 2 3; do
		[ $i = $j ] && continue
		grep -qx "$(mac_of $j) dev vxh0 dst 10.10.0.$j self" "$T/fdb$x" &&
			grep -qx "00:00:00:00:00:00 dev vxh0 dst 10.10.0.$j self permanent" \
				"$T/fdb$x" && ok ||
			fail "vxh$x fdb lacks host $j / VTEP $j: $(cat "$T/fdb$x")"
	done
done

# --- 4. known unicast goes to one VTEP ----------------------------------------
# From here the per-VTEP counters must move by our frames only: pinned
# neighbours, so no ARP probe (unicast, then broadcast) slips in between.
for a in 1 2 3; do
	for b in 1 2 3; do
		[ $a = $b ] || ip -n vxhh$a neigh replace 192.168.44.$b \
			lladdr "$(mac_of $b)" dev vxht$a nud permanent
	done
done
mac2=$(mac_of 2)
b2=$(stat_a "vtep 10.10.0.2 tx_packets")
b3=$(stat_a "vtep 10.10.0.3 tx_packets")
got=$(count_after known-1 "$mac2")
[ "$got" = "1 0" ] && ok || fail "known unicast: got '$got', want '1 0'"
[ "$(stat_a "vtep 10.10.0.2 tx_packets")" = $((b2 + 1)) ] &&
	[ "$(stat_a "vtep 10.10.0.3 tx_packets")" = "$b3" ] && ok ||
	fail "known unicast: per-VTEP tx of vxha: $(ctl a stats vxh0)"

# --- 5. learning off: only the default entry ---------------------------------
run ctl a port del vxh0
run ctl a port add vxhbr vxh0 type vxlan vni 42 local 10.10.0.1 \
	remote 10.10.0.2,10.10.0.3 learning off
ping_ok vxhh2 192.168.44.1 && ok || fail "learning off: ping vxhh2 -> vxhh1"
vx_fdb "$(sock a)" vxh0 >"$T/fdba"
[ "$(grep -vc '^00:00:00:00:00:00 ' "$T/fdba")" = 0 ] &&
	[ "$(vx_stat "$(sock a)" vxh0 learned)" = 0 ] && ok ||
	fail "learning off, yet learned: $(cat "$T/fdba")"
b2=$(stat_a "vtep 10.10.0.2 tx_packets")
b3=$(stat_a "vtep 10.10.0.3 tx_packets")
count_after known-2 "$mac2" >/dev/null
[ "$(stat_a "vtep 10.10.0.2 tx_packets")" = $((b2 + 1)) ] &&
	[ "$(stat_a "vtep 10.10.0.3 tx_packets")" = $((b3 + 1)) ] && ok ||
	fail "learning off: unicast not sent to both VTEPs: $(ctl a stats vxh0)"

vx_finish
