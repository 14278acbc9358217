#!/bin/bash
# sd-readme.sh - every shell example of README.md runs as written (root).
#
# Each ```sh block is one example.  A block right after a line
#   <!-- readme-test: skip REASON -->
# is not run, and the test prints the reason (the first block, `make demo`
# and `make check-all`, is what CI itself runs; a block that needs systemd
# or a KVM that runs stock Linux says so).  Every other block runs with
# bash -e -o pipefail, from the top of the tree, with build/bin first in
# PATH (as after 'make install'), in a sandbox of its own: new mount, network
# and PID namespaces, a fresh tmpfs on /tmp and /run, /usr and /var seen
# through a throw-away overlay.  So `make install PREFIX=/usr`, a daemon on
# the default paths, `ip netns add h1` or a TAP named tap1 touch nothing of
# this machine, and every process a block leaves running dies with its PID
# namespace.  A block passes when it exits 0.
#
# The test proves it can fail: the same extraction and runner on a copy of
# the README with one example broken (a capture path misspelled) must
# report that block as failed.
. "$(dirname "$0")/sd-lib.sh"

README=${README:-README.md}
if [ "$(id -u)" != 0 ]; then
	echo "sd-readme.sh: NOT RUN: needs root (namespaces, overlays)" >&2
	exit 1
fi
for tool in unshare mount awk tcpdump; do
	command -v $tool >/dev/null ||
		{ echo "sd-readme.sh: NOT RUN: '$tool' missing (make deps)" >&2; exit 1; }
done
TOP=$(pwd)

# extract FILE DIR: writes DIR/N.sh for each runnable block and DIR/N.skip
# (holding the reason) for each skipped one; N counts blocks from 1.
extract() {
	awk -v dir="$2" '
		/^<!-- readme-test: skip / {
			reason = $0
			sub(/^<!-- readme-test: skip /, "", reason)
			sub(/ -->$/, "", reason)
			skip = 1
			next
		}
		/^```sh[[:space:]]*$/ && !inb {
			n++
			inb = 1
			file = dir "/" n (skip ? ".skip" : ".sh")
			if (skip)
				print reason > file
			skip = 0
			next
		}
		/^```/ && inb { inb = 0; close(file); next }
		inb && file ~ /\.sh$/ { print > file }
		!inb && !/^[[:space:]]*$/ { skip = 0 }
	' "$1"
}

# run_block FILE: runs one example in its sandbox; its exit status.
run_block() {
	local block=$1 box
	box=$(mktemp -d "$T/box.XXXXXX")
	mkdir -p "$box/usr-up" "$box/usr-work" "$box/var-up" "$box/var-work"
	timeout 120 unshare --mount --net --pid --fork --mount-proc \
		--propagation private env BOX="$box" TOP="$TOP" \
		PATH="$BIN:$PATH" BLOCK="$block" bash -c '
		set -e
		exec 3<"$BLOCK"	# /tmp is about to be hidden
		exec 4<"$TOP"	# and the tree too, if it lives there (CI)
		# The overlays first: their upper layers live in $T, in /tmp.
		mount -t overlay sdreadme -o lowerdir=/usr,upperdir=$BOX/usr-up,workdir=$BOX/usr-work /usr
		mount -t overlay sdreadme -o lowerdir=/var,upperdir=$BOX/var-up,workdir=$BOX/var-work /var
		mount -t tmpfs sdreadme /tmp
		mount -t tmpfs sdreadme /run
		if [ ! -d "$TOP" ]; then
			mkdir -p "$TOP"
			mount --no-canonicalize --bind /proc/self/fd/4 "$TOP"
		fi
		ip link set lo up
		cd "$TOP"
		bash -e -o pipefail /dev/fd/3
	' >"$block.out" 2>&1
}

# run_all README DIR: extracts and runs; prints one line per block; the
# number of failed blocks is its exit status (0: all passed).
run_all() {
	local dir=$2 failed=0 f n
	mkdir -p "$dir"
	extract "$1" "$dir"
	for f in $(ls "$dir" | grep -E '^[0-9]+\.(sh|skip)$' | sort -n); do
		n=${f%.*}
		if [ "${f##*.}" = skip ]; then
			echo "  example $n: not run: $(cat "$dir/$f")"
		elif run_block "$dir/$f"; then
			echo "  example $n: ok ($(head -1 "$dir/$f"))"
		else
			echo "  example $n: FAILED ($(head -1 "$dir/$f")); output:"
			tail -15 "$dir/$f.out" | sed 's/^/      /'
			failed=$((failed + 1))
		fi
	done
	return "$failed"
}

[ -f "$README" ] || { echo "sd-readme.sh: no $README (run from the top of the tree)" >&2; exit 1; }
echo "sd-readme.sh: the examples of $README:"
run_all "$README" "$T/readme"
rc=$?
[ "$rc" = 0 ] && ok || fail "$rc example(s) of $README failed"
nrun=$(ls "$T/readme" | grep -cE '^[0-9]+\.sh$')
[ "$nrun" -ge 3 ] && ok || fail "only $nrun runnable examples found in $README"

# The mutation: one example broken must make the runner fail.
sed 's|tests/pcap/t05-mac-move/in-p2.pcap|tests/pcap/t05-mac-move/in-p9.pcap|' \
	"$README" >"$T/README.mutated"
cmp -s "$README" "$T/README.mutated" &&
	fail "the mutation changed nothing: the replay example moved?"
echo "sd-readme.sh: the same with the replay example broken (in-p2 -> in-p9):"
if run_all "$T/README.mutated" "$T/mutated" >"$T/mutated.log" 2>&1; then
	cat "$T/mutated.log"
	fail "a broken example passed"
else
	grep "FAILED" "$T/mutated.log" | head -3
	[ "$(grep -c FAILED "$T/mutated.log")" = 1 ] && ok ||
		fail "the mutation broke more than its one example"
fi

finish
