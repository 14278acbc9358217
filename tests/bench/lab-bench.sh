#!/bin/bash
# lab-bench.sh - time of "bridgectl lab up" + "lab down" of a ring of 10
# switches (STP on) with 20 hosts, next to the same topology made and
# removed by a shell script with ip(8): kernel bridges (STP on), veth
# pairs for the ring and the hosts, the same namespaces and addresses.
# Two anchors.  Mininet (the issue's anchor), with its Linux-bridge
# switch (--switch lxbr): the same ring and hosts through Mininet's API,
# up = Mininet(...) + start(), down = stop().  lxbr calls bridge-utils'
# brctl; that package is not installed (it would put a second brctl on
# the machine's PATH), so its brctl is unpacked from the Debian package
# into the build tree (apt-get download + dpkg -x, as the kernel tests
# do) and put first on Mininet's PATH only.  Without mininet or that
# package the Mininet anchor is skipped and the script says so.  And a
# shell script with ip(8), doing what Mininet 2.3 does for a host link
# without Mininet's per-host shells: one ip(8) per step, the host's end
# of the veth made directly in its namespace ("peer name eth0 netns NS",
# no move).  Same work on every side: STP on and not waited for
# (--no-wait), lo up, one address per host, every device up.
#
# RUNS runs (default 5), the sides interleaved and in alternating
# order (ours first in odd runs); after each down an untimed SETTLE pause
# (default 0.5 s; the kernel's background removal of 20 namespaces takes
# some 60 ms here) so neither side's deferred cleanup lands in the
# other's timing.  Prints medians with min..max, and the ratios ours /
# anchor as the median (min..max) of the per-run ratios.  Root; names
# start "lbb".
set -u
BIN=$(cd "${BIN:-build/bin}" && pwd) || exit 1
RUNS=${RUNS:-5}
SETTLE=${SETTLE:-0.5}
T=$(mktemp -d /tmp/lbbench.XXXXXX)
export VSWITCHD_SOCKET=$T/vswitchd.sock VSWITCHD_LAB_DIR=$T/labs
export BRIDGECTL_LAB_PREFIX=lbb-
C=$BIN/bridgectl
PID=
NSW=10
NH=20

