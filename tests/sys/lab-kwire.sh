#!/bin/bash
# lab-kwire.sh - why a lab's wires are vswitchd patch links and not Linux
# bridges (#17): the three-switch STP loop of labs/stp-loop.yml, with the
# wire sw2:p2 -- sw3:p2 made three ways:
#   1. our patch wire (the lab file as shipped);
#   2. a Linux bridge with STP off, as CORE and Kathara's bridge plugin make
#      a link (stp_state 0 forward_delay 0 group_fwd_mask 65528);
#   3. a Linux bridge with STP on (stp_state 1), as a switch container or
#      Mininet's lxbr,stp=1 runs one, in a network namespace.
# For 2 and 3 sw2:p2 and sw3:p2 are TAP ports whose netdevs are the Linux
# bridge's two ports (in namespace ${LB}kns).  Each run waits for STP to
# settle, captures both ends for 5 s (bridgectl capture) and prints the
# evidence: the BPDUs sw2 sent into the wire, those that came out at sw3,
# the blocked ports of the three switches and the roles on that wire.
# Asserted, as measured on Linux 6.x:
#   1. every BPDU crosses; exactly one blocked port (sw3:p2);
#   2. the kernel forwards 01:80:c2:00:00:00 while its own STP is off, so
#      BPDUs cross and one port blocks; the kernel's swallowing shows
#      with its STP on:
#   3. the Linux bridge takes the BPDUs to its own STP: 0 come out, sw2
#      and sw3 are both designated on that wire and none of the lab's
#      ports blocks; the wire itself joined the election (its root is
#      sw1) and blocks its own port to sw3 -- the lab's exercise ("which
#      port of which switch blocks?") has no answer any more.
# No storm: the switches have no hosts (nothing floods), a storm_limit,
# and in run 3 the Linux bridge's forward delay (30 s) outlasts the run, so
# it forwards no frame.  Root; names start with $LB (lw-).
LB=${LB-lw-}
. "$(dirname "$0")/lab-lib.sh"
need_root
command -v tcpdump >/dev/null || { echo "lab-kwire.sh: NOT RUN: no tcpdump" >&2; exit 1; }
NS=${LB}kns KBR=${LB}kbr

kwire_cleanup() {
	for p in $(jobs -p); do kill "$p" 2>/dev/null; done
	ip netns del "$NS" 2>/dev/null
	lab_cleanup
}
trap kwire_cleanup EXIT

start_daemon

# The loop of labs/stp-loop.yml without hosts, checks or their links, with
# a storm limit; then the same without the wire sw2:p2 -- sw3:p2.
sed -e '/^hosts:/,/^links:/{/^links:/!d}' -e '/h[0-9]:eth0/d' \
    -e '/^checks:/,$d' -e 's/max_age: 6}/max_age: 6, storm_limit: 100}/' \
	labs/stp-loop.yml >"$T/patch.yml"
grep -v 'sw2:p2, sw3:p2' "$T/patch.yml" >"$T/kwire.yml"
grep -q 'sw2:p2, sw3:p2' "$T/patch.yml" && ! grep -q 'h1' "$T/patch.yml" ||
	{ fail "labs/stp-loop.yml changed: no wire sw2:p2 -- sw3:p2"; exit 1; }

# settle: until no port of the lab is listening or learning (30 s at most).
settle() {
	for _ in $(seq 300); do
		"$C" port show | grep "^$LB" | grep -Eq 'state (listening|learning)' ||
			return 0
		sleep 0.1
	done
	fail "$1: STP did not settle"; "$C" port show
}

# measure WHAT: captures sw2:p2 and sw3:p2 for 5 s, prints the evidence and
# sets SENT, CAME, BLOCKED (the list of blocked ports) and ROLES.
measure() {
	local mac
	mac=$("$C" port show ${LB}sw2-p2 | grep -o 'mac [^ ]*' | cut -d' ' -f2)
	"$C" capture ${LB}sw2-p2 -w "$T/sw2.pcap" 2>/dev/null &
	local c2=$!
	"$C" capture ${LB}sw3-p2 -w "$T/sw3.pcap" 2>/dev/null &
	local c3=$!
	sleep 5
	kill -INT $c2 $c3; wait $c2 $c3
	bpdus() { tcpdump -n -r "$1" "ether src $mac and ether dst 01:80:c2:00:00:00" 2>/dev/null | wc -l; }
	SENT=$(bpdus "$T/sw2.pcap")
	CAME=$(bpdus "$T/sw3.pcap")
	BLOCKED=$("$C" port show | grep "^$LB" | grep 'state blocking' |
		  sed -E "s/^${LB}(sw[0-9])-(p[0-9]+):.*/\1:\2/" | tr '\n' ' ')
	ROLES=
	for sw in sw2 sw3; do
		ROLES+="$sw:p2 $("$C" brctl showstp ${LB}$sw | /usr/bin/python3 -c '
import re, sys
t = sys.stdin.read()
me = re.search(r"bridge id\s+(\S+)", t).group(1)
port = t.split("'${LB}$sw-p2'", 1)[1]
db = re.search(r"designated bridge\s+(\S+)", port).group(1)
st = re.search(r"state\s+(\S+)", port).group(1)
print(("designated" if db == me else "not designated") + " (" + st + ")")
') "
	done
	printf '%-34s sw2 sent %d BPDUs into it, %d came out at sw3; blocked ports: %d%s; on that wire: %s\n' \
		"$1:" "$SENT" "$CAME" "$(echo $BLOCKED | wc -w)" \
		"${BLOCKED:+ ($(echo $BLOCKED))}" "$ROLES"
}

