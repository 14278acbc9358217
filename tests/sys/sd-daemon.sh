#!/bin/bash
# sd-daemon.sh - vswitchd's system-daemon conventions: --detach returns
# once the control socket answers (and fails with the daemon's error when
# start-up fails), --pidfile refuses a second daemon and replaces stale
# files, --log-file is reopened on SIGHUP, --syslog without /dev/log falls
# back to stderr with a warning, readiness goes to $NOTIFY_SOCKET (path and
# abstract), bad options are refused with a reason.  Everything in a
# temporary directory; needs no root (the syslog case unshares a mount
# namespace when this machine has a /dev/log, and then needs root).
. "$(dirname "$0")/sd-lib.sh"

V=$BIN/vswitchd
C=$BIN/bridgectl
mkdir -p "$T/run" "$T/lib"
cd "$T" || exit 1

# refuses NAME PATTERN ARGS...: vswitchd ARGS exits non-zero at once and
# says PATTERN on stderr.
refuses() {
	local name=$1 pat=$2
	shift 2
	if timeout 5 "$V" --socket "$SOCK" --config "$CONF" "$@" \
		>"$T/out" 2>"$T/err"; then
		fail "$name: accepted"
	elif grep -qF -- "$pat" "$T/err"; then
		ok
	else
		fail "$name: stderr lacks '$pat': $(cat "$T/err")"
	fi
}

# --- bad options ----------------------------------------------------------
refuses "unknown module" "unknown log module" -l nosuch:debug
refuses "bad level" "bad log level 'dp:loud'" -l dp:loud
refuses "--detach --replay" "no --detach or --pidfile" --replay --script x --detach
refuses "empty --pidfile" "--pidfile needs a FILE" --pidfile ""
refuses "unwritable --log-file" "--log-file $T/no/dir/x.log" --log-file "$T/no/dir/x.log"
# A missing directory is made (as /run/vswitchd at boot); one that cannot
# be (a file is in the way) is refused.
: >"$T/afile"
refuses "unwritable --pidfile" "pidfile $T/afile/v.pid" --pidfile "$T/afile/v.pid"
check "no socket left by refusals" test ! -e "$SOCK"

# --- --detach: ready means the socket answers -------------------------------
if "$V" --detach --socket run/vswitchd.sock --config lib/config.json \
	--pidfile v.pid --log-file v.log --test-mode 2>"$T/err"; then
	# No waiting: the command returned, so the daemon must answer now.
	if "$C" info >"$T/info" 2>>"$T/err"; then ok; else
		fail "--detach returned before the socket answered: $(cat "$T/err")"
	fi
else
	fail "--detach failed: $(cat "$T/err")"
fi
PID=$(cat "$T/v.pid" 2>/dev/null)
check "pidfile holds a pid ($PID)" test -n "$PID"
check "info's pid is the pidfile's" grep -qx "pid: $PID" "$T/info"
check "detached daemon leads its own session" \
	test "$(ps -o sid= -p "$PID" | tr -d ' ')" = "$PID"
check "detached daemon runs in /" test "$(readlink "/proc/$PID/cwd")" = /
check "relative paths made absolute" \
	grep -qx "socket_path: $T/run/vswitchd.sock" "$T/info"
check "stdio released (stderr is /dev/null)" \
	test "$(readlink "/proc/$PID/fd/2")" = /dev/null