cleanup() {
	"$C" lab down "$T/ring.yml" >/dev/null 2>&1
	anchor_down 2>/dev/null
	[ -n "$MN" ] && mn_leftovers 's[0-9]+'
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
[ "$(id -u)" = 0 ] || { echo "lab-bench.sh: NOT RUN: needs root" >&2; exit 1; }

# The lab file.
{
	echo "name: ring"
	echo "switches:"
	for i in $(seq $NSW); do
		echo "  sw$i: {stp: true, forward_delay: 2, hello_time: 1, max_age: 6}"
	done
	echo "hosts:"
	for h in $(seq $NH); do echo "  h$h: {addresses: {eth0: 10.77.0.$h/24}}"; done
	echo "links:"
	for i in $(seq $NSW); do
		echo "  - [sw$i:r, sw$((i % NSW + 1)):l]"
	done
	for h in $(seq $NH); do echo "  - [h$h:eth0, sw$(( (h - 1) / 2 + 1 )):p$h]"; done
} >"$T/ring.yml"

anchor_up() {
	for i in $(seq $NSW); do
		ip link add lbbs$i type bridge stp_state 1 forward_delay 200 || return 1
		ip link set lbbs$i up
	done
	for i in $(seq $NSW); do
		j=$((i % NSW + 1))
		ip link add lbbs$i-r type veth peer name lbbs$j-l || return 1
		ip link set lbbs$i-r master lbbs$i up
		ip link set lbbs$j-l master lbbs$j up
	done
	for h in $(seq $NH); do
		s=$(( (h - 1) / 2 + 1 ))
		ip netns add lbbh$h || return 1
		ip -n lbbh$h link set lo up
		ip link add lbbs$s-p$h type veth peer name eth0 netns lbbh$h ||
			return 1
		ip -n lbbh$h addr add 10.77.0.$h/24 dev eth0
		ip -n lbbh$h link set eth0 up
		ip link set lbbs$s-p$h master lbbs$s up
	done
}
anchor_down() {
	for h in $(seq $NH); do ip netns del lbbh$h; done
	for i in $(seq $NSW); do ip link del lbbs$i-r; done
	for i in $(seq $NSW); do ip link del lbbs$i; done
}

# Mininet: its brctl from the Debian package, unpacked once.
MN_DEBS=$(cd "$BIN/.." && pwd)/bench-debs
MN_BRCTL_DIR=$MN_DEBS/bridge-utils/sbin
MN=
. "$(dirname "$0")/../sys/mininet-lib.sh"
if ! command -v mn >/dev/null || [ ! -x /usr/bin/python3 ]; then
	echo "lab-bench.sh: NOTE: mininet not installed (make deps): Mininet anchor skipped" >&2
elif [ ! -x "$MN_BRCTL_DIR/brctl" ] &&
     ! (mkdir -p "$MN_DEBS" && cd "$MN_DEBS" && rm -f bridge-utils_*.deb &&
	apt-get download -q bridge-utils >/dev/null 2>&1 &&
	dpkg -x bridge-utils_*.deb bridge-utils); then
	echo "lab-bench.sh: NOTE: could not fetch Debian's bridge-utils for Mininet's lxbr: Mininet anchor skipped" >&2
else
	MN=1
	cat >"$T/mnring.py" <<PY
import sys, time
from mininet.net import Mininet
from mininet.nodelib import LinuxBridge
from mininet.topo import Topo
from mininet.log import setLogLevel

class Ring(Topo):
    def build(self):
        sw = [self.addSwitch("s%d" % i, stp=True) for i in range(1, $NSW + 1)]
        for i in range($NSW):
            self.addLink(sw[i], sw[(i + 1) % $NSW])
        for h in range(1, $NH + 1):
            self.addLink(self.addHost("h%d" % h, ip="10.77.0.%d/24" % h),
                         sw[(h - 1) // 2])

setLogLevel("error")
t0 = time.time()
net = Mininet(topo=Ring(), switch=LinuxBridge, controller=None)
net.start()
t1 = time.time()
net.stop()
t2 = time.time()
print("%.6f %.6f" % (t1 - t0, t2 - t1))
PY
fi

now() { date +%s.%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.3f s (%.3f..%.3f)", m, v[1], v[NR] }'; }

"$BIN/vswitchd" --socket "$VSWITCHD_SOCKET" --no-config -l warn 2>"$T/log" &
PID=$!
for _ in $(seq 100); do "$C" info >/dev/null 2>&1 && break; sleep 0.05; done
# ours_run / anchor_run: up and down once, appending their times.
ours_run() {
	local t0 t1 t2
	t0=$(now)
	"$C" lab up --no-wait "$T/ring.yml" >/dev/null || { echo "lab up failed" >&2; exit 1; }
	t1=$(now)
	"$C" lab down ring >/dev/null || { echo "lab down failed" >&2; exit 1; }
	t2=$(now)
	echo "$t1 - $t0" | bc >>"$T/our_up"
	echo "$t2 - $t1" | bc >>"$T/our_down"
	sleep "$SETTLE"
}
anchor_run() {
	local t0 t1 t2
	t0=$(now)
	anchor_up || { echo "anchor up failed" >&2; exit 1; }
	t1=$(now)
	anchor_down 2>/dev/null
	t2=$(now)
	echo "$t1 - $t0" | bc >>"$T/anc_up"
	echo "$t2 - $t1" | bc >>"$T/anc_down"
	sleep "$SETTLE"
}
mn_run() {
	local t
	[ -n "$MN" ] || return 0
	t=$(cd "$T" && PATH="$MN_BRCTL_DIR:$PATH" timeout 300 \
		/usr/bin/python3 "$T/mnring.py" 2>>"$T/mn.err" | tail -1)
	case $t in
	*[0-9]" "[0-9]*) ;;
	*) echo "Mininet run failed: $(tail -3 "$T/mn.err")" >&2; exit 1 ;;
	esac
	echo "${t% *}" >>"$T/mn_up"
	echo "${t#* }" >>"$T/mn_down"
	mn_leftovers 's[0-9]+'
	sleep "$SETTLE"
}
# ratios A B: the per-run ratios of the numbers in files A and B.
ratios() { paste "$1" "$2" | awk '{ printf "%.4f\n", $1 / $2 }'; }

for r in $(seq "$RUNS"); do
	if [ $((r % 2)) = 1 ]; then ours_run; anchor_run; mn_run
	else mn_run; anchor_run; ours_run; fi
done
paste -d+ "$T/our_up" "$T/our_down" | bc >"$T/our_all"
paste -d+ "$T/anc_up" "$T/anc_down" | bc >"$T/anc_all"
echo "lab ring of $NSW switches, $NH hosts, $RUNS runs (median, min..max):"
echo "  bridgectl lab up:      $(median <"$T/our_up")"
echo "  bridgectl lab down:    $(median <"$T/our_down")"
echo "  ip/bridge script up:   $(median <"$T/anc_up")"
echo "  ip/bridge script down: $(median <"$T/anc_down")"
echo "  up ratio ours/anchor:      $(ratios "$T/our_up" "$T/anc_up" | median | sed 's/ s / /') (target < 0.5)"
echo "  down ratio ours/anchor:    $(ratios "$T/our_down" "$T/anc_down" | median | sed 's/ s / /') (target < 1.0)"
echo "  up+down ratio ours/anchor: $(ratios "$T/our_all" "$T/anc_all" | median | sed 's/ s / /')"
if [ -n "$MN" ]; then
	paste -d+ "$T/mn_up" "$T/mn_down" | bc >"$T/mn_all"
	echo "  Mininet (lxbr) up:     $(median <"$T/mn_up")"
	echo "  Mininet (lxbr) down:   $(median <"$T/mn_down")"
	echo "  up ratio ours/Mininet:      $(ratios "$T/our_up" "$T/mn_up" | median | sed 's/ s / /') (target < 0.5)"
	echo "  down ratio ours/Mininet:    $(ratios "$T/our_down" "$T/mn_down" | median | sed 's/ s / /')"
	echo "  up+down ratio ours/Mininet: $(ratios "$T/our_all" "$T/mn_all" | median | sed 's/ s / /')"
fi
