#!/usr/bin/env python3
"""Replays third-party captures from shared/pcap-corpus through a 4-port
bridge of pcap ports and checks invariants that must hold whatever the
traffic is (the captures are others' files: they are read in place, never
copied into this repository).

For every capture, fed into p1 of a bridge whose other ports p2..p4 record:
  1. nothing leaves p1 (no frame back out of its ingress port);
  2. every frame on p2..p4 is an input frame, and no port sends a frame more
     often than it was received (no duplication);
  3. every valid broadcast frame that fits the MTU leaves each of p2..p4
     exactly as many times as it came in;
  4. with VLAN filtering off, frames leave byte-identical (tags untouched);
  5. the learned FDB is exactly the set of valid source MACs (unicast,
     non-zero, not a PAUSE frame, not over 64 KiB) not yet aged out when
     the replay ends, all on p1;
  6. with VLAN filtering on (p1 trunk for every VID seen, p2 access VLAN 1,
     p3 tagged member of every VID seen, p4 in no VLAN): p2 sends only input
     frames stripped of their outer 802.1Q tag, p3 sends only 802.1Q-tagged frames with a VID
     it is a member of, p4 sends nothing;
  7. vswitchd exits normally (no crash) on every file, malformed ones too.

Usage: corpus-check.py BUILD_DIR [CORPUS_DIR]
The corpus is taken from $VSWITCH_PCAP_CORPUS, else ../shared/pcap-corpus
beside the repository.  When it is absent the test says so loudly and FAILS.
"""
import collections
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
MTU = 1500
FAILS = []


def fail(name, msg):
    FAILS.append(name)
    print(f"FAIL {name}: {msg}")


MAX_FRAME = 65536          # larger frames are dropped at ingress (PKT_DATA_MAX)
AGEING_CS = 4000000000     # the longest ageing time (~463 days)


def timed_frames(build, path):
    out = subprocess.run([f"{build}/tests/pcap/pcap-diff", "--hex", path],
                         check=True, capture_output=True, text=True).stdout
    res = []
    for line in out.splitlines():
        ts, _, hexdata = line.partition(" ")
        res.append((int(ts), bytes.fromhex(hexdata)))
    return res


def frames(build, path):
    return [f for _, f in timed_frames(build, path)]


