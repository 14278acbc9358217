#!/bin/bash
# vhost-hostile.sh - runs vswitchd with two vhost-user ports and the
# hostile front-end against them; then checks vswitchd survived, counted
# each class of error, and reported no sanitizer error.
#
# Usage: tests/sys/vhost-hostile.sh VSWITCHD HOSTILE_BIN
set -u
VSWITCHD=$1
HOSTILE=$2
vh_fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || vh_fail "needs root (TAP for the bridge): test NOT RUN"
DIR=$(mktemp -d /tmp/vhost-hostile.XXXXXX)
BR=vhho$$
BR=${BR:0:15}
cleanup() { [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null; rm -rf "$DIR"; }
trap cleanup EXIT

cat >"$DIR/setup" <<EOF
bridge add $BR
port add $BR bad type vhost-user path $DIR/bad.sock server
port add $BR good type vhost-user path $DIR/good.sock server
EOF
"$VSWITCHD" --script "$DIR/setup" --test-mode --no-config \
	--socket "$DIR/ctl.sock" >"$DIR/log" 2>&1 &
PID=$!
for _ in $(seq 50); do grep -q "vswitchd started" "$DIR/log" && break; sleep 0.1; done

"$HOSTILE" "$DIR/bad.sock" "$DIR/good.sock"
status=$?
kill -0 "$PID" 2>/dev/null || { cat "$DIR/log"; vh_fail "vswitchd died"; }
kill "$PID"
wait "$PID"
PID=
if grep -q "AddressSanitizer\|runtime error" "$DIR/log"; then
	cat "$DIR/log" >&2
	vh_fail "sanitizer report"
fi
[ $status = 0 ] || { tail -40 "$DIR/log" >&2; vh_fail "hostile cases failed"; }

# Counters over every connection of the bad port ("disconnected" and
# "closed" lines are cumulative; take the last one).
line=$(grep "bad: closed:" "$DIR/log" | tail -1)
echo "$line"
get() { echo "$line" | grep -o " $1=[0-9]*" | cut -d= -f2; }
[ "$(get bad_desc)" -ge 2 ] || vh_fail "bad descriptors not counted"
[ "$(get broken)" -ge 4 ] || vh_fail "ring corruption not counted"
[ "$(get runt)" -ge 1 ] || vh_fail "zero-length chain not counted"
[ "$(get bad_msg)" -ge 4 ] || vh_fail "bad messages not counted"
[ "$(get unknown_msg)" -ge 1 ] || vh_fail "unknown request not counted"
[ "$(get proto_errors)" -ge 2 ] || vh_fail "framing errors not counted"
[ "$(get mem_faults)" -ge 1 ] || vh_fail "shrunk guest memory not counted"
echo "PASS: vhost-hostile"
