#!/bin/bash
# vxlan-fdb.sh - runtime changes of a vxlan port's remote table, in
# iproute2's spelling (bridge fdb add|append|replace|del MAC dev vx0 dst IP
# self), and standalone vxlan devices (link add NAME type vxlan ... without
# master, then link set NAME master BR) (root).
#
#   vyfa (vswitchd A)                         vyfb (vswitchd B)
#   bridge vyfbr: vyft1 (TAP) + vyf0 == vyf0 + vyft2 (TAP): bridge vyfbr
#   vyft1 moved to vyfh1 192.168.45.1        vyft2 in vyfh2 192.168.45.2
#   underlay: veth vyfu1 10.10.0.1/24  <->  vyfu2 10.10.0.2/24
#
# A's vyf0 is made standalone, with no remote (link add ... without
# master), and enslaved after; B's has remote 10.10.0.1.  Checks:
#   1. the standalone device: link show (text and JSON), refusals, the
#      saved configuration, link del, then link set master enslaves it;
#   2. no default destination: nothing crosses; fdb append of the all-zero
#      MAC with dst 10.10.0.2 (and a second dst): the hosts ping, and fdb
#      show prints the entries as iproute2 does (text and -j);
#   3. unicast entries: add, replace, del; append refused for them;
#   4. 16 bad commands refused with a clear message, configuration file
#      unchanged;
#   5. kill -9 and restart: the table comes back as it was (a deleted
#      creation 'remote' stays deleted), and traffic resumes.
# Everything is named vy*, and removed on exit, also on failure.
VX_NSS="vyfa vyfb vyfh1 vyfh2"
. "$(dirname "$0")/vxlan-lib.sh"
vx_need_root

SA=$T/run/a.sock
SB=$T/run/b.sock
CONFA=$T/lib/a.json
ca() { VSWITCHD_SOCKET=$SA "$C" "$@"; }
cb() { VSWITCHD_SOCKET=$SB "$C" "$@"; }

vx_ns_add $VX_NSS
vx_veth vyfa vyfu1 vyfb vyfu2
ip -n vyfa addr add 10.10.0.1/24 dev vyfu1
ip -n vyfb addr add 10.10.0.2/24 dev vyfu2

# host_up I NS: TAP vyftI of the daemon in NS moved to vyfhI.
host_up() {
	wait_for ip -n "$2" link show "vyft$1" >/dev/null 2>&1 ||
		fail "no TAP vyft$1 in $2"
	ip -n "$2" link set "vyft$1" netns "vyfh$1" || fail "move vyft$1"
	ip -n "vyfh$1" addr add "192.168.45.$1/24" dev "vyft$1"
	ip -n "vyfh$1" link set "vyft$1" up
}

vx_start vyfa "$SA" "$CONFA" "$T/d-a.log"
A=$VX_LAST_PID
vx_start vyfb "$SB" "$T/lib/b.json" "$T/d-b.log"
B=$VX_LAST_PID
run cb link add vyfbr type bridge
run cb link set vyfbr up
run cb port add vyfbr vyft2 type tap
run cb link add vyf0 master vyfbr type vxlan id 42 local 10.10.0.2 remote 10.10.0.1
host_up 2 vyfb
run ca link add vyfbr type bridge
run ca link set vyfbr up
run ca port add vyfbr vyft1 type tap
host_up 1 vyfa

# --- 1. a standalone vxlan device ---------------------------------------------
run ca link add vyf0 type vxlan id 42 dstport 4789 local 10.10.0.1 nolearning
ca link show vyf0 >"$T/ls"
head -1 "$T/ls" | grep -qx "vyf0: <BROADCAST,MULTICAST> mtu 1450 state DOWN" &&
	ok || fail "link show vyf0: $(cat "$T/ls")"
ca -d link show vyf0 | grep -q "vxlan id 42 local 10.10.0.1 dstport 4789 nolearning" &&
	ok || fail "link show -d vyf0: $(ca -d link show vyf0)"
ca -j link show vyf0 | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert len(d) == 1, d
d = d[0]
assert d["ifname"] == "vyf0" and "master" not in d, d
assert d["operstate"] == "DOWN" and d["mtu"] == 1450, d
li = d["linkinfo"]
assert li["info_kind"] == "vxlan", li
i = li["info_data"]
assert i["id"] == 42 and i["port"] == 4789 and i["local"] == "10.10.0.1", i
assert i["learning"] is False, i
' && ok || fail "link show -j vyf0: $(ca -j link show vyf0)"
ca link show | grep -q "^vyf0: " && ok || fail "link show lacks vyf0"
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))["devices"]
assert d == [{"name": "vyf0", "type": "vxlan", "up": False, "args": {
	"vni": "42", "dstport": "4789", "local": "10.10.0.1",
	"learning": "off"}}], d' "$CONFA" && ok ||
	fail "standalone vyf0 not in the configuration: $(cat "$CONFA")"
