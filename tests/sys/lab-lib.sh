# lab-lib.sh - shared helpers of the lab tests (sourced, not run).
#
# Each test runs its own vswitchd (socket, no saved configuration, lab
# state directory in a fresh /tmp/lbtest.* directory) and gives every lab
# the name prefix $LB (BRIDGECTL_LAB_PREFIX), so its namespaces, TAPs and
# bridges are told apart from anything else on the machine.  On exit, also
# on failure, every lab is taken down, leftovers with the prefix removed,
# the daemon killed and the directory removed.
#
#   BIN   directory holding vswitchd and bridgectl (default build/bin)
#   LB    the prefix (default lb-)

BIN=${BIN:-build/bin}
BIN=$(cd "$BIN" && pwd) || { echo "no $BIN: build first" >&2; exit 1; }
LB=${LB-lb-}
T=$(mktemp -d /tmp/lbtest.XXXXXX)
export VSWITCHD_SOCKET=$T/vswitchd.sock
export VSWITCHD_LAB_DIR=$T/labs
export BRIDGECTL_LAB_PREFIX=$LB
C="$BIN/bridgectl"
VSWITCHD_PID=
FAILS=0
PASSES=0

# leftovers: every namespace and device whose name starts with $LB.
leftovers() {
	{ ip netns list | awk '{print "netns " $1}'
	  ip -o link show | awk -F': ' '{sub(/@.*/, "", $2); print "link " $2}'
	} | grep -E "^(netns|link) ${LB:-lbad}" || true
}

lab_cleanup() {
	for f in "$VSWITCHD_LAB_DIR"/*.yml; do
		[ -e "$f" ] && "$C" lab down "$f" >/dev/null 2>&1
	done
	if [ -n "$VSWITCHD_PID" ]; then
		kill -9 "$VSWITCHD_PID" 2>/dev/null
		wait "$VSWITCHD_PID" 2>/dev/null
	fi
	leftovers | while read -r kind name; do
		if [ "$kind" = netns ]; then ip netns del "$name"
		else ip link del "$name"; fi
	done 2>/dev/null
	rm -rf "$T"
}
trap lab_cleanup EXIT
trap 'exit 130' INT TERM

need_root() {
	if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ]; then
		echo "$(basename "$0"): NOT RUN: needs root and /dev/net/tun" >&2
		exit 1
	fi
}

start_daemon() {
	"$BIN/vswitchd" --socket "$VSWITCHD_SOCKET" --no-config -l warn \
		2>>"$T/vswitchd.log" &
	VSWITCHD_PID=$!
	for _ in $(seq 100); do
		"$C" info >/dev/null 2>&1 && return 0
		kill -0 "$VSWITCHD_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "FAIL: vswitchd did not start; log:" >&2
	cat "$T/vswitchd.log" >&2
	exit 1
}

pass() { PASSES=$((PASSES + 1)); echo "PASS: $*"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL: $*"; }

# finish NAME: the summary line and the exit status.
finish() {
	echo "$1: $PASSES passed, $FAILS failed"
	[ "$FAILS" = 0 ] && [ "$PASSES" -gt 0 ]
}
