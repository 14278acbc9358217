#!/usr/bin/env python3
"""Generate the pcap-replay test cases of the switch core.

Every case is a folder tests/pcap/<case>/ holding

    setup               commands for the replay runner (see tests/pcap/README.md)
    in-<port>.pcap      frames received on <port> (only ports that receive)
    expected-<port>.pcap
                        frames <port> must emit, in order (a missing file means
                        the port must emit nothing)

The expected frames are derived by hand from the rules in the Linux bridge
reference (linux-bridge.md, sections 1-5 and the catalogue in section 7),
never by running the switch.  Each case below states the rule it checks, and
every frame states where it must come out.

Usage:
    python3 tests/pcap/gen-cases.py            (re)write every case folder
    python3 tests/pcap/gen-cases.py --check    validate the folders: each has a
                                               setup, every pcap parses, and
                                               the files on disk are exactly
                                               what this script generates

Output is deterministic: running the script twice gives byte-identical files.
Standard library only.
"""

import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------------------
# Addresses used by all cases.

PORTS = ["p1", "p2", "p3", "p4"]


def mac(s):
    """'02:00:00:00:00:0a' -> 6 bytes."""
    b = bytes(int(x, 16) for x in s.split(":"))
    assert len(b) == 6, s
    return b


# Port MACs: local FDB entries at VID 0 and VID 1; the bridge MAC is the
# lowest of them (p1's).
PMAC = {p: mac("02:00:00:00:01:%02x" % (i + 1)) for i, p in enumerate(PORTS)}
BRMAC = PMAC["p1"]

A = mac("02:00:00:00:00:0a")
B = mac("02:00:00:00:00:0b")
C = mac("02:00:00:00:00:0c")
D = mac("02:00:00:00:00:0d")
E = mac("02:00:00:00:00:0e")
BCAST = mac("ff:ff:ff:ff:ff:ff")
ZERO = mac("00:00:00:00:00:00")


def ll(x):
    """Link-local group address 01:80:c2:00:00:<x>."""
    return bytes([0x01, 0x80, 0xC2, 0x00, 0x00, x])


MC_V4 = mac("01:00:5e:7f:00:01")       # IPv4 multicast 239.255.0.1
MC_MDNS = mac("01:00:5e:00:00:fb")     # 224.0.0.251
MC_IGMP = mac("01:00:5e:00:00:16")     # 224.0.0.22 (IGMPv3 reports)
MC_V6 = mac("33:33:00:00:00:01")       # IPv6 all-nodes
MC_CDP = mac("01:00:0c:cc:cc:cc")      # non-IP multicast (Cisco CDP)

NAMES = {A: "A", B: "B", C: "C", D: "D", E: "E", BCAST: "ff:ff:ff:ff:ff:ff"}
for _p, _m in PMAC.items():
    NAMES[_m] = "MAC(%s)" % _p


def mac_str(m):
    return ":".join("%02x" % x for x in m)


def mac_name(m):
    return NAMES.get(m, mac_str(m))


# ---------------------------------------------------------------------------
# Frame builders.  Every frame is plain bytes; sizes are exact wire lengths
# without FCS.  The bridge never pads, so what goes in is what comes out
# (apart from VLAN tag edits).

ETH_EXP = 0x88B5            # IEEE local experimental EtherType
TPID_Q = 0x8100
TPID_AD = 0x88A8


def fill(payload, n):
    """'payload' extended to n bytes with a counting pattern (so truncation
    or corruption of the tail is visible in a diff)."""
    assert len(payload) <= n, (len(payload), n)
    return payload + bytes((i * 7 + 1) & 0xFF for i in range(n - len(payload)))


def eth(dst, src, etype=ETH_EXP, payload=b"", size=60):
    """Ethernet II frame of exactly 'size' bytes (size=None: no filling)."""
    f = dst + src + struct.pack("!H", etype) + payload
    return f if size is None else fill(f, size)


def vlan(frame, vid, pcp=0, dei=0, tpid=TPID_Q):
    """'frame' with a tag pushed right after the MAC addresses (+4 bytes)."""
    tci = (pcp << 13) | (dei << 12) | vid
    return frame[:12] + struct.pack("!HH", tpid, tci) + frame[12:]


def untag(frame):
    """'frame' with its outer tag removed (-4 bytes)."""
    return frame[:12] + frame[16:]


def ip4(a, b, c, d):
    return bytes([a, b, c, d])


def arp(op, sha, spa, tha, tpa, dst=None):
    """42-byte ARP frame (op 1 request to broadcast, 2 reply)."""
    body = struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + sha + spa + tha + tpa
    if dst is None:
        dst = BCAST if op == 1 else tha
    return eth(dst, sha, 0x0806, body, size=None)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4(dst_mac, src_mac, sip, dip, proto, l4, ttl=1):
    """IPv4 packet in a frame, padded to the 60-byte minimum if shorter."""
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0x1234, 0, ttl,
                      proto, 0, sip, dip)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return eth(dst_mac, src_mac, 0x0800, hdr + l4, size=max(60, 34 + len(l4)))


def udp4(dst_mac, src_mac, sip, dip, data, sport=5000, dport=5000):
    l4 = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    return ipv4(dst_mac, src_mac, sip, dip, 17, l4)


def igmpv3_report(src_mac, sip, group):
    rec = struct.pack("!BBH4s", 2, 0, 0, group)  # MODE_IS_EXCLUDE, no sources
    body = struct.pack("!BBHHH", 0x22, 0, 0, 0, 1) + rec
    body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
    return ipv4(MC_IGMP, src_mac, sip, ip4(224, 0, 0, 22), 2, body)


def ipv6_mcast(src_mac, label):
    """IPv6 UDP to ff02::1 from the link-local address of 'src_mac' (UDP
    checksum left 0: the bridge never looks at it)."""
    l4 = struct.pack("!HHHH", 5000, 5000, 8 + len(label), 0) + label
    hdr = struct.pack("!IHBB", 0x60000000, len(l4), 17, 1)
    iid = bytes([src_mac[0] ^ 0x02]) + src_mac[1:3] + b"\xff\xfe" + src_mac[3:]
    sip = bytes([0xFE, 0x80] + [0] * 6) + iid
    dip = bytes([0xFF, 0x02] + [0] * 13 + [1])
    return eth(MC_V6, src_mac, 0x86DD, hdr + sip + dip + l4, size=None)


def stp_config_bpdu(src, dst=None):
    """802.3 + LLC frame carrying an STP configuration BPDU, padded to 60."""
    bid = struct.pack("!H", 0x8000) + src
    bpdu = struct.pack("!HBBB", 0, 0, 0, 0) + bid + struct.pack("!I", 0) + bid
    bpdu += struct.pack("!HHHHH", 0x8001, 0, 20 * 256, 2 * 256, 15 * 256)
    llc = b"\x42\x42\x03" + bpdu
    return fill((dst or ll(0x00)) + src + struct.pack("!H", len(llc)) + llc, 60)


def pause(src, etype=0x8808, dst=None):
    """MAC control PAUSE (opcode 1, quanta 0xffff)."""
    return eth(dst or ll(0x01), src, etype, struct.pack("!HH", 1, 0xFFFF))


def lacpdu(src):
    """Start of a LACPDU (slow protocols subtype 1, version 1)."""
    return eth(ll(0x02), src, 0x8809, b"\x01\x01\x01\x14\x80\x00" + src)


def eapol_start(src):
    return eth(ll(0x03), src, 0x888E, b"\x01\x01\x00\x00")


def lldpdu(src, dst=None):
    """LLDPDU: chassis id (MAC), port id (MAC), TTL 120, end."""
    tlv = struct.pack("!HB", (1 << 9) | 7, 4) + src
    tlv += struct.pack("!HB", (2 << 9) | 7, 3) + src
    tlv += struct.pack("!HH", (3 << 9) | 2, 120) + b"\0\0"
    return eth(dst or ll(0x0E), src, 0x88CC, tlv)


# STP (linux-bridge.md §4.3): 802.3 length frames with LLC 42 42 03.  The
# kernel sends config BPDUs as exactly 52 bytes and TCNs as 21 (no padding on
# TAP/veth); time fields are big-endian in 1/256 s.
STP_LLC = b"\x42\x42\x03"
STP_TC = 0x01                 # flags bit 0: topology change
STP_TCA = 0x80                # flags bit 7: topology change acknowledgment
SEC = 256                     # one second in BPDU time units


def bridge_id(prio, m):
    """8-byte bridge identifier: 16-bit priority, then the MAC."""
    return struct.pack("!H", prio) + m


def bid_str(b):
    return "%04x.%s" % (struct.unpack("!H", b[:2])[0], b[2:].hex())


def bpdu_config(src, root, cost, bridge, port_id, age=0, flags=0,
                max_age=20 * SEC, hello=2 * SEC, fwd=15 * SEC, pad_to=None):
    """Config BPDU (52 bytes, or zero-padded to 'pad_to' like a hardware
    switch would send it; the 802.3 length stays 38)."""
    body = struct.pack("!HBBB", 0, 0, 0, flags) + root + struct.pack("!I", cost)
    body += bridge + struct.pack("!HHHHH", port_id, age, max_age, hello, fwd)
    llc = STP_LLC + body
    f = ll(0x00) + src + struct.pack("!H", len(llc)) + llc
    return f if pad_to is None else f + bytes(pad_to - len(f))


def bpdu_tcn(src):
    """Topology change notification BPDU, 21 bytes."""
    llc = STP_LLC + b"\x00\x00\x00\x80"
    return ll(0x00) + src + struct.pack("!H", len(llc)) + llc


def bpdu_str(f):
    """Decoded BPDU fields (without the SA and port id), or None."""
    if f[0:6] != ll(0x00) or f[14:17] != STP_LLC or len(f) < 21:
        return None
    if f[17:21] == b"\x00\x00\x00\x80":
        return "TCN BPDU"
    if len(f) < 52 or f[17:21] != bytes(4):
        return None
    flags = f[21]
    (cost,) = struct.unpack("!I", f[30:34])
    age, max_age, hello, fwd = struct.unpack("!HHHH", f[44:52])
    fl = "+".join(n for b, n in ((STP_TC, "TC"), (STP_TCA, "TCA")) if flags & b)
    s = "config BPDU root %s cost %d bridge %s age %d/256" % (
        bid_str(f[22:30]), cost, bid_str(f[34:42]), age)
    if (max_age, hello, fwd) != (20 * SEC, 2 * SEC, 15 * SEC):
        s += " timers %d/%d/%d" % (max_age, hello, fwd)
    return s + (" flags " + fl if fl else "")


# ---------------------------------------------------------------------------
# Case declaration.