# Its name is taken; it has no table until it is a port.
ca link add vyf0 type vxlan id 43 >"$T/e" 2>&1 &&
	fail "a second vyf0 was accepted" || ok
grep -q "vyf0.*exists" "$T/e" && ok || fail "second vyf0: $(cat "$T/e")"
ca link add vyfx type vxlan id 99999999 >"$T/e" 2>&1 &&
	fail "vni 99999999 accepted" || ok
grep -q "vni" "$T/e" && ok || fail "bad vni: $(cat "$T/e")"
ca link show vyfx >/dev/null 2>&1 && fail "refused vyfx exists" || ok
# link del removes it; made again, link set master enslaves it.
run ca link del vyf0
ca link show vyf0 >/dev/null 2>&1 && fail "vyf0 survived link del" || ok
grep -q '"vyf0"' "$CONFA" && fail "vyf0 still saved after link del" || ok
run ca link add vyf0 type vxlan id 42 dstport 4789 local 10.10.0.1
run ca link set vyf0 master vyfbr
# Enslaved down, as the kernel's device: up is the user's to say.
ca -j port show vyf0 | grep -q '"up": *false' && ok ||
	fail "vyf0 enslaved up, though made down"
run ca link set vyf0 up
ca -j port show vyf0 | grep -q '"vni": *42' && ok ||
	fail "vyf0 not a vxlan port of vyfbr: $(ca -j port show vyf0)"
python3 -c 'import json, sys; assert json.load(open(sys.argv[1]))["devices"] == []' \
	"$CONFA" && ok ||
	fail "vyf0 still standalone in the configuration: $(cat "$CONFA")"

# --- 2. default destinations at runtime ---------------------------------------
ping_ok vyfh1 192.168.45.2 1 && fail "ping with no default destination" || ok
[ "$(vx_stat "$SA" vyf0 tx_no_remote)" -gt 0 ] && ok ||
	fail "no tx_no_remote without a default destination"
run ca fdb append 00:00:00:00:00:00 dev vyf0 dst 10.10.0.2 self
run ca fdb append 00:00:00:00:00:00 dev vyf0 dst 10.10.0.7
wait_for ping_ok vyfh1 192.168.45.2 1 && ok ||
	fail "ping vyfh1 -> vyfh2 over the appended default destination"
ping_ok vyfh2 192.168.45.1 && ok || fail "ping vyfh2 -> vyfh1"
ca fdb show | grep '^00:00:00:00:00:00' >"$T/fs"
printf '%s\n' "00:00:00:00:00:00 dev vyf0 dst 10.10.0.2 self permanent" \
	"00:00:00:00:00:00 dev vyf0 dst 10.10.0.7 self permanent" | cmp -s - "$T/fs" &&
	ok || fail "fdb show: $(cat -A "$T/fs")"
ca fdb show dev vyf0 | grep -qx "00:00:00:00:00:00 dst 10.10.0.2 self permanent" &&
	ok || fail "fdb show dev vyf0: $(ca fdb show dev vyf0)"
ca -j fdb show dev vyf0 | python3 -c '
import json, sys
l = [e for e in json.load(sys.stdin) if e["mac"] == "00:00:00:00:00:00"]
assert l == [{"mac": "00:00:00:00:00:00", "dst": "10.10.0.2",
	      "flags": ["self"], "state": "permanent"},
	     {"mac": "00:00:00:00:00:00", "dst": "10.10.0.7",
	      "flags": ["self"], "state": "permanent"}], l
' && ok || fail "fdb show -j: $(ca -j fdb show dev vyf0)"
# A broadcast (ARP) went to both destinations.
[ "$(vx_stat "$SA" vyf0 "vtep 10.10.0.7 tx_packets")" -gt 0 ] && ok ||
	fail "no copy sent to the second default destination"
run ca fdb del 00:00:00:00:00:00 dev vyf0 dst 10.10.0.7 self
ca fdb show dev vyf0 | grep -q "10.10.0.7" &&
	fail "dst 10.10.0.7 left after del" || ok

# --- 3. unicast entries ---------------------------------------------------------
run ca fdb add 02:00:00:00:00:aa dev vyf0 dst 10.10.0.5 self
run ca fdb replace 02:00:00:00:00:aa dev vyf0 dst 10.10.0.6
ca fdb show dev vyf0 | grep -qx "02:00:00:00:00:aa dst 10.10.0.6 self permanent" &&
	ok || fail "replace: $(ca fdb show dev vyf0)"
ca fdb append 02:00:00:00:00:aa dev vyf0 dst 10.10.0.8 >"$T/e" 2>&1 &&
	fail "append to a unicast MAC accepted" || ok
