# ctl-lib.sh - shared helpers of the control tests (sourced, not run).
#
# Each test runs its own vswitchd on a socket and a configuration file in a
# fresh temporary directory (no root-only paths), with pcap ports so no TAP
# is needed, and removes everything on exit, also on failure.
#
#   BIN           directory holding vswitchd, bridgectl and brctl
#                 (default build/bin)
#   CTL_PREFIX    prefix of the temporary directory's name (default ctl-test)
#   CTL_VSWITCHD  the daemon to run (default $BIN/vswitchd; a test may run it
#                 through a link of another name so its process is told apart)

. "$(dirname "${BASH_SOURCE[0]}")/caps-lib.sh"
BIN=${BIN:-build/bin}
BIN=$(cd "$BIN" && pwd) || { echo "no $BIN: build first" >&2; exit 1; }
T=$(mktemp -d "/tmp/${CTL_PREFIX:-ctl-test}.XXXXXX")
CTL_VSWITCHD=${CTL_VSWITCHD:-$BIN/vswitchd}
SOCK=$T/run/vswitchd.sock
CONF=$T/lib/config.json
VSWITCHD_PID=
FAILS=0
CHECKS=0
export VSWITCHD_SOCKET=$SOCK

ctl_cleanup() {
	if [ -n "$VSWITCHD_PID" ]; then
		kill -9 "$VSWITCHD_PID" 2>/dev/null
		wait "$VSWITCHD_PID" 2>/dev/null
	fi
	rm -rf "$T"
}
trap ctl_cleanup EXIT
trap 'exit 130' INT TERM

# wait_daemon: waits until the vswitchd just started answers on its
# socket; 1 if it died first or took more than 5 s.
wait_daemon() {
	for _ in $(seq 100); do
		[ -S "$SOCK" ] && "$BIN/bridgectl" info >/dev/null 2>&1 && return 0
		kill -0 "$VSWITCHD_PID" 2>/dev/null || break
		sleep 0.05
	done
	return 1
}

# try_start [EXTRA ARGS]: starts vswitchd (output in $T/out); 1, with
# nothing left running, if it refuses to start.
try_start() {
	"$CTL_VSWITCHD" --socket "$SOCK" --config "$CONF" --test-mode \
		-l warn "$@" >"$T/out" 2>&1 &
	VSWITCHD_PID=$!
	wait_daemon && return 0
	wait "$VSWITCHD_PID" 2>/dev/null
	VSWITCHD_PID=
	return 1
}

# start_daemon [EXTRA ARGS]: starts vswitchd and waits for its socket.
start_daemon() {
	"$CTL_VSWITCHD" --socket "$SOCK" --config "$CONF" --test-mode \
		-l warn "$@" 2>>"$T/vswitchd.log" &
	VSWITCHD_PID=$!
	wait_daemon && return 0
	echo "FAIL: vswitchd did not start; log:" >&2
	cat "$T/vswitchd.log" >&2
	exit 1
}

# expect_caps_dropped WHAT: as root, the daemon keeps only the default
# --caps netns set after start-up (/proc/PID/status CapEff printed).
expect_caps_dropped() {
	local eff
	[ "$(id -u)" = 0 ] || return 0
	eff=$(wait_caps_eff "$VSWITCHD_PID" "$CAPS_NETNS")
	echo "$(basename "$0"): $1: vswitchd pid $VSWITCHD_PID CapEff $eff"
	[ "$eff" = "$CAPS_NETNS" ] && ok ||
		fail "$1: CapEff $eff, not $CAPS_NETNS (--caps netns)"
}

# kill_daemon: SIGKILL, as a crash would.
kill_daemon() {
	kill -9 "$VSWITCHD_PID" 2>/dev/null
	wait "$VSWITCHD_PID" 2>/dev/null
	VSWITCHD_PID=
}

# alive: the daemon still answers.
alive() {
	kill -0 "$VSWITCHD_PID" 2>/dev/null &&
		"$BIN/bridgectl" info >/dev/null 2>&1
}

# mask_ifindex: a listing with its ifindexes masked ("I: dev:" lines,
# "ifindex":I).  A restart makes the bridge devices and TAPs anew, so
# their numbers change as a reboot changes the kernel's; the configuration
# is what must not.
mask_ifindex() {
	sed -E 's/^[0-9]+: /I: /; s/"ifindex":[0-9]+/"ifindex":I/g'
}

ok() { CHECKS=$((CHECKS + 1)); }
fail() {
	CHECKS=$((CHECKS + 1))
	FAILS=$((FAILS + 1))
	echo "FAIL: $*" >&2
}

# expect_out NAME EXPECTED-FILE CMD...: stdout of CMD must equal the file.
expect_out() {
	local name=$1 want=$2
	shift 2
	if "$@" >"$T/got" 2>"$T/err"; then
		if cmp -s "$want" "$T/got"; then
			ok
		else
			fail "$name: output differs (want, got):"
			diff -u "$want" "$T/got" | sed 's/^/    /' >&2
		fi
	else
		fail "$name: '$*' failed: $(cat "$T/err")"
	fi
}

finish() {
	# Under SANITIZE=1 a sanitizer report in a daemon's log fails too
	# (vswitchd.log, and the logs a test names *.log in $T).
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
