# vxlan-lib.sh - shared helpers of the VXLAN system tests (sourced, not
# run).  On top of ctl-lib.sh: vswitchd started inside a network namespace
# (its UDP socket lives there; bridgectl still reaches it through the unix
# socket in the temporary directory), namespaces and links that all start
# with "vx" and are removed on exit, also on failure.
#
#   VX_NSS    namespaces the test creates (removed on exit)
#   VX_LINKS  links in the root namespace the test may leave (removed)
. "$(dirname "$0")/ctl-lib.sh"

VX_NSS=${VX_NSS:-}
VX_LINKS=${VX_LINKS:-}
VX_PIDS=
C="$BIN/bridgectl"

vx_need_root() {
	if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ]; then
		echo "$(basename "$0"): NOT RUN: needs root and /dev/net/tun" >&2
		exit 1
	fi
	for tool in ip ping python3 "$@"; do
		command -v "$tool" >/dev/null || {
			echo "$(basename "$0"): NOT RUN: '$tool' missing (make deps)" >&2
			exit 1
		}
	done
}

vx_cleanup() {
	for p in $VX_PIDS; do
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for n in $VX_NSS; do ip netns del "$n" 2>/dev/null; done
	for l in $VX_LINKS; do ip link del "$l" 2>/dev/null; done
	ctl_cleanup
}
trap vx_cleanup EXIT

# vx_ns_add NS...: fresh namespaces (an earlier run's are removed first),
# lo up, no IPv6 chatter unless VX_IPV6=1.
vx_ns_add() {
	for n in "$@"; do
		ip netns del "$n" 2>/dev/null
		ip netns add "$n" || { fail "netns add $n"; exit 1; }
		ip -n "$n" link set lo up
		[ "${VX_IPV6:-0}" = 1 ] ||
			ip netns exec "$n" sysctl -qw \
				net.ipv6.conf.all.disable_ipv6=1 \
				net.ipv6.conf.default.disable_ipv6=1
	done
}

# vx_veth NS1 IF1 NS2 IF2: a veth pair between two namespaces, both up.
vx_veth() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" ||
		{ fail "veth $2-$4"; exit 1; }
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

# run CMD...: a setup step; a failure is the test's, with CMD's output.
run() { "$@" >"$T/run.out" 2>&1 || fail "setup: '$*' failed: $(cat "$T/run.out")"; }
# sock X: the control socket of our VTEP X; ctl X ARGS: bridgectl on it.
sock() { echo "$T/run/$1.sock"; }
ctl() { local x=$1; shift; VSWITCHD_SOCKET=$(sock "$x") "$C" "$@"; }

# vx_underlay P X...: the underlay: a kernel bridge ${P}u0 (with the
# options in VX_UNDERLAY_OPTS) in namespace ${P}u and, for the i-th X, a
# veth ${P}u$X in namespace $P$X, address 10.10.0.i/24, whose peer
# ${P}u${X}p is a port of the bridge.
vx_underlay() {
	local p=$1 i=0 x
	shift
	ip -n ${p}u link add ${p}u0 type bridge ${VX_UNDERLAY_OPTS:-}
	ip -n ${p}u link set ${p}u0 up
	for x in "$@"; do
		i=$((i + 1))
		vx_veth $p$x ${p}u$x ${p}u ${p}u${x}p
		ip -n ${p}u link set ${p}u${x}p master ${p}u0
		ip -n $p$x addr add 10.10.0.$i/24 dev ${p}u$x
	done
}

# vx_start NS SOCK CONF LOG: (LOG named $T/d-*.log) a vswitchd inside namespace NS; its pid is
# appended to VX_PIDS and stored in VX_LAST_PID.
vx_start() {
	local ns=$1 sock=$2 conf=$3 log=$4
	mkdir -p "$(dirname "$sock")" "$(dirname "$conf")"
	ip netns exec "$ns" "$BIN/vswitchd" --socket "$sock" --config "$conf" \
		--test-mode -l warn 2>>"$log" &
	VX_LAST_PID=$!
	VX_PIDS="$VX_PIDS $VX_LAST_PID"
	for _ in $(seq 100); do
		[ -S "$sock" ] && VSWITCHD_SOCKET=$sock "$C" info >/dev/null 2>&1 &&
			return 0
		kill -0 "$VX_LAST_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "FAIL: vswitchd in $ns did not start; log:" >&2
	cat "$log" >&2
	exit 1
}

# vx_stop PID: SIGKILL, as a crash would.
vx_stop() {
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	VX_PIDS=$(echo "$VX_PIDS" | tr ' ' '\n' | grep -vx "$1" | tr '\n' ' ')
}

# vx_stat SOCK PORT KEY: one counter of the port's vxlan stats (0 if absent).
vx_stat() {
	VSWITCHD_SOCKET=$1 "$C" -j stats "$2" | python3 -c '
import json, sys
p = json.load(sys.stdin)[0]["ports"][0]
print(p.get("vxlan", {}).get(sys.argv[1], 0))' "$3"
}

# vx_fdb SOCK PORT: the port's remote table, one line per destination.
vx_fdb() {
	VSWITCHD_SOCKET=$1 "$C" -j port show "$2" | python3 -c '
import json, sys
for l in json.load(sys.stdin)[0]["args"]["fdb"]:
	print(l)'
}

ping_ok() { ip netns exec "$1" ping -n -q -c "${3:-2}" -i 0.2 -W 2 "$2" >/dev/null 2>&1; }
wait_for() { for _ in $(seq "${WAIT_TENTHS:-50}"); do "$@" && return 0; sleep 0.1; done; return 1; }

vx_finish() {
	# A clean stop, so the ports' close paths run (and LeakSanitizer
	# reports under SANITIZE=1); then every daemon's log (d-*.log) for
	# finish's sanitizer check.
	for p in $VX_PIDS; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null || true
	done
	VX_PIDS=
	cat "$T"/d-*.log >>"$T/vswitchd.log" 2>/dev/null
	finish
}
