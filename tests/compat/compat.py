#!/usr/bin/env python3
"""compat.py - the same frames through the kernel's bridge and vswitchd.

Every case of tests/pcap (a setup in the replay language, frames received
on ports p1..p4) is built twice on this machine, with real devices:

  kernel: bridge cpk0, ports cpk1..cpk4 (veths; frames are sent and
          captured on their peers cpk1p..cpk4p);
  ours:   vswitchd bridge cpo0 (its bridge device a TAP), ports cpo1..cpo4
          (TAP ports; frames are sent and captured on the TAP netdevs).

The setup is applied to both through their own tools (ip/bridge for the
kernel, bridgectl for vswitchd), the case's frames are sent in time order
(its `at` commands in between), and then compared, side against side:

  - the frames every port sent, in order, byte for byte;
  - the copies passed up to the bridge device (captured on cpk0 / cpo0);
  - the bridge's FDB listing (`bridge fdb show br` against `bridgectl fdb
    show br`, user and learned entries, names mapped to pN);
  - whether each `expect-fail` line was refused on both.

Cases the kernel here cannot run the same way are skipped, each with its
reason printed: VLAN filtering (this kernel's bridge has none), STP (its
timers are compared by tests/sys/stp-kernel.sh), frames shorter than a
netdev accepts or longer than the MTU the ports must keep.  Time is not
scaled: both sides see the same real time, so ageing is compared as it
happens (not at the case's pcap times).

Usage: compat.py BIN_DIR [CASE...]     (root; uses names cpk*, cpo*)
Exit status 1 if any case differs.  The environment variable
COMPAT_MIN_CASES (default 30) is the least number of cases that must run.
"""
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import ctypes
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "..", "pcap")
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
GAP = float(os.environ.get("COMPAT_GAP", "0.02"))          # seconds between two frames sent
SETTLE = 0.3        # seconds to wait for the last frames


def run(cmd, check=True):
    r = subprocess.run(cmd, shell=True, capture_output=True, text=True)
    if check and r.returncode:
        raise RuntimeError("%s: %s" % (cmd, (r.stderr or r.stdout).strip()))
    return r


def read_pcap(path):
    if not os.path.exists(path):
        return []
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    nano = magic in (0xa1b23c4d, 0x4d3cb2a1)
    off, frames = 24, []
    while off + 16 <= len(data):
        sec, frac, caplen, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        frames.append((sec + frac / (1e9 if nano else 1e6), data[off:off + caplen]))
        off += caplen
    return frames


class Setup:
    """A case's setup, read into what both sides need."""

    def __init__(self, path, vlans=False):
        self.bridge_opts = []       # (key, value) of 'bridge add br0 ...'
        self.ports = []             # (pN, mac, mtu)
        self.steps = []             # (time or None, words, expect_fail)
        self.skip = None
        for line in open(path):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            w = line.split()
            at = None
            if w[0] == "end":
                continue
            if w[0] == "at":
                at, w = float(w[1]), w[2:]
            fail = False
            if w[0] == "expect-fail":
                fail, w = True, w[1:]
            if w[:2] == ["bridge", "add"]:
                self.bridge_opts = list(zip(w[3::2], w[4::2]))
            elif w[:2] == ["port", "add"]:
                mac = w[w.index("mac") + 1] if "mac" in w else None
                mtu = int(w[w.index("mtu") + 1]) if "mtu" in w else None
                self.ports.append((w[3], mac, mtu))
            else:
                self.steps.append((at, w, fail))
        words = " ".join(" ".join(s[1]) for s in self.steps) + " " + \
            " ".join("%s %s" % kv for kv in self.bridge_opts)
        if not vlans and re.search(r"vlan_filtering 1|vlan_protocol", words):
            self.skip = "VLAN filtering (the kernel bridge here has none)"
        elif "stp_state 1" in words:
            self.skip = "STP timers (compared by tests/sys/stp-kernel.sh)"
        elif re.search(r"\bhub 1\b|\btransparent 1\b|\bstorm_limit\b", words):
            self.skip = "hub, transparent, storm_limit: vswitchd's own " \
                        "(the Linux bridge has no such option)"
        elif "fdb_max_learned" in words:
            self.skip = "fdb_max_learned (not in this kernel's bridge)"
        elif re.search(r"\bmtu\b", words) or any(p[2] for p in self.ports):
            self.skip = "port MTUs (a TAP port's MTU is its netdev's, so " \
                        "the far end cannot send larger frames)"


