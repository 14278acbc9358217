# preflight.sh - the checks a system test or benchmark makes before it
# creates anything, so a machine that cannot run it says so instead of
# failing half-way.  Sourced; the caller has defined say().
#
#   preflight KIND "WHY ROOT" PROGRAM TOOL...
#
# KIND is "test" or "benchmark"; WHY ROOT says what needs root (TAPs,
# namespaces...); PROGRAM must be executable (vswitchd); each TOOL must be
# on PATH.  Exits 1 with a "FAILED: ... did not run" line otherwise.

preflight() {
	local kind=$1 why=$2 prog=$3 tool
	shift 3
	if [ "$(id -u)" != 0 ]; then
		say "FAILED: must run as root ($why); this $kind did not run"
		exit 1
	fi
	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null; then
			say "FAILED: '$tool' not found (make deps); this $kind did not run"
			exit 1
		fi
	done
	if [ ! -x "$prog" ]; then
		say "FAILED: no program at '$prog'; this $kind did not run"
		exit 1
	fi
}
