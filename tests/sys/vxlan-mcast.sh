#!/bin/bash
# vxlan-mcast.sh - a multicast-group underlay between three of our VTEPs
# (root).  As vxlan-hre.sh (namespaces vxma/vxmb/vxmc on one kernel bridge
# in vxmu, hosts vxmh1..3, 192.168.46.1..3), but each vxlan port has
# 'group 239.1.1.1 dev vxmuX' instead of a list of remotes.  Checks:
#   1. a broadcast from vxmh1 reaches vxmh2 and vxmh3 exactly once each,
#      with ONE datagram from vxma (to the group), not one per VTEP;
#   2. every host pings every other, and the remote tables learn each
#      host behind its VTEP's unicast address;
#   3. the default entry is the group ("00:00:00:00:00:00 dst 239.1.1.1
#      self permanent"), and a group that is no multicast address, or
#      together with remote, is refused.
# Everything is named vx*, and removed on exit, also on failure.
VX_NSS="vxma vxmb vxmc vxmu vxmh1 vxmh2 vxmh3"
. "$(dirname "$0")/vxlan-lib.sh"
vx_need_root

L2="python3 $(dirname "$0")/vxlan-l2.py"
vx_ns_add $VX_NSS
VX_UNDERLAY_OPTS="mcast_snooping 0" vx_underlay vxm a b c
for i in 1 2 3; do
	x=$(echo abc | cut -c$i)
	vx_start vxm$x "$(sock $x)" "$T/lib/$x.json" "$T/d-$x.log"
	run ctl $x link add vxmbr type bridge
	run ctl $x link set vxmbr up
	run ctl $x port add vxmbr vxmt$i type tap
	# vxmc in ip-link's spelling.
	if [ $x = c ]; then
		run ctl $x link add vxm0 master vxmbr type vxlan id 42 \
			local 10.10.0.$i group 239.1.1.1 dev vxmu$x
	else
		run ctl $x port add vxmbr vxm0 type vxlan vni 42 \
			local 10.10.0.$i group 239.1.1.1 dev vxmu$x
	fi
	ip -n vxm$x link set vxmt$i netns vxmh$i || fail "move vxmt$i"
	ip -n vxmh$i addr add 192.168.46.$i/24 dev vxmt$i
	ip -n vxmh$i link set vxmt$i up
done
mac_of() { ip -n vxmh$1 -br link show vxmt$1 | awk '{print $3}'; }
stat_a() { vx_stat "$(sock a)" vxm0 "$1"; }

# --- 1. one broadcast, one datagram, two copies delivered ------------------
pids=
for j in 2 3; do
	ip netns exec vxmh$j $L2 count vxmt$j mcast-1 3 >"$T/n$j" 2>"$T/r$j" &
	pids="$pids $!"
done
for j in 2 3; do wait_for grep -qs ready "$T/r$j"; done
d0=$(stat_a tx_datagrams)
ip netns exec vxmh1 $L2 send vxmt1 ff:ff:ff:ff:ff:ff mcast-1
wait $pids
got="$(cat "$T/n2") $(cat "$T/n3")"
[ "$got" = "1 1" ] && ok || fail "broadcast over the group: got '$got', want '1 1'"
[ "$(stat_a tx_datagrams)" = $((d0 + 1)) ] &&
	[ "$(stat_a "vtep 239.1.1.1 tx_packets")" = 1 ] && ok ||
	fail "broadcast: not one datagram to the group: $(ctl a stats vxm0)"

# --- 2. pings and learning ---------------------------------------------------
wait_for ping_ok vxmh1 192.168.46.2 1 || true
for a in 1 2 3; do
	for b in 1 2 3; do
		[ $a = $b ] && continue
		ping_ok vxmh$a 192.168.46.$b && ok ||
			fail "ping vxmh$a -> 192.168.46.$b"
	done
done
ctl a fdb show dev vxm0 >"$T/fdba"
for j in 2 3; do
	grep -qx "$(mac_of $j) dst 10.10.0.$j self " "$T/fdba" && ok ||
		fail "vxma did not learn host $j behind 10.10.0.$j: $(cat "$T/fdba")"
done

# --- 3. the default entry and refusals -----------------------------------------
grep -qx "00:00:00:00:00:00 dst 239.1.1.1 self permanent" "$T/fdba" && ok ||
	fail "default entry is not the group: $(cat "$T/fdba")"
ctl a port add vxmbr vxmbad type vxlan vni 5 group 10.0.0.1 >"$T/out" 2>"$T/err" &&
	fail "group 10.0.0.1 accepted" ||
	{ grep -qF "group: 10.0.0.1 is not a multicast address" "$T/err" && ok ||
		fail "group 10.0.0.1: '$(cat "$T/err")'"; }
ctl a port add vxmbr vxmbad type vxlan vni 5 group 239.1.1.2 remote 10.10.0.2 \
	>"$T/out" 2>"$T/err" && fail "group with remote accepted" ||
	{ grep -qF "group: not with remote" "$T/err" && ok ||
		fail "group with remote: '$(cat "$T/err")'"; }
ctl a port add vxmbr vxmbad type vxlan vni 5 group 239.1.1.2 dev vxnope \
	>"$T/out" 2>"$T/err" && fail "dev vxnope accepted" ||
	{ grep -qF "dev: no interface 'vxnope'" "$T/err" && ok ||
		fail "dev vxnope: '$(cat "$T/err")'"; }

vx_finish
