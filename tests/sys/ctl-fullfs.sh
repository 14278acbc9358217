#!/bin/bash
# ctl-fullfs.sh - all or nothing on a full disk: with the configuration on
# a tiny tmpfs that is full, every change that would alter the saved file
# is refused with ENOSPC and leaves the running switch exactly as it was
# (FDB, links, port settings and states, VLANs) and the file untouched; a
# change of runtime state only needs no write and is accepted.  Once space
# is freed, a restart shows the same state: the file matches what ran.
#
# Needs root (mount); without it the test says so and fails.
. "$(dirname "$0")/ctl-lib.sh"

C="$BIN/bridgectl"
LIB=$T/lib

if [ "$(id -u)" != 0 ]; then
	echo "ctl-fullfs.sh: NOT RUN: needs root to mount a tmpfs" >&2
	exit 1
fi

fullfs_cleanup() {
	if [ -n "$VSWITCHD_PID" ]; then
		kill -9 "$VSWITCHD_PID" 2>/dev/null
		wait "$VSWITCHD_PID" 2>/dev/null
		VSWITCHD_PID=
	fi
	if mountpoint -q "$LIB"; then
		umount "$LIB" 2>/dev/null || umount -l "$LIB"
	fi
	ctl_cleanup
}
trap fullfs_cleanup EXIT
mkdir -p "$LIB"
mount -t tmpfs -o size=64k,mode=0700 wt13-fullfs "$LIB" ||
	{ echo "ctl-fullfs.sh: cannot mount a tmpfs on $LIB" >&2; exit 1; }

# rpc METHOD PARAMS: one raw JSON-RPC request (for what bridgectl has no
# words for); prints the reply.
rpc() {
	python3 - "$SOCK" "$1" "$2" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(json.dumps({"jsonrpc": "2.0", "id": 1, "method": sys.argv[2],
                      "params": json.loads(sys.argv[3])}).encode() + b"\n")
buf = b""
while not buf.endswith(b"\n"):
    buf += s.recv(65536)
print(buf.decode().strip())
PY
}

listings() {
	for c in "-d link show" "-j -d link show" "port show" "fdb show" \
		 "-j fdb show" "vlan show"; do
		echo "== $c"
		# shellcheck disable=SC2086
		"$C" $c 2>&1 | mask_ifindex
	done
}

start_daemon
run() { "$@" >/dev/null || fail "setup: '$*' failed"; }
run "$C" link add wt13f type bridge
run "$C" link add wt13g type bridge vlan_filtering 1
run "$C" port add wt13f wt13f1 type pcap mac 02:00:00:13:0f:01
run "$C" port add wt13f wt13f2 type pcap mac 02:00:00:13:0f:02
run "$C" port add wt13g wt13g1 type pcap mac 02:00:00:13:0f:11
run "$C" link set wt13f up
run "$C" vlan add dev wt13f1 vid 10
run "$C" vlan add dev wt13f1 vid 11 pvid untagged
run "$C" fdb add 02:00:00:00:00:01 dev wt13f1 static
run "$C" fdb add 02:00:00:00:00:02 dev wt13f2 vlan 1 static sticky
run "$C" fdb add 02:00:00:00:00:03 dev wt13f self local
run "$C" port set wt13f2 priority 10 group_fwd_mask 0x4000
listings >"$T/before"

# Fill the file system: from now on no write can get a page.
cat /dev/zero >"$LIB/fill" 2>/dev/null
[ "$(df --output=avail -B1 "$LIB" | tail -1 | tr -d ' ')" = 0 ] && ok ||
	fail "the tmpfs is not full: $(df -h "$LIB" | tail -1)"
sum=$(sha256sum <"$CONF")

