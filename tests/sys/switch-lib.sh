# switch-lib.sh - starting the vswitchd a system test or benchmark uses on
# its own (socket and configuration in its temporary directory).  Sourced.
#
#   switch_start BIN DIR BRIDGE
#
# Runs BIN/vswitchd with DIR/sock and DIR/config.json, warnings to
# DIR/vswitchd.log, sets PID, waits until it answers, and makes BRIDGE and
# sets it up (the caller has exported VSWITCHD_SOCKET=DIR/sock).  Returns 1
# after printing the log if any of that fails; the caller says FAILED.

switch_start() {
	"$1/vswitchd" --socket "$2/sock" --config "$2/config.json" -l warn \
		2>"$2/vswitchd.log" &
	PID=$!
	for _ in $(seq 50); do
		"$1/bridgectl" info >/dev/null 2>&1 && break
		sleep 0.1
	done
	"$1/bridgectl" link add "$3" type bridge >/dev/null &&
		"$1/bridgectl" link set "$3" up && return 0
	cat "$2/vswitchd.log" >&2
	return 1
}

#   switch_scratch BIN NAME "NAMESPACES" "DEVICES"
#
# Sets up what such a script runs in: T, a temporary directory
# (/tmp/NAME.XXXXXX) for vswitchd's socket and configuration;
# VSWITCHD_SOCKET exported; C, BIN's bridgectl; PID empty until
# switch_start.  The namespaces and devices (the script's own names) are
# deleted at once, in case an earlier run left them, and again on exit,
# after the caller's cleanup_more (if it defines one) and vswitchd (PID);
# then T goes.
switch_scratch() {
	C="$1/bridgectl"
	T=$(mktemp -d "/tmp/$2.XXXXXX") || exit 1
	SCRATCH_NSS=$3
	SCRATCH_DEVS=$4
	PID=
	trap switch_scratch_cleanup EXIT
	trap 'exit 130' INT TERM
	switch_scratch_remove
	export VSWITCHD_SOCKET=$T/sock
}

switch_scratch_remove() {
	local n d
	for n in $SCRATCH_NSS; do ip netns del "$n" 2>/dev/null; done
	for d in $SCRATCH_DEVS; do ip link del "$d" 2>/dev/null; done
}

switch_scratch_cleanup() {
	declare -F cleanup_more >/dev/null && cleanup_more
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	switch_scratch_remove
	rm -rf "$T"
}