def expected_learned(timed):
    """Sources the FDB must hold at the end.  The replay clock is the
    running maximum of the timestamps (captures may go back in time); an
    entry last refreshed at clock U is gone at the end if U + ageing <= the
    final clock (all in ms)."""
    clock = 0
    last = {}
    for ts, f in timed:
        clock = max(clock, ts // 1000000)
        if valid_src(f) and not is_pause(f) and len(f) <= MAX_FRAME:
            last[f[6:12].hex(":")] = clock
    return {mac for mac, u in last.items() if u + AGEING_CS * 10 > clock}


def run(build, setup_text, workdir):
    setup = os.path.join(workdir, "setup")
    with open(setup, "w") as f:
        f.write(setup_text)
    p = subprocess.run([f"{build}/bin/vswitchd", "--replay", "--test-mode",
                        "--log-level", "err", "--dump", "--script", setup,
                        "--in-dir", workdir, "--out-dir", workdir],
                       capture_output=True, text=True)
    return p


def outer_tag(f):
    if len(f) >= 18 and f[12:14] in (b"\x81\x00", b"\x88\xa8"):
        return int.from_bytes(f[12:14], "big"), int.from_bytes(f[14:16], "big") & 0xfff
    return None, None


def fits_mtu(f):
    n = len(f)
    if outer_tag(f)[0] is not None:
        n -= 4
    return n <= MTU + 18


def valid_src(f):
    if len(f) < 14:
        return False
    sa = f[6:12]
    return not (sa[0] & 1) and sa != b"\0" * 6


def is_pause(f):
    return f[0:6] == bytes.fromhex("0180c2000001")


def link_local_trapped(f):
    # STP off, group_fwd_mask 0: 00 is data; 01 dropped; 02..0f trapped.
    da = f[0:6]
    return da[:5] == bytes.fromhex("0180c20000") and (da[5] & 0xf0) == 0 and da[5] != 0


PORTS = ("p1", "p2", "p3", "p4")


def base_setup(capture, extra=""):
    lines = [f"bridge add br0 ageing_time {AGEING_CS} {extra}".strip()]
    for i, p in enumerate(PORTS, 1):
        rx = f" rx {capture}" if p == "p1" else ""
        lines.append(f"port add br0 {p} type pcap mac 02:ff:00:00:00:0{i}{rx}")
    return lines


def check_capture(build, path):
    name = os.path.basename(path)
    timed = timed_frames(build, path)
    inp = [f for _, f in timed]
    with tempfile.TemporaryDirectory(prefix="vswitch-corpus.") as wd:
        p = run(build, "\n".join(base_setup(path)) + "\n", wd)
        if p.returncode != 0:
            return fail(name, f"vswitchd exited {p.returncode}: {p.stderr.strip()[:300]}")
        outs = {q: frames(build, os.path.join(wd, f"out-{q}.pcap")) for q in PORTS}
        if outs["p1"]:
            return fail(name, f"{len(outs['p1'])} frames left through the ingress port p1")
        incount = collections.Counter(inp)
        for q in PORTS[1:]:
            oc = collections.Counter(outs[q])
            for f, n in oc.items():
                if n > incount.get(f, 0):
                    return fail(name, f"{q} sent a frame {n} times, received {incount.get(f, 0)} times "
                                      "(altered or duplicated)")
            for f, n in incount.items():
                if (len(f) >= 14 and f[0:6] == b"\xff" * 6 and valid_src(f)
                        and fits_mtu(f) and oc.get(f, 0) != n):
                    return fail(name, f"{q}: broadcast frame from {f[6:12].hex(':')} seen "
                                      f"{oc.get(f, 0)} times, expected {n}")
        learned = set()
        for line in p.stdout.splitlines():
            w = line.split()
            if w and w[0] == "fdb" and w[-1] == "learned":
                if w[5] != "p1":
                    return fail(name, f"{w[1]} learned on {w[5]}, not p1")
                learned.add(w[1])
        expect = expected_learned(timed)
        if learned != expect:
            return fail(name, f"learned {len(learned)} MACs, capture has {len(expect)} valid sources; "
                              f"missing {sorted(expect - learned)[:4]} extra {sorted(learned - expect)[:4]}")

    # VLAN filtering on.
    vids = sorted({outer_tag(f)[1] for f in inp
                   if outer_tag(f)[0] == 0x8100 and 1 <= outer_tag(f)[1] <= 4094})
    with tempfile.TemporaryDirectory(prefix="vswitch-corpus.") as wd:
        lines = base_setup(path, "vlan_filtering 1")
        lines.append("vlan del dev p4 vid 1")
        for v in vids:
            lines.append(f"vlan add dev p1 vid {v}")
            if v != 1:
                lines.append(f"vlan add dev p3 vid {v}")
        lines.append("vlan add dev p3 vid 1")   # tagged, no pvid
        p = run(build, "\n".join(lines) + "\n", wd)
        if p.returncode != 0:
            return fail(name, f"(vlan) vswitchd exited {p.returncode}: {p.stderr.strip()[:300]}")
        outs = {q: frames(build, os.path.join(wd, f"out-{q}.pcap")) for q in PORTS}
        if outs["p1"] or outs["p4"]:
            return fail(name, "(vlan) frames left p1 (ingress) or p4 (no VLANs)")
        # Access port: an input frame with its outer 802.1Q tag removed (an
        # inner tag, now outermost, is payload), or an untagged input.
        popped = {f[:12] + f[16:] for f in inp if outer_tag(f)[0] == 0x8100}
        plain = {f for f in inp if outer_tag(f)[0] != 0x8100}
        for f in outs["p2"]:
            if f not in popped and f not in plain:
                return fail(name, "(vlan) access port p2 sent a frame that is not an input "
                                  "frame minus its outer 802.1Q tag")
        allowed = set(vids) | {1}
        for f in outs["p3"]:
            tpid, vid = outer_tag(f)
            if tpid != 0x8100 or vid not in allowed:
                return fail(name, f"(vlan) trunk p3 sent a frame with tag {tpid} vid {vid}")
    print(f"PASS {name} ({len(inp)} frames, {len(expect)} sources, VIDs {vids[:6]})")


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: corpus-check.py BUILD_DIR [CORPUS_DIR]")
    build = sys.argv[1]
    corpus = (sys.argv[2] if len(sys.argv) > 2 else
              os.environ.get("VSWITCH_PCAP_CORPUS",
                             os.path.join(os.path.dirname(REPO), "shared", "pcap-corpus")))
    if not os.path.isdir(corpus):
        print("!" * 72)
        print(f"!!! corpus-check: the pcap corpus is ABSENT ({corpus}).")
        print("!!! The corpus replay test DID NOT RUN; this counts as a failure.")
        print("!!! Set VSWITCH_PCAP_CORPUS to the folder of shared/pcap-corpus.")
        print("!" * 72)
        print("corpus replay: 0 passed, 1 failed")
        sys.exit(1)
    files = sorted(f for f in os.listdir(corpus) if f.endswith((".pcap", ".pcapng")))
    for f in files:
        check_capture(build, os.path.join(corpus, f))
    print(f"corpus replay: {len(files) - len(FAILS)} passed, {len(FAILS)} failed")
    sys.exit(1 if FAILS else 0)


if __name__ == "__main__":
    main()
