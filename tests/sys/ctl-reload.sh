#!/bin/bash
# ctl-reload.sh - every accepted change leaves a configuration the daemon
# loads again: after each kind of change (bridge add/set, port add/set,
# vlan add/del, fdb add/del/flush, port del, bridge del) vswitchd is killed
# and restarted on the saved file, and must start and show the same state.
#
# The case that once broke it: an FDB entry added without 'vlan' is stored
# for every VLAN of the device; deleting one of those VLANs (or moving the
# default PVID away) left the entry of that VLAN behind, saved, and the
# next start refused it ("vlan 18 not configured").  Covered on a port and
# on the bridge device, with VLAN filtering off (wt13a) and on (wt13b).
. "$(dirname "$0")/ctl-lib.sh"

C="$BIN/bridgectl"
STEP=0

listings() {
	for c in "link show" "-d link show" "-j -d link show" "port show" \
		 "fdb show" "-j fdb show" "vlan show" "-j vlan show" \
		 "brctl show" "brctl showmacs wt13a" "brctl showmacs wt13b"; do
		echo "== $c"
		if [ "${c#brctl }" != "$c" ]; then
			# shellcheck disable=SC2086
			"$BIN/brctl" ${c#brctl } 2>&1
		else
			# shellcheck disable=SC2086
			"$C" $c 2>&1 | mask_ifindex
		fi
	done
}

# change WHAT CMD...: CMD must be accepted.
change() {
	local what=$1
	shift
	if "$@" >/dev/null 2>"$T/err"; then
		ok
	else
		fail "$what: '${*#"$BIN/"}' refused: $(cat "$T/err")"
	fi
}

# reload WHAT: kill -9, restart on the saved file; it must start and show
# exactly what it showed before.  A refused file ends the test (there is
# nothing left to check against).
reload() {
	local what=$1
	STEP=$((STEP + 1))
	listings >"$T/before.$STEP"
	kill_daemon
	"$BIN/vswitchd" --socket "$SOCK" --config "$CONF" --test-mode -l warn \
		2>"$T/start.log" &
	VSWITCHD_PID=$!
	for _ in $(seq 100); do
		alive && break
		kill -0 "$VSWITCHD_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$T/start.log" >>"$T/vswitchd.log"
	if ! alive; then
		fail "after $what: vswitchd refused its own configuration:"
		sed 's/^/    /' "$T/start.log" >&2
		VSWITCHD_PID=
		finish
	fi
	listings >"$T/after.$STEP"
	if cmp -s "$T/before.$STEP" "$T/after.$STEP"; then
		ok
	else
		fail "after $what: the restart changed the state (before, after):"
		diff -u "$T/before.$STEP" "$T/after.$STEP" | sed 's/^/    /' >&2
	fi
}

# has PATTERN / lacks PATTERN: in "fdb show".
has() {
	if "$C" fdb show | grep -qE -- "$1"; then ok; else fail "fdb lacks '$1'"; fi
}
lacks() {
	if "$C" fdb show | grep -qE -- "$1"; then fail "fdb still has '$1'"; else ok; fi
}

start_daemon

change "bridge add" "$C" link add wt13a type bridge
change "bridge add" "$C" link add name wt13b type bridge vlan_filtering 1
reload "bridge add"

change "bridge set" "$C" link set wt13a type bridge ageing_time 1000 \
	priority 4096 group_fwd_mask 0x4000
change "bridge set" "$C" link set wt13b up
reload "bridge set"

change "port add" "$C" port add wt13a wt13p1 type pcap mac 02:00:00:13:00:01
change "port add" "$C" port add wt13a wt13p2 type pcap mac 02:00:00:13:00:02
change "port add" "$C" port add wt13b wt13q1 type pcap mac 02:00:00:13:01:01
change "port add" "$C" port add wt13b wt13q2 type pcap mac 02:00:00:13:01:02
reload "port add"

change "port set" "$C" port set wt13p1 hairpin on learning off cost 42 mtu 9000
change "port set" "$BIN/brctl" setportprio wt13b wt13q2 10
change "port set" "$C" link set wt13q2 down
reload "port set"

change "vlan add" "$C" vlan add dev wt13p1 vid 18
change "vlan add" "$C" vlan add dev wt13q1 vid 18
change "vlan add" "$C" vlan add dev wt13q1 vid 20-22
change "vlan add" "$C" vlan add dev wt13a vid 18 self
change "vlan add" "$C" vlan add dev wt13b vid 18 self
reload "vlan add"

# Without 'vlan': VID 0 and every VLAN of the device.
change "fdb add" "$C" fdb add 02:00:00:00:00:01 dev wt13p1 static
change "fdb add" "$C" fdb add 02:00:00:00:00:02 dev wt13q1 static
change "fdb add" "$C" fdb add 02:00:00:00:00:03 dev wt13q1 vlan 22 static sticky
change "fdb add" "$C" fdb add 02:00:00:00:00:04 dev wt13a self local
change "fdb add" "$C" fdb add 02:00:00:00:00:05 dev wt13b self
change "fdb add" "$C" fdb add 02:00:00:00:00:06 dev wt13p2 static
has "02:00:00:00:00:01 dev wt13p1 vlan 18 "
has "02:00:00:00:00:04 dev wt13a vlan 18 "
reload "fdb add"

change "vlan del" "$C" vlan del dev wt13p1 vid 18
change "vlan del" "$C" vlan del dev wt13q1 vid 18
change "vlan del" "$C" vlan del dev wt13q1 vid 20-21
change "vlan del" "$C" vlan del dev wt13a vid 18 self
change "vlan del" "$C" vlan del dev wt13b vid 18 self
lacks " vlan 18 "
lacks "02:00:00:00:00:02 dev wt13q1 vlan 2[01] "
has "02:00:00:00:00:02 dev wt13q1 vlan 22 "
has "02:00:00:00:00:03 dev wt13q1 vlan 22 sticky "
has "02:00:00:00:00:01 dev wt13p1 master"
reload "vlan del"

# A new default PVID moves VLAN 1 off wt13a and its ports, and the
# entries of VLAN 1 with it.
change "bridge set (default_pvid)" "$C" link set wt13a type bridge \
	vlan_default_pvid 5
lacks "dev wt13(a|p1|p2) vlan 1 "
has "02:00:00:00:00:04 dev wt13a master"
reload "bridge set (default_pvid)"

change "fdb del" "$C" fdb del 02:00:00:00:00:01 dev wt13p1
change "fdb del" "$C" fdb del 02:00:00:00:00:03 dev wt13q1 vlan 22
lacks "02:00:00:00:00:0[13] "
reload "fdb del"

change "fdb flush" "$C" fdb flush dev wt13q1 static
lacks "02:00:00:00:00:02 "
reload "fdb flush"

change "port del" "$C" port del wt13p2
change "port del" "$C" port del wt13q2
lacks "02:00:00:00:00:06 "
reload "port del"

change "bridge del" "$C" link del wt13b
reload "bridge del"

# A clean stop, so that under SANITIZE=1 LeakSanitizer has its say.
kill "$VSWITCHD_PID"
wait "$VSWITCHD_PID"
VSWITCHD_PID=
finish