# kernel_wire STP_ARGS: the wire sw2:p2 -- sw3:p2 as a Linux bridge in $NS.
kernel_wire() {
	ip netns add "$NS" || return 1
	ip netns exec "$NS" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6
				   echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6'
	"$C" lab up "$T/kwire.yml" >"$T/up" 2>&1 || { fail "lab up: $(cat "$T/up")"; return 1; }
	for sw in sw2 sw3; do
		"$C" port add ${LB}$sw ${LB}$sw-p2 type tap || return 1
		ip link set ${LB}$sw-p2 netns "$NS" || return 1
	done
	ip -n "$NS" link add "$KBR" type bridge "$@" || return 1
	ip -n "$NS" link set ${LB}sw2-p2 master "$KBR" up &&
	ip -n "$NS" link set ${LB}sw3-p2 master "$KBR" up &&
	ip -n "$NS" link set "$KBR" up
}

# kernel_run WHAT STP_ARGS...: the lab with that Linux bridge wire,
# settled and measured; 1 (after a FAIL) if the wire could not be made.
kernel_run() {
	local what=$1
	shift
	if kernel_wire "$@"; then
		settle "$what"
		measure "$what"
		return 0
	fi
	fail "$what: the wire could not be made"
	return 1
}

wire_down() {
	"$C" lab down stp >/dev/null || fail "lab down"
	ip netns del "$NS" 2>/dev/null
}

# 1. our patch wire
"$C" lab up "$T/patch.yml" >"$T/up" 2>&1 || fail "lab up: $(cat "$T/up")"
settle "patch wire"
measure "patch wire (vswitchd)"
[ "$SENT" -ge 3 ] && [ "$CAME" = "$SENT" ] && [ "$BLOCKED" = "sw3:p2 " ] &&
	pass "patch wire: all $SENT BPDUs crossed, one blocked port (sw3:p2)" ||
	fail "patch wire: sent $SENT, came $CAME, blocked '$BLOCKED'"
wire_down

# 2. a Linux bridge with its STP off
if kernel_run "Linux bridge wire, stp_state 0" stp_state 0 forward_delay 0 \
	mcast_snooping 0 group_fwd_mask 65528; then
	[ "$SENT" -ge 3 ] && [ "$CAME" = "$SENT" ] && [ "$(echo $BLOCKED | wc -w)" = 1 ] &&
		pass "Linux bridge, STP off: it forwards BPDUs ($CAME of $SENT), one blocked port" ||
		fail "Linux bridge, STP off: sent $SENT, came $CAME, blocked '$BLOCKED'"
fi
wire_down

# 3. a Linux bridge with its STP on: it swallows the BPDUs
if kernel_run "Linux bridge wire, stp_state 1" stp_state 1 forward_delay 3000 \
	hello_time 100 max_age 600; then
	# brport/state 4 is blocking; root_id is the root it believes in
	ksys() { ip netns exec "$NS" cat /sys/class/net/"$1"; }
	sw1id=$("$C" brctl showstp ${LB}sw1 | awk '/bridge id/ {print $3; exit}')
	kroot=$(ksys $KBR/bridge/root_id)
	echo "  the Linux bridge: root ${kroot} (sw1 is ${sw1id}); its port to sw2 state $(ksys ${LB}sw2-p2/brport/state), to sw3 state $(ksys ${LB}sw3-p2/brport/state) (4 = blocking)"
	[ "$SENT" -ge 3 ] && [ "$CAME" = 0 ] && [ -z "$BLOCKED" ] &&
	[ "$ROLES" = "sw2:p2 designated (forwarding) sw3:p2 designated (forwarding) " ] &&
		pass "Linux bridge, STP on: it swallowed $SENT of $SENT BPDUs; no port of the lab's switches blocks, sw2:p2 and sw3:p2 both designated" ||
		fail "Linux bridge, STP on: sent $SENT, came $CAME, blocked '$BLOCKED', roles '$ROLES'"
	[ "$(ksys ${LB}sw3-p2/brport/state)" = 4 ] &&
	[ "$(ksys ${LB}sw2-p2/brport/state)" != 4 ] &&
	[ "${kroot//[.:]/}" = "${sw1id//[.:]/}" ] &&
		pass "Linux bridge, STP on: the wire joined the election (root sw1) and blocks its own port to sw3" ||
		fail "Linux bridge, STP on: its root $kroot (sw1 $sw1id), ports $(ksys ${LB}sw2-p2/brport/state)/$(ksys ${LB}sw3-p2/brport/state)"
fi
wire_down
finish lab-kwire.sh
