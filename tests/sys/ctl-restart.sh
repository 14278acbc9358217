#!/bin/bash
# ctl-restart.sh - every accepted change survives a crash: configure
# bridges, ports, VLANs, static and permanent FDB entries and options;
# kill -9 the daemon; restart it on the same configuration; every listing
# must be unchanged.  Also: a second daemon on a live socket is refused.
. "$(dirname "$0")/ctl-lib.sh"

C="$BIN/bridgectl"
start_daemon

run() { "$@" || fail "setup: '$*' failed"; }
run "$BIN/brctl" addbr br0
run "$BIN/brctl" addbr br1
run "$C" link add name br2 type bridge vlan_filtering 1 ageing_time 1000 \
	group_fwd_mask 0x4000 priority 4096
run "$C" port add br0 p1 type pcap mac 02:00:00:00:00:01 tx "$T/out-p1.pcap"
run "$C" port add br0 p2 type pcap mac 02:00:00:00:00:02
run "$C" port add br0 p3 type pcap mac 02:00:00:00:00:03
run "$C" port add br2 q1 type pcap mac 02:00:00:00:01:01
run "$C" port del p2
run "$C" vlan add dev p1 vid 10-12
run "$C" vlan del dev p3 vid 1
run "$C" vlan add dev p3 vid 20 pvid untagged
run "$C" vlan add dev br0 vid 30 self
run "$C" fdb add 02:00:00:00:00:aa dev p1 vlan 10 static
run "$C" fdb add 02:00:00:00:00:bb dev p3 static sticky
run "$C" fdb add 02:00:00:00:00:cc dev p3 vlan 20
run "$C" fdb add 02:00:00:00:00:dd dev br0 vlan 30 self local
run "$C" link set br0 up
run "$C" link set q1 down
run "$C" port set p1 hairpin on learning off cost 42 mtu 9000
run "$BIN/brctl" setportprio br0 p3 10
run "$BIN/brctl" stp br1 on
run "$BIN/brctl" setageing br1 12.5
run "$BIN/brctl" setbridgeprio br1 0x1000

listings() {
	for c in "brctl show" "brctl showmacs br0" "brctl showstp br0" \
		 "brctl showstp br1" "fdb show" "vlan show" "-j fdb show" \
		 "-j vlan show" "-d link show" "-j -d link show" "port show"; do
		echo "== $c"
		# Running timers (remaining seconds) depend on when the listing
		# is taken, not on the configuration: mask their values.
		# shellcheck disable=SC2086
		"$C" $c 2>&1 | mask_ifindex |
			sed -E 's/(timer[[:space:]]+)[ 0-9]+\.[0-9]{2}/\1T/g'
	done
}
listings >"$T/before"
grep -q "02:00:00:00:00:dd dev br0 vlan 30 master br0 permanent" "$T/before" &&
	ok || fail "setup did not take effect"

kill_daemon
[ -f "$CONF" ] && ok || fail "no configuration file at $CONF"
start_daemon
listings >"$T/after"
if cmp -s "$T/before" "$T/after"; then
	ok
else
	fail "listings changed across kill -9 and restart:"
	diff -u "$T/before" "$T/after" | sed 's/^/    /' >&2
fi

# A clean stop (SIGTERM) and a second restart keep it too.
kill "$VSWITCHD_PID"; wait "$VSWITCHD_PID" 2>/dev/null; VSWITCHD_PID=
start_daemon
listings >"$T/after2"
cmp -s "$T/before" "$T/after2" && ok || fail "changed after SIGTERM restart"

# The backup is the previous good file, and both parse.
[ -f "$CONF.bak" ] && ok || fail "no $CONF.bak"
python3 -c 'import json,sys; json.load(open(sys.argv[1])); json.load(open(sys.argv[2]))' \
	"$CONF" "$CONF.bak" && ok || fail "config or backup is not JSON"

# A second daemon must not steal the live socket.
if "$BIN/vswitchd" --socket "$SOCK" --no-config --test-mode 2>"$T/second.log"; then
	fail "second daemon on a live socket started"
else
	grep -q "another vswitchd" "$T/second.log" && ok ||
		fail "second daemon: unclear message: $(cat "$T/second.log")"
fi
alive && ok || fail "first daemon died"

# A stale socket (daemon killed) is replaced.
kill_daemon
[ -S "$SOCK" ] && ok || fail "kill -9 should leave the socket file"
start_daemon
[ "$(stat -c %a "$SOCK")" = 660 ] && ok || fail "socket mode is not 0660"
listings >"$T/after3"
cmp -s "$T/before" "$T/after3" && ok || fail "changed after stale-socket restart"

finish
