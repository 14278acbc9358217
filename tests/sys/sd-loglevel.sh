#!/bin/bash
# sd-loglevel.sh - 'bridgectl log set' changes what vswitchd logs without a
# restart: with module dp at info a dropped frame leaves no line, after
# 'log set dp debug' its reason is logged, after 'log set dp info' not
# any more; learning shows too.  'log show' lists the levels; bad levels
# and modules are refused.  Frames come from the host side of a TAP port.
# Needs root and /dev/net/tun; devices are named sdbr0 and sdtap0.
. "$(dirname "$0")/sd-lib.sh"

if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ]; then
	echo "sd-loglevel.sh: NOT RUN: needs root and /dev/net/tun" >&2
	exit 1
fi
lvl_cleanup() {
	ip link del sdtap0 2>/dev/null
	ip link del sdbr0 2>/dev/null
	sd_cleanup
}
trap lvl_cleanup EXIT

C=$BIN/bridgectl
LOG=$T/vswitchd.log
"$BIN/vswitchd" --socket "$SOCK" --config "$CONF" --test-mode -l info \
	--log-file "$LOG" &
VPID=$!
sd_track $VPID
wait_for 5 answers || { echo "FAIL: vswitchd did not start" >&2; cat "$LOG" >&2; exit 1; }

# Every module a vswitchd source file logs under is known to log set (the
# list in ctl-log.c must follow new modules).  Checked first, before most
# modules have logged: log.c learns a name only when its module logs.
SRC=$(cd "$(dirname "$0")/../.." && pwd)
for m in $(grep -rhoE '^#define MOD +"[a-z0-9_-]+"' "$SRC/vswitchd" --include='*.c' |
	   sed 's/.*"\(.*\)"/\1/' | sort -u); do
	check "log set $m (a module of the sources)" eval '"$C" log set "$m" info >/dev/null'
done

"$BIN/brctl" addbr sdbr0 && "$BIN/brctl" addif sdbr0 sdtap0 &&
	"$C" link set sdbr0 up && ip link set sdtap0 up ||
	{ fail "bridge set-up"; finish; }

# send SRC DST N: N frames into the switch through sdtap0.
send() {
	python3 - "$1" "$2" "$3" <<'PY'
import socket, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
mac = lambda s: bytes.fromhex(s.replace(":", ""))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("sdtap0", 0))
for i in range(n):
    s.send(mac(dst) + mac(src) + b"\x88\xb5" + bytes(46))
PY
}
# drops: the port's bad_src drop count.
drops() {
	"$C" -j stats sdtap0 | python3 -c '
import json, sys
def find(o):
    if isinstance(o, dict):
        if "bad_src" in o: return o["bad_src"]
        for v in o.values():
            r = find(v)
            if r is not None: return r
    if isinstance(o, list):
        for v in o:
            r = find(v)
            if r is not None: return r
print(find(json.load(sys.stdin)) or 0)'
}
dplines() { grep -c '^dp|debug|' "$LOG"; }
MCAST_SRC=01:00:5e:00:00:01	# a group address as source: bad_src

# At info: the drop is counted but not logged.
before=$(drops)
send $MCAST_SRC ff:ff:ff:ff:ff:ff 3
check "info: frames reach the switch (bad_src $before -> 3 more)" \
	wait_for 5 eval '[ "$(drops)" -ge $((before + 3)) ]'
sleep 0.3	# two ticks
check "info: no dp line ($(dplines))" test "$(dplines)" = 0

# At debug: the reason is logged, without a restart.
"$C" log set dp debug >"$T/set.out" || fail "log set dp debug"
check "log set replies with the levels" grep -qx "dp           debug" "$T/set.out"
send $MCAST_SRC ff:ff:ff:ff:ff:ff 2
# The two frames may fall into one tick or two (a busy machine): "dropped
# 2 frames" or "dropped 1 frame" twice.
check "debug: the drop's reason is logged" wait_for 5 grep -qE \
	'^dp\|debug\|sdbr0: sdtap0: dropped [12] frames?: bad_src' "$LOG"
send 02:00:00:5d:00:01 ff:ff:ff:ff:ff:ff 1
check "debug: learning is logged" wait_for 5 grep -q \
	'^dp|debug|sdbr0: learned 1 address, 0 moved' "$LOG"
check "same daemon all along" test "$("$C" info | sed -n 's/^pid: //p')" = "$VPID"

# Back at info: nothing more.
"$C" log set dp info >/dev/null || fail "log set dp info"
n=$(dplines)
before=$(drops)
send $MCAST_SRC ff:ff:ff:ff:ff:ff 2
check "info again: frames counted" \
	wait_for 5 eval '[ "$(drops)" -ge $((before + 2)) ]'
sleep 0.3
check "info again: no new dp line" test "$(dplines)" = "$n"

# Without MODULE: every module, the default too; log show says so.
"$C" log set debug >/dev/null || fail "log set debug"
"$C" log show >"$T/show"
check "log show: default debug" grep -qx "default: debug" "$T/show"
check "log show: dp at the default" grep -qx "dp           debug (default)" "$T/show"
"$C" -j log show >"$T/show.json"
check "log show -j" python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
assert o["default"] == "debug"
m = {e["module"]: e for e in o["modules"]}
assert m["dp"]["level"] == "debug" and m["dp"]["own"] is False
assert "bridge" in m and "vhost" in m' "$T/show.json"
"$C" log set info >/dev/null

# Bad input.
for args in "set dp loud" "set nosuch debug" "set" "set a b c" "frob"; do
	# shellcheck disable=SC2086
	if "$C" log $args >/dev/null 2>"$T/err"; then
		fail "log $args: accepted"
	else
		ok
	fi
done
"$C" log set dp loud 2>"$T/err"
check "bad level named" grep -qF "unknown level 'loud' (err, warn, info or debug)" "$T/err"
"$C" log set nosuch debug 2>"$T/err"
check "bad module named" grep -qF "unknown module 'nosuch'" "$T/err"
check "bad input changed nothing" grep -qx "default: info" <("$C" log show)
finish
