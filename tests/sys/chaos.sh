#!/bin/bash
# chaos.sh - kill -9 vswitchd at random moments under traffic and under
# configuration changes, CHAOS_KILLS times (default 50), restarting it on
# the same configuration each time (issue 19, point 2).
#
# Traffic: namespace chA (10.77.0.1) pings namespace chB (10.77.0.2) every
# 20 ms through bridge chbr.  The bridge's ports are the persistent TAPs
# chta and chtb, which stay in the root namespace (a TAP moved into a
# namespace is not found again after a restart yet); each is wired to a
# veth whose other end is in the namespace by tc mirred redirects both
# ways, so frames between the namespaces can only cross vswitchd.
#
# Configuration: a mutator changes bridge chcfg (null ports chn0..chn3)
# without pause: ports added and removed, static FDB entries, VLANs, port
# flags, bridge options (bridgectl port/fdb/vlan/link set).  Every change
# the daemon acknowledged (bridgectl exit 0) is made on a reference
# vswitchd too (in namespace chref, never killed); a change refused by a
# live daemon is made on the reference too (it must refuse it as well).
# After each restart the bridgectl -j dumps of chcfg (ports, FDB, VLANs,
# bridge details) must equal the reference's: either as they are, or, if a
# change was in flight at the kill (sent, no answer), with that change made
# on the reference -- an unacknowledged change may or may not have landed.
#
# Per restart it prints the time from the kill, and from vswitchd being
# back, to the first echo reply; at the end their median and maximum and
# how many restarts took over 2 s.  Fails if traffic does not come back
# within CHAOS_RESUME_LIMIT_MS (default 10000: a bound against hangs, the
# 2 s target is a figure), if a dump differs, or if a TAP, a bridge
# device, a socket or a vswitchd process is left over.
#
# Needs root, /dev/net/tun, tc (u32, mirred).  Names start "ch".
CTL_PREFIX=ch-chaos
. "$(dirname "$0")/ctl-lib.sh"

KILLS=${CHAOS_KILLS:-50}
LIMIT_MS=${CHAOS_RESUME_LIMIT_MS:-10000}
SEED=${CHAOS_SEED:-$$}
C="$BIN/bridgectl"
RSOCK=$T/ref/vswitchd.sock
R() { "$C" --socket "$RSOCK" "$@"; }
REF_PID=
PING_PID=
MUT_PID=

if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ]; then
	echo "chaos.sh: NOT RUN: needs root and /dev/net/tun" >&2
	exit 1
fi

chaos_cleanup() {
	for p in $MUT_PID $PING_PID $REF_PID; do
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	ctl_cleanup
	for n in chA chB chref; do ip netns del $n 2>/dev/null; done
	for d in chta chtb chvA1 chvB1 chcfg chbr; do
		ip link del "$d" 2>/dev/null
	done
}
trap chaos_cleanup EXIT
mkdir -p "$T/ref"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# wire TAP VETH NS IP: VETH's peer in namespace NS with address IP;
# whatever arrives on TAP leaves on VETH and the other way round.
wire() {
	ip netns add "$3" || exit 1
	ip link add "$2" type veth peer name "${2%1}0" netns "$3" || exit 1
	ip -n "$3" addr add "$4/24" dev "${2%1}0"
	ip -n "$3" link set "${2%1}0" up
	ip -n "$3" link set lo up
	ip link set "$2" up
	ip link set "$1" up
	for pair in "$1 $2" "$2 $1"; do
		set -- $pair
		tc qdisc add dev "$1" ingress &&
		tc filter add dev "$1" parent ffff: protocol all u32 \
			match u32 0 0 action mirred egress redirect dev "$2" ||
			{ echo "chaos.sh: NOT RUN: tc u32/mirred refused" >&2; exit 1; }
	done
}

for t in chta chtb; do
	ip tuntap add "$t" mode tap || { echo "cannot create TAP $t" >&2; exit 1; }
done
wire chta chvA1 chA 10.77.0.1
wire chtb chvB1 chB 10.77.0.2

start_daemon
"$C" link add chbr type bridge >/dev/null || fail "link add chbr"
"$C" link set chta master chbr >/dev/null || fail "chta master chbr"
"$C" link set chtb master chbr >/dev/null || fail "chtb master chbr"
"$C" link set chbr up >/dev/null
"$C" link add chcfg type bridge >/dev/null || fail "link add chcfg"

