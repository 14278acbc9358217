#!/bin/bash
# ctl-compat.sh - output compatibility: brctl show/showmacs/showstp, bridge
# fdb show / vlan show text, and the -j key names, against literal expected
# outputs written from the formats of bridge-utils 1.7 and iproute2
# (shared/reference/linux-bridge.md §2.5, §5.5, §6.1).  STP is off on br0,
# so its showstp values are those of a kernel bridge with STP off (every
# port designated, the bridge its own root; as br_make_forwarding() does,
# a port's forward delay timer still runs for 15 s after it is enabled:
# 2.66 s are left after the 12.34 s warp).  br2 runs STP with a short
# forward delay, and is checked through its timers and state changes.
. "$(dirname "$0")/ctl-lib.sh"

C="$BIN/bridgectl"
start_daemon

run() { "$@" >/dev/null || fail "setup: '$*' failed"; }
run "$C" debug time stop
run "$BIN/brctl" addbr br0
run "$BIN/brctl" addbr br1
run "$C" port add br0 eth2 type pcap mac 52:54:00:aa:bb:02
run "$C" port add br0 eth1 type pcap mac 52:54:00:aa:bb:01
run "$C" port add br1 eth3 type pcap mac 52:54:00:aa:bb:03
run "$C" link set br0 up
run "$BIN/brctl" stp br1 on
run "$C" vlan add dev eth2 vid 10
run "$C" vlan add dev eth2 vid 20 untagged
run "$C" fdb add 02:00:00:00:00:aa dev eth2 master static
run "$C" fdb add 02:00:00:00:00:dd dev eth2 vlan 1 master dynamic
run "$C" debug time warp 12340
run "$BIN/brctl" hairpin br0 eth1 on
run "$BIN/brctl" setpathcost br0 eth2 19

# brctl show: header once, bridges and ports sorted by name.
printf 'bridge name\tbridge id\t\tSTP enabled\tinterfaces\n' >"$T/want"
printf 'br0\t\t8000.525400aabb01\tno\t\teth1\n' >>"$T/want"
printf '\t\t\t\t\t\t\teth2\n' >>"$T/want"
printf 'br1\t\t8000.525400aabb03\tyes\t\teth3\n' >>"$T/want"
expect_out "brctl show" "$T/want" "$BIN/brctl" show
expect_out "bridgectl brctl show" "$T/want" "$C" brctl show
expect_out "bridgectl show" "$T/want" "$C" show
head -n 3 "$T/want" >"$T/want1"
expect_out "brctl show br0" "$T/want1" "$BIN/brctl" show br0

# No bridges: no output at all (checked below, after deleting them).

# brctl showmacs: sorted by MAC, once per VLAN, bridge-owned entries out.
# eth2 is port 1 (added first); an entry added without 'vlan' exists at
# VID 0 and at every VLAN of the port (1, 10, 20).
{
printf 'port no\tmac addr\t\tis local?\tageing timer\n'
printf '  1\t02:00:00:00:00:aa\tno\t\t   0.00\n'
printf '  1\t02:00:00:00:00:aa\tno\t\t   0.00\n'
printf '  1\t02:00:00:00:00:aa\tno\t\t   0.00\n'
printf '  1\t02:00:00:00:00:aa\tno\t\t   0.00\n'
printf '  1\t02:00:00:00:00:dd\tno\t\t  12.34\n'
printf '  2\t52:54:00:aa:bb:01\tyes\t\t   0.00\n'
printf '  2\t52:54:00:aa:bb:01\tyes\t\t   0.00\n'
printf '  1\t52:54:00:aa:bb:02\tyes\t\t   0.00\n'
printf '  1\t52:54:00:aa:bb:02\tyes\t\t   0.00\n'
printf '  1\t52:54:00:aa:bb:02\tyes\t\t   0.00\n'
printf '  1\t52:54:00:aa:bb:02\tyes\t\t   0.00\n'
} >"$T/want"
expect_out "brctl showmacs" "$T/want" "$BIN/brctl" showmacs br0