# --- the two sides -----------------------------------------------------------

def kernel_words(words, side):
    """A setup step as ip/bridge commands for the kernel bridge."""
    dev = lambda n: side.dev(n)
    if words[:2] == ["bridge", "set"]:
        return ["ip link set dev %s type bridge %s" % (
            side.br, " ".join(bropt(k, v) for k, v in
                              zip(words[3::2], words[4::2])))]
    if words[:3] == ["link", "set", "dev"]:
        name, rest = words[3], words[4:]
        if name == "br0":
            return ["ip link set dev %s %s" % (side.br, " ".join(rest))]
        cmds, i = [], 0
        while i < len(rest):
            k = rest[i]
            if k in ("up", "down"):
                cmds.append("ip link set dev %s %s" % (dev(name), k))
                i += 1
                continue
            v = rest[i + 1]
            i += 2
            if k == "group_fwd_mask":
                cmds.append("ip link set dev %s type bridge_slave "
                            "group_fwd_mask %d" % (dev(name), int(v, 0)))
            elif k == "state":
                states = ["disabled", "listening", "learning", "forwarding",
                          "blocking"]
                cmds.append("bridge link set dev %s state %d" % (
                    dev(name), states.index(v)))
            elif k == "bpdu_guard":
                cmds.append("bridge link set dev %s guard %s" % (dev(name), v))
            else:
                cmds.append("bridge link set dev %s %s %s" % (dev(name), k, v))
        return cmds
    if words[:2] == ["fdb", "add"]:
        return ["bridge fdb add %s dev %s master %s" % (
            words[2], dev(words[4]), fdb_flags(words[5:]))]
    if words[0] == "vlan":
        return ["bridge vlan %s dev %s %s" % (
            words[1], dev(words[3]), " ".join(words[4:]))]
    raise RuntimeError("no kernel form for: %s" % " ".join(words))


def ours_words(words, side):
    """A setup step as bridgectl commands (its iproute2 dialect)."""
    c = side.ctl
    if words[:2] == ["bridge", "set"]:
        return ["%s link set dev %s type bridge %s" % (
            c, side.br, " ".join(bropt(k, v) for k, v in
                                 zip(words[3::2], words[4::2])))]
    if words[:3] == ["link", "set", "dev"]:
        name, rest = words[3], words[4:]
        if name == "br0":
            return ["%s link set dev %s %s" % (c, side.br, " ".join(rest))]
        return ["%s port set %s %s" % (c, side.dev(name), " ".join(rest))]
    if words[:2] == ["fdb", "add"]:
        return ["%s fdb add %s dev %s master %s" % (
            c, words[2], side.dev(words[4]), fdb_flags(words[5:]))]
    if words[0] == "vlan":
        return ["%s vlan %s dev %s %s" % (
            c, words[1], side.dev(words[3]), " ".join(words[4:]))]
    raise RuntimeError("no bridgectl form for: %s" % " ".join(words))


def fdb_flags(words):
    # The setup language's "local" is iproute2's "permanent"; no word is
    # iproute2's default (permanent, for master entries) on both sides.
    return " ".join("permanent" if w == "local" else w for w in words)


def bropt(k, v):
    """A bridge option as ip-link and bridgectl's iproute2 dialect take it."""
    k = {"default_pvid": "vlan_default_pvid"}.get(k, k)
    return "%s %d" % (k, int(v, 0)) if re.match(r"^(0x)?[0-9a-f]+$", v) \
        else "%s %s" % (k, v)


LIBC = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000


def in_netns(ns, fn):
    """Calls fn() with this thread in network namespace 'ns' (None: as is);
    a socket made there stays there."""
    if ns is None:
        return fn()
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open("/run/netns/" + ns, os.O_RDONLY)
    try:
        if LIBC.setns(target, CLONE_NEWNET):
            raise OSError(ctypes.get_errno(), "setns " + ns)
        try:
            return fn()
        finally:
            LIBC.setns(home, CLONE_NEWNET)
    finally:
        os.close(home)
        os.close(target)


