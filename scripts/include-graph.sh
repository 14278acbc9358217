#!/bin/sh
# include-graph.sh - prints the include graph of the control plane (one
# "file -> file" line per #include "...") and every include cycle in it, so
# a review can check that the layers point one way.  A .c file and its .h
# count as one node ("ctl-server"); only includes between nodes of the
# given files are drawn.  Exit status 1 when there is a cycle.
#
#   scripts/include-graph.sh [FILE.c|FILE.h]...   (default: the control plane)
set -eu
cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then
	set -- vswitchd/ctl/*.[ch] vswitchd/main.c \
		vswitchd/core/bridge.[ch] vswitchd/core/bridge-event.[ch]
fi
for f in "$@"; do
	[ -f "$f" ] || continue
	from=$(basename "$f" | sed 's/\.[ch]$//')
	sed -n 's/^#include "\(.*\)\.h".*/\1/p' "$f" | while read -r to; do
		echo "$from $to"
	done
done | awk -v nodes="$(for f in "$@"; do basename "$f" | sed 's/\.[ch]$//'; done | sort -u | tr '\n' ' ')" '
BEGIN { n = split(nodes, a, " "); for (i = 1; i <= n; i++) known[a[i]] = 1 }
$1 != $2 && ($2 in known) && !seen[$1 " " $2]++ {
	print $1 " -> " $2
	adj[$1] = adj[$1] " " $2
}
# Cycles: a depth-first search from every node; a back edge closes one.
function dfs(v, path,    k, m, w, i) {
	onpath[v] = 1; stack[++depth] = v
	m = split(adj[v], w, " ")
	for (k = 1; k <= m; k++) {
		if (onpath[w[k]]) {
			c = ""
			for (i = depth; stack[i] != w[k]; i--) ;
			for (; i <= depth; i++) c = c stack[i] " -> "
			c = c w[k]
			key = canon(c)
			if (!(key in cycles)) { cycles[key] = c; ncyc++ }
		} else if (!done[w[k]]) dfs(w[k])
	}
	onpath[v] = 0; depth--
	done[v] = 1
}
# The same cycle found from another start prints once.
function canon(c,    p, m, i, s, best) {
	m = split(c, p, " -> "); best = ""
	for (i = 1; i < m; i++) {
		s = p[i]; for (j = 1; j < m - 1; j++) s = s " " p[(i + j - 1) % (m - 1) + 1]
		if (best == "" || s < best) best = s
	}
	return best
}
END {
	for (v in known) { for (u in done) delete done[u]; dfs(v) }
	if (!ncyc) { print "no include cycles"; exit 0 }
	print ncyc " include cycle(s):"
	for (k in cycles) print "  " cycles[k]
	exit 1
}'
