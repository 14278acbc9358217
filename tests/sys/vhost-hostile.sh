#!/bin/bash
# vhost-hostile.sh - runs vswitchd with two vhost-user ports and the
# hostile front-end against them; then checks vswitchd survived, counted
# each class of error, and reported no sanitizer error.  A third port,
# "hog", is a guest that never returns RX buffers (the last case): the
# frames it could not take are counted as drops (tx_error in bridgectl
# stats, no_buffers in the port's counters) and vswitchd's RSS is printed
# before and after.  Then 'good' gets its cable pulled and plugged, and a
# new front-end must read link down, then up (GET_CONFIG).
#
# Usage: tests/sys/vhost-hostile.sh VSWITCHD HOSTILE_BIN BRIDGECTL
set -u
VSWITCHD=$1
HOSTILE=$2
BRIDGECTL=$3
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
port add $BR hog type vhost-user path $DIR/hog.sock server
EOF
"$VSWITCHD" --script "$DIR/setup" --test-mode --no-config \
	--socket "$DIR/ctl.sock" >"$DIR/log" 2>&1 &
PID=$!
for _ in $(seq 50); do grep -q "vswitchd started" "$DIR/log" && break; sleep 0.1; done

rss() { awk '/^VmRSS/ { print $2 }' "/proc/$PID/status"; }
rss0=$(rss)

"$HOSTILE" "$DIR/bad.sock" "$DIR/good.sock" "$DIR/hog.sock"
status=$?
kill -0 "$PID" 2>/dev/null || { cat "$DIR/log"; vh_fail "vswitchd died"; }
rss1=$(rss)
# A front-end connecting while the cable is pulled reads link down, and
# link up once it is plugged back (issue 17: the state is re-read on
# every connection).
C() { "$BRIDGECTL" --socket "$DIR/ctl.sock" "$@"; }
C link set dev good carrier off || vh_fail "carrier off"
l1=$("$HOSTILE" --link "$DIR/good.sock")
C link set dev good carrier on || vh_fail "carrier on"
l2=$("$HOSTILE" --link "$DIR/good.sock")
echo "new front-end on 'good': cable pulled: $l1; plugged: $l2"
[ "$l1" = "link down" ] && [ "$l2" = "link up" ] ||
	vh_fail "a new front-end did not read the port's link state"

# The hog's drops: every flooded frame its ring had no buffer for (the
# pipeline's tx_error), and the port's count of full-ring bursts.
# Case 14's refused GSO headers: bad_offload drops on the bad port.
badol=$("$BRIDGECTL" --socket "$DIR/ctl.sock" -j stats bad |
	python3 -c 'import json, sys
p = [p for b in json.load(sys.stdin) for p in b.get("ports", [])
     if p["name"] == "bad"][0]
print(p["drops"].get("bad_offload", 0))')
echo "bad: bad_offload drops $badol"
# Case 15's refused deliveries to 'good': a super-frame into too few
# buffers (no_buffers) and one into a 2 KiB buffer without MRG_RXBUF
# (oversize); nothing with offload work it did not negotiate.
read -r goodnobuf goodover goodbadol < <("$BRIDGECTL" --socket "$DIR/ctl.sock" -j stats good |
	python3 -c 'import json, sys
p = [p for b in json.load(sys.stdin) for p in b.get("ports", [])
     if p["name"] == "good"][0]
v = p.get("vhost", {})
print(v.get("no_buffers", -1), v.get("oversize", -1), v.get("tx_bad_offload", -1))')
echo "good: no_buffers $goodnobuf oversize $goodover tx_bad_offload $goodbadol"
read -r drops nobuf < <("$BRIDGECTL" --socket "$DIR/ctl.sock" -j stats hog |
	python3 -c 'import json, sys
p = [p for b in json.load(sys.stdin) for p in b.get("ports", [])
     if p["name"] == "hog"][0]
print(p["drops"]["tx_error"], p.get("vhost", {}).get("no_buffers", 0))')
echo "hog: drops counted on the hog port: tx_error $drops, no_buffers $nobuf; vswitchd RSS $rss0 -> $rss1 kB"
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
# Case 12: 9 refused GET_CONFIGs and 2 refused SET_BACKEND_REQ_FDs on top
# of the earlier cases' 4; one good read.
[ "$(get bad_msg)" -ge 15 ] || vh_fail "bad GET_CONFIG/SET_BACKEND_REQ_FD not counted"
[ "$(get config_reads)" -ge 1 ] || vh_fail "GET_CONFIG of the status not counted"
[ "$(get proto_errors)" -ge 3 ] || vh_fail "the 64 KiB GET_CONFIG not counted as a framing error"
[ "${badol:-0}" -ge 2 ] 2>/dev/null ||
	vh_fail "refused GSO headers not counted (bad_offload $badol)"
[ "${goodnobuf:-0}" -ge 1 ] 2>/dev/null ||
	vh_fail "a super-frame into too few buffers was not counted (no_buffers $goodnobuf)"
[ "${goodover:-0}" -ge 1 ] 2>/dev/null ||
	vh_fail "a super-frame into a small buffer was not counted (oversize $goodover)"
[ "${goodbadol:-1}" = 0 ] ||
	vh_fail "frames with offloads not negotiated reached good's tx (tx_bad_offload $goodbadol)"
[ "${nobuf:-0}" -ge 1 ] 2>/dev/null ||
	vh_fail "the hog's full RX ring was not counted (no_buffers $nobuf)"
# 1024 flooded, 64 buffers: 960 frames had nowhere to go.
[ "${drops:-0}" -ge 960 ] 2>/dev/null ||
	vh_fail "hog: $drops tx_error drops counted, want >= 960"
echo "PASS: vhost-hostile"