ip netns add chref || exit 1
ip netns exec chref "$BIN/vswitchd" --socket "$RSOCK" \
	--config "$T/ref/config.json" --test-mode -l warn \
	2>>"$T/ref.log" &
REF_PID=$!
for _ in $(seq 100); do R info >/dev/null 2>&1 && break; sleep 0.05; done
R info >/dev/null 2>&1 || { echo "FAIL: reference vswitchd did not start" >&2; exit 1; }
R link add chcfg type bridge >/dev/null || fail "ref: link add chcfg"

ip netns exec chA ping -D -n -i 0.02 -W 1 10.77.0.2 >"$T/ping.out" 2>&1 &
PING_PID=$!
for _ in $(seq 100); do
	grep -q "bytes from" "$T/ping.out" && break
	sleep 0.05
done
grep -q "bytes from" "$T/ping.out" && ok ||
	{ fail "no echo reply through chbr before the first kill"; finish; }

# change J: the J-th configuration change (a function of J and the seed).
change() {
	local r=$(( ($1 * 7919 + SEED * 104729) % 1000003 ))
	local k=$((r % 4)) m=$(printf %02x $((r / 4 % 6))) v=$((r / 24 % 5 + 2))
	case $((r / 120 % 10)) in
	0|1) echo "port add chcfg chn$k type null" ;;
	2) echo "port del chn$k" ;;
	3) echo "fdb add 02:cc:00:00:00:$m dev chn$k master static" ;;
	4) echo "fdb del 02:cc:00:00:00:$m dev chn$k master" ;;
	5) echo "vlan add dev chn$k vid $v" ;;
	6) echo "vlan del dev chn$k vid $v" ;;
	7) echo "port set chn$k learning $( ((r % 2)) && echo on || echo off)" ;;
	8) echo "link set dev chcfg type bridge ageing_time $((r % 5000 + 100))" ;;
	9) echo "link set dev chcfg type bridge vlan_filtering $((r % 2))" ;;
	esac
}

# mutate FROM: changes FROM, FROM+1, ... until the daemon is gone; prints
# "ack J", "refused J" or, for the change that met a dead daemon,
# "inflight J" to $T/mut.log.
mutate() {
	local j=$1 cmd
	while :; do
		cmd=$(change "$j")
		if "$C" $cmd >/dev/null 2>&1; then
			R $cmd >/dev/null 2>&1 || echo "refmismatch $j" >>"$T/mut.log"
			echo "ack $j" >>"$T/mut.log"
		elif "$C" info >/dev/null 2>&1; then
			R $cmd >/dev/null 2>&1 && echo "refmismatch $j" >>"$T/mut.log"
			echo "refused $j" >>"$T/mut.log"
		else
			echo "inflight $j" >>"$T/mut.log"
			return
		fi
		j=$((j + 1))
	done
}

# dump SOCKET: the JSON listings of bridge chcfg, normalised (ifindexes
# masked, ports of other bridges left out, lists sorted).
dump() {
	local s=$1
	{
		"$C" --socket "$s" -j port show
		"$C" --socket "$s" -j fdb show br chcfg
		"$C" --socket "$s" -j vlan show
		"$C" --socket "$s" -j -d link show chcfg
	} 2>&1 | /usr/bin/python3 -c '
import json, re, sys
out = []
dec = json.JSONDecoder()
text = re.sub(r"\"ifindex\":\s*\d+", "\"ifindex\":0", sys.stdin.read())
i = 0
while i < len(text):
    if text[i].isspace():
        i += 1
        continue
    try:
        obj, i = dec.raw_decode(text, i)
    except ValueError:
        out.append(text[i:].strip())
        break
    if isinstance(obj, list):
        obj = [o for o in obj if not isinstance(o, dict) or
               str(o.get("ifname", o.get("name", o.get("master", "chcfg")))).startswith(("chn", "chcfg"))]
        obj = sorted(obj, key=lambda o: json.dumps(o, sort_keys=True))
    out.append(obj)
print(json.dumps(out, sort_keys=True, indent=1))
'
}