def describe(f, stp=False):
    """Short human description of a frame for setup-file comments ('stp':
    decode BPDUs too)."""
    if len(f) < 14:
        return "%d-byte runt" % len(f)
    if stp and bpdu_str(f):
        (port_id,) = struct.unpack("!H", f[42:44]) if len(f) >= 52 else (None,)
        return "%s: %s%s, %d B" % (mac_name(f[6:12]), bpdu_str(f),
                                   " port %04x" % port_id if port_id is not None else "",
                                   len(f))
    s = "%s -> %s" % (mac_name(f[6:12]), mac_name(f[0:6]))
    tags = []
    off = 12
    while off + 4 <= len(f):
        (t,) = struct.unpack("!H", f[off:off + 2])
        if t not in (TPID_Q, TPID_AD):
            break
        (tci,) = struct.unpack("!H", f[off + 2:off + 4])
        tags.append("%s vid %d pcp %d%s" % ("802.1Q" if t == TPID_Q else "802.1ad",
                                           tci & 0xFFF, tci >> 13,
                                           " dei" if tci & 0x1000 else ""))
        off += 4
    if tags:
        s += " [" + " / ".join(tags) + "]"
    return s + ", %d B" % len(f)


class Case:
    def __init__(self, name, cat, rule, title):
        self.name = name
        self.cat = cat            # catalogue entry, e.g. "T1" or "extra"
        self.rule = rule          # reference section(s) checked
        self.title = title        # one line, for the README table
        self.base = []            # setup lines before any 'at'
        self.ats = []             # (t, command)
        self.events = []          # (t, port, frame, {port: frame}, note)
        self.txs = []             # (t, {port: frame}, note): frames the bridge
                                  # sends on its own (STP timers, replies)
        self.end_t = None         # 'end SECONDS' (replay clock runs until then)
        self.stp = False          # decode BPDUs in the comments
        self.last_t = 0.0

    def cmd(self, *lines):
        self.base.extend(lines)
        return self

    def std(self, bridge_opts="", port_opts=None):
        """Standard bridge br0 with ports p1..p4 (explicit MACs)."""
        self.cmd(("bridge add br0 " + bridge_opts).strip())
        for p in PORTS:
            extra = (port_opts or {}).get(p, "")
            self.cmd(("port add br0 %s type pcap mac %s %s"
                      % (p, mac_str(PMAC[p]), extra)).strip())
        return self

    def at(self, t, command):
        assert t > self.last_t or not self.events, "'at' must be declared in time order"
        self.ats.append((t, command))
        return self

    def rx(self, port, frame, to=(), out=None, t=None, note=""):
        """Frame 'frame' arrives on 'port' at time t (default: previous + 1 s).
        'to': ports that must emit it unchanged; 'out': {port: bytes} for
        ports that emit an edited copy (VLAN tag pushed/popped)."""
        if t is None:
            t = float(int(self.last_t) + 1)
        assert t > self.last_t, "%s: frames must have increasing times" % self.name
        for at_t, _ in self.ats:
            assert at_t != t, "%s: 'at' at the same time as a frame" % self.name
        self.last_t = t
        outs = {p: frame for p in to}
        for p, f in (out or {}).items():
            assert p not in outs
            outs[p] = f
        assert port in PORTS and all(p in PORTS for p in outs)
        self.events.append((t, port, frame, outs, note))
        return self

    def tx(self, t, frames, note=""):
        """The bridge itself sends frames[port] on each port at time t (BPDUs
        from its timers, or caused by a received BPDU): not a copy of a
        received frame.  Declared in any order."""
        assert all(p in PORTS for p in frames) and frames
        self.txs.append((t, dict(frames), note))
        return self

    def end(self, t):
        """Keep the replay clock running until t (timers play out)."""
        self.end_t = t
        return self

    # -- output -----------------------------------------------------------

    def setup_text(self):
        lines = ["# %s -- generated by tests/pcap/gen-cases.py, do not edit" % self.name,
                 "# %s: %s" % (self.cat, self.title),
                 "# Reference: linux-bridge.md %s" % self.rule,
                 "#",
                 "# Hosts: A=%s B=..:0b C=..:0c D=..:0d E=..:0e; port pN has MAC "
                 "02:00:00:00:01:0N" % mac_str(A),
                 "# Frames (time, ingress: description => ports that must emit it):"]
        if self.txs:
            lines[-1:] = ["# Frames (time, ingress: description => ports that must emit it;",
                          "#         'br0 sends': frames the bridge emits on its own):"]
        evs = sorted([(t, 0, cmd_) for t, cmd_ in self.ats] +
                     [(ev[0], 1, ev) for ev in self.events] +
                     [(tx[0], 2, tx) for tx in self.txs], key=lambda x: (x[0], x[1]))
        for t, kind, x in evs:
            if kind == 0:
                lines.append("#   t=%-7.3f (at) %s" % (t, x))
                continue
            if kind == 2:
                lines.extend(self.tx_lines(t, x[1], x[2]))
                continue
            _, port, frame, outs, note = x
            dest = " ".join(p + ("" if outs[p] == frame else "(%s)" % edit(frame, outs[p]))
                            for p in PORTS if p in outs) or "nothing"
            lines.append("#   t=%-7.3f %s: %s => %s" % (t, port, describe(frame, self.stp),
                                                    dest))
            if note:
                lines.append("#            %s" % note)
        lines.append("")
        lines.extend(self.base)
        for t, c in self.ats:
            lines.append("at %s %s" % (fmt_t(t), c))
        if self.end_t is not None:
            lines.append("end %s" % fmt_t(self.end_t))
        return "\n".join(lines) + "\n"

    @staticmethod
    def tx_lines(t, frames, note):
        """Comment lines for frames the bridge sends itself: one line per
        distinct content, ignoring the per-port SA and port id."""
        groups = []
        for p in PORTS:
            if p in frames:
                d = bpdu_str(frames[p]) or describe(frames[p])
                for g in groups:
                    if g[0] == d:
                        g[1].append(p)
                        break
                else:
                    groups.append((d, [p]))
        out = ["#   t=%-7.3f br0 sends on %s: %s" % (t, " ".join(ps), d) for d, ps in groups]
        if note:
            out.append("#            %s" % note)
        return out

    def files(self):
        """{filename: bytes} of the case folder."""
        out = {"setup": self.setup_text().encode()}
        for p in PORTS:
            ins = [(t, f) for t, port, f, _, _ in self.events if port == p]
            if ins:
                out["in-%s.pcap" % p] = pcap_bytes(ins)
            exp = [(t, outs[p]) for t, _, _, outs, _ in self.events if p in outs]
            exp += [(t, fr[p]) for t, fr, _ in self.txs if p in fr]
            exp.sort(key=lambda x: x[0])
            ts = [t for t, _ in exp]
            assert len(ts) == len(set(ts)), \
                "%s: %s emits two frames at one time: order ambiguous" % (self.name, p)
            if exp:
                out["expected-%s.pcap" % p] = pcap_bytes(exp)
        return out


def edit(fin, fout):
    """How the emitted copy differs from the received frame."""
    if len(fout) == len(fin) - 4:
        return "untagged"
    (tpid, tci) = struct.unpack("!HH", fout[12:16])
    return "tag %s vid %d pcp %d" % ("8100" if tpid == TPID_Q else "88a8",
                                      tci & 0xFFF, tci >> 13)


def fmt_t(t):
    s = "%.3f" % t
    return s.rstrip("0").rstrip(".") if "." in s else s


# ---------------------------------------------------------------------------
# pcap files: classic format, little endian, microseconds, EN10MB.

PCAP_MAGIC = 0xA1B2C3D4
SNAPLEN = 262144