check "pidfile written whole (one line, a newline)" \
	test "$(wc -c <"$T/v.pid")" = $((${#PID} + 1))

# Ready only once the socket listens: the log says so in that order.
listen_at=$(grep -n "ctl|info|listening on" "$T/v.log" | cut -d: -f1)
ready_at=$(grep -n "main|info|ready, --detach parent released" "$T/v.log" | cut -d: -f1)
check "parent released after the socket listens (log lines ${listen_at:-?} < ${ready_at:-?})" \
	test -n "$listen_at" -a -n "$ready_at" -a "${listen_at:-0}" -lt "${ready_at:-0}"

# --- --pidfile: a live vswitchd holds it ----------------------------------
refuses "second daemon, same pidfile" "already running as pid $PID" \
	--socket "$T/run/other.sock" --pidfile "$T/v.pid"
check "refused daemon left the pidfile alone" test "$(cat "$T/v.pid")" = "$PID"
check "first daemon still answers" answers
refuses "second daemon, --detach" "already running as pid $PID" \
	--detach --socket "$T/run/other.sock" --pidfile "$T/v.pid"
check "no temporary pidfiles left" test -z "$(ls "$T" | grep 'v.pid.tmp')"

# --- --log-file and SIGHUP --------------------------------------------------
check "log file written" grep -q "main|info|vswitchd started" "$T/v.log"
mv "$T/v.log" "$T/v.log.1"
kill -HUP "$PID"
if wait_for 5 grep -qs "SIGHUP: log file reopened" "$T/v.log"; then ok; else
	fail "no new log file after SIGHUP"
fi
"$C" log set ctl info >/dev/null
check "lines after SIGHUP go to the new file" \
	wait_for 5 grep -q "log level of ctl set to info" "$T/v.log"
check "and not to the rotated one" \
	eval '! grep -q "log level of ctl" "$T/v.log.1"'
check "daemon survives SIGHUP" answers

# --- clean exit removes the pidfile ---------------------------------------
kill -TERM "$PID"
check "SIGTERM: daemon exits" wait_for 5 eval '! kill -0 $PID 2>/dev/null'
check "SIGTERM: pidfile removed" test ! -e "$T/v.pid"
check "SIGTERM: socket removed" test ! -e "$SOCK"

# --- stale pidfiles are replaced ------------------------------------------
sleep 60 & SLEEPER=$!
sd_track $SLEEPER
for stale in 2147483000 "$SLEEPER" "garbage"; do
	echo "$stale" >"$T/s.pid"
	"$V" --socket "$SOCK" --config "$CONF" --pidfile "$T/s.pid" \
		--test-mode 2>"$T/s.log" &
	P=$!
	sd_track $P
	if wait_for 5 answers && [ "$(cat "$T/s.pid")" = "$P" ]; then ok; else
		fail "stale pidfile ($stale) not replaced: $(cat "$T/s.log")"
	fi
	check "stale pidfile ($stale): warned" grep -q "replacing a stale one" "$T/s.log"
	kill -TERM $P; wait $P
done

# --- --detach reports a start-up failure with the child's status -----------
echo '{ not json' >"$T/bad.json"
if "$V" --detach --socket "$SOCK" --config "$T/bad.json" --pidfile "$T/b.pid" \
	2>"$T/err"; then
	fail "--detach with a bad configuration returned 0"
else
	if [ -s "$T/err" ]; then ok; else fail "--detach failure: no message"; fi
fi
check "failed --detach left no pidfile" test ! -e "$T/b.pid"
check "failed --detach left no daemon" eval '! answers'

# --- sd_notify: READY=1 once the socket answers ------------------------------
# ready_after_listen LOG: the readiness line follows the control socket's.
ready_after_listen() {
	grep -A3 "ctl|info|listening on" "$1" |
		grep -q "main|info|ready, service manager notified"
}
# notify_test NAME NOTIFY_SOCKET_VALUE PYTHON_BIND_ADDRESS
notify_test() {
	local name=$1 env=$2 addr=$3
	rm -f "$T/notify.out"
	python3 - "$addr" "$T/notify.out" "$C" <<'PY' &
import socket, subprocess, sys
addr, out, ctl = sys.argv[1], sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
s.settimeout(10)
with open(out, "w") as f:
    for _ in range(2):
        try:
            msg = s.recv(4096).decode()
        except socket.timeout:
            break
        # At READY=1 the socket must answer already.
        rc = subprocess.call([ctl, "info"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL) if "READY=1" in msg else 0
        f.write(repr(msg) + " info-rc=%d\n" % rc)
        f.flush()
PY
	local listener=$!
	sd_track $listener
	sleep 0.3	# the listener binds
	NOTIFY_SOCKET=$env "$V" --socket "$SOCK" --config "$CONF" \
		--test-mode 2>"$T/n.log" &
	local P=$!
	sd_track $P
	if wait_for 5 grep -qs "READY=1" "$T/notify.out"; then
		if grep -q "'READY=1\\\\nMAINPID=$P' info-rc=0" "$T/notify.out"; then
			ok
		else
			fail "$name: $(cat "$T/notify.out")"
		fi
	else
		fail "$name: no READY=1 ($(cat "$T/n.log"))"
	fi
	kill -TERM $P; wait $P
	check "$name: notified after the socket listens" ready_after_listen "$T/n.log"
	check "$name: STOPPING=1 on SIGTERM" \
		wait_for 5 grep -qs "STOPPING=1" "$T/notify.out"
	kill $listener 2>/dev/null; wait $listener 2>/dev/null
}
notify_test "NOTIFY_SOCKET path" "$T/notify.sock" "$T/notify.sock"
ABS="@sd-notify-$$-$RANDOM"
notify_test "NOTIFY_SOCKET abstract" "$ABS" "$ABS"
NOTIFY_SOCKET=relative/x "$V" --socket "$SOCK" --config "$CONF" 2>"$T/n.log" &
P=$!
sd_track $P
check "bad NOTIFY_SOCKET: still starts" wait_for 5 answers
check "bad NOTIFY_SOCKET: warned" grep -q "NOTIFY_SOCKET relative/x" "$T/n.log"
kill -TERM $P; wait $P

# --- --syslog without /dev/log -------------------------------------------
syslog_run() {
	"$V" --syslog --socket "$SOCK" --config "$CONF" 2>"$T/syslog.log" &
	P=$!
	sd_track $P
	wait_for 5 answers
	kill -TERM $P; wait $P
}
if [ -e /dev/log ]; then
	if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
		# A mount namespace whose /dev/log is hidden by an empty
		# directory: as on a host without a syslog daemon.
		export -f syslog_run answers wait_for sd_track
		export V SOCK CONF T BIN
		unshare -m bash -c 'mkdir -p "$T/empty" && mount --bind "$T/empty" /dev/log 2>/dev/null || mount -t tmpfs none /dev; syslog_run'
	else
		fail "--syslog fallback: NOT RUN (this machine has /dev/log; needs root to hide it)"
	fi
else
	syslog_run
fi
check "--syslog without /dev/log: warning on stderr" \
	grep -q "no syslog socket /dev/log: logging to stderr instead" "$T/syslog.log"
check "--syslog without /dev/log: lines still on stderr" \
	grep -q "main|info|vswitchd started" "$T/syslog.log"

finish
