# vhost-lib.sh - shell helpers for the vhost-user system tests and bench:
# run vswitchd and interactive DPDK testpmd instances (virtio-user
# front-ends, --no-huge) that this script creates and cleans up itself.
#
# Usage: VSWITCHD=path/to/vswitchd; . tests/sys/vhost-lib.sh; vh_init NAME

vh_fail() { echo "FAIL: $*" >&2; exit 1; }

vh_init() {
	command -v dpdk-testpmd >/dev/null ||
		vh_fail "dpdk-testpmd not installed (make deps): test NOT RUN"
	[ -x "$VSWITCHD" ] || vh_fail "no vswitchd binary at '$VSWITCHD'"
	[ "$(id -u)" = 0 ] || vh_fail "needs root (TAP for the bridge): test NOT RUN"
	VH_DIR=$(mktemp -d /tmp/vhost-$1.XXXXXX)
	VH_PIDS=""
	VH_PREFIXES=""
	VH_LINKS=""		# network devices to delete at the end
	trap vh_cleanup EXIT
}

vh_cleanup() {
	for p in $VH_PIDS; do kill "$p" 2>/dev/null; done
	sleep 0.3
	for p in $VH_PIDS; do kill -9 "$p" 2>/dev/null; done
	for f in $VH_PREFIXES; do rm -rf "/var/run/dpdk/$f"; done
	for l in $VH_LINKS; do ip link del "$l" 2>/dev/null; done
	[ -n "${VH_KEEP:-}" ] || rm -rf "$VH_DIR"
}

# vh_switch_start SCRIPT: runs vswitchd on SCRIPT; pid in VH_SW_PID.
# VH_SW_WRAP (e.g. "taskset -c 0") is prepended to the command.
vh_switch_start() {
	${VH_SW_WRAP:-} "$VSWITCHD" --script "$1" --test-mode --no-config ${VH_SW_ARGS:-} \
		--socket "$VH_DIR/ctl.sock" >>"$VH_DIR/vswitchd.log" 2>&1 &
	VH_SW_PID=$!
	VH_PIDS="$VH_PIDS $VH_SW_PID"
	for _ in $(seq 50); do
		grep -q "vswitchd started" "$VH_DIR/vswitchd.log" && return 0
		kill -0 "$VH_SW_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$VH_DIR/vswitchd.log" >&2
	vh_fail "vswitchd did not start"
}

vh_switch_stop() {
	kill "$VH_SW_PID" 2>/dev/null
	wait "$VH_SW_PID" 2>/dev/null
}

# vh_tp_spawn NAME LCORES [EAL args] -- [testpmd args]: an interactive
# testpmd (--no-huge) whose commands come from a FIFO (vh_tp_cmd NAME).
vh_tp_spawn() {
	local name=$1 lcores=$2 fd eal=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do eal+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	mkfifo "$VH_DIR/$name.in"
	# The log exists before testpmd does: the shell opens it only once
	# the FIFO below has a writer, and vh_tp_wait may look first.
	: >"$VH_DIR/$name.log"
	stdbuf -oL dpdk-testpmd --lcores="$lcores" --no-huge -m 256 --no-pci --no-shconf \
		--file-prefix="vh$name$$" --log-level=lib.eal:error "${eal[@]}" -- -i \
		--total-num-mbufs=8192 "$@" \
		<"$VH_DIR/$name.in" >"$VH_DIR/$name.log" 2>&1 &
	eval "VH_TP_PID_$name=$!"
	VH_PIDS="$VH_PIDS $!"
	VH_PREFIXES="$VH_PREFIXES vh$name$$"
	exec {fd}>"$VH_DIR/$name.in"
	eval "VH_TP_FD_$name=$fd"
}

# vh_tp_start NAME DEVARGS MODE LCORES [EXTRA testpmd args]: one
# virtio-user port, forwarding mode MODE, one forwarding lcore.
vh_tp_start() {
	local name=$1 devargs=$2 mode=$3 lcores=$4
	shift 4
	vh_tp_spawn "$name" "$lcores" --vdev "net_virtio_user0,$devargs" -- \
		--forward-mode="$mode" --nb-cores=1 "$@"
}

# vh_tp_wait NAME PATTERN [TIMEOUT_S]: waits for PATTERN in its output.
vh_tp_wait() {
	local t=${3:-20}
	for _ in $(seq $((t * 10))); do
		grep -q "$2" "$VH_DIR/$1.log" && return 0
		sleep 0.1
	done
	tail -20 "$VH_DIR/$1.log" >&2
	vh_fail "testpmd $1: no '$2' within ${t}s"
}

vh_tp_cmd() {
	local fd
	eval "fd=\$VH_TP_FD_$1"
	echo "$2" >&"$fd"
}

vh_tp_quit() {
	local fd pid
	eval "fd=\$VH_TP_FD_$1; pid=\$VH_TP_PID_$1"
	echo "quit" >&"$fd" 2>/dev/null
	exec {fd}>&-
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
	kill "$pid" 2>/dev/null
}

# vh_tp_stat NAME FIELD: the last "FIELD: N" of 'show port stats 0'.
vh_tp_stat() {
	local n before
	before=$(grep -c "NIC statistics for port 0" "$VH_DIR/$1.log")
	vh_tp_cmd "$1" "show port stats 0"
	for _ in $(seq 50); do
		n=$(grep -c "NIC statistics for port 0" "$VH_DIR/$1.log")
		[ "$n" -gt "$before" ] && sleep 0.2 && break
		sleep 0.1
	done
	grep -o "$2: *[0-9]*" "$VH_DIR/$1.log" | tail -1 | grep -o '[0-9]*$'
}
