#!/bin/bash
# ctl-privs.sh - vswitchd's least privilege (issue 19, docs/security.md):
#   1. after start-up /proc/PID/status shows only the capabilities --caps
#      keeps (netns: NET_ADMIN, NET_RAW, NET_BROADCAST, SYS_ADMIN =
#      0x203800; net: 0x3800) in CapEff, CapPrm and CapBnd, and
#      NoNewPrivs 1;
#   2. with those, TAP ports are still created, moved to a namespace and
#      followed there (a namespace pings another through the switch);
#   3. --socket-group: a non-root user (nobody) in that group can show the
#      switch and add a port; without the group it cannot connect;
#   4. --ro-socket/--ro-socket-group: a member of the read-only group can
#      show, count and monitor on the read-only socket, and every method
#      that changes something is refused there with -32000 EPERM; the main
#      socket refuses that user.
# Root is needed (capabilities, groups, TAPs, namespaces); it fails, saying
# so, without it.  Names are pv*; everything is removed on exit.
CTL_PREFIX=pv-ctl-privs
. "$(dirname "$0")/ctl-lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "FAIL: ctl-privs.sh needs root (capabilities, groups, TAPs); it did not run" >&2
	exit 1
fi
for c in setpriv groupadd groupdel; do
	command -v "$c" >/dev/null || { echo "FAIL: no $c: ctl-privs.sh did not run" >&2; exit 1; }
done

GROUPS_MADE=
privs_cleanup() {
	local g
	[ -n "$VSWITCHD_PID" ] && kill "$VSWITCHD_PID" 2>/dev/null &&
		wait "$VSWITCHD_PID" 2>/dev/null
	VSWITCHD_PID=
	ip netns del pvns1 2>/dev/null
	ip netns del pvns2 2>/dev/null
	for g in $GROUPS_MADE; do groupdel "$g" 2>/dev/null; done
	ctl_cleanup
}
trap privs_cleanup EXIT

for g in pvrw pvro; do
	groupdel "$g" 2>/dev/null
	groupadd "$g" || { echo "FAIL: groupadd $g" >&2; exit 1; }
	GROUPS_MADE="$GROUPS_MADE $g"
done
GID_RW=$(getent group pvrw | cut -d: -f3)
GID_RO=$(getent group pvro | cut -d: -f3)
RO_SOCK=$T/run/ro.sock
# nobody must reach the sockets: the test's directories are 0700.
chmod 755 "$T"

# as GID CMD...: runs CMD as nobody with supplementary group GID.
as() {
	local gid=$1
	shift
	setpriv --reuid=nobody --regid=nogroup --groups="$gid" "$@"
}

# 1. --caps net
start_daemon --caps net
mkdir -p "$T/run" && chmod 755 "$T/run"
got=$(caps_of "$VSWITCHD_PID")
echo "ctl-privs: --caps net: vswitchd pid $VSWITCHD_PID CapEff/CapPrm/CapBnd/NoNewPrivs: $got"
want="0000000000003800 0000000000003800 0000000000003800 1"
[ "$got" = "$want" ] && ok || fail "--caps net: got '$got', want '$want'"
kill_daemon

# 1. --caps netns, with both sockets and groups
start_daemon --caps netns --socket-group pvrw --ro-socket "$RO_SOCK" \
	--ro-socket-group pvro
got=$(caps_of "$VSWITCHD_PID")
echo "ctl-privs: --caps netns: vswitchd pid $VSWITCHD_PID CapEff/CapPrm/CapBnd/NoNewPrivs: $got"
want="$CAPS_NETNS $CAPS_NETNS $CAPS_NETNS 1"
[ "$got" = "$want" ] && ok || fail "--caps netns: got '$got', want '$want'"
got=$(stat -c '%a %G' "$SOCK" "$RO_SOCK" | tr '\n' ' ')
[ "$got" = "660 pvrw 660 pvro " ] && ok || fail "socket modes/groups: '$got', want '660 pvrw 660 pvro'"

# 2. TAPs with the capabilities dropped
B="$BIN/bridgectl"
"$B" link add pvbr0 type bridge >/dev/null && "$B" link set pvbr0 up >/dev/null &&
	ok || fail "bridge pvbr0"
