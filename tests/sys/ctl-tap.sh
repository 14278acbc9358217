#!/bin/bash
# ctl-tap.sh - brctl addif / link set master with TAP devices: a missing
# device is created as a TAP port, an existing persistent TAP is attached;
# after kill -9 and restart the TAP ports are recreated with the same MAC
# (same bridge id); delif leaves the TAPs in place, as Linux leaves a
# port's device (one we created becomes persistent, its address kept),
# 'port del --destroy' and 'link del' remove one we made, and deleting the
# bridge leaves its ports' devices.  Needs root and /dev/net/tun; device
# names start "ctlt".
. "$(dirname "$0")/ctl-lib.sh"

if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ]; then
	echo "ctl-tap.sh: NOT RUN: needs root and /dev/net/tun" >&2
	exit 1
fi
tap_cleanup() {
	for d in ctlt0 ctlt1 ctlt2 ctlt3; do
		ip link del "$d" 2>/dev/null
	done
	ctl_cleanup
}
trap tap_cleanup EXIT
ip tuntap add ctlt1 mode tap || { echo "cannot create a TAP" >&2; exit 1; }

C="$BIN/bridgectl"
start_daemon
expect_caps_dropped "TAP ports with capabilities dropped"
"$BIN/brctl" addbr ctltbr || fail "addbr"
"$BIN/brctl" addif ctltbr ctlt0 ctlt1 || fail "addif ctlt0 ctlt1"
ip link show ctlt0 >/dev/null 2>&1 && ok || fail "ctlt0 was not created"
"$C" link set ctlt2 master ctltbr || fail "link set ctlt2 master"
ip link show ctlt2 >/dev/null 2>&1 && ok || fail "ctlt2 was not created"
"$C" link set ctltbr up || fail "link set up"
"$BIN/brctl" show ctltbr >"$T/before" || fail "show"
grep -qP '^\t\t\t\t\t\t\tctlt1$' "$T/before" && ok || fail "show: $(cat "$T/before")"
"$C" -j port show >"$T/ports-before"

kill_daemon
start_daemon
"$BIN/brctl" show ctltbr >"$T/after"
cmp -s "$T/before" "$T/after" && ok ||
	{ fail "brctl show changed across restart:"; diff "$T/before" "$T/after" >&2; }
"$C" -j port show >"$T/ports-after"
python3 - "$T/ports-before" "$T/ports-after" <<'PY' && ok || fail "ports changed"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
key = lambda l: [(p["name"], p["port_no"], p["mac"], p["type"]) for p in l]
assert key(a) == key(b), (key(a), key(b))
PY

ip addr add 10.251.0.1/24 dev ctlt0 || fail "address on ctlt0"
"$BIN/brctl" delif ctltbr ctlt0 ctlt1 || fail "delif"
ip -br addr show ctlt0 2>/dev/null | grep -q 10.251.0.1/24 && ok ||
	fail "delif removed ctlt0 or its address: $(ip -br addr show ctlt0 2>&1)"
ip link show ctlt1 >/dev/null 2>&1 && ok || fail "persistent ctlt1 was removed"
"$BIN/brctl" addif ctltbr ctlt0 || fail "addif of the kept ctlt0"
"$C" port del ctlt0 --destroy || fail "port del --destroy"
ip link show ctlt0 >/dev/null 2>&1 && fail "port del --destroy left ctlt0" || ok
"$C" link set ctlt3 master ctltbr || fail "link set ctlt3 master"
"$C" link del ctlt3 || fail "link del ctlt3"
ip link show ctlt3 >/dev/null 2>&1 && fail "link del left ctlt3" || ok
"$BIN/brctl" addif ctltbr ctltbr 2>"$T/err"
grep -q "is a bridge device itself" "$T/err" && ok || fail "addif bridge: $(cat "$T/err")"
"$C" link set ctltbr down
"$BIN/brctl" delbr ctltbr || fail "delbr"
ip link show ctlt2 >/dev/null 2>&1 && ok || fail "delbr removed its port's ctlt2"
ip link show ctltbr >/dev/null 2>&1 && fail "delbr left the bridge device" || ok
finish
