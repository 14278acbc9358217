# sd-lib.sh - shared helpers of the daemon-convention tests (sourced, not
# run): tests/sys/sd-*.sh.
#
# Every test works in its own temporary directory (socket, configuration,
# pidfile, log file), never on the default /run or /var/lib paths, and
# kills what it started on exit, also on failure or Ctrl-C.  Names it gives
# the system (bridges) start with "sd".
#
# Built on ctl-lib.sh (BIN, T, SOCK, CONF, ok/fail, finish); adds child
# processes to kill, 'check', 'wait_for' with a bound in seconds.

CTL_PREFIX=sd-test
. "$(dirname "${BASH_SOURCE[0]}")/ctl-lib.sh"
SD_PIDS=

# sd_track PID: kill PID (SIGKILL) at exit if it still runs.
sd_track() { SD_PIDS="$SD_PIDS $1"; }

sd_cleanup() {
	# The daemon of start_daemon first: 'wait' below waits for it too.
	if [ -n "$VSWITCHD_PID" ]; then
		kill -9 "$VSWITCHD_PID" 2>/dev/null
		wait "$VSWITCHD_PID" 2>/dev/null
		VSWITCHD_PID=
	fi
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
	ctl_cleanup
}
trap sd_cleanup EXIT

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