j=1
resume_kill=()
resume_start=()
mismatch=0
for i in $(seq "$KILLS"); do
	: >"$T/mut.log"
	mutate "$j" &
	MUT_PID=$!
	# A random moment: 100-700 ms into the changes and the traffic.
	sleep "0.$(( (RANDOM % 600) + 100 ))"
	tkill=$(now_ms)
	kill_daemon
	wait "$MUT_PID"
	MUT_PID=
	grep -q refmismatch "$T/mut.log" &&
		fail "restart $i: the reference answered a change differently: $(grep refmismatch "$T/mut.log" | head -3)"
	inflight=$(sed -n 's/^inflight //p' "$T/mut.log")
	j=$((inflight + 1))
	texec=$(now_ms)
	start_daemon
	tstart=$(now_ms)
	# The first echo reply stamped after the new vswitchd was started (one
	# stamped between the kill and then was on its way before the kill).
	t=
	while [ $(($(now_ms) - tkill)) -lt "$LIMIT_MS" ]; do
		t=$(sed -n 's/^\[\([0-9]*\)\.\([0-9]\{3\}\).*bytes from.*/\1\2/p' \
			"$T/ping.out" | awk -v k="$texec" '$1 > k { print; exit }')
		[ -n "$t" ] && break
		sleep 0.02
	done
	if [ -z "$t" ]; then
		fail "restart $i: no echo reply within $LIMIT_MS ms of the kill"
		t=$((tkill + LIMIT_MS))
	else
		ok
	fi
	resume_kill+=($((t - tkill)))
	resume_start+=($((t > tstart ? t - tstart : 0)))
	dump "$SOCK" >"$T/main.json"
	dump "$RSOCK" >"$T/ref.json"
	how="as acknowledged"
	if ! cmp -s "$T/main.json" "$T/ref.json"; then
		cmd=$(change "$inflight")
		R $cmd >/dev/null 2>&1
		dump "$RSOCK" >"$T/ref.json"
		how="with the in-flight change ($cmd)"
	fi
	if cmp -s "$T/main.json" "$T/ref.json"; then
		ok
	else
		mismatch=$((mismatch + 1))
		fail "restart $i: configuration differs from the acknowledged state (in flight: $(change "$inflight")):"
		diff -u "$T/ref.json" "$T/main.json" | head -30 >&2
		# Go on from what the daemon has: resynchronise the reference.
		break
	fi
	printf 'restart %2d: %3d changes acknowledged, config equal %s; echo reply %4d ms after the kill, %4d ms after vswitchd was back\n' \
		"$i" "$(grep -c '^ack' "$T/mut.log")" "$how" \
		"${resume_kill[-1]}" "${resume_start[-1]}"
done

stats() {
	printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 }
		END { printf "median %d ms, max %d ms", a[int((NR + 1) / 2)], a[NR] }'
}
echo "chaos: ${#resume_kill[@]} restarts (seed $SEED); echo replies back after the kill: $(stats "${resume_kill[@]}"); after vswitchd was back: $(stats "${resume_start[@]}")"
over=0
for v in "${resume_kill[@]}"; do [ "$v" -gt 2000 ] && over=$((over + 1)); done
echo "chaos: restarts with traffic back later than 2 s after the kill: $over of ${#resume_kill[@]}"
[ "${#resume_kill[@]}" -eq "$KILLS" ] && ok ||
	fail "only ${#resume_kill[@]} of $KILLS restarts done"

# Leaks: only our two TAPs and two bridge devices, one vswitchd on our
# socket, nothing but its socket in the run directory.
# (Bridge devices are TAPs too.)
taps=$(ip -o link show type tun 2>/dev/null | grep -o ' ch[a-z0-9]*:' | tr -d ' :' | sort | tr '\n' ' ')
[ "$taps" = "chbr chcfg chta chtb " ] && ok ||
	fail "TAPs after the restarts: '$taps' (want 'chbr chcfg chta chtb ')"
n=$(ip -o link show | grep -cE ': (chbr|chcfg)[@:]')
[ "$n" = 2 ] && ok || fail "$n bridge devices chbr/chcfg in the root namespace (want 2)"
n=$(pgrep -fc -- "--socket $SOCK")
[ "$n" = 1 ] && ok || fail "$n vswitchd processes on $SOCK (want 1)"
left=$(ls -A "$T/run" | grep -v '^vswitchd\.sock$' | tr '\n' ' ')
[ -z "$left" ] && ok || fail "left in the run directory: $left"
echo "chaos: vswitchd fds after the last restart: $(ls /proc/"$VSWITCHD_PID"/fd | wc -l); run time ${SECONDS} s"
finish
