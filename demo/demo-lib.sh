# demo-lib.sh - what both demo scripts share (sourced): headings, commands
# shown as they run, and one rule: a step that fails ends the demo with a
# non-zero exit and says why on the terminal.

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# die MESSAGE [FILE]: the reason, then the last lines of FILE (a log the
# demo would otherwise delete), then exit 1 (the EXIT trap cleans up).
die() {
	printf '\n\033[1mdemo: FAILED: %s\033[0m\n' "$1" >&2
	if [ -n "${2:-}" ] && [ -s "$2" ]; then
		echo "---- last lines of $2:" >&2
		tail -15 "$2" >&2
	fi
	exit 1
}

# show CMD...: prints and runs CMD; the demo stops if it fails.
show() {
	printf '$ %s\n' "$*"
	"$@" || die "'$*' failed (status $?)"
}

# must CMD...: runs CMD quietly unless it fails; the demo stops if it does.
must() {
	local out
	out=$("$@" 2>&1) || { echo "$out" >&2; die "'$*' failed"; }
	[ -z "$out" ] || echo "$out"
}