# brctl showstp (T = %4i.%02i seconds).
{
printf 'br0\n'
printf ' bridge id\t\t8000.525400aabb01\n'
printf ' designated root\t8000.525400aabb01\n'
printf ' root port\t\t   0\t\t\tpath cost\t\t   0\n'
printf ' max age\t\t  20.00\t\t\tbridge max age\t\t  20.00\n'
printf ' hello time\t\t   2.00\t\t\tbridge hello time\t   2.00\n'
printf ' forward delay\t\t  15.00\t\t\tbridge forward delay\t  15.00\n'
printf ' ageing time\t\t 300.00\n'
printf ' hello timer\t\t   0.00\t\t\ttcn timer\t\t   0.00\n'
printf ' topology change timer\t   0.00\t\t\tgc timer\t\t   0.00\n'
printf ' flags\t\t\t\n'
printf '\n\n'
printf 'eth1 (2)\n'
printf ' port id\t\t8002\t\t\tstate\t\t     forwarding\n'
printf ' designated root\t8000.525400aabb01\tpath cost\t\t 100\n'
printf ' designated bridge\t8000.525400aabb01\tmessage age timer\t   0.00\n'
printf ' designated port\t8002\t\t\tforward delay timer\t   2.66\n'
printf ' designated cost\t   0\t\t\thold timer\t\t   0.00\n'
printf ' flags\t\t\t\n'
printf ' hairpin mode\t\t   1\n'
printf '\n'
printf 'eth2 (1)\n'
printf ' port id\t\t8001\t\t\tstate\t\t     forwarding\n'
printf ' designated root\t8000.525400aabb01\tpath cost\t\t  19\n'
printf ' designated bridge\t8000.525400aabb01\tmessage age timer\t   0.00\n'
printf ' designated port\t8001\t\t\tforward delay timer\t   2.66\n'
printf ' designated cost\t   0\t\t\thold timer\t\t   0.00\n'
printf ' flags\t\t\t\n'
printf '\n'
} >"$T/want"
expect_out "brctl showstp" "$T/want" "$BIN/brctl" showstp br0

# bridge fdb show (order is the kernel's hash order: compare sorted).
{
echo '02:00:00:00:00:aa dev eth2 master br0 static'
echo '02:00:00:00:00:aa dev eth2 vlan 1 master br0 static'
echo '02:00:00:00:00:aa dev eth2 vlan 10 master br0 static'
echo '02:00:00:00:00:aa dev eth2 vlan 20 master br0 static'
echo '02:00:00:00:00:dd dev eth2 vlan 1 master br0 '
echo '52:54:00:aa:bb:01 dev eth1 master br0 permanent'
echo '52:54:00:aa:bb:01 dev eth1 vlan 1 master br0 permanent'
echo '52:54:00:aa:bb:02 dev eth2 master br0 permanent'
echo '52:54:00:aa:bb:02 dev eth2 vlan 1 master br0 permanent'
echo '52:54:00:aa:bb:02 dev eth2 vlan 10 master br0 permanent'
echo '52:54:00:aa:bb:02 dev eth2 vlan 20 master br0 permanent'
} | LC_ALL=C sort >"$T/want"
"$C" fdb show br br0 | LC_ALL=C sort >"$T/got-fdb"
cmp -s "$T/want" "$T/got-fdb" && ok ||
	{ fail "fdb show br br0:"; diff -u "$T/want" "$T/got-fdb" >&2; }
# Filtered by port: no "dev X" token.
printf '52:54:00:aa:bb:01 master br0 permanent\n52:54:00:aa:bb:01 vlan 1 master br0 permanent\n' \
	| LC_ALL=C sort >"$T/want"
"$C" fdb show brport eth1 | LC_ALL=C sort >"$T/got-fdb"
cmp -s "$T/want" "$T/got-fdb" && ok ||
	{ fail "fdb show brport eth1:"; diff -u "$T/want" "$T/got-fdb" >&2; }

