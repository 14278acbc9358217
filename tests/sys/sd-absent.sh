#!/bin/bash
# sd-absent.sh - with no vswitchd on the socket, every bridgectl and brctl
# command fails, names the socket it tried and says how to start vswitchd;
# brctl's first line stays bridge-utils' "can't setup bridge control".
# Needs no root.
. "$(dirname "$0")/sd-lib.sh"

mkdir -p "$T/run"
HINT="start it with 'vswitchd --detach --socket $SOCK'"

# absent_ok NAME EXPECTED-FIRST-LINE-PATTERN CMD...: fails, non-zero,
# stderr names $SOCK, the reason and the hint.
absent_ok() {
	local name=$1 first=$2 reason=$3
	shift 3
	if "$@" >"$T/out" 2>"$T/err"; then
		fail "$name: succeeded without a daemon"
		return
	fi
	if [ -n "$first" ] && [ "$(head -1 "$T/err")" != "$first" ]; then
		fail "$name: first line is '$(head -1 "$T/err")', not '$first'"
		return
	fi
	if grep -qF "cannot reach vswitchd at $SOCK: $reason" "$T/err" &&
	   grep -qF "$HINT" "$T/err"; then
		ok
	else
		fail "$name: stderr lacks the socket, reason or hint:"
		sed 's/^/    /' "$T/err" >&2
	fi
}

for reason in "No such file or directory" "Connection refused"; do
	if [ "$reason" = "Connection refused" ]; then
		# A socket file nobody listens on: a daemon that died.
		python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$SOCK" ||
			{ fail "cannot make a stale socket"; continue; }
	fi
	for cmd in "info" "link show" "fdb show" "vlan show" "port show" \
		   "stats" "monitor" "capture sdbr0 sdp1 -c 1" \
		   "debug time stop" "link add sdbr0 type bridge"; do
		# shellcheck disable=SC2086
		absent_ok "bridgectl $cmd ($reason)" "" "$reason" \
			"$BIN/bridgectl" $cmd
	done
	for cmd in "show" "addbr sdbr0" "showmacs sdbr0" "stp sdbr0 on"; do
		first="can't setup bridge control: $reason"
		# shellcheck disable=SC2086
		absent_ok "brctl $cmd ($reason)" "$first" "$reason" \
			"$BIN/brctl" $cmd
		absent_ok "bridgectl $cmd ($reason)" "$first" "$reason" \
			"$BIN/bridgectl" $cmd
	done
	absent_ok "bridgectl --socket ($reason)" "" "$reason" \
		env -u VSWITCHD_SOCKET "$BIN/bridgectl" --socket "$SOCK" info
done

# The default path's hint names the two usual ways to start it.  (Only
# when no daemon of someone else answers there.)
if [ ! -S /run/vswitchd/vswitchd.sock ]; then
	env -u VSWITCHD_SOCKET "$BIN/bridgectl" info 2>"$T/err"
	if grep -qF "cannot reach vswitchd at /run/vswitchd/vswitchd.sock" "$T/err" &&
	   grep -qF "'vswitchd --detach' or 'systemctl start vswitchd'" "$T/err"; then
		ok
	else
		fail "default socket: $(cat "$T/err")"
	fi
fi

finish