for i in 1 2; do
	"$B" port add pvbr0 "pvtap$i" type tap >/dev/null || fail "TAP pvtap$i"
	ip netns add "pvns$i"
	ip link set "pvtap$i" netns "pvns$i" &&
		ip -n "pvns$i" link set "pvtap$i" up &&
		ip -n "pvns$i" addr add "10.251.19.$i/24" dev "pvtap$i" ||
		fail "moving pvtap$i to pvns$i"
done
# (the TAPs were just moved and set up: up to 3 s for the path)
for _ in 1 2 3; do
	ip netns exec pvns1 ping -n -c 1 -W 1 10.251.19.2 >/dev/null 2>&1 && break
done
if ip netns exec pvns1 ping -n -c 3 -i 0.2 -W 2 10.251.19.2 >"$T/ping.log" 2>&1; then
	ok
else
	fail "pvns1 -> pvns2 through pvbr0 (caps dropped): $(tail -2 "$T/ping.log" | head -1)"
fi
"$B" show pvbr0 2>&1 | grep -qw pvtap2 && ok || fail "pvtap2 (in pvns2) missing from show"

# 3. the read-write group
if as "$GID_RW" "$B" show >"$T/rw-show" 2>&1 && grep -qw pvbr0 "$T/rw-show"; then
	ok
else
	fail "nobody in pvrw: show: $(cat "$T/rw-show")"
fi
if as "$GID_RW" "$B" port add pvbr0 pvnull1 type null >"$T/rw-add" 2>&1 &&
   "$B" show pvbr0 | grep -qw pvnull1; then
	ok
else
	fail "nobody in pvrw: port add: $(cat "$T/rw-add")"
fi
if as "$GID_RO" "$B" show >"$T/nogrp" 2>&1; then
	fail "nobody without pvrw could use the main socket"
else
	grep -q "Permission denied" "$T/nogrp" && ok ||
		fail "nobody without pvrw: unclear refusal: $(cat "$T/nogrp")"
fi

# 4. the read-only group, on the read-only socket
RO() { as "$GID_RO" "$B" --socket "$RO_SOCK" "$@"; }
for cmd in "show" "link show pvbr0" "stats pvbr0" "fdb show br pvbr0" \
	   "vlan show" "info" "log show" "port show pvtap1"; do
	# shellcheck disable=SC2086
	if RO $cmd >"$T/ro-out" 2>&1; then
		ok
	else
		fail "read-only '$cmd' refused: $(cat "$T/ro-out")"
	fi
done
timeout 1 bash -c "$(declare -f as); as $GID_RO $B --socket $RO_SOCK monitor all" \
	>"$T/ro-mon" 2>&1
[ $? = 124 ] && ok || fail "read-only monitor did not stay subscribed: $(cat "$T/ro-mon")"
for cmd in "link add pvbr9 type bridge" "link del pvbr0" \
	   "port add pvbr0 pvnull2 type null" "port del pvnull1" \
	   "link set pvbr0 type bridge stp_state 1" \
	   "fdb add 02:00:00:00:19:01 dev pvnull1 master" \
	   "vlan add dev pvnull1 vid 5" "log set debug" \
	   "debug time stop" "capture pvbr0 pvtap1 -c 1 -w -"; do
	# shellcheck disable=SC2086
	if RO $cmd >"$T/ro-out" 2>&1; then
		fail "read-only socket accepted '$cmd'"
	elif grep -q "not allowed on the read-only control socket" "$T/ro-out"; then
		ok
	else
		fail "read-only '$cmd': unclear refusal: $(cat "$T/ro-out")"
	fi
done
# The raw JSON-RPC error, as a program sees it.
reply=$(printf '{"jsonrpc":"2.0","method":"bridge.add","params":{"name":"pvbr9"},"id":7}\n' |
	as "$GID_RO" timeout 5 python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(sys.stdin.buffer.read()); print(s.makefile().readline().strip())' "$RO_SOCK")
echo "ctl-privs: bridge.add on the read-only socket: $reply"
case "$reply" in
*'"code":-32000'*'"errname":"EPERM"'*'"id":7'*) ok ;;
*) fail "bridge.add on the read-only socket: '$reply'" ;;
esac
"$B" show | grep -qw pvbr9 && fail "pvbr9 exists after read-only refusals" || ok
if as "$GID_RW" "$B" --socket "$RO_SOCK" show >"$T/rw-ro" 2>&1; then
	fail "nobody in pvrw (not pvro) could use the read-only socket"
else
	ok
fi
alive && ok || fail "vswitchd died"
finish