# bridge vlan show.
{
printf 'port              vlan-id  \n'
printf 'br0               1 PVID Egress Untagged\n'
printf 'eth2              1 PVID Egress Untagged\n'
printf '                  10\n'
printf '                  20 Egress Untagged\n'
printf 'eth1              1 PVID Egress Untagged\n'
printf 'br1               1 PVID Egress Untagged\n'
printf 'eth3              1 PVID Egress Untagged\n'
} >"$T/want"
expect_out "vlan show" "$T/want" "$C" vlan show
{
printf 'port              vlan-id  \n'
printf 'eth2              10\n'
} >"$T/want"
expect_out "vlan show dev eth2 vid 10" "$T/want" "$C" vlan show dev eth2 vid 10

# -j: iproute2 key names and order.
cat >"$T/want" <<'JSON'
[{"ifname":"eth2","vlans":[{"vlan":1,"flags":["PVID","Egress Untagged"]},{"vlan":10},{"vlan":20,"flags":["Egress Untagged"]}]}]
JSON
expect_out "-j vlan show dev eth2" "$T/want" "$C" -j vlan show dev eth2
"$C" -j vlan show | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert [p["ifname"] for p in d] == ["br0", "eth2", "eth1", "br1", "eth3"], d
' && ok || fail "-j vlan show: ports"
"$C" -j fdb show br br0 | python3 -c '
import json, sys
d = json.load(sys.stdin)
allowed = ["mac", "ifname", "vlan", "flags", "master", "state"]
for e in d:
    keys = list(e)
    assert keys == [k for k in allowed if k in e], keys
    assert set(["mac", "ifname", "flags", "master", "state"]) <= set(keys), keys
    assert e["master"] == "br0" and isinstance(e["flags"], list)
    assert e["state"] in ("permanent", "static", ""), e
s = {(e["mac"], e.get("vlan", 0)): e["state"] for e in d}
assert s[("02:00:00:00:00:dd", 1)] == "" and s[("02:00:00:00:00:aa", 0)] == "static"
assert len(d) == 11, len(d)
' && ok || fail "-j fdb show keys"
"$C" -j -s fdb show br br0 | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    assert "used" in e and "updated" in e, e
' && ok || fail "-j -s fdb show: used/updated"
"$C" -j -d link show | python3 -c '
import json, sys
d = {l["ifname"]: l for l in json.load(sys.stdin)}
assert d["br0"]["linkinfo"]["info_kind"] == "bridge"
i = d["br0"]["linkinfo"]["info_data"]
assert i["stp_state"] == 0 and i["ageing_time"] == 30000 and i["vlan_filtering"] == 0
assert d["br1"]["linkinfo"]["info_data"]["stp_state"] == 1
s = d["eth1"]["linkinfo"]["info_slave_data"]
assert d["eth1"]["master"] == "br0" and s["state"] == "forwarding" and s["hairpin"] is True
assert d["eth2"]["linkinfo"]["info_slave_data"]["cost"] == 19
' && ok || fail "-j -d link show"

# sticky and the flag word position.
run "$C" fdb add 02:00:00:00:00:ee dev eth1 vlan 1 static sticky
echo '02:00:00:00:00:ee dev eth1 vlan 1 sticky master br0 static' >"$T/want"
"$C" fdb show br br0 | grep 02:00:00:00:00:ee >"$T/got-fdb"
cmp -s "$T/want" "$T/got-fdb" && ok || fail "sticky line: $(cat "$T/got-fdb")"

# brctl error messages and exit statuses.
expect_err() {
	local name=$1 want=$2 status
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	status=$?
	if [ "$status" -ne 1 ]; then
		fail "$name: exit status $status, want 1"
	elif [ "$(cat "$T/err" "$T/out")" != "$want" ]; then
		fail "$name: got '$(cat "$T/err" "$T/out")', want '$want'"
	else
		ok
	fi
}
expect_err "addbr exists" "device br0 already exists; can't create bridge with the same name" \
	"$BIN/brctl" addbr br0