grep -q "one destination" "$T/e" && ok || fail "append unicast: $(cat "$T/e")"
run ca fdb del 02:00:00:00:00:aa dev vyf0 self
ca fdb show dev vyf0 | grep -q "02:00:00:00:00:aa" &&
	fail "02:00:00:00:00:aa left after del" || ok
run ca fdb add 02:00:00:00:00:bb dev vyf0 dst 10.10.0.2 self

# --- 4. bad forms: refused, configuration unchanged -----------------------------
cp "$CONFA" "$T/conf.before"
# bad "WORDS" "what the message must say"
bad() {
	# shellcheck disable=SC2086
	if ca fdb $1 >"$T/e" 2>&1; then
		fail "accepted: fdb $1"
	elif ! grep -q -- "$2" "$T/e"; then
		fail "fdb $1: message lacks '$2': $(cat "$T/e")"
	else
		ok
	fi
}
bad "add 00:00:00:00:00:00 dev vyf0 dst 10.10.0.2" "already exists"
bad "append 00:00:00:00:00:00 dev vyf0 dst 10.10.0.2" "already exists"
bad "add 02:00:00:00:00:bb dev vyf0 dst 10.10.0.3" "already exists"
bad "replace 00:00:00:00:00:00 dev vyf0 dst 10.10.0.3" "replace is for a unicast"
bad "add 02:00:00:00:00:cc dev vyf0 self" "dst: needed"
bad "add 02:00:00:00:00:cc dev vyf0 dst 10.10.0" "not an IPv4 or IPv6"
bad "add 02:00:00:00:00:cc dev vyf0 dst fd00::2" "underlay's family"
bad "add 02:00:00:00:00:cc dev vyf0 dst 239.1.1.1" "not a unicast"
bad "add 02:00:00:00:00:cc dev vyf0 dst 0.0.0.0" "not a unicast"
bad "add 02:00:00:00:00:cc dev vyf0 dst 10.10.0.3 vlan 5" "'vlan' does not apply"
bad "add 02:00:00:00:00:cc dev vyf0 dst 10.10.0.3 static" "permanent"
bad "add 02:00:00:00:00:cc dev vyft1 dst 10.10.0.3" "only a port with its own table"
bad "add 02:00:00:00:00:zz dev vyf0 dst 10.10.0.3" "not a MAC"
bad "add 02:00:00:00:00:cc dev vyfnone dst 10.10.0.3" "does not exist"
bad "del 02:00:00:00:00:dd dev vyf0 self" "not found"
bad "del 00:00:00:00:00:00 dev vyf0 dst 10.10.0.9" "not found"
bad "add 02:00:00:00:00:cc dev vyf0 dst" "needs a value"
cmp -s "$CONFA" "$T/conf.before" && ok ||
	fail "refused commands changed the configuration: $(diff "$T/conf.before" "$CONFA")"

# --- 5. restart: the table is saved ------------------------------------------
# A creation 'remote' deleted at runtime stays deleted.
run cb fdb del 00:00:00:00:00:00 dev vyf0 dst 10.10.0.1 self
run cb fdb append 00:00:00:00:00:00 dev vyf0 dst 10.10.0.1
run cb fdb append 00:00:00:00:00:00 dev vyf0 dst 10.10.0.4
run cb fdb del 00:00:00:00:00:00 dev vyf0 dst 10.10.0.1
# Only the remote table: the port's own MAC (a local entry) is made anew.
cb fdb show dev vyf0 | grep " self permanent$" >"$T/b.before"
ca fdb show dev vyf0 | grep " self permanent$" >"$T/a.before"
run ca link add vyf9 type vxlan id 49 remote 10.10.0.2
run ca link set vyf9 up
vx_stop "$A"
vx_start vyfa "$SA" "$CONFA" "$T/d-a.log"
ca link show vyf9 | grep -qx "vyf9: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 state UNKNOWN" &&
	ok || fail "standalone vyf9 after restart: $(ca link show vyf9 2>&1)"
ca fdb show dev vyf0 | grep " self permanent$" | cmp -s - "$T/a.before" && ok ||
	fail "A's table after restart: $(ca fdb show dev vyf0) (was $(cat "$T/a.before"))"
vx_stop "$B"
vx_start vyfb "$SB" "$T/lib/b.json" "$T/d-b.log"
cb fdb show dev vyf0 | grep " self permanent$" | cmp -s - "$T/b.before" && ok ||
	fail "B's table after restart: $(cb fdb show dev vyf0) (was $(cat "$T/b.before"))"
grep -q "10.10.0.1" "$T/b.before" && fail "B kept the deleted remote" || ok
# Traffic resumes on A's restored table (B answers through a learned entry);
# the hosts' TAPs were found again in their namespaces.
wait_for ping_ok vyfh1 192.168.45.2 1 && ok || fail "ping after restart"

vx_finish