class Capture:
    """An AF_PACKET socket on one device, keeping frames it did not send."""

    def __init__(self, ifname, ns=None):
        def make():
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                              socket.htons(ETH_P_ALL))
            s.bind((ifname, 0))
            return s
        self.s = in_netns(ns, make)
        self.s.setblocking(False)
        self.ifname = ifname

    def send(self, frame):
        """Sends 'frame'; False if the device refused (down, no carrier),
        as a wire whose far end is down takes nothing."""
        # A socket whose device went down reports ENETDOWN once, on the
        # next call after it is up again: that try does not count.
        for _ in range(2):
            try:
                self.s.send(frame)
                return True
            except OSError:
                pass
        return False

    def drain(self):
        out = []
        while True:
            try:
                data, addr = self.s.recvfrom(70000)
            except BlockingIOError:
                return out
            except OSError:
                continue    # ENETDOWN, reported once after a down
            if addr[2] != PACKET_OUTGOING:
                out.append(data)

    def close(self):
        self.s.close()


def no_ipv6(dev):
    run("sysctl -qw net.ipv6.conf.%s.disable_ipv6=1" % dev, check=False)


class Kernel:
    """The kernel bridge, in a network namespace of its own, where
    br_netfilter (loaded by container runtimes, which then trims the
    Ethernet padding of every bridged IP frame to the IP length) is off:
    the bridge alone is compared."""
    name = "kernel"
    ns = "cpkns"

    def __init__(self):
        self.br = "cpk0"
        self.ctl = None
        run("ip netns del %s" % self.ns, check=False)
        run("ip netns add %s" % self.ns)
        for t in ("iptables", "ip6tables", "arptables"):
            run("ip netns exec %s sysctl -qw net.bridge.bridge-nf-call-%s=0"
                % (self.ns, t), check=False)

    def close(self):
        run("ip netns del %s" % self.ns, check=False)

    def dev(self, p):
        return "cpk" + p[1:]

    def far(self, p):
        return "cpk" + p[1:] + "p"

    def cmd(self, c):
        return "ip netns exec %s %s" % (self.ns, c)

    def build(self, setup):
        r = lambda c: run(self.cmd(c))
        opts = " ".join(bropt(k, v) for k, v in setup.bridge_opts
                        if k != "address")
        addr = "".join(" address " + v for k, v in setup.bridge_opts
                       if k == "address")
        r("ip link add %s%s type bridge mcast_snooping 0 %s" % (
            self.br, addr, opts))
        r("sysctl -qw net.ipv6.conf.%s.disable_ipv6=1" % self.br)
        for p, mac, _ in setup.ports:
            d, f = self.dev(p), self.far(p)
            r("ip link add %s type veth peer name %s" % (d, f))
            for x in (d, f):
                r("sysctl -qw net.ipv6.conf.%s.disable_ipv6=1" % x)
            if mac:
                r("ip link set dev %s address %s" % (d, mac))
            r("ip link set dev %s master %s" % (d, self.br))
            r("ip link set dev %s up" % f)
            r("ip link set dev %s up" % d)
        r("ip link set dev %s up" % self.br)

    def capture(self, ifname):
        return Capture(ifname, self.ns)

    def step(self, words):
        ok = True
        for cmd in kernel_words(words, self):
            ok = run(self.cmd(cmd), check=False).returncode == 0 and ok
        return ok

    def fdb(self):
        return run(self.cmd("bridge fdb show br %s" % self.br)).stdout

    def teardown(self, setup):
        for p, _, _ in setup.ports:
            run(self.cmd("ip link del %s" % self.dev(p)), check=False)
        run(self.cmd("ip link del %s" % self.br), check=False)


class Ours:
    name = "vswitchd"

    def __init__(self, bindir, tmp):
        self.br = "cpo0"
        self.bindir = bindir
        self.ctl = os.path.join(bindir, "bridgectl")
        self.tmp = tmp
        self.sock = os.path.join(tmp, "vswitchd.sock")
        os.environ["VSWITCHD_SOCKET"] = self.sock
        self.proc = None

    def dev(self, p):
        return "cpo" + p[1:]

    far = dev

    def start(self):
        log = open(os.path.join(self.tmp, "vswitchd.log"), "a")
        self.proc = subprocess.Popen(
            [os.path.join(self.bindir, "vswitchd"), "--socket", self.sock,
             "--config", os.path.join(self.tmp, "config.json"),
             "--test-mode", "-l", "warn"], stdout=log, stderr=log)
        for _ in range(100):
            if os.path.exists(self.sock) and \
                    run("%s info" % self.ctl, check=False).returncode == 0:
                return
            time.sleep(0.05)
        raise RuntimeError("vswitchd did not start")

    def stop(self):
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait()
            self.proc = None

    def capture(self, ifname):
        return Capture(ifname)

    def close(self):
        pass

    def build(self, setup):
        opts = " ".join(bropt(k, v) for k, v in setup.bridge_opts
                        if k != "address")
        addr = "".join(" address " + v for k, v in setup.bridge_opts
                       if k == "address")
        run("%s link add %s%s type bridge %s" % (self.ctl, self.br, addr,
                                                 opts))
        no_ipv6(self.br)
        for p, mac, _ in setup.ports:
            run("%s port add %s %s type tap%s" % (
                self.ctl, self.br, self.dev(p), " mac " + mac if mac else ""))
            no_ipv6(self.dev(p))
        run("%s link set dev %s up" % (self.ctl, self.br))

    def step(self, words):
        ok = True
        for cmd in ours_words(words, self):
            ok = run(cmd, check=False).returncode == 0 and ok
        return ok

    def fdb(self):
        return run("%s fdb show br %s" % (self.ctl, self.br)).stdout

    def teardown(self, setup):
        # Deleting a bridge leaves its ports' devices (as Linux): the
        # ports go first, with theirs.
        for p, _, _ in setup.ports:
            run("%s port del %s --destroy" % (self.ctl, self.dev(p)),
                check=False)
        run("%s link set dev %s down" % (self.ctl, self.br), check=False)
        run("%s link del %s" % (self.ctl, self.br), check=False)