expect_err "delbr up" "bridge br0 is still up; can't delete it" "$BIN/brctl" delbr br0
expect_err "delbr missing" "bridge nob doesn't exist; can't delete it" "$BIN/brctl" delbr nob
expect_err "addif no bridge" "bridge nob does not exist!" "$BIN/brctl" addif nob eth9
expect_err "addif member" "device eth3 is already a member of a bridge; can't add it to bridge br0." \
	"$BIN/brctl" addif br0 eth3
expect_err "addif bridge" "device br1 is a bridge device itself; can't add a bridge device to a bridge device." \
	"$BIN/brctl" addif br0 br1
expect_err "delif not port" "device eth3 is not a port of br0" "$BIN/brctl" delif br0 eth3
expect_err "showstp missing" "bridge nob does not exist!" "$BIN/brctl" showstp nob
expect_err "showstp port" "device eth1 is not a bridge!" "$BIN/brctl" showstp eth1
expect_err "stp bad" "expect on/off for argument" "$BIN/brctl" stp br0 maybe
expect_err "hairpin bad" "expect on/off for argument" "$BIN/brctl" hairpin br0 eth1 2
expect_err "setageing bad" "bad ageing time value" "$BIN/brctl" setageing br0 abc
expect_err "setbridgeprio bad" "bad priority" "$BIN/brctl" setbridgeprio br0 x
expect_err "setfd bad" "bad forward delay value" "$BIN/brctl" setfd br0 x
expect_err "sethello bad" "bad hello timer value" "$BIN/brctl" sethello br0 x
expect_err "setmaxage bad" "bad max age value" "$BIN/brctl" setmaxage br0 x
expect_err "setpathcost bad" "bad path cost value" "$BIN/brctl" setpathcost br0 eth1 x
expect_err "setportprio bad" "bad priority value" "$BIN/brctl" setportprio br0 eth1 x
expect_err "sethello range" "set hello timer failed: Numerical result out of range" \
	"$BIN/brctl" sethello br0 0
expect_err "setportprio range" "set port priority failed: Numerical result out of range" \
	"$BIN/brctl" setportprio br0 eth1 64
printf 'Incorrect number of arguments for command\nUsage: brctl addif <bridge> <device>\tadd interface to bridge\n' >"$T/want"
"$BIN/brctl" addif br0 >"$T/got" 2>&1; st=$?
[ $st = 1 ] && cmp -s "$T/want" "$T/got" && ok || fail "addif arg count ($st): $(cat "$T/got")"
"$BIN/brctl" frobnicate >"$T/got" 2>"$T/err"; st=$?
[ $st = 1 ] && [ "$(cat "$T/err")" = "never heard of command [frobnicate]" ] &&
	head -n 1 "$T/got" | grep -qx 'Usage: brctl \[commands\]' && ok ||
	fail "unknown command ($st): $(cat "$T/err")"
"$BIN/brctl" >"$T/got" 2>&1; st=$?
[ $st = 1 ] && [ "$(wc -l <"$T/got")" = 18 ] &&
	grep -qP '^\tsetbridgeprio\t<bridge> <prio>\t\tset bridge priority$' "$T/got" &&
	grep -qP '^\taddbr     \t<bridge>\t\tadd bridge$' "$T/got" && ok ||
	fail "brctl usage ($st)"

