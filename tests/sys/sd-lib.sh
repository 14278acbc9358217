# sd-lib.sh - shared helpers of the daemon-convention tests (sourced, not
# run): tests/sys/sd-*.sh.
#
# Every test works in its own temporary directory (socket, configuration,
# pidfile, log file), never on the default /run or /var/lib paths, and
# kills what it started on exit, also on failure or Ctrl-C.  Names it gives
# the system (bridges) start with "sd".
#
#   BIN       directory holding vswitchd, bridgectl and brctl
#             (default build/bin)

BIN=${BIN:-build/bin}
BIN=$(cd "$BIN" && pwd) || { echo "no $BIN: build first" >&2; exit 1; }
T=$(mktemp -d /tmp/sd-test.XXXXXX)
SOCK=$T/run/vswitchd.sock
CONF=$T/lib/config.json
SD_PIDS=
FAILS=0
CHECKS=0
export VSWITCHD_SOCKET=$SOCK

# sd_track PID: kill PID (SIGKILL) at exit if it still runs.
sd_track() { SD_PIDS="$SD_PIDS $1"; }

sd_cleanup() {
	for p in $SD_PIDS; do
		kill -9 "$p" 2>/dev/null
	done
	# Daemons started with --detach are not our children: their pidfile
	# names them.
	for f in "$T"/*.pid; do
		[ -f "$f" ] || continue
		p=$(cat "$f" 2>/dev/null)
		[ -n "$p" ] && kill -9 "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$T"
}
trap sd_cleanup EXIT
trap 'exit 130' INT TERM

ok() { CHECKS=$((CHECKS + 1)); }
fail() {
	CHECKS=$((CHECKS + 1))
	FAILS=$((FAILS + 1))
	echo "FAIL: $*" >&2
}

# check NAME CMD...: CMD must succeed.
check() {
	local name=$1
	shift
	if "$@"; then ok; else fail "$name"; fi
}

# wait_for SECONDS CMD...: 0 as soon as CMD succeeds, 1 after SECONDS.
wait_for() {
	local n=$(($1 * 20))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}

answers() { "$BIN/bridgectl" info >/dev/null 2>&1; }

finish() {
	if grep -qsE "ERROR: (Address|Leak)Sanitizer|runtime error:" \
		"$T"/*.log; then
		fail "sanitizer report in a vswitchd log:"
		grep -sA20 -E "Sanitizer|runtime error" "$T"/*.log | head -40 >&2
	fi
	if [ "$FAILS" -eq 0 ]; then
		echo "$(basename "$0"): all $CHECKS checks passed"
		exit 0
	fi
	echo "$(basename "$0"): $FAILS of $CHECKS checks FAILED"
	exit 1
}