def pcap_bytes(frames):
    out = [struct.pack("<IHHiIII", PCAP_MAGIC, 2, 4, 0, 0, SNAPLEN, 1)]
    for t, f in frames:
        us = int(round(t * 1000000))
        out.append(struct.pack("<IIII", us // 1000000, us % 1000000, len(f), len(f)))
        out.append(f)
    return b"".join(out)


def pcap_parse(data):
    """Returns [(ts_us, frame)] or raises ValueError."""
    if len(data) < 24:
        raise ValueError("short global header")
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        e = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        e = ">"
    else:
        raise ValueError("bad magic %#x" % magic)
    _, vmaj, vmin, _, _, snap, link = struct.unpack(e + "IHHiIII", data[:24])
    if (vmaj, vmin) != (2, 4):
        raise ValueError("version %d.%d" % (vmaj, vmin))
    if link != 1:
        raise ValueError("linktype %d, want 1 (EN10MB)" % link)
    off, recs = 24, []
    while off < len(data):
        if off + 16 > len(data):
            raise ValueError("truncated record header at %d" % off)
        sec, frac, incl, orig = struct.unpack(e + "IIII", data[off:off + 16])
        off += 16
        if incl > snap or incl != orig or off + incl > len(data):
            raise ValueError("bad record at %d (incl %d orig %d)" % (off - 16, incl, orig))
        recs.append((sec * 1000000 + frac, data[off:off + incl]))
        off += incl
    return recs


# ---------------------------------------------------------------------------
# The cases.

CASES = []


def case(name, cat, rule, title):
    c = Case(name, cat, rule, title)
    CASES.append(c)
    return c


def lbl(c, n):
    """Payload that names the case and frame, so mismatches are readable."""
    return ("%s #%d" % (c.name, n)).encode()


def data(c, n, dst, src, size=60, etype=ETH_EXP):
    return eth(dst, src, etype, lbl(c, n), size)


OTHERS = {p: [q for q in PORTS if q != p] for p in PORTS}


def vlan_t15(c, bridge_opts=""):
    """T15/T16 topology: p1 VID 10 pvid untagged, p2 VID 10 tagged,
    p3 VID 20 pvid untagged (VID 1 removed from p1..p3), p4 default VID 1."""
    c.std(("vlan_filtering 1 " + bridge_opts).strip())
    c.cmd("vlan del dev p1 vid 1", "vlan add dev p1 vid 10 pvid untagged",
          "vlan del dev p2 vid 1", "vlan add dev p2 vid 10",
          "vlan del dev p3 vid 1", "vlan add dev p3 vid 20 pvid untagged")


# --- STP cases (linux-bridge.md §4) ------------------------------------------
#
# Common to every STP case: br0 with p1..p4 (port numbers 1..4, so port ids
# 0x8001..0x8004 at the default port priority 32), path cost pinned to 10 on
# every port, default timers (hello 2 s, max age 20 s, forward delay 15 s),
# bridge priority 32768: our bridge id is 8000.020000000101 (p1's MAC, the
# lowest).  Our config BPDUs are 52 bytes with SA = the sending port's MAC.
#
# Timer rules used for the expectations (§4.2, §4.4, kernel br_stp_timer.c):
#   - hello timer: armed to now + hello_time when STP is switched on; each
#     expiry sends config BPDUs on every enabled designated port and re-arms
#     to round_jiffies(now + hello_time).  round_jiffies rounds to a whole
#     second of the clock: down if less than 1/4 s past it, else up.  Only
#     the root runs it; it stops when the bridge stops being root.
#   - hold timer: after a config BPDU on a port, armed to round_jiffies(now +
#     1 s); a config BPDU due on the port meanwhile sets config_pending and
#     leaves when the hold timer expires.
#   - TCN timer: now + bridge_hello_time, not rounded.
#   - forward-delay and topology-change timers: exact.
# Times in the cases avoid ties between timers and received frames, and a
# port never emits two frames at the same instant, so the order of every
# port's output is unambiguous (the runner compares order, not time).

STP_COST = 10
BR_ID = bridge_id(0x8000, BRMAC)                       # 8000.020000000101
PORT_ID = {p: 0x8000 | (i + 1) for i, p in enumerate(PORTS)}

# A superior root (bridge 1000.020000001000, sending on its port 0x8001), a
# bridge below it that is better than us (7000.020000002000, port 0x8005)
# and an inferior one (9000.020000003000).
ROOT_SA = mac("02:00:00:00:10:01")
ROOT_BR = bridge_id(0x1000, mac("02:00:00:00:10:00"))
LOWER_SA = mac("02:00:00:00:20:05")
LOWER_BR = bridge_id(0x7000, mac("02:00:00:00:20:00"))
INFERIOR_SA = mac("02:00:00:00:30:01")
INFERIOR_BR = bridge_id(0x9000, mac("02:00:00:00:30:00"))
NAMES[ROOT_SA] = "R(root 1000.020000001000)"
NAMES[LOWER_SA] = "Y(7000.020000002000)"
NAMES[INFERIOR_SA] = "I(9000.020000003000)"


def own_bpdu(p, root=BR_ID, cost=0, age=0, flags=0):
    """The config BPDU br0 sends on port p."""
    return bpdu_config(PMAC[p], root, cost, BR_ID, PORT_ID[p], age, flags)


def root_bpdu(flags=0):
    """The superior root's config BPDU (message age 0, default timers)."""
    return bpdu_config(ROOT_SA, ROOT_BR, 0, ROOT_BR, 0x8001, 0, flags)


def relay(p, flags=0):
    """br0 relaying the superior root's BPDU on p at the instant it arrived
    on the root port p1: root path cost = 0 + p1's cost, message age = 0 +
    MESSAGE_AGE_INCR (HZ/256 + 1 jiffies = 4 ms at HZ 1000) -> 1/256 s."""
    return own_bpdu(p, root=ROOT_BR, cost=STP_COST, age=1, flags=flags)


def hello(c, t, ports=PORTS, flags=0, note=""):
    c.tx(t, {p: own_bpdu(p, flags=flags) for p in ports}, note)


def stp_bridge(c):
    """br0 with p1..p4 added while STP is off (so they forward at once),
    costs pinned; the caller switches STP on."""
    c.stp = True
    c.std()
    c.cmd(*["link set dev %s cost %d" % (p, STP_COST) for p in PORTS])



def build():
    del CASES[:]

    # --- T1 -----------------------------------------------------------------
    c = case("t01-learn-unicast", "T1", "§1 steps 6,10; §2.1; §3.1",
             "unknown unicast floods; learned SA makes the reply and the next frame unicast")
    c.std()
    c.rx("p1", data(c, 1, B, A), to=["p2", "p3", "p4"], note="B unknown: flood; learn A@p1")
    c.rx("p2", arp(2, B, ip4(10, 0, 0, 2), A, ip4(10, 0, 0, 1)), to=["p1"],
         note="42-byte ARP reply to A: known, p1 only, not padded; learn B@p2")
    c.rx("p1", data(c, 3, B, A), to=["p2"], note="B now known")

    # --- T2 -----------------------------------------------------------------
    c = case("t02-broadcast", "T2", "§1 step 10; §3.1",
             "broadcast floods to every port but the ingress one; short frames stay short")
    c.std()
    c.rx("p1", data(c, 1, BCAST, A), to=["p2", "p3", "p4"])
    c.rx("p1", arp(1, A, ip4(10, 0, 0, 1), ZERO, ip4(10, 0, 0, 2)), to=["p2", "p3", "p4"],
         note="42-byte ARP request, forwarded unpadded")
    c.rx("p4", data(c, 3, BCAST, D), to=["p1", "p2", "p3"])

    # --- T3 -----------------------------------------------------------------
    c = case("t03-same-port-drop", "T3", "§1 step 11; §3.1",
             "unicast whose FDB entry is the ingress port is dropped, not flooded")
    c.std()
    c.rx("p1", data(c, 1, BCAST, B), to=["p2", "p3", "p4"], note="learn B@p1")
    c.rx("p1", data(c, 2, B, A), to=[], note="B is on p1 itself: dropped")
    c.rx("p1", arp(2, A, ip4(10, 0, 0, 1), B, ip4(10, 0, 0, 2)), to=[])
    c.rx("p3", data(c, 4, B, C), to=["p1"], note="from elsewhere B is reachable")

    c = case("t03-hairpin", "T3", "§1 step 11; §3.1; §3.2 hairpin",
             "hairpin on p1: same-port unicast, unknown unicast and broadcast also go back out p1")
    c.std()
    c.cmd("link set dev p1 hairpin on")
    c.rx("p1", data(c, 1, BCAST, B), to=["p1", "p2", "p3", "p4"],
         note="hairpin broadcast: all four ports; learn B@p1")
    c.rx("p1", data(c, 2, B, A), to=["p1"], note="B@p1 known: back out p1 only")
    c.rx("p1", data(c, 3, E, A), to=["p1", "p2", "p3", "p4"], note="unknown unicast")
    c.rx("p2", data(c, 4, B, C), to=["p1"])
    c.rx("p2", data(c, 5, BCAST, C), to=["p1", "p3", "p4"],
         note="p2 has no hairpin: not back to p2")
    c.rx("p3", data(c, 6, C, D), to=["p2"], note="C@p2 (learned from frame 4)")

    # --- T4 -----------------------------------------------------------------
    c = case("t04-bad-source", "T4", "§1 step 1; §2.1",
             "multicast / broadcast / zero source MAC: dropped, not learned")
    c.std()
    c.rx("p2", data(c, 1, BCAST, B), to=["p1", "p3", "p4"], note="learn B@p2")
    c.rx("p1", data(c, 2, B, mac("01:00:5e:00:00:01")), to=[])
    c.rx("p1", data(c, 3, B, BCAST), to=[])
    c.rx("p1", data(c, 4, B, ZERO), to=[])
    c.rx("p1", data(c, 5, BCAST, mac("03:00:00:00:00:0a")), to=[],
         note="I/G bit set in SA: dropped even to broadcast")
    c.rx("p2", data(c, 6, ZERO, B), to=["p1", "p3", "p4"],
         note="00:00:00:00:00:00 was not learned: flood")

    # --- T5 -----------------------------------------------------------------
    c = case("t05-mac-move", "T5", "§2.1 (entry moves to the new port)",
             "a learned MAC seen on another port moves there")
    c.std()
    c.rx("p1", data(c, 1, B, A), to=["p2", "p3", "p4"], note="learn A@p1")
    c.rx("p2", data(c, 2, C, A), to=["p1", "p3", "p4"], note="A moves to p2")
    c.rx("p3", data(c, 3, A, C), to=["p2"])

    # --- T6 -----------------------------------------------------------------
    c = case("t06-static-moves", "T6", "§2.1 (static roams, never ages); §2.2",
             "user static entry moves on learning and stays static (does not age)")
    c.std("ageing_time 500")
    c.cmd("fdb add %s dev p1 static" % mac_str(A))
    c.rx("p3", data(c, 1, A, C), to=["p1"], note="static A@p1; learn C@p3")
    c.rx("p2", data(c, 2, C, A), to=["p3"], note="A (static) moves to p2")
    c.rx("p3", data(c, 3, A, C), to=["p2"])
    c.rx("p4", data(c, 4, A, D), to=["p2"], t=20.0,
         note="17 s later (ageing 5 s): still static on p2")

    c = case("t06-static-sticky", "T6", "§2.1 (sticky never roams)",
             "static sticky entry stays on p1 although A transmits on p2")
    c.std()
    c.cmd("fdb add %s dev p1 static sticky" % mac_str(A))
    c.rx("p3", data(c, 1, A, C), to=["p1"], note="learn C@p3")
    c.rx("p2", data(c, 2, C, A), to=["p3"], note="A seen on p2: frame forwarded, entry stays")
    c.rx("p3", data(c, 3, A, C), to=["p1"])
    c.rx("p4", data(c, 4, A, D), to=["p1"])

    # --- T7 -----------------------------------------------------------------
    c = case("t07a-user-local-entry", "T7(a)", "§2.1 (local/permanent: host only, never moves)",
             "fdb add with no state word / local / permanent: frames to it go to the host only")
    c.std()
    c.cmd("fdb add %s dev p1" % mac_str(A),
          "fdb add %s dev p3 local" % mac_str(E),
          "fdb add %s dev p4 permanent" % mac_str(D))
    c.rx("p2", data(c, 1, A, C), to=[], note="A is local: host only")
    c.rx("p2", data(c, 2, E, C), to=[])
    c.rx("p2", data(c, 3, D, C), to=[])
    c.rx("p3", data(c, 4, BCAST, A), to=["p1", "p2", "p4"],
         note="SA equals a local entry: not learned, still forwarded")
    c.rx("p2", data(c, 5, A, C), to=[], note="local entry did not move")
    c.rx("p1", data(c, 6, C, B), to=["p2"], note="C was learned normally")

    c = case("t07b-port-mac", "T7(b)", "§2.1 (port MACs are local entries)",
             "frames to a port MAC (or the bridge MAC = p1 MAC) are host-only; SA still learned")
    c.std()
    c.rx("p1", data(c, 1, PMAC["p2"], A), to=[])
    c.rx("p3", data(c, 2, A, C), to=["p1"], note="A was learned from frame 1")
    c.rx("p4", data(c, 3, BRMAC, D), to=[], note="bridge MAC (p1's MAC)")
    c.rx("p2", arp(2, B, ip4(10, 0, 0, 2), PMAC["p4"], ip4(10, 0, 0, 9)), to=[])
    c.rx("p4", data(c, 5, PMAC["p4"], D), to=[], note="own port MAC")

    # --- T8 -----------------------------------------------------------------
    c = case("t08-linklocal", "T8", "§3.4 (STP off, masks 0); §2.1 (trapped frames learned)",
             "01:80:c2:00:00:0X: 00 floods (STP off), 01 dropped, 02/03/0E trapped, 10 floods")
    c.std()
    c.rx("p1", stp_config_bpdu(A), to=["p2", "p3", "p4"], note="STP off: BPDU is data")
    c.rx("p1", pause(A), to=[], note="PAUSE: always dropped")
    c.rx("p1", lacpdu(A), to=[], note="LACP: trapped")
    c.rx("p1", eapol_start(A), to=[], note="802.1X: trapped")
    c.rx("p1", lldpdu(A), to=[], note="LLDP: trapped")
    c.rx("p1", data(c, 6, ll(0x10), A), to=["p2", "p3", "p4"], note="not link-local")
    c.rx("p1", lldpdu(D), to=[], note="trapped, but D is learned @p1")
    c.rx("p1", pause(C), to=[], note="dropped before learning: C not learned")
    c.rx("p2", data(c, 9, D, B), to=["p1"], note="D learned from the trapped LLDP")
    c.rx("p2", data(c, 10, C, B), to=["p1", "p3", "p4"], note="C unknown: flood")

    c = case("t08-group-fwd-mask", "T8", "§3.4 (bridge group_fwd_mask, bits 0-2 rejected)",
             "bridge group_fwd_mask 0x4008 forwards 802.1X and LLDP; masks with bits 0-2 are rejected")
    c.std()
    c.cmd("expect-fail bridge set br0 group_fwd_mask 0x4",
          "expect-fail bridge set br0 group_fwd_mask 0x1",
          "expect-fail bridge set br0 group_fwd_mask 0x2",
          "expect-fail bridge set br0 group_fwd_mask 0x400c")
    c.rx("p1", eapol_start(A), to=[], note="rejected 0x400c left the mask at 0: trapped")
    c.rx("p1", lldpdu(A), to=[])
    c.at(3, "bridge set br0 group_fwd_mask 0x4008")
    c.rx("p1", eapol_start(A), to=["p2", "p3", "p4"], t=4.0, note="bit 3")
    c.rx("p1", lldpdu(A), to=["p2", "p3", "p4"], note="bit 14")
    c.rx("p1", lacpdu(A), to=[], note="bit 2 not set (and cannot be)")
    c.rx("p1", pause(A), to=[])
    c.rx("p1", data(c, 8, ll(0x0D), A), to=[], note="bit 13 not set")
    c.rx("p1", stp_config_bpdu(A), to=["p2", "p3", "p4"])
    c.rx("p1", data(c, 10, ll(0x10), A), to=["p2", "p3", "p4"])

    c = case("t08-port-group-fwd-mask", "extra (T8)",
             "§3.4 (per-port mask ORed with bridge mask; per-port rejects only bit 1)",
             "per-port group_fwd_mask 0x5 on p1 forwards LACP from p1 only")
    c.std()
    c.cmd("link set dev p1 group_fwd_mask 0x5",
          "expect-fail link set dev p1 group_fwd_mask 0x2",
          "bridge set br0 group_fwd_mask 0x8")
    c.rx("p1", lacpdu(A), to=["p2", "p3", "p4"], note="p1 mask bit 2")
    c.rx("p1", eapol_start(A), to=["p2", "p3", "p4"], note="bridge mask bit 3")
    c.rx("p1", lldpdu(A), to=[], note="bit 14 in neither mask")
    c.rx("p2", lacpdu(B), to=[], note="p2 mask is 0")
    c.rx("p2", eapol_start(B), to=["p1", "p3", "p4"], note="bridge mask applies to p2 too")
    c.rx("p1", stp_config_bpdu(A), to=["p2", "p3", "p4"])
    c.rx("p1", pause(A), to=[])

    c = case("t08-pause-always-dropped", "extra (T8)", "§3.4 (01 always dropped)",
             "PAUSE address dropped (any EtherType) even with every other mask bit set")
    c.std()
    c.cmd("bridge set br0 group_fwd_mask 0xfff8",
          "link set dev p1 group_fwd_mask 0xfffd",
          "expect-fail link set dev p1 group_fwd_mask 0xffff")
    c.rx("p1", pause(A), to=[])
    c.rx("p1", pause(A, etype=ETH_EXP), to=[], note="01:80:c2:00:00:01, not MAC control")
    c.rx("p1", lacpdu(A), to=["p2", "p3", "p4"], note="p1 mask bit 2")
    c.rx("p1", lldpdu(A), to=["p2", "p3", "p4"])
    c.rx("p1", data(c, 5, ll(0x0F), A), to=["p2", "p3", "p4"], note="bit 15")
    c.rx("p2", lacpdu(B), to=[], note="bridge mask cannot hold bit 2")
    c.rx("p2", pause(B), to=[])
    c.rx("p2", eapol_start(B), to=["p1", "p3", "p4"])

    c = case("t08-no-linklocal-learn", "extra (T8)", "§2.1 (no_linklocal_learn)",
             "no_linklocal_learn 1: trapped frames not learned; forwarded link-local frames are")
    c.std("no_linklocal_learn 1")
    c.rx("p1", lldpdu(D), to=[], note="trapped, D not learned")
    c.rx("p2", data(c, 2, D, B), to=["p1", "p3", "p4"], note="D unknown: flood")
    c.at(3, "bridge set br0 group_fwd_mask 0x4000")
    c.rx("p3", lldpdu(E), to=["p1", "p2", "p4"], t=4.0, note="forwarded: E learned @p3")
    c.rx("p2", data(c, 4, E, B), to=["p3"])
    c.rx("p1", stp_config_bpdu(D), to=["p2", "p3", "p4"], note="STP off: data, D learned @p1")
    c.rx("p2", data(c, 6, D, B), to=["p1"])

    # --- T10 ----------------------------------------------------------------
    mcast_frame = lambda c, n, src: udp4(MC_V4, src, ip4(10, 0, 0, 1),  # noqa: E731
                                         ip4(239, 255, 0, 1), lbl(c, n), 5000, 5000)

    c = case("t10-unicast-flood-off", "T10", "§3.2 (flood)",
             "flood off on p3: no unknown unicast to p3; broadcast, multicast, known unicast still")
    c.std()
    c.cmd("link set dev p3 flood off")
    c.rx("p1", data(c, 1, B, A), to=["p2", "p4"])
    c.rx("p1", data(c, 2, BCAST, A), to=["p2", "p3", "p4"])
    c.rx("p1", mcast_frame(c, 3, A), to=["p2", "p3", "p4"])
    c.rx("p3", data(c, 4, BCAST, C), to=["p1", "p2", "p4"], note="learn C@p3")
    c.rx("p1", data(c, 5, C, A), to=["p3"], note="known unicast ignores flood flag")

    c = case("t10-bcast-flood-off", "T10", "§3.2 (bcast_flood)",
             "bcast_flood off on p3: only broadcast skips p3")
    c.std()
    c.cmd("link set dev p3 bcast_flood off")
    c.rx("p1", data(c, 1, B, A), to=["p2", "p3", "p4"])
    c.rx("p1", data(c, 2, BCAST, A), to=["p2", "p4"])
    c.rx("p1", mcast_frame(c, 3, A), to=["p2", "p3", "p4"])
    c.rx("p1", arp(1, A, ip4(10, 0, 0, 1), ZERO, ip4(10, 0, 0, 3)), to=["p2", "p4"])
    c.rx("p2", data(c, 5, BCAST, B), to=["p1", "p4"])

    c = case("t10-mcast-flood-off", "T10", "§3.2 (mcast_flood); §3.4 (STP off: 00 is multicast data)",
             "mcast_flood off on p3: multicast (incl. forwarded link-local) skips p3")
    c.std()
    c.cmd("link set dev p3 mcast_flood off")
    c.rx("p1", data(c, 1, B, A), to=["p2", "p3", "p4"])
    c.rx("p1", data(c, 2, BCAST, A), to=["p2", "p3", "p4"])
    c.rx("p1", mcast_frame(c, 3, A), to=["p2", "p4"])
    c.rx("p1", ipv6_mcast(A, lbl(c, 4)), to=["p2", "p4"])
    c.rx("p1", stp_config_bpdu(A), to=["p2", "p4"])
    c.rx("p1", data(c, 6, ll(0x10), A), to=["p2", "p4"])
    c.rx("p4", data(c, 7, MC_CDP, D), to=["p1", "p2"])

    # --- T11 ----------------------------------------------------------------
    c = case("t11-learning-off", "T11", "§3.2 (learning); §1 step 6",
             "learning off on p1: A never learned, replies to A flood")
    c.std()
    c.cmd("link set dev p1 learning off")
    c.rx("p1", data(c, 1, B, A), to=["p2", "p3", "p4"])
    c.rx("p2", data(c, 2, A, B), to=["p1", "p3", "p4"], note="A unknown: flood; B learned @p2")
    c.rx("p1", data(c, 3, B, A), to=["p2"])
    c.rx("p2", data(c, 4, A, B), to=["p1", "p3", "p4"])

    c = case("t11-learning-off-flood-off", "extra (T11/T10)", "§3.2 (learning + flood)",
             "learning and flood off on p1: A unreachable until a static entry is added")
    c.std()
    c.cmd("link set dev p1 learning off flood off")
    c.rx("p1", data(c, 1, B, A), to=["p2", "p3", "p4"])
    c.rx("p2", data(c, 2, A, B), to=["p3", "p4"], note="A unknown, p1 gets no unknown unicast")
    c.rx("p2", data(c, 3, BCAST, B), to=["p1", "p3", "p4"], note="broadcast still reaches p1")
    c.rx("p1", data(c, 4, B, A), to=["p2"])
    c.at(5, "fdb add %s dev p1 static" % mac_str(A))
    c.rx("p2", data(c, 5, A, B), to=["p1"], t=6.0, note="static entry: known unicast")

    # --- T12 ----------------------------------------------------------------
    c = case("t12-isolated", "T12", "§1 step 11; §3.2 (isolated)",
             "isolated p1,p2: no traffic between them, both talk to p3/p4")
    c.std()
    c.cmd("link set dev p1 isolated on", "link set dev p2 isolated on")
    c.rx("p2", data(c, 1, BCAST, B), to=["p3", "p4"])
    c.rx("p1", data(c, 2, BCAST, A), to=["p3", "p4"])
    c.rx("p1", data(c, 3, B, A), to=[], note="B@p2 known, isolated pair: dropped")
    c.rx("p3", data(c, 4, A, C), to=["p1"])
    c.rx("p3", data(c, 5, B, C), to=["p2"])
    c.rx("p4", data(c, 6, BCAST, D), to=["p1", "p2", "p3"])
    c.rx("p2", data(c, 7, A, B), to=[])
    c.rx("p1", data(c, 8, E, A), to=["p3", "p4"], note="unknown unicast: not to p2")

    # --- T13 ----------------------------------------------------------------
    c = case("t13-ageing", "T13", "§2.2 (expires when updated + ageing_time <= now)",
             "ageing_time 500 (5 s): entries expire 5 s after their last update")
    c.std("ageing_time 500")
    c.rx("p1", data(c, 1, BCAST, A), to=["p2", "p3", "p4"], note="learn A@p1 at 1 s")
    c.rx("p2", data(c, 2, A, B), to=["p1"], note="learn B@p2 at 2 s")
    c.rx("p3", data(c, 3, A, C), to=["p1"], t=5.9, note="A is 4.9 s old: alive")
    c.rx("p2", data(c, 4, A, B), to=["p1", "p3", "p4"], t=7.0,
         note="A expired at 6 s: flood; B refreshed at 7 s")
    c.rx("p1", data(c, 5, B, A), to=["p2"], t=8.0, note="B fresh; A relearned at 8 s")
    c.rx("p3", data(c, 6, B, C), to=["p1", "p2", "p4"], t=14.0, note="B expired at 12 s")
    c.rx("p4", data(c, 7, A, D), to=["p1", "p2", "p3"], t=15.0, note="A expired at 13 s")

    c = case("t13-ageing-boundary", "extra (T13)", "§2.2 (has_expired: updated + hold <= now)",
             "ageing 5 s: entry alive at age 4.999 s, gone at age exactly 5 s")
    c.std("ageing_time 500")
    c.rx("p1", data(c, 1, BCAST, A), to=["p2", "p3", "p4"], t=1.0)
    c.rx("p3", data(c, 2, A, C), to=["p1"], t=5.999)
    c.rx("p2", data(c, 3, A, B), to=["p1", "p3", "p4"], t=6.0)

    c = case("t13-ageing-zero", "T13", "§2.1 (ageing 0: no learning, dynamic entries expire)",
             "ageing_time 0 expires learned entries at once and stops learning; 30000 restores it")
    c.std()
    c.rx("p1", data(c, 1, BCAST, A), to=["p2", "p3", "p4"])
    c.rx("p2", data(c, 2, A, B), to=["p1"])
    c.at(3, "bridge set br0 ageing_time 0")
    c.rx("p2", data(c, 3, A, B), to=["p1", "p3", "p4"], t=4.0, note="A gone at once")
    c.rx("p1", data(c, 4, B, A), to=["p2", "p3", "p4"], note="B gone too, not relearned")
    c.rx("p2", data(c, 5, A, B), to=["p1", "p3", "p4"], note="A not relearned")
    c.at(7, "bridge set br0 ageing_time 30000")
    c.rx("p1", data(c, 6, BCAST, A), to=["p2", "p3", "p4"], t=8.0, note="learning again")
    c.rx("p2", data(c, 7, A, B), to=["p1"])

    # --- T14 ----------------------------------------------------------------
    c = case("t14-link-down", "T14", "§2.3 (disabled port: dynamic entries flushed); §3.3",
             "p2 down: its learned hosts flood elsewhere, its input is dropped; up again forwards")
    c.std()
    c.rx("p2", data(c, 1, BCAST, B), to=["p1", "p3", "p4"], note="learn B@p2")
    c.rx("p1", data(c, 2, B, A), to=["p2"])
    c.at(3, "link set dev p2 down")
    c.rx("p1", data(c, 3, B, A), to=["p3", "p4"], t=4.0, note="B flushed; p2 not forwarding")
    c.rx("p2", data(c, 4, BCAST, B), to=[], note="received on a disabled port: dropped")
    c.rx("p3", data(c, 5, BCAST, C), to=["p1", "p4"])
    c.at(7, "link set dev p2 up")
    c.rx("p1", data(c, 6, B, A), to=["p2", "p3", "p4"], t=8.0,
         note="STP off: forwarding at once; B not relearned while down")
    c.rx("p2", data(c, 7, A, B), to=["p1"])
    c.rx("p1", data(c, 8, B, A), to=["p2"])

    # --- T15 ----------------------------------------------------------------
    c = case("t15-vlan-untagged-ingress", "T15", "§5.2; §5.3",
             "filtering: untagged frame on p1 (PVID 10) leaves p2 tagged VID 10 PCP 0 only")
    vlan_t15(c)
    f = data(c, 1, BCAST, A)
    c.rx("p1", f, out={"p2": vlan(f, 10)})
    f = arp(1, A, ip4(10, 0, 10, 1), ZERO, ip4(10, 0, 10, 2))
    c.rx("p1", f, out={"p2": vlan(f, 10)}, note="42-byte ARP leaves as 46 bytes")
    c.rx("p3", data(c, 3, BCAST, C), to=[], note="VID 20: no other member")

    # --- T16 ----------------------------------------------------------------
    c = case("t16-vlan-tagged-ingress", "T16", "§5.2; §5.3; §2.1 (port MAC local per VLAN)",
             "tagged/priority-tagged ingress, PCP kept, non-member VIDs dropped")
    vlan_t15(c)
    f = data(c, 1, BCAST, B)
    c.rx("p2", vlan(f, 10, pcp=5), out={"p1": f}, note="untagged egress on p1; learn B@(p2,10)")
    c.rx("p2", vlan(data(c, 2, BCAST, E), 30), to=[], note="VID 30 not on p2: dropped")
    f = data(c, 3, D, A)
    c.rx("p1", vlan(f, 0, pcp=6), out={"p2": vlan(f, 10, pcp=6)},
         note="priority tag: VID 10 (PVID), PCP 6 kept")
    f = vlan(data(c, 4, B, A), 10, pcp=2)
    c.rx("p1", f, to=["p2"], note="tagged VID 10 accepted on p1 though egress-untagged there")
    c.rx("p3", vlan(data(c, 5, BCAST, C), 10), to=[], note="p3 not in VID 10")
    c.rx("p4", data(c, 6, BCAST, D), to=[], note="VID 1: only p4 has it")
    c.rx("p2", vlan(data(c, 7, PMAC["p1"], B), 10), to=[], note="p1 MAC is local in VID 10")
    f = data(c, 8, B, A)
    c.rx("p1", f, out={"p2": vlan(f, 10)}, note="known unicast, tag pushed with PCP 0")
    c.rx("p3", data(c, 9, BCAST, C), to=[], note="VID 20: no other member")

    # --- T17 ----------------------------------------------------------------
    c = case("t17-vlan-fdb", "T17", "§2.1 (key = MAC, VID); §5.3",
             "same MAC learned in VID 10 on p1 and in VID 20 on p2; lookups per VID")
    c.std("vlan_filtering 1")
    for p in ("p1", "p2", "p3"):
        c.cmd("vlan add dev %s vid 10" % p, "vlan add dev %s vid 20" % p)
    c.rx("p1", vlan(data(c, 1, BCAST, A), 10), to=["p2", "p3"])
    c.rx("p2", vlan(data(c, 2, BCAST, A), 20), to=["p1", "p3"])
    c.rx("p3", vlan(data(c, 3, A, C), 10), to=["p1"])
    c.rx("p3", vlan(data(c, 4, A, C), 20), to=["p2"])
    c.rx("p3", data(c, 5, A, C), to=["p1", "p2", "p4"], note="VID 1: A unknown there")
    c.rx("p4", data(c, 6, C, D), to=["p3"], note="C learned in VID 1")
    c.rx("p3", vlan(data(c, 7, A, C), 30), to=[], note="VID 30 not configured")

    # --- T18 ----------------------------------------------------------------
    c = case("t18-nofilter-tags-opaque", "T18", "§5.4",
             "filtering off: tagged/QinQ/priority frames forwarded byte-identical, FDB at VID 0")
    c.std()
    c.rx("p1", vlan(data(c, 1, BCAST, A), 77), to=["p2", "p3", "p4"])
    c.rx("p1", vlan(vlan(data(c, 2, B, A), 77), 100, tpid=TPID_AD), to=["p2", "p3", "p4"])
    c.rx("p2", data(c, 3, A, B), to=["p1"], note="A learned at VID 0 from a tagged frame")
    c.rx("p3", vlan(data(c, 4, BCAST, A), 88), to=["p1", "p2", "p4"],
         note="same MAC in another VLAN: one entry, moves to p3")
    c.rx("p2", vlan(data(c, 5, A, B), 77), to=["p3"])
    c.rx("p4", vlan(data(c, 6, BCAST, D), 0, pcp=7), to=["p1", "p2", "p3"])

    # --- T19 ----------------------------------------------------------------
    c = case("t19-vlan-default", "T19", "§5.1 (default VLAN 1 PVID untagged); §5.2; §5.3",
             "filtering with defaults: VID 1 tagged in, untagged out; VID 2 dropped")
    c.std("vlan_filtering 1")
    f = data(c, 1, BCAST, A)
    c.rx("p1", vlan(f, 1, pcp=3), out={p: f for p in ("p2", "p3", "p4")})
    c.rx("p1", vlan(data(c, 2, BCAST, A), 2), to=[])
    c.rx("p1", data(c, 3, BCAST, A), to=["p2", "p3", "p4"])
    c.rx("p1", vlan(data(c, 4, BCAST, A), 5, tpid=TPID_AD), to=["p2", "p3", "p4"],
         note="802.1ad tag on an 802.1Q bridge = untagged: PVID 1, tag stays payload")
    f = data(c, 5, A, B)
    c.rx("p2", vlan(f, 0, pcp=4), out={"p1": f}, note="priority-tagged to known A: untagged out")

    # --- T25 ----------------------------------------------------------------
    c = case("t25-bridge-down", "T25", "§7 T25; §2.3 (disabled port: dynamic entries flushed)",
             "br0 down: nothing forwarded or learned, dynamic FDB flushed; up again floods")
    c.std()
    c.rx("p2", data(c, 1, BCAST, B), to=["p1", "p3", "p4"], note="learn B@p2")
    c.rx("p1", data(c, 2, B, A), to=["p2"], note="learn A@p1")
    c.at(3, "link set dev br0 down")
    c.rx("p1", data(c, 3, B, A), to=[], t=4.0, note="bridge down: every port disabled")
    c.rx("p3", data(c, 4, BCAST, C), to=[], note="no flooding either; C not learned")
    c.at(6, "link set dev br0 up")
    c.rx("p1", data(c, 5, B, A), to=["p2", "p3", "p4"], t=7.0,
         note="STP off: forwarding at once; B was flushed: flood")
    c.rx("p2", data(c, 6, C, B), to=["p1", "p3", "p4"], note="C never learned: flood")
    c.rx("p3", data(c, 7, A, C), to=["p1"], note="A relearned at t=7")

    # --- T24 ----------------------------------------------------------------
    c = case("t24-mtu", "T24", "§1 step 13; §3.5",
             "egress MTU 1500: untagged 1518 bytes pass, 1519 dropped")
    c.std()
    c.rx("p2", data(c, 1, BCAST, B), to=["p1", "p3", "p4"])
    c.rx("p1", data(c, 2, B, A, size=1518), to=["p2"])
    c.rx("p1", data(c, 3, B, A, size=1519), to=[])
    c.rx("p1", data(c, 4, B, A, size=1514), to=["p2"])
    c.rx("p1", data(c, 5, BCAST, A, size=1519), to=[])

    c = case("t24-mtu-flood", "extra (T24)", "§1 step 13; §3.5 (egress port MTU only)",
             "flooding checks each egress port's MTU (p3 1400, p4 9000)")
    c.std(port_opts={"p3": "mtu 1400"})
    c.cmd("link set dev p4 mtu 9000")
    c.rx("p1", data(c, 1, BCAST, A, size=1418), to=["p2", "p3", "p4"])
    c.rx("p1", data(c, 2, BCAST, A, size=1419), to=["p2", "p4"])
    c.rx("p1", data(c, 3, BCAST, A, size=1519), to=["p4"])
    c.rx("p1", data(c, 4, BCAST, A, size=9018), to=["p4"])
    c.rx("p1", data(c, 5, BCAST, A, size=9019), to=[])

    c = case("t24-mtu-vlan", "T24", "§1 step 13 (outer tag excluded); §5.3",
             "filtering: the outer tag is not counted, before or after the egress tag edit")
    c.std("vlan_filtering 1")
    c.cmd("vlan add dev p1 vid 10", "vlan add dev p2 vid 10",
          "vlan del dev p3 vid 1", "vlan add dev p3 vid 10 pvid untagged")
    f = data(c, 1, BCAST, B)
    c.rx("p2", vlan(f, 10), out={"p1": vlan(f, 10), "p3": f}, note="learn B@(p2,10)")
    f = data(c, 2, BCAST, C)
    c.rx("p3", f, out={"p1": vlan(f, 10), "p2": vlan(f, 10)}, note="learn C@(p3,10)")
    c.rx("p1", vlan(data(c, 3, B, A, size=1518), 10), to=["p2"], note="1522 B tagged: passes")
    c.rx("p1", vlan(data(c, 4, B, A, size=1519), 10), to=[], note="1523 B tagged: dropped")
    f = data(c, 5, B, C, size=1518)
    c.rx("p3", f, out={"p2": vlan(f, 10)}, note="untagged 1518 leaves tagged as 1522")
    c.rx("p3", data(c, 6, B, C, size=1519), to=[])
    f = data(c, 7, C, B, size=1518)
    c.rx("p2", vlan(f, 10), out={"p3": f}, note="tagged 1522 leaves untagged as 1518")
    c.rx("p2", vlan(data(c, 8, C, B, size=1519), 10), to=[])

    c = case("t24-mtu-vlan-nofilter", "extra (T24)",
             "§1 step 13 (outermost tag excluded, filtering or not)",
             "filtering off: an 802.1Q-tagged 1522-byte frame still fits MTU 1500")
    c.std()
    c.rx("p2", data(c, 1, BCAST, B), to=["p1", "p3", "p4"])
    c.rx("p1", vlan(data(c, 2, B, A, size=1518), 77), to=["p2"])
    c.rx("p1", vlan(data(c, 3, B, A, size=1519), 77), to=[])
    c.rx("p1", data(c, 4, B, A, size=1518), to=["p2"])

    # --- extras ---------------------------------------------------------------
    c = case("x-8021ad-bridge", "extra (§5)", "§5.2 (other TPID = untagged); §5.3; §3.4 (0xB801)",
             "vlan_protocol 802.1ad: C-tag is payload, S-tag 0x88a8 pushed/popped")
    c.std("vlan_filtering 1 vlan_protocol 802.1ad")
    c.cmd("vlan del dev p1 vid 1", "vlan add dev p1 vid 100 pvid untagged",
          "vlan del dev p2 vid 1", "vlan add dev p2 vid 100",
          "vlan del dev p3 vid 1", "vlan add dev p3 vid 100 pvid untagged")
    f = vlan(data(c, 1, BCAST, A), 5, pcp=3)
    c.rx("p1", f, out={"p2": vlan(f, 100, tpid=TPID_AD), "p3": f},
         note="C-tagged in: PVID 100, S-tag PCP 0 on p2")
    f = vlan(data(c, 2, BCAST, B), 5)
    c.rx("p2", vlan(f, 100, pcp=2, tpid=TPID_AD), out={"p1": f, "p3": f},
         note="S-tag popped, C-tag stays")
    f = data(c, 3, B, A)
    c.rx("p1", f, out={"p2": vlan(f, 100, tpid=TPID_AD)})
    c.rx("p2", vlan(data(c, 4, BCAST, B), 5), to=[], note="C-tag only = untagged; p2 has no PVID")
    f = data(c, 5, ll(0x0B), A)
    c.rx("p1", f, out={"p2": vlan(f, 100, tpid=TPID_AD), "p3": f},
         note="01:80:c2:00:00:0b is data in a provider bridge")
    c.rx("p1", lldpdu(A), to=[], note="LLDP still trapped")
    c.rx("p4", data(c, 7, BCAST, D), to=[], note="VID 1: only p4")

    c = case("x-default-pvid", "extra (§5.1)", "§5.1 (default_pvid moves unmodified defaults)",
             "default_pvid 10 moves p1..p3 to VID 10; p4 (VID 1 re-added tagged) is left alone")
    c.std()
    c.cmd("vlan add dev p4 vid 1", "bridge set br0 default_pvid 10",
          "bridge set br0 vlan_filtering 1",
          "expect-fail bridge set br0 default_pvid 20")
    c.rx("p1", data(c, 1, BCAST, A), to=["p2", "p3"])
    c.rx("p1", vlan(data(c, 2, BCAST, A), 1), to=[], note="VID 1 left p1")
    c.rx("p4", data(c, 3, BCAST, D), to=[], note="p4 has no PVID")
    c.rx("p4", vlan(data(c, 4, BCAST, D), 1), to=[], note="VID 1 only on p4")
    f = data(c, 5, BCAST, B)
    c.rx("p2", vlan(f, 10, pcp=1), out={"p1": f, "p3": f})
    c.rx("p3", data(c, 6, A, C), to=["p1"])

    c = case("x-default-pvid-new-ports", "extra (§5.1)", "§5.1 (new ports get default_pvid)",
             "bridge created with default_pvid 20: every port joins VID 20 pvid untagged")
    c.std("default_pvid 20")
    c.cmd("bridge set br0 vlan_filtering 1")
    f = data(c, 1, BCAST, A)
    c.rx("p1", vlan(f, 20, pcp=2), out={p: f for p in ("p2", "p3", "p4")})
    c.rx("p1", vlan(data(c, 2, BCAST, A), 1), to=[])
    c.rx("p2", data(c, 3, A, B), to=["p1"])

    c = case("x-fdb-max-learned", "extra (§2.4)", "§2.4 (fdb_max_learned counts learned only)",
             "fdb_max_learned 2: third MAC not learned (frames to it flood); moves still work")
    c.std("fdb_max_learned 2")
    c.cmd("fdb add %s dev p4 static" % mac_str(E))
    c.rx("p1", data(c, 1, BCAST, A), to=["p2", "p3", "p4"], note="learned (1)")
    c.rx("p2", data(c, 2, BCAST, B), to=["p1", "p3", "p4"], note="learned (2)")
    c.rx("p3", data(c, 3, BCAST, C), to=["p1", "p2", "p4"], note="limit: not learned")
    c.rx("p4", data(c, 4, C, D), to=["p1", "p2", "p3"])
    c.rx("p4", data(c, 5, A, D), to=["p1"])
    c.rx("p4", data(c, 6, B, D), to=["p2"], note="the static E entry did not count")
    c.rx("p3", data(c, 7, BCAST, A), to=["p1", "p2", "p4"], note="A moves to p3")
    c.rx("p4", data(c, 8, A, D), to=["p3"])
    c.rx("p2", data(c, 9, E, B), to=["p4"])

    c = case("x-fdb-user-entries", "extra (§2.1)", "§2.1 (user static / dynamic); §2.2",
             "fdb add static and dynamic: frames reach them unlearned; only dynamic ages")
    c.std("ageing_time 500")
    c.cmd("fdb add %s dev p3 static" % mac_str(C),
          "fdb add %s dev p4 dynamic" % mac_str(D))
    c.rx("p1", data(c, 1, C, A), to=["p3"])
    c.rx("p1", data(c, 2, D, A), to=["p4"])
    c.rx("p1", data(c, 3, D, A), to=["p2", "p3", "p4"], t=7.0,
         note="user dynamic entry (added at 1 s) aged out at 6 s")
    c.rx("p1", data(c, 4, C, A), to=["p3"], note="static never ages")

    c = case("x-sa-is-port-mac", "extra (§2.1)", "§2.1 (own address as source: not learned)",
             "frames whose SA is a port MAC are forwarded but do not move the local entry")
    c.std()
    c.rx("p1", data(c, 1, BCAST, PMAC["p2"]), to=["p2", "p3", "p4"])
    c.rx("p3", data(c, 2, PMAC["p2"], C), to=[], note="still local: host only")
    c.rx("p4", data(c, 3, B, BRMAC), to=["p1", "p2", "p3"], note="SA = bridge MAC")
    c.rx("p2", data(c, 4, BRMAC, B), to=[])

    c = case("x-bridge-mac", "extra (§2.1)", "§2.1 (bridge MAC is a local entry)",
             "explicit bridge address: unicast to it is not forwarded")
    c.std("address 02:00:00:00:02:00")
    c.rx("p1", data(c, 1, mac("02:00:00:00:02:00"), A), to=[])
    c.rx("p2", arp(2, B, ip4(10, 0, 0, 2), mac("02:00:00:00:02:00"), ip4(10, 0, 0, 254)), to=[])
    c.rx("p3", data(c, 3, PMAC["p1"], C), to=[], note="p1's MAC is still local")
    c.rx("p4", data(c, 4, A, D), to=["p1"])

    c = case("x-mac-move-back-forth", "extra (T5)", "§2.1 (moves)",
             "A moves p1 -> p2 -> p1 -> p4; unicast to A follows every move")
    c.std()
    c.rx("p1", data(c, 1, BCAST, A), to=["p2", "p3", "p4"])
    c.rx("p3", data(c, 2, A, C), to=["p1"])
    c.rx("p2", data(c, 3, BCAST, A), to=["p1", "p3", "p4"])
    c.rx("p3", data(c, 4, A, C), to=["p2"])
    c.rx("p1", data(c, 5, BCAST, A), to=["p2", "p3", "p4"])
    c.rx("p3", data(c, 6, A, C), to=["p1"])
    c.rx("p4", data(c, 7, C, A), to=["p3"])
    c.rx("p3", data(c, 8, A, C), to=["p4"])

    c = case("x-port-state", "extra (§3.3)", "§1 steps 3,8,11; §3.3",
             "p3 learning (learns, never forwards), p4 listening (neither)")
    c.std()
    c.cmd("link set dev p3 state learning", "link set dev p4 state listening")
    c.rx("p3", data(c, 1, BCAST, C), to=[], note="learned, then dropped")
    c.rx("p4", data(c, 2, BCAST, D), to=[], note="dropped, not learned")
    c.rx("p1", data(c, 3, C, A), to=[], note="C@p3 known but p3 not forwarding: dropped")
    c.rx("p1", data(c, 4, D, A), to=["p2"], note="D unknown: flood to forwarding ports")
    c.rx("p1", data(c, 5, BCAST, A), to=["p2"])
    c.rx("p2", data(c, 6, A, B), to=["p1"])

    c = case("x-port-state-blocking", "extra (§3.3)", "§3.3 (STP off: blocking bounces back)",
             "with STP off, setting blocking is undone at once: p2 keeps forwarding")
    c.std()
    c.cmd("link set dev p2 state blocking")
    c.rx("p1", data(c, 1, BCAST, A), to=["p2", "p3", "p4"])
    c.rx("p2", data(c, 2, A, B), to=["p1"])

    c = case("x-multicast-flood", "extra (§3.1)", "§3.1 (no snooping: multicast floods)",
             "IPv4/IPv6/non-IP multicast and IGMP reports flood (no snooping)")
    c.std()
    c.rx("p1", udp4(MC_MDNS, A, ip4(10, 0, 0, 1), ip4(224, 0, 0, 251), lbl(c, 1)),
         to=["p2", "p3", "p4"])
    c.rx("p1", ipv6_mcast(A, lbl(c, 2)), to=["p2", "p3", "p4"])
    c.rx("p2", igmpv3_report(B, ip4(10, 0, 0, 2), ip4(224, 0, 0, 251)), to=["p1", "p3", "p4"])
    c.rx("p1", udp4(MC_MDNS, A, ip4(10, 0, 0, 1), ip4(224, 0, 0, 251), lbl(c, 4)),
         to=["p2", "p3", "p4"], note="still flooded after a report")
    c.rx("p4", data(c, 5, MC_CDP, D), to=["p1", "p2", "p3"])

    c = case("x-runt-frames", "extra (robustness)", "§1; DESIGN (bad input: counted drop)",
             "frames shorter than 14 bytes are dropped; a 14-byte header-only frame forwards")
    c.std()
    c.rx("p1", fill(b"\xff" * 6 + A[:4], 10), to=[], note="10 bytes: dropped")
    c.rx("p1", (BCAST + C)[:12] + b"\x88", to=[], note="13 bytes: dropped, C not learned")
    c.rx("p1", BCAST + A + b"\x88\xb5", to=["p2", "p3", "p4"], note="14-byte frame forwarded")
    c.rx("p1", arp(1, A, ip4(10, 0, 0, 1), ZERO, ip4(10, 0, 0, 2)), to=["p2", "p3", "p4"])
    c.rx("p2", A + B + b"\x88\xb5\x00", to=["p1"], note="15 bytes to A (learned from 14-byte frame)")
    c.rx("p2", data(c, 6, C, B), to=["p1", "p3", "p4"], note="C not learned from the runt")

    # --- T9, T20-T23: kernel STP (§4) ------------------------------------------
    c = case("t09-stp-inferior-bpdu", "T9",
             "§4.2 (hello, hold timer); §4.3; §4.4 (enabling STP; reply to inferior info); "
             "§3.4",
             "stp_state 1 keeps forwarding ports forwarding; hellos every 2 s; an inferior "
             "BPDU is trapped and answered (after the hold timer if it is running)")
    stp_bridge(c)
    c.rx("p1", data(c, 1, BCAST, A), to=["p2", "p3", "p4"], t=1.0, note="STP off")
    c.at(1.5, "bridge set br0 stp_state 1")
    c.rx("p2", data(c, 2, A, B), to=["p1"], t=2.0,
         note="forwarding ports stay forwarding when STP is switched on (no relisten)")
    hello(c, 3.5, note="we are root: first hello = stp_state 1 time + hello_time (not rounded)")
    hello(c, 6.0, note="hello re-armed to round_jiffies(3.5 + 2) = 6.0; "
                       "hold timers to round_jiffies(7.0) = 7.0")
    c.rx("p1", bpdu_config(INFERIOR_SA, INFERIOR_BR, 0, INFERIOR_BR, 0x8001, pad_to=60),
         t=6.3, note="inferior (root 9000.. > ours), padded to 60 B: trapped, not forwarded; "
                     "p1 is designated so we reply, but p1's hold timer runs until 7.0")
    c.tx(7.0, {"p1": own_bpdu("p1")},
         note="p1 hold timer expires: the pending reply leaves (hold re-armed to 8.0)")
    hello(c, 8.0, note="on p1 the hold timer also expires at 8.0: one BPDU either way")
    c.rx("p1", bpdu_config(INFERIOR_SA, INFERIOR_BR, 0, INFERIOR_BR, 0x8001), t=9.5,
         note="52-byte inferior BPDU; p1 hold timer expired at 9.0: reply at once")
    c.tx(9.5, {"p1": own_bpdu("p1")}, note="reply; p1 hold timer to round_jiffies(10.5) = 11.0")
    hello(c, 10.0, ports=["p2", "p3", "p4"], note="p1's hold timer runs: config_pending")
    c.tx(11.0, {"p1": own_bpdu("p1")}, note="p1's deferred hello")
    hello(c, 12.0)
    c.rx("p3", data(c, 6, A, C), to=["p1"], t=12.5, note="still forwarding; A@p1 learned at 1.0")
    c.end(13.0)

    c = case("t20-stp-new-port-timing", "T20",
             "§4.4 (port enable, forward-delay timer, TC detection); §4.2; §3.3; §2.2",
             "port enabled on a root bridge: listening 15 s, learning 15 s (learns, does not "
             "forward), then forwarding; TC flag for 35 s, entries age after 15 s meanwhile")
    stp_bridge(c)
    c.cmd("link set dev p4 down", "bridge set br0 stp_state 1")
    c.rx("p1", data(c, 1, BCAST, A), to=["p2", "p3"], t=1.0,
         note="p4 down: disabled; STP switched on at 1.0 with p1..p3 forwarding")
    c.at(2.5, "link set dev p4 up")
    stp_t20 = [
        (10.0, "p4", data(c, 2, BCAST, D), [], "p4 listening: dropped, D not learned"),
        (12.0, "p1", data(c, 3, D, A), ["p2", "p3"], "D unknown: flood, not to listening p4"),
        (20.0, "p1", data(c, 4, D, A), ["p2", "p3"], "p4 learning since 17.5: no data out"),
        (30.0, "p4", data(c, 5, BCAST, D), [], "p4 learning: D@p4 learned, frame dropped"),
        (32.0, "p1", data(c, 6, D, A), [], "D@p4 known but p4 not forwarding: dropped"),
        (34.0, "p1", data(c, 7, D, A), ["p4"], "p4 forwarding since 32.5"),
        (36.0, "p2", data(c, 8, BCAST, B), ["p1", "p3", "p4"], ""),
        (46.0, "p1", data(c, 9, D, A), ["p2", "p3", "p4"],
         "TC since 32.5: hold time = forward_delay, D (updated 30.0) expired at 45.0"),
        (54.0, "p4", data(c, 10, BCAST, E), ["p1", "p2", "p3"], "E@p4"),
        (70.0, "p1", data(c, 11, E, A), ["p4"],
         "TC ended at 67.5: ageing_time (300 s) again, so E (54.0) did not expire at 69.0"),
    ]
    for t, port, f, to, note in stp_t20:
        c.rx(port, f, to=to, t=t, note=note)
    for t in range(3, 72, 2):
        tc = 32.5 < t < 67.5
        note = ""
        if t == 3:
            note = ("first hello (1.0 + hello_time), also on listening p4 (designated); "
                    "p4 enabled at 2.5: designated, BLOCKING -> LISTENING, no BPDU at once")
        elif t == 33:
            note = ("p4 LEARNING -> FORWARDING at 32.5 (2 x 15 s after 2.5): we are root "
                    "and designated: topology change for 15 + 20 = 35 s (until 67.5)")
        elif t == 69:
            note = "topology change timer expired at 67.5: no TC flag"
        hello(c, float(t), flags=STP_TC if tc else 0, note=note)
    c.end(72.0)

    c = case("t21-stp-superior-root", "T21",
             "§4.4 (supersedes, root/designated/state selection, relay); §4.3 (message age)",
             "superior BPDUs on p1: p1 root port, own hello stops, relays with age 1/256 s; "
             "the same BPDU on p2 blocks p2 (TCN on p1)")
    stp_bridge(c)
    c.cmd("bridge set br0 stp_state 1")
    c.rx("p3", data(c, 1, BCAST, C), to=["p1", "p2", "p4"], t=1.0,
         note="STP on at 1.0 with p1..p4 forwarding (they stay forwarding)")
    hello(c, 3.0, note="root: hello at 1.0 + 2 s; hold timers to 4.0; next hello due 5.0")
    c.rx("p1", root_bpdu(), t=4.5,
         note="superior: p1 root port (root cost 0 + 10), p2..p4 designated, states unchanged "
              "(already forwarding); no longer root: hello timer stopped (none at 5.0)")
    c.tx(4.5, {p: relay(p) for p in ["p2", "p3", "p4"]},
         note="root port BPDU: relayed at once on designated ports (hold timers expired at 4.0)")
    c.rx("p2", root_bpdu(), t=5.5,
         note="same BPDU on p2: p1 wins on own port id; p2 not designated (our cost 10 > 0): "
              "FORWARDING -> BLOCKING = topology change detected, we are not root")
    c.tx(5.5, {"p1": bpdu_tcn(PMAC["p1"])},
         note="TCN on the root port at once (TCN timer: 2 s)")
    c.rx("p1", root_bpdu(STP_TCA), t=6.5,
         note="TCA from the root: TCN timer stopped (no TCN at 7.5)")
    c.tx(6.5, {p: relay(p) for p in ["p3", "p4"]},
         note="relay on the designated ports only (p2 blocking); TCA is per port, not relayed")
    for t in (8.5, 10.5, 12.5):
        c.rx("p2", root_bpdu(), t=t - 1.0, note="refresh on blocking p2: nothing sent")
        c.rx("p1", root_bpdu(), t=t)
        c.tx(t, {p: relay(p) for p in ["p3", "p4"]})
    c.rx("p2", data(c, 2, BCAST, B), to=[], t=13.0, note="p2 blocking: dropped, B not learned")
    c.rx("p4", data(c, 3, BCAST, D), to=["p1", "p3"], t=14.0, note="not to blocking p2")
    c.rx("p1", data(c, 4, D, A), to=["p4"], t=15.0, note="root port forwards")
    c.rx("p3", data(c, 5, B, C), to=["p1", "p4"], t=16.0, note="B unknown: flood, not to p2")
    c.end(16.25)

    c = case("t22-stp-tc-ageing", "T22",
             "§4.4 (TC flag taken from root port BPDUs); §2.2 (hold time during TC)",
             "TC flag from the root: relays carry TC, learned entries expire after "
             "forward_delay (15 s); ageing_time applies again when TC clears")
    stp_bridge(c)
    c.cmd("bridge set br0 stp_state 1")
    c.rx("p4", data(c, 1, BCAST, D), to=["p1", "p2", "p3"], t=1.0, note="D@p4")
    hello(c, 3.0, note="root until 4.5")
    ev = [(t + 0.5, "root") for t in range(4, 45, 2)]
    ev += [
        (18.0, data(c, 2, D, A), "p1", ["p4"], "D 17 s old: no TC yet, ageing_time 300 s"),
        (19.0, data(c, 3, D, A), "p1", ["p2", "p3", "p4"],
         "TC since 18.5: hold time 15 s, D (updated 1.0) expired"),
        (20.0, data(c, 4, BCAST, E), "p4", ["p1", "p2", "p3"], "E@p4"),
        (21.0, data(c, 5, E, A), "p1", ["p4"], ""),
        (30.0, data(c, 6, BCAST, B), "p2", ["p1", "p3", "p4"], "B@p2"),
        (36.0, data(c, 7, E, A), "p1", ["p2", "p3", "p4"],
         "still TC: E (updated 20.0) expired at 35.0"),
        (46.0, data(c, 8, B, A), "p1", ["p2"],
         "TC cleared at 38.5: B (updated 30.0) did not expire at 45.0"),
    ]
    for e in sorted(ev, key=lambda x: x[0]):
        t = e[0]
        if e[1] == "root":
            tc = STP_TC if 18.0 < t < 38.0 else 0
            note = ""
            if t == 4.5:
                note = "superior root on p1: root port; relays at once, age 1/256 s"
            elif t == 18.5:
                note = "root BPDUs now carry TC: topology_change set, copied into our relays"
            elif t == 38.5:
                note = "TC flag gone: topology_change cleared, hold time = ageing_time again"
            c.rx("p1", root_bpdu(tc), t=t, note=note)
            c.tx(t, {p: relay(p, tc) for p in ["p2", "p3", "p4"]})
        else:
            c.rx(e[2], e[1], to=e[3], t=t, note=e[4])
    c.end(46.5)

    c = case("t23-stp-tcn", "T23",
             "§4.4 (designated port selection, make blocking, TC detection, TCN timer, TCA)",
             "a better bridge on designated p3 blocks it: TCN on root port p1 at once and "
             "every 2 s until the root's BPDU carries TCA")
    stp_bridge(c)
    c.cmd("bridge set br0 stp_state 1")
    c.rx("p3", data(c, 1, BCAST, C), to=["p1", "p2", "p4"], t=1.0, note="C@p3")
    hello(c, 3.0, note="root until 4.5; no topology change so far")
    lower = bpdu_config(LOWER_SA, ROOT_BR, 1, LOWER_BR, 0x8005, age=1)
    ev = [(t + 0.5, "root") for t in range(4, 19, 2)]
    ev += [
        (9.0, lower, "p3", [],
         "same root, cost 1 < our 10: p3 not designated: FORWARDING -> BLOCKING = topology "
         "change detected; not root: TCN on root port p1 now, then every 2 s"),
        (16.0, data(c, 2, BCAST, C), "p3", [], "p3 blocking: dropped"),
        (17.0, lower, "p3", [], "refresh: nothing changes"),
        (18.0, data(c, 4, C, B), "p2", [], "C@p3 known, p3 not forwarding: dropped"),
    ]
    for e in sorted(ev, key=lambda x: x[0]):
        t = e[0]
        if e[1] == "root":
            flags = STP_TCA if t == 14.5 else 0
            c.rx("p1", root_bpdu(flags), t=t,
                 note="TCA: TCN timer stopped (no TCN at 15.0)" if flags else "")
            outs = ["p2", "p3", "p4"] if t < 9.0 else ["p2", "p4"]
            c.tx(t, {p: relay(p) for p in outs})
        else:
            c.rx(e[2], e[1], to=e[3], t=t, note=e[4])
    c.tx(9.0, {"p1": bpdu_tcn(PMAC["p1"])}, note="TCN (21 B) on the root port")
    c.tx(11.0, {"p1": bpdu_tcn(PMAC["p1"])}, note="TCN timer (9.0 + bridge_hello_time)")
    c.tx(13.0, {"p1": bpdu_tcn(PMAC["p1"])}, note="TCN timer")
    c.end(19.5)

    # --- lab modes (issue #17): not Linux bridge behaviour, our own spec --
    # docs/vswitchd.8 (hub, transparent, storm_limit).  Expectations from
    # that text, by hand, as for the rest.
    c = case("x-hub", "extra (#17)", "vswitchd.8 'hub': no learning, no FDB lookup",
             "hub 1: every frame flooded to every other port, nothing learned")
    c.std("hub 1")
    c.cmd("link set dev p4 flood off",
          "fdb add %s dev p3 static" % mac_str(C))
    c.rx("p1", data(c, 1, B, A), to=["p2", "p3", "p4"], note="flood flags not consulted")
    c.rx("p2", data(c, 2, A, B), to=["p1", "p3", "p4"], note="A was not learned")
    c.rx("p1", data(c, 3, B, A), to=["p2", "p3", "p4"], note="nor B")
    c.rx("p1", data(c, 4, C, A), to=["p2", "p3", "p4"], note="static entry not consulted")
    c.rx("p3", data(c, 5, BCAST, C), to=["p1", "p2", "p4"])
    c.rx("p1", data(c, 6, PMAC["p2"], A), to=["p2", "p3", "p4"],
         note="a port MAC is no local entry to a hub")
    c.rx("p1", lldpdu(A), to=[], note="link-local still trapped (that is 'transparent')")
    c.at(8, "bridge set br0 hub 0")
    c.rx("p1", data(c, 8, B, A), t=9.0, to=["p2", "p3"],
         note="a switch again: B unknown, p4 flood off")
    c.rx("p2", data(c, 9, A, B), to=["p1"], note="A learned at 9 s")

    c = case("x-transparent", "extra (#17)",
             "vswitchd.8 'transparent': 01:80:c2:00:00:0X forwarded as multicast, PAUSE dropped",
             "transparent 1: BPDU, LACP, 802.1X, LLDP cross as multicast; PAUSE does not")
    c.std("transparent 1")
    c.cmd("link set dev p4 mcast_flood off",
          "expect-fail bridge set br0 stp_state 1")
    c.rx("p1", stp_config_bpdu(A), to=["p2", "p3"], note="mcast_flood off on p4 applies")
    c.rx("p1", pause(A), to=[], note="PAUSE: never forwarded")
    c.rx("p1", lacpdu(A), to=["p2", "p3"])
    c.rx("p1", eapol_start(A), to=["p2", "p3"])
    c.rx("p1", lldpdu(A), to=["p2", "p3"])
    c.rx("p1", data(c, 6, ll(0x0D), A), to=["p2", "p3"])
    c.rx("p2", data(c, 7, A, B), to=["p1"], note="A learned from them, as from data")
    c.at(8, "bridge set br0 transparent 0")
    c.rx("p1", lacpdu(A), t=9.0, to=[], note="transparent off: LACP trapped again")
    c.rx("p1", lldpdu(A), to=[])
    c.rx("p1", stp_config_bpdu(A), to=["p2", "p3"], note="STP off: BPDU is data")

    c = case("x-storm-limit", "extra (#17)",
             "vswitchd.8 'storm_limit': bucket of PPS tokens, full when set, PPS per s",
             "storm_limit 3 on p1: flooded frames beyond 3/s dropped; known unicast not")
    c.std()
    c.cmd("link set dev p1 storm_limit 3")
    c.rx("p1", data(c, 1, BCAST, A), t=1.0, to=["p2", "p3", "p4"], note="3 -> 2 tokens")
    c.rx("p1", mcast_frame(c, 2, A), t=1.01, to=["p2", "p3", "p4"], note="2.03 -> 1.03")
    c.rx("p1", data(c, 3, B, A), t=1.02, to=["p2", "p3", "p4"],
         note="unknown unicast: 1.06 -> 0.06")
    c.rx("p1", data(c, 4, BCAST, A), t=1.03, to=[], note="0.09 tokens: storm_drop")
    c.rx("p2", data(c, 5, A, B), t=1.04, to=["p1"], note="B learned @p2")
    c.rx("p1", data(c, 6, B, A), t=1.05, to=["p2"], note="known unicast: no token needed")
    c.rx("p2", data(c, 7, BCAST, B), t=1.06, to=["p1", "p3", "p4"], note="p2 has no limit")
    c.rx("p1", data(c, 8, BCAST, A), t=1.5, to=["p2", "p3", "p4"], note="1.50 -> 0.50")
    c.rx("p1", data(c, 9, BCAST, A), t=1.6, to=[], note="0.80 tokens: storm_drop")
    c.rx("p1", data(c, 10, BCAST, A), t=3.0, to=["p2", "p3", "p4"], note="full again")
    c.at(3.5, "link set dev p1 storm_limit 0")
    c.rx("p1", data(c, 11, BCAST, A), t=3.6, to=["p2", "p3", "p4"])
    c.rx("p1", data(c, 12, BCAST, A), t=3.61, to=["p2", "p3", "p4"])
    c.rx("p1", data(c, 13, BCAST, A), t=3.62, to=["p2", "p3", "p4"])
    c.rx("p1", data(c, 14, BCAST, A), t=3.63, to=["p2", "p3", "p4"], note="no limit")

    names = [x.name for x in CASES]
    assert len(names) == len(set(names))
    return CASES


# ---------------------------------------------------------------------------
# Writing and checking.

def generated():
    return {c.name: c.files() for c in build()}


def write_all():
    gen = generated()
    for name, files in gen.items():
        d = os.path.join(HERE, name)
        os.makedirs(d, exist_ok=True)
        for fn in os.listdir(d):
            if (fn.startswith("in-") or fn.startswith("expected-")) and fn.endswith(".pcap") \
                    and fn not in files:
                os.remove(os.path.join(d, fn))
        for fn, data_ in files.items():
            with open(os.path.join(d, fn), "wb") as fp:
                fp.write(data_)
    for d in sorted(os.listdir(HERE)):
        if os.path.isdir(os.path.join(HERE, d)) and d not in gen \
                and os.path.exists(os.path.join(HERE, d, "setup")):
            print("warning: %s is not declared in gen-cases.py" % d, file=sys.stderr)
    total = sum(len(b) for f in gen.values() for b in f.values())
    print("wrote %d cases, %d files, %d bytes" %
          (len(gen), sum(len(f) for f in gen.values()), total))


def setup_ports(text):
    ports = set()
    for line in text.splitlines():
        w = line.split("#", 1)[0].split()
        if len(w) >= 4 and w[0] == "port" and w[1] == "add":
            ports.add(w[3])
    return ports


def check():
    errors = []
    gen = generated()
    dirs = sorted(d for d in os.listdir(HERE)
                  if os.path.isdir(os.path.join(HERE, d)) and not d.startswith("."))
    nframes = 0
    for d in dirs:
        path = os.path.join(HERE, d)
        files = sorted(os.listdir(path))
        if "setup" not in files:
            errors.append("%s: no setup file" % d)
            continue
        with open(os.path.join(path, "setup")) as fp:
            ports = setup_ports(fp.read())
        for fn in files:
            if fn == "setup":
                continue
            if not ((fn.startswith("in-") or fn.startswith("expected-"))
                    and fn.endswith(".pcap")):
                errors.append("%s: unexpected file %s" % (d, fn))
                continue
            port = fn[fn.index("-") + 1:-len(".pcap")]
            if port not in ports:
                errors.append("%s: %s names port %s not added in setup" % (d, fn, port))
            with open(os.path.join(path, fn), "rb") as fp:
                raw = fp.read()
            try:
                recs = pcap_parse(raw)
            except ValueError as e:
                errors.append("%s/%s: %s" % (d, fn, e))
                continue
            if not recs:
                errors.append("%s/%s: no frames (omit the file instead)" % (d, fn))
            ts = [t for t, _ in recs]
            if ts != sorted(ts):
                errors.append("%s/%s: timestamps not in order" % (d, fn))
            nframes += len(recs)
        if d in gen:
            want = gen[d]
            for fn in sorted(set(want) | set(files)):
                if fn not in files:
                    errors.append("%s: %s missing (rerun gen-cases.py)" % (d, fn))
                elif fn in want:
                    with open(os.path.join(path, fn), "rb") as fp:
                        if fp.read() != want[fn]:
                            errors.append("%s/%s differs from the generator" % (d, fn))
                else:
                    errors.append("%s/%s is not produced by the generator" % (d, fn))
        else:
            errors.append("%s: folder not declared in gen-cases.py" % d)
    for name in gen:
        if name not in dirs:
            errors.append("%s: declared but missing on disk (rerun gen-cases.py)" % name)
    for e in errors:
        print("error: " + e, file=sys.stderr)
    print("checked %d case folders, %d frames: %s" %
          (len(dirs), nframes, "FAIL" if errors else "ok"))
    return 1 if errors else 0


def readme_table():
    """Prints the README case table (used to keep README.md in sync)."""
    print("| Case | Catalogue | Reference rule | Asserts |")
    print("|---|---|---|---|")
    for c in build():
        print("| `%s` | %s | %s | %s |" % (c.name, c.cat, c.rule, c.title))


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        sys.exit(check())
    elif sys.argv[1:] == ["--table"]:
        readme_table()
    elif sys.argv[1:]:
        print("usage: gen-cases.py [--check | --table]", file=sys.stderr)
        sys.exit(2)
    else:
        write_all()