# brctl showstp with STP on (the clock is stopped: timers are exact).
# Forward delay 2 s: listening for 2 s, learning for 2 s, then forwarding,
# which starts a topology change (max age + forward delay = 22 s) during
# which ageing time reads 2 x forward delay (sysfs ageing_time).
run "$BIN/brctl" addbr br2
run "$BIN/brctl" setfd br2 2
run "$BIN/brctl" stp br2 on
run "$C" port add br2 eth5 type pcap mac 52:54:00:aa:bb:05
run "$C" port add br2 eth6 type pcap mac 52:54:00:aa:bb:06
"$C" monitor stp >"$T/stp-events" 2>&1 &
smon=$!
sleep 0.2
run "$C" link set br2 up
run "$C" debug time warp 1000
{
printf 'br2\n'
printf ' bridge id\t\t8000.525400aabb05\n'
printf ' designated root\t8000.525400aabb05\n'
printf ' root port\t\t   0\t\t\tpath cost\t\t   0\n'
printf ' max age\t\t  20.00\t\t\tbridge max age\t\t  20.00\n'
printf ' hello time\t\t   2.00\t\t\tbridge hello time\t   2.00\n'
printf ' forward delay\t\t   2.00\t\t\tbridge forward delay\t   2.00\n'
printf ' ageing time\t\t 300.00\n'
printf ' hello timer\t\t   X.XX\t\t\ttcn timer\t\t   0.00\n'
printf ' topology change timer\t   0.00\t\t\tgc timer\t\t   0.00\n'
printf ' flags\t\t\t\n'
printf '\n\n'
for p in 5:1 6:2; do
printf 'eth%s (%s)\n' ${p%:*} ${p#*:}
printf ' port id\t\t800%s\t\t\tstate\t\t      listening\n' ${p#*:}
printf ' designated root\t8000.525400aabb05\tpath cost\t\t 100\n'
printf ' designated bridge\t8000.525400aabb05\tmessage age timer\t   0.00\n'
printf ' designated port\t800%s\t\t\tforward delay timer\t   1.00\n' ${p#*:}
printf ' designated cost\t   0\t\t\thold timer\t\t   0.00\n'
printf ' flags\t\t\t\n'
printf '\n'
done
} >"$T/want"
# The hello timer expires on a whole second of the clock (round_jiffies),
# whose origin is arbitrary: its value is masked.
showstp_masked() {
	"$BIN/brctl" showstp "$1" | sed -E 's/^( hello timer\t\t) +[0-9]+\.[0-9]+/\1   X.XX/'
}
expect_out "brctl showstp (STP on, listening)" "$T/want" showstp_masked br2
run "$C" debug time warp 3500
"$BIN/brctl" showstp br2 >"$T/got"
grep -qP '^ ageing time\t\t   4.00$' "$T/got" &&
	grep -qP '^ topology change timer\t  21.50\t' "$T/got" &&
	grep -qP '^ flags\t\t\tTOPOLOGY_CHANGE TOPOLOGY_CHANGE_DETECTED $' "$T/got" &&
	[ "$(grep -cP 'state\t\t     forwarding' "$T/got")" = 2 ] && ok ||
	{ fail "brctl showstp (STP on, topology change):"; cat "$T/got" >&2; }
sleep 0.2
kill "$smon"; wait "$smon" 2>/dev/null
grep -qx '1: eth5 master br2 state listening' "$T/stp-events" &&
	grep -qx '2: eth6 master br2 state forwarding' "$T/stp-events" &&
	grep -qx 'br2: topology change detected' "$T/stp-events" && ok ||
	fail "monitor stp: $(cat "$T/stp-events")"
run "$C" link set br2 down
run "$BIN/brctl" delbr br2

# monitor: link and fdb events of control changes, one JSON line each
# with -j, else "bridge monitor" lines.
"$C" -j monitor link fdb >"$T/events" 2>&1 &
mon=$!
"$C" monitor fdb >"$T/text-events" 2>&1 &
tmon=$!
for _ in $(seq 50); do grep -q '"action":"add"' "$T/events" && break
	"$C" fdb add 02:00:00:00:00:ff dev eth1 vlan 1 static 2>/dev/null &&
		"$C" fdb del 02:00:00:00:00:ff dev eth1 vlan 1; sleep 0.05; done
run "$C" port add br1 eth4 type pcap mac 52:54:00:aa:bb:04
sleep 0.2
kill "$mon" "$tmon"; wait "$mon" "$tmon" 2>/dev/null
grep -qx '{"topic":"link","action":"add","ifname":"eth4","master":"br1"}' "$T/events" &&
	grep -q '"topic":"fdb","action":"add","mac":"02:00:00:00:00:ff","ifname":"eth1","vlan":1,"state":"static"' \
		"$T/events" && ok || fail "monitor events: $(cat "$T/events")"
grep -qx '02:00:00:00:00:ff dev eth1 vlan 1 master br0 static' "$T/text-events" &&
	grep -qx 'Deleted 02:00:00:00:00:ff dev eth1 vlan 1 master br0' \
		"$T/text-events" && ok ||
	fail "monitor text events: $(head -5 "$T/text-events")"

# One event per request, from the bridge's event ring, whatever the request
# changed: a port.set of two options is one link "set", a bridge.set of
# two one "set" of the bridge; a VLAN removal reports the entries it took
# with it; a port removal its "del".
"$C" -j monitor link fdb >"$T/events2" 2>&1 &
mon=$!
for _ in $(seq 50); do grep -q '"ifname":"eth4"' "$T/events2" && break
	"$C" fdb add 02:00:00:00:00:fe dev eth4 vlan 1 static 2>/dev/null &&
		"$C" fdb del 02:00:00:00:00:fe dev eth4 vlan 1; sleep 0.05; done
: >"$T/events2"
run "$C" vlan add dev eth4 vid 33
run "$C" fdb add 02:00:00:00:00:fd dev eth4 vlan 33 static
run "$C" port set eth4 learning off cost 5
run "$C" link set br1 type bridge ageing_time 200 hello_time 300
run "$C" vlan del dev eth4 vid 33
run "$C" port del eth4
sleep 0.2
kill "$mon"; wait "$mon" 2>/dev/null
n_set_port=$(grep -c '"topic":"link","action":"set","ifname":"eth4"' "$T/events2")
n_set_br=$(grep -c '"topic":"link","action":"set","ifname":"br1"' "$T/events2")
[ "$n_set_port" = 1 ] && [ "$n_set_br" = 1 ] && ok ||
	fail "one set event per request (port $n_set_port, bridge $n_set_br): $(cat "$T/events2")"
grep -q '"topic":"fdb","action":"del","mac":"02:00:00:00:00:fd","ifname":"eth4","vlan":33' \
	"$T/events2" && ok || fail "vlan del: no fdb del event: $(cat "$T/events2")"
grep -q '"topic":"link","action":"del","ifname":"eth4","master":"br1"' \
	"$T/events2" && ok || fail "port del: no link del event: $(cat "$T/events2")"

# Port settings with iproute2's spellings: 'bridge link set dev P ...'
# (guard, a numeric state) and 'ip link set P type bridge_slave ...'; the
# slave data calls bpdu_guard "guard", as ip -d does.
run "$C" link set dev eth3 learning off guard on
run "$C" link set dev eth3 type bridge_slave hairpin on
"$C" -j -d link show eth3 >"$T/slave"
python3 - "$T/slave" <<'PY' && ok || fail "bridge_slave settings: $(cat "$T/slave")"
import json, sys
sd = json.load(open(sys.argv[1]))[0]["linkinfo"]["info_slave_data"]
assert sd["guard"] is True and "bpdu_guard" not in sd, sd
assert sd["learning"] is False and sd["hairpin"] is True, sd
PY
"$C" -d link show eth3 | grep -q " guard on " && ok ||
	fail "-d link show: no 'guard on': $("$C" -d link show eth3)"

# bridge-utils reads options anywhere on the line: a negative time is an
# unknown option, refused with its usage and status 1.
if "$BIN/brctl" setageing br0 -1 >"$T/out" 2>"$T/err"; then
	fail "brctl setageing br0 -1 accepted"
else
	grep -q "invalid option -- '1'" "$T/err" && ok ||
		fail "brctl setageing br0 -1: $(head -3 "$T/err")"
fi

# Deleting: down first, as brctl requires; then no bridges => no output.
run "$C" link set br0 down
run "$BIN/brctl" delbr br0
run "$BIN/brctl" delbr br1
: >"$T/want"
expect_out "brctl show (empty)" "$T/want" "$BIN/brctl" show

finish
