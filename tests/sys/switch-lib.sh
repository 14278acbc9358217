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
