#!/bin/bash
# vxlan-ovs.sh - our vxlan port against Open vSwitch's (root).
#
#   vxoa: Open vSwitch, userspace datapath (its own ovsdb-server and
#         ovs-vswitchd under the temporary directory, no kernel module):
#         bridge vxobrp holds the underlay port vxou1 and 10.10.0.1/24 on
#         its internal port (OVS's userspace tunnelling); bridge vxobri has
#         vxov (type=vxlan options:remote_ip=10.10.0.2 options:key=42) and
#         the veth vxop1 to host vxoh1 (192.168.45.1)
#   vxob: our vswitchd: bridge vxobr0 with vxob0 (vxlan vni 42, local
#         10.10.0.2, remote 10.10.0.1) and TAP vxot2 moved to vxoh2
#         (192.168.45.2); underlay veth vxou2 10.10.0.2/24
# Checks: pings both ways; our remote table learns vxoh1's MAC behind
# 10.10.0.1; OVS's datapath shows it decapsulating VNI 42 (tnl_pop).
# Everything is named vx*, and removed on exit, also on failure.
VX_NSS="vxoa vxob vxoh1 vxoh2"
. "$(dirname "$0")/vxlan-lib.sh"
vx_need_root ovs-vswitchd ovsdb-server ovs-vsctl ovs-appctl ovsdb-tool

S=$T/run/o.sock
export VSWITCHD_SOCKET=$S
OD=$T/ovs
mkdir -p "$OD"
export OVS_RUNDIR=$OD OVS_DBDIR=$OD OVS_LOGDIR=$OD OVS_PKGDATADIR=/usr/share/openvswitch
ovs() { ip netns exec vxoa ovs-vsctl --db="unix:$OD/db.sock" --timeout=20 "$@"; }
appctl() { ip netns exec vxoa ovs-appctl -t "$OD/vswitchd.ctl" "$@"; }

vx_ns_add vxoa vxob vxoh1 vxoh2
vx_veth vxoa vxou1 vxob vxou2
ip -n vxob addr add 10.10.0.2/24 dev vxou2

# Open vSwitch in vxoa.
ovsdb-tool create "$OD/conf.db" /usr/share/openvswitch/vswitch.ovsschema ||
	{ fail "ovsdb-tool create"; vx_finish; }
# Children of this script (not --detach), so the exit trap reaps them.
ip netns exec vxoa ovsdb-server "$OD/conf.db" --remote="punix:$OD/db.sock" \
	--unixctl="$OD/ovsdb.ctl" --log-file="$OD/ovsdb.log" -vconsole:off \
	>>"$OD/start.log" 2>&1 &
VX_PIDS="$VX_PIDS $!"
wait_for test -S "$OD/db.sock" || { fail "ovsdb-server: $(cat "$OD/start.log")"; vx_finish; }
ovs --no-wait init
ip netns exec vxoa ovs-vswitchd "unix:$OD/db.sock" \
	--unixctl="$OD/vswitchd.ctl" --log-file="$OD/vswitchd.log" \
	-vconsole:off >>"$OD/start.log" 2>&1 &
VX_PIDS="$VX_PIDS $!"
wait_for test -S "$OD/vswitchd.ctl" || { fail "ovs-vswitchd: $(cat "$OD/start.log")"; vx_finish; }
run ovs add-br vxobrp -- set bridge vxobrp datapath_type=netdev
run ovs add-port vxobrp vxou1
ip -n vxoa addr add 10.10.0.1/24 dev vxobrp
ip -n vxoa link set vxobrp up
run ovs add-br vxobri -- set bridge vxobri datapath_type=netdev
run ovs add-port vxobri vxov -- set interface vxov type=vxlan \
	options:remote_ip=10.10.0.2 options:key=42
vx_veth vxoa vxop1 vxoh1 vxoh1
run ovs add-port vxobri vxop1
ip -n vxoh1 addr add 192.168.45.1/24 dev vxoh1
ip -n vxoh1 link set vxoh1 mtu 1450

# Our vswitchd in vxob.
vx_start vxob "$S" "$T/lib/o.json" "$T/d-o.log"
run "$C" link add vxobr0 type bridge
run "$C" link set vxobr0 up
run "$C" port add vxobr0 vxot2 type tap
run "$C" port add vxobr0 vxob0 type vxlan vni 42 local 10.10.0.2 remote 10.10.0.1
ip -n vxob link set vxot2 netns vxoh2 || fail "move vxot2"
ip -n vxoh2 addr add 192.168.45.2/24 dev vxot2
ip -n vxoh2 link set vxot2 up

# OVS's userspace tunnel needs the remote VTEP's MAC: a ping from its
# namespace over vxobrp lets it snoop the ARP reply.
wait_for ping_ok vxoa 10.10.0.2 1 || fail "underlay ping vxoa -> 10.10.0.2"

wait_for ping_ok vxoh1 192.168.45.2 1 || true
ping_ok vxoh1 192.168.45.2 && ok || fail "ping OVS host -> our host"
ping_ok vxoh2 192.168.45.1 && ok || fail "ping our host -> OVS host"
mac1=$(ip -n vxoh1 -br link show vxoh1 | awk '{print $3}')
"$C" fdb show dev vxob0 >"$T/fdb"
grep -qx "$mac1 dst 10.10.0.1 self " "$T/fdb" && ok ||
	fail "our fdb lacks '$mac1 dst 10.10.0.1 self': $(cat "$T/fdb")"
appctl dpctl/dump-flows >"$T/flows" 2>&1
grep -q "tnl_pop" "$T/flows" && grep -q "tunnel(tun_id=0x2a" "$T/flows" && ok ||
	fail "OVS datapath flows lack tnl_pop / tun_id 0x2a: $(cat "$T/flows")"
[ "$(vx_stat "$S" vxob0 "vtep 10.10.0.1 rx_packets")" -gt 0 ] && ok ||
	fail "no frames counted from VTEP 10.10.0.1: $("$C" stats vxob0)"

vx_finish
