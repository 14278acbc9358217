# mininet-lib.sh - removing what a Mininet run leaves when it fails
# (sourced by tests/sys/mininet.sh and tests/bench/lab-bench.sh).  Not
# 'mn -c': that also deletes every /tmp/*.log and /tmp/*.out on the
# machine.

# mn_leftovers [EXTRA_RE]: kills Mininet's host shells and deletes its
# links (sN-ethM, hN-ethM), and devices whose whole name matches EXTRA_RE.
mn_leftovers() {
	local re='[sh][0-9]+-eth[0-9]+' l
	[ -n "${1:-}" ] && re="$re|$1"
	pkill -9 -f 'bash --norc -is mininet:' 2>/dev/null
	for l in $(ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' |
		   grep -E "^($re)\$"); do
		ip link del "$l" 2>/dev/null
	done
}