def fdb_norm(text, side):
    """The user and learned entries of an FDB listing, names as pN."""
    out = set()
    for line in text.splitlines():
        if " self" in line or not line.strip():
            continue    # the device's own address lists, not the bridge's
        line = re.sub(r"\b(cpk|cpo)([1-9])\b", r"p\2", line)
        line = re.sub(r"\b(cpk|cpo)0\b", "br0", line)
        out.add(" ".join(line.split()))
    return out


def kernel_has_vlans():
    """Whether this kernel's bridge knows VLANs (CONFIG_BRIDGE_VLAN_FILTERING)."""
    r = run("ip link add cpkv type bridge vlan_filtering 1", check=False)
    run("ip link del cpkv", check=False)
    return r.returncode == 0


def drop_vlan_twins(entries):
    """Without VLAN support the kernel keeps one entry per address where a
    VLAN-aware bridge (ours, and the kernel with VLANs) also keeps one per
    VLAN of the port (the local entries at VLAN 1, and a user entry added
    without 'vlan' at every VLAN of its port; with filtering off only the
    VLAN-0 one is ever used, so a static entry that roams leaves its twin
    where it was).  Those twins are left out when this kernel has no VLANs;
    an address in a VLAN alone still counts."""
    plain = {e.split()[0] for e in entries if " vlan " not in e}
    return {e for e in entries if " vlan " not in e or e.split()[0] not in plain}


def run_case(case, sides, vlans):
    setup = Setup(os.path.join(CASES, case, "setup"), vlans)
    frames = []
    for p, _, _ in setup.ports:
        for ts, data in read_pcap(os.path.join(CASES, case, "in-%s.pcap" % p)):
            frames.append((ts, p, data))
    frames.sort(key=lambda f: f[0])
    if not setup.skip and any(len(f[2]) < 14 for f in frames):
        setup.skip = "frames shorter than 14 bytes (a netdev refuses to send them)"
    if not setup.skip and any(len(f[2]) > 1514 for f in frames):
        setup.skip = "frames longer than 1514 bytes (the far ends keep MTU 1500)"
    if setup.skip:
        return "skip", setup.skip
    result = {}
    try:
        caps = {}
        for side in sides:
            side.build(setup)
            caps[side.name] = {p: side.capture(side.far(p))
                               for p, _, _ in setup.ports}
            caps[side.name]["br0"] = side.capture(side.br)
        refused = {s.name: [] for s in sides}
        steps = [s for s in setup.steps if s[0] is None]
        timed = sorted([s for s in setup.steps if s[0] is not None],
                       key=lambda s: s[0])
        for _, words, fail in steps:
            for side in sides:
                refused[side.name].append(not side.step(words))
        time.sleep(0.1)
        for s in caps.values():
            for c in s.values():
                c.drain()       # what setting up sent (nothing, normally)
        for ts, p, data in frames:
            while timed and timed[0][0] < ts:
                _, words, fail = timed.pop(0)
                time.sleep(GAP)
                for side in sides:
                    refused[side.name].append(not side.step(words))
            for side in sides:
                caps[side.name][p].send(data)
            time.sleep(GAP)
        for _, words, fail in timed:
            for side in sides:
                refused[side.name].append(not side.step(words))
        time.sleep(SETTLE)
        for side in sides:
            result[side.name] = {
                "ports": {p: c.drain() for p, c in caps[side.name].items()},
                "fdb": fdb_norm(side.fdb(), side),
                "refused": refused[side.name],
            }
        for s in caps.values():
            for c in s.values():
                c.close()
        result["ingress"] = {data: p for _, p, data in frames}
        result["case"] = case
    finally:
        for side in sides:
            side.teardown(setup)
    return "ran", result