# refused WHAT CMD...: CMD must fail with ENOSPC and change nothing.
refused() {
	local what=$1
	shift
	if "$@" >"$T/out" 2>&1 && ! grep -q '"error"' "$T/out"; then
		fail "$what: accepted on a full disk"
	elif ! grep -q "No space left on device" "$T/out" ||
	     ! grep -qE "could not be saved|ENOSPC" "$T/out"; then
		fail "$what: unclear message: $(cat "$T/out")"
	else
		ok
	fi
	listings >"$T/after"
	if cmp -s "$T/before" "$T/after"; then
		ok
	else
		fail "$what: the running state changed (before, after):"
		diff -u "$T/before" "$T/after" | sed 's/^/    /' >&2
	fi
	[ "$(sha256sum <"$CONF")" = "$sum" ] && ok ||
		fail "$what: the configuration file changed"
	[ -e "$CONF.tmp" ] && fail "$what: $CONF.tmp left behind"
	alive || { fail "$what: vswitchd died"; finish; }
}

refused "fdb add" "$C" fdb add 02:00:00:00:00:aa dev wt13f1 static
refused "fdb add (replace)" "$C" fdb replace 02:00:00:00:00:01 dev wt13f2 \
	vlan 1 static
refused "port set" "$C" port set wt13f1 hairpin on learning off cost 42 \
	mtu 9000 priority 5
refused "port set (down)" "$C" port set wt13f2 down
refused "port set (state and a setting)" "$C" port set wt13f1 state learning \
	isolated on
refused "port set (master)" "$C" link set wt13f2 master wt13g
refused "bridge set" "$C" link set wt13f type bridge ageing_time 1000 \
	stp_state 1 priority 4096 vlan_default_pvid 5 group_fwd_mask 0x4000
refused "bridge set (filtering)" "$C" link set wt13g type bridge \
	vlan_filtering 0
refused "bridge set (down)" "$C" link set wt13f down
refused "bridge set (address)" rpc bridge.set \
	'{"name": "wt13f", "options": {"address": "02:00:00:13:0f:99"}}'
refused "vlan add" "$C" vlan add dev wt13f1 vid 20-22
refused "vlan del (flushes static entries)" "$C" vlan del dev wt13f1 vid 10
refused "vlan del (self)" "$C" vlan del dev wt13f vid 1 self
refused "fdb del" "$C" fdb del 02:00:00:00:00:01 dev wt13f1
refused "fdb flush" "$C" fdb flush br wt13f static
refused "port add" "$C" port add wt13f wt13f3 type pcap mac 02:00:00:13:0f:03
refused "port del" "$C" port del wt13f2
refused "bridge add" "$C" link add wt13h type bridge
refused "bridge del" "$C" link del wt13g

grep -q "not fully undone" "$T/vswitchd.log" &&
	fail "a rollback failed: $(grep "not fully undone" "$T/vswitchd.log")"

# Runtime state alone does not change the file, so it needs no space.
if "$C" port set wt13f1 state learning >"$T/out" 2>&1; then
	ok
else
	fail "port state (runtime only) refused: $(cat "$T/out")"
fi
"$C" port show wt13f1 | grep -q "state learning" && ok ||
	fail "port state not applied"
"$C" port set wt13f1 state forwarding >/dev/null 2>&1 ||
	fail "port state back to forwarding refused"
"$C" fdb flush br wt13f >/dev/null 2>&1 && ok ||
	fail "flush of dynamic entries refused"
listings >"$T/after"
cmp -s "$T/before" "$T/after" && ok || fail "runtime changes left a trace"

# Space again: the running state is what the file holds.  (A clean stop,
# so that under SANITIZE=1 LeakSanitizer checks what the rollbacks left.)
rm -f "$LIB/fill"
kill "$VSWITCHD_PID"
wait "$VSWITCHD_PID"
VSWITCHD_PID=
start_daemon
listings >"$T/after"
if cmp -s "$T/before" "$T/after"; then
	ok
else
	fail "after freeing space and restarting, the state differs:"
	diff -u "$T/before" "$T/after" | sed 's/^/    /' >&2
fi
# And changes are saved again.
"$C" fdb add 02:00:00:00:00:bb dev wt13f1 vlan 10 static >/dev/null ||
	fail "fdb add with space refused"
kill_daemon
start_daemon
"$C" fdb show | grep -q "02:00:00:00:00:bb dev wt13f1 vlan 10 " && ok ||
	fail "a change after freeing space was not saved"

kill "$VSWITCHD_PID"
wait "$VSWITCHD_PID"
VSWITCHD_PID=
umount "$LIB" || fail "cannot unmount $LIB"
finish
