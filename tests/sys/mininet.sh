#!/bin/bash
# mininet.sh - Mininet runs unchanged on vswitchd: with our brctl first in
# PATH, Mininet's Linux-bridge switch (--switch lxbr, which only calls
# brctl and ifconfig) builds its switches on vswitchd: existing veths
# become netdev ports, 'ifconfig sN up' is the bridge device's.
#   1. mn --switch lxbr --topo linear,3 --test pingall (the command line
#      a Mininet user types);
#   2. a loop of three switches with STP (--switch lxbr,stp=1, a custom
#      topology through Mininet's API): converges with exactly one port
#      blocking, and every host pings every other.
# Needs root and the Debian package mininet (make deps installs it); its
# Python module is for Debian's /usr/bin/python3, named as such.
# Mininet's names (s1.., h1.., their veths) are its own; our cleanup
# removes its host shells and links even on failure (mininet-lib.sh).
. "$(dirname "$0")/ctl-lib.sh"

if [ "$(id -u)" != 0 ] || ! command -v mn >/dev/null; then
	echo "mininet.sh: NOT RUN: needs root and mininet (apt-get install mininet)" >&2
	exit 1
fi
. "$(dirname "$0")/mininet-lib.sh"
mn_cleanup() {
	mn_leftovers
	ctl_cleanup
}
trap mn_cleanup EXIT
mn_leftovers
export PATH="$BIN:$PATH"
[ "$(command -v brctl)" = "$BIN/brctl" ] || { echo "our brctl is not first in PATH" >&2; exit 1; }

start_daemon

# 1. The command line, unchanged.
(cd "$T" && timeout 180 mn --switch lxbr --controller none --topo linear,3 \
	--test pingall) >"$T/linear.out" 2>&1
grep -q "Results: 0% dropped (6/6 received)" "$T/linear.out" && ok ||
	fail "mn linear,3 pingall: $(grep -A4 'Ping:' "$T/linear.out" || tail -5 "$T/linear.out")"
"$BIN/bridgectl" -j link show >"$T/left" 2>&1
grep -q '"s1"' "$T/left" && fail "Mininet's bridges were left: $(cat "$T/left")" || ok

# 2. A looped topology with STP.
cat >"$T/ring.py" <<'PY'
import re, subprocess, sys, time
from mininet.net import Mininet
from mininet.nodelib import LinuxBridge
from mininet.topo import Topo
from mininet.log import setLogLevel

class Ring(Topo):
    def build(self):
        sw = [self.addSwitch("s%d" % i, stp=True) for i in (1, 2, 3)]
        for i, s in enumerate(sw):
            self.addLink(self.addHost("h%d" % (i + 1)), s)
        for i in range(3):
            self.addLink(sw[i], sw[(i + 1) % 3])

setLogLevel("warning")
net = Mininet(topo=Ring(), switch=LinuxBridge, controller=None)
net.start()
t0 = time.time()
blocking = []
while time.time() - t0 < 90:
    states = {}
    for s in ("s1", "s2", "s3"):
        out = subprocess.run(["brctl", "showstp", s], capture_output=True,
                             text=True).stdout
        for port, state in re.findall(r"^(\S+) \(\d+\)\n.*?state\s+(\w+)",
                                      out, re.S | re.M):
            states[port] = state
    blocking = [p for p, st in states.items() if st == "blocking"]
    if len(states) == 9 and len(blocking) == 1 and \
            all(st in ("forwarding", "blocking") for st in states.values()):
        break
    time.sleep(1)
print("converged in %.1f s: %d ports, blocking %s" % (
    time.time() - t0, len(states), blocking))
loss = net.pingAll()
net.stop()
sys.exit(0 if len(blocking) == 1 and loss == 0 else 1)
PY
(cd "$T" && timeout 240 /usr/bin/python3 "$T/ring.py") >"$T/ring.out" 2>&1 && ok ||
	fail "STP ring: $(tail -8 "$T/ring.out")"
grep "converged" "$T/ring.out"
finish