def describe(frames):
    return ["%d B %s>%s" % (len(f), f[6:12].hex(":"), f[0:6].hex(":"))
            for f in frames]


def same_per_ingress(a, b, ingress):
    """Whether frame lists a and b hold the same frames, in the same order
    among the frames of each ingress port.  The kernel forwards a frame in
    its sender's system call, so frames sent GAP apart into different
    ports leave in the order sent; a userspace switch serves its ports'
    queues in turn, and one that woke late (a loaded machine) may take
    the second port's frame first.  Frames that entered by one port keep
    their order on both sides."""
    if sorted(a) != sorted(b):
        return False
    for q in set(ingress.get(f) for f in a):
        if ([f for f in a if ingress.get(f) == q] !=
                [f for f in b if ingress.get(f) == q]):
            return False
    return True


def compare(result, vlans):
    k, o = result["kernel"], result["vswitchd"]
    diffs = []
    if not vlans:
        o["fdb"] = drop_vlan_twins(o["fdb"])
    for p in sorted(k["ports"]):
        if k["ports"][p] == o["ports"][p]:
            continue
        if same_per_ingress(k["ports"][p], o["ports"][p], result["ingress"]):
            print("NOTE %s: port %s: the same frames, in another order "
                  "across ingress ports: kernel %s, vswitchd %s" % (
                      result["case"], p, describe(k["ports"][p]),
                      describe(o["ports"][p])))
        else:
            what = "bridge device" if p == "br0" else "port " + p
            diffs.append("%s: kernel %s, vswitchd %s" % (
                what, describe(k["ports"][p]), describe(o["ports"][p])))
    if k["fdb"] != o["fdb"]:
        diffs.append("fdb: only kernel %s; only vswitchd %s" % (
            sorted(k["fdb"] - o["fdb"]), sorted(o["fdb"] - k["fdb"])))
    if k["refused"] != o["refused"]:
        diffs.append("refused steps: kernel %s, vswitchd %s" % (
            k["refused"], o["refused"]))
    return diffs


def main():
    if len(sys.argv) < 2:
        print(__doc__.split("\n\n")[-2], file=sys.stderr)
        return 2
    if os.geteuid() != 0:
        print("compat: NOT RUN: needs root (veths, TAPs, a kernel bridge)",
              file=sys.stderr)
        return 1
    bindir = os.path.abspath(sys.argv[1])
    names = sys.argv[2:] or sorted(
        d for d in os.listdir(CASES)
        if os.path.exists(os.path.join(CASES, d, "setup")))
    tmp = tempfile.mkdtemp(prefix="compat.")
    ours = Ours(bindir, tmp)
    sides = [Kernel(), ours]
    ran = failed = 0
    skipped = []
    vlans = kernel_has_vlans()
    if not vlans:
        print("compat: this kernel's bridge has no VLANs: its FDB has no "
              "per-VLAN twins, so ours are left out of the comparison")
    try:
        ours.start()
        for case in names:
            try:
                status, r = run_case(case, sides, vlans)
            except RuntimeError as e:
                print("FAIL %s: %s" % (case, e))
                failed += 1
                continue
            if status == "skip":
                skipped.append((case, r))
                continue
            ran += 1
            diffs = compare(r, vlans)
            if diffs:
                failed += 1
                print("FAIL %s" % case)
                for d in diffs:
                    print("    " + d)
            else:
                n = sum(len(v) for v in r["kernel"]["ports"].values())
                print("PASS %s (%d frames out, %d FDB entries, both sides)"
                      % (case, n, len(r["kernel"]["fdb"])))
    finally:
        ours.stop()
        for side in sides:
            side.close()
        run("rm -rf %s" % tmp, check=False)
    for case, why in skipped:
        print("SKIP %s: %s" % (case, why))
    print("compat: %d cases compared, %d differ, %d skipped" %
          (ran, failed, len(skipped)))
    least = int(os.environ.get("COMPAT_MIN_CASES", "30"))
    if not sys.argv[2:] and ran < least:
        print("compat: only %d cases ran, at least %d must" % (ran, least))
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
