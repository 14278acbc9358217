#!/usr/bin/env python3
"""seeds.py - writes the seed inputs of the fuzz targets into
tests/fuzz/corpus/TARGET/seed-*, from this repository's own tables and
files (tests/sys/ctl-badinput.sh's JSON-RPC table, tests/pcap/*/setup and
in-*.pcap, the test guest's ELF) and small valid inputs built here by hand.

    tests/fuzz/seeds.py [CONFIG_SAMPLE [GUEST_ELF]]
    tests/fuzz/seeds.py --bridge-extra PCAP_CORPUS OUT_DIR

CONFIG_SAMPLE is a configuration file a vswitchd saved (the committed
seeds came from a daemon given a few bridgectl commands); GUEST_ELF
defaults to build/tests/guest/guest.elf.  Reproducers of crashes found
are added by hand as crash-* and are not touched here.
"""
import json
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))


def out(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def req(method, params=None, i=1):
    m = {"jsonrpc": "2.0", "method": method, "id": i}
    if params is not None:
        m["params"] = params
    return json.dumps(m, separators=(",", ":"))


def rpc():
    # The bad-input table of ctl-badinput.sh, as it stands.
    text = open(os.path.join(TOP, "tests/sys/ctl-badinput.sh")).read()
    table = text[text.index("cases = [") + len("cases = "):]
    table = table[:table.index("\n]\n") + 2]
    R = lambda m, p=None, i=1: json.dumps(
        {"jsonrpc": "2.0", "method": m,
         **({"params": p} if p is not None else {}), "id": i})
    for n, (raw, _code, _words) in enumerate(eval(table, {"R": R})):
        out("rpc", "badinput-%02d" % n, raw.rstrip(b"\n"))
    good = [
        ("daemon.info", None), ("bridge.list", None),
        ("bridge.add", {"name": "br9", "options": {"stp_state": 1,
                                                  "vlan_filtering": 1}}),
        ("bridge.set", {"name": "br0", "options": {"ageing_time": 100},
                        "up": True}),
        ("bridge.del", {"name": "br1"}),
        ("port.add", {"bridge": "br1", "name": "p9", "type": "null"}),
        ("port.add", {"bridge": "br1", "name": "pa", "type": "patch",
                      "args": {"peer": "pb"}}),
        ("port.set", {"name": "p2", "cost": 7, "learning": False,
                      "master": "br1"}),
        ("port.del", {"name": "p2"}), ("port.show", {"bridge": "br0"}),
        ("port.types", {}),
        ("vlan.add", {"dev": "p2", "vid": 20, "vid_end": 25}),
        ("vlan.del", {"dev": "p1", "vid": 10}), ("vlan.show", {}),
        ("fdb.add", {"mac": "02:00:00:00:00:bb", "dev": "p2",
                     "state": "permanent"}),
        ("fdb.del", {"mac": "02:00:00:00:00:aa", "dev": "p1", "vlan": 10}),
        ("fdb.show", {"br": "br0"}), ("fdb.flush", {"dev": "p1"}),
        ("stp.show", {"bridge": "br0"}), ("stats.get", {"name": "p1"}),
        ("debug.time", {"op": "warp", "ms": 5000}),
        ("monitor.subscribe", {"topics": ["fdb"]}),
        ("capture.start", {"dev": "p1"}),
        ("bridge.trace", {"port": "p1", "learn": True,
                          "frame": "ffffffffffff02000000000a8100200a88b5"}),
    ]
    for n, (m, p) in enumerate(good):
        out("rpc", "valid-%02d" % n, req(m, p))


def config(sample):
    doc = json.load(open(sample))
    out("config", "sample", json.dumps(doc, separators=(",", ":")))
    out("config", "sample-pretty", open(sample).read())
    out("config", "empty-doc", '{"format":"vswitchd-config","version":1,'
        '"bridges":[]}')
    bad = json.loads(json.dumps(doc))
    bad["bridges"][0]["ports"][0]["type"] = "pcap"
    out("config", "pcap-port", json.dumps(bad, separators=(",", ":")))
    bad = json.loads(json.dumps(doc))
    bad["version"] = 2
    out("config", "version-2", json.dumps(bad, separators=(",", ":")))
    out("config", "truncated", json.dumps(doc)[:700])


def script():
    n = 0
    for case in sorted(os.listdir(os.path.join(TOP, "tests/pcap"))):
        p = os.path.join(TOP, "tests/pcap", case, "setup")
        if not os.path.isfile(p):
            continue
        lines = [l for l in open(p).read().splitlines()
                 if l and not l.startswith("#")]
        # Only null ports exist for the fuzzer: the same set-up with them.
        text = "\n".join(re.sub(r"type pcap", "type null", l)
                         for l in lines)
        out("script", case, text + "\n")
        n += 1
    out("script", "patch-wire", "bridge add br0\nbridge add br1\n"
        "port add br0 pa type patch peer pb\n"
        "port add br1 pb type patch peer pa\nlink set pa down\n"
        "port del pb\n")
    out("script", "trace", "bridge add br0 vlan_filtering 1\n"
        "bridge add br1 stp_state 1\n"
        "port add br0 p1 type null\nport add br0 pa type patch peer pb\n"
        "port add br1 pb type patch peer pa\n"
        "trace p1 src 02:00:00:00:00:0a dst ff:ff:ff:ff:ff:ff vlan 1\n"
        "trace --learn -j pa src 02:00:00:00:00:0b dst 01:80:c2:00:00:00\n"
        "trace br0 hex 0102\n")
    out("script", "at-end", "bridge add br0\nport add br0 p1 type null\n"
        "at 1.5 link set p1 down\nat 2 fdb flush dev p1\nend 3\n")


def pcap():
    n = 0
    for case in sorted(os.listdir(os.path.join(TOP, "tests/pcap"))):
        d = os.path.join(TOP, "tests/pcap", case)
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            p = os.path.join(d, f)
            if f.startswith("in-") and os.path.getsize(p) <= 4096:
                out("pcap", case + "-" + f, open(p, "rb").read())
                n += 1
        if n >= 12:
            break
    good = open(os.path.join(TOP, "tests/pcap/t01-learn-unicast/in-p1.pcap"),
                "rb").read()
    out("pcap", "truncated-record", good[:-7])
    out("pcap", "header-only", good[:24])
    # A nanosecond capture of one frame, and one whose caplen exceeds
    # its snaplen.
    frame = bytes.fromhex("ffffffffffff020000000001" "0806") + bytes(46)
    hdr = struct.pack("<IHHiIII", 0xa1b23c4d, 2, 4, 0, 0, 65535, 1)
    out("pcap", "nsec", hdr + struct.pack("<IIII", 1, 5, 60, 60) + frame)
    hdr = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 64, 1)
    out("pcap", "caplen-over-snaplen",
        hdr + struct.pack("<IIII", 1, 5, 9000, 9000) + frame)


# --- vhost-user: message records of fuzz_vhost_msg.c ---------------------
GET_FEATURES, SET_FEATURES, SET_OWNER, SET_MEM_TABLE = 1, 2, 3, 5
SET_VRING_NUM, SET_VRING_ADDR, SET_VRING_BASE, GET_VRING_BASE = 8, 9, 10, 11
SET_VRING_KICK, SET_VRING_CALL = 12, 13
GET_PROTOCOL_FEATURES, SET_PROTOCOL_FEATURES, SET_VRING_ENABLE = 15, 16, 18
ADD_MEM_REG, REM_MEM_REG = 37, 38
SET_BACKEND_REQ_FD, GET_CONFIG = 21, 24
UVA = 0x7f0000000000
V1, NEED_REPLY = 1, 8


def msg(request, payload=b"", fds=0, kinds=0, flags=V1):
    return struct.pack("<BBHB", request, flags, len(payload),
                       fds | kinds << 4) + payload


def vring_setup(i, features):
    return (msg(SET_VRING_NUM, struct.pack("<II", i, 8)) +
            msg(SET_VRING_ADDR, struct.pack("<IIQQQQ", i, 0,
                                            UVA + 0x1000 * i * 4,
                                            UVA + 0x1000 * i * 4 + 0x2000,
                                            UVA + 0x1000 * i * 4 + 0x1000,
                                            0)) +
            msg(SET_VRING_BASE, struct.pack("<II", i, 0)) +
            msg(SET_VRING_CALL, struct.pack("<Q", i), 1, 1) +
            msg(SET_VRING_KICK, struct.pack("<Q", i), 1, 1) +
            msg(SET_VRING_ENABLE, struct.pack("<II", i, 1)))


def vhost_msg():
    feats = (1 << 32) | (1 << 30) | (1 << 15) | (1 << 29)   # V1, PROTO, MRG, EVENT
    table = struct.pack("<II", 1, 0) + struct.pack("<QQQQ", 0, 0x10000,
                                                   UVA, 0)
    base = (msg(GET_FEATURES) + msg(SET_OWNER) +
            msg(GET_PROTOCOL_FEATURES) +
            msg(SET_PROTOCOL_FEATURES, struct.pack("<Q", 9), flags=V1) +
            msg(SET_FEATURES, struct.pack("<Q", feats)) +
            msg(SET_MEM_TABLE, table, 1, 0, V1 | NEED_REPLY))
    out("vhost_msg", "two-rings", base + vring_setup(0, feats) +
        vring_setup(1, feats))
    out("vhost_msg", "stop-ring", base + vring_setup(0, feats) +
        msg(GET_VRING_BASE, struct.pack("<II", 0, 0)))
    out("vhost_msg", "add-rem-reg",
        msg(SET_FEATURES, struct.pack("<Q", feats)) +
        msg(ADD_MEM_REG, struct.pack("<QQQQQ", 0, 0, 0x10000, UVA, 0), 1) +
        msg(REM_MEM_REG, struct.pack("<QQQQQ", 0, 0, 0x10000, UVA, 0), 1))
    out("vhost_msg", "table-no-fd", msg(SET_MEM_TABLE, table, 0))
    out("vhost_msg", "kick-nofd", base + msg(SET_VRING_KICK,
                                             struct.pack("<Q", 0x100)))
    # The link channel: protocol features MQ, REPLY_ACK, BACKEND_REQ,
    # CONFIG; a socket (fd kind 3) as the channel; good and bad reads.
    link = (msg(GET_FEATURES) + msg(SET_OWNER) +
            msg(SET_PROTOCOL_FEATURES, struct.pack("<Q", 0x229)) +
            msg(SET_BACKEND_REQ_FD, b"", 1, 3, V1 | NEED_REPLY))
    out("vhost_msg", "link-channel", link +
        msg(GET_CONFIG, struct.pack("<III", 6, 2, 0) + bytes(2)) +
        msg(GET_CONFIG, struct.pack("<III", 8, 4, 0) + bytes(4)) +
        msg(GET_CONFIG, struct.pack("<III", 0, 10, 0) + bytes(8)))


# --- virtqueue images of fuzz_vhost_ring.c ------------------------------
def vhost_ring():
    reg = 0x4000

    def image(features, chains, avail_idx, num=8, mrg=False):
        a = bytearray(reg)
        b = bytearray(reg)
        i = 0
        heads = []
        for chain in chains:
            heads.append(i)
            for k, (addr, length, write) in enumerate(chain):
                flags = (1 if k + 1 < len(chain) else 0) | (2 if write else 0)
                struct.pack_into("<QIHH", a, 16 * i, addr, length, flags,
                                 i + 1 if k + 1 < len(chain) else 0)
                i += 1
        struct.pack_into("<HH", a, 0x1000, 0, avail_idx)
        for k, h in enumerate(heads):
            struct.pack_into("<H", a, 0x1004 + 2 * k, h)
        setup = bytes([features, 3, 0 | 1 << 2, 0])
        return setup + bytes(ops) + b"\0" + bytes(a) + bytes(b)

    ops = [0, 0, 4, 5, 3 | 4 << 3, 4, 6 | 8, 7, 2, 4]
    # TX chains: header (12) + frame, one in two descriptors, one crossing
    # into region B; RX buffers for enqueue.
    tx = [[(0x2000, 12, False), (0x2100, 60, False)],
          [(0x3ff0, 0x20, False), (0x4000, 64, False)],
          [(0x2200, 1526, True)], [(0x2a00, 1526, True)]]
    out("vhost_ring", "tx-rx-v1", image(8 | 2, tx, 4))
    out("vhost_ring", "event-idx-mrg", image(1 | 4 | 8, tx, 4))
    loop = [[(0x2000, 12, False), (0x2100, 60, False)]]
    img = bytearray(image(8, loop, 1))
    # The second descriptor goes on to the first: a loop.
    struct.pack_into("<HH", img, 4 + len(ops) + 1 + 16 + 12, 1, 0)
    out("vhost_ring", "loop", bytes(img))
    out("vhost_ring", "indirect", image(8 | 2, [[(0x3000, 32, False)]], 1))


def vmm_boot(guest):
    if os.path.exists(guest):
        out("vmm_boot", "guest-elf", bytes([2, 1]) + open(guest, "rb").read()
            + bytes(64))
    # A bzImage reduced to its setup header: boot protocol 2.15, one
    # setup sector, a 64-bit entry, then a few bytes of "kernel".
    bz = bytearray(1024 + 512)
    bz[0x1f1] = 1                                   # setup_sects
    bz[0x200:0x202] = b"\xeb\x6a"                   # jmp: header to 0x26c
    struct.pack_into("<H", bz, 0x1fe, 0xaa55)
    struct.pack_into("<I", bz, 0x202, 0x53726448)   # "HdrS"
    struct.pack_into("<H", bz, 0x206, 0x020f)       # protocol
    bz[0x211] = 0x01                                # loadflags: LOADED_HIGH
    struct.pack_into("<I", bz, 0x214, 0x100000)     # code32_start
    struct.pack_into("<I", bz, 0x22c, 0x7fffffff)   # initrd_addr_max
    struct.pack_into("<I", bz, 0x230, 0x200000)     # kernel_alignment
    bz[0x234] = 1                                   # relocatable
    struct.pack_into("<H", bz, 0x236, 0x3)          # xloadflags: 64-bit
    struct.pack_into("<I", bz, 0x238, 2048)         # cmdline_size
    struct.pack_into("<I", bz, 0x260, 0x400000)     # init_size
    out("vmm_boot", "bzimage-min", bytes([2, 1]) + bytes(bz) + bytes(64))
    out("vmm_boot", "bzimage-min-no-initrd", bytes([3, 0]) + bytes(bz))
    # A minimal ELF64 header with one PT_LOAD.
    eh = struct.pack("<4sBBBBB7sHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, 0,
                     bytes(7), 2, 62, 1, 0x100000, 64, 0, 0, 64, 56, 1,
                     0, 0, 0)
    ph = struct.pack("<IIQQQQQQ", 1, 5, 0, 0x100000, 0x100000, 120, 120,
                     0x1000)
    out("vmm_boot", "elf-min", bytes([1, 0]) + eh + ph)


def pcap_frames(path):
    """(time, frame) of every record of a classic pcap file (either byte
    order, micro- or nanosecond); [] for anything else (pcapng)."""
    data = open(path, "rb").read()
    if len(data) < 24:
        return []
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return []
    res, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(e + "IIII", data[off:off + 16])
        off += 16
        res.append((sec * 10**9 + frac, data[off:off + incl]))
        off += incl
    return res


def bridge_input(mode, frames):
    """fuzz_bridge's input: MODE, then one single-frame burst per
    (port 1-4, frame)."""
    b = bytearray([mode])
    for port, f in frames:
        f = f[:2047]
        b += bytes([port - 1]) + struct.pack(">H", len(f)) + f
    return bytes(b)


def bridge():
    # The replay cases: their frames in time order, their bridge's mode.
    for case in sorted(os.listdir(os.path.join(TOP, "tests/pcap"))):
        d = os.path.join(TOP, "tests/pcap", case)
        setup = os.path.join(d, "setup")
        if not os.path.isfile(setup):
            continue
        text = open(setup).read()
        mode = 1 if "vlan_filtering 1" in text else 0
        for m in re.finditer(r"link set dev p([1-4]) hairpin on", text):
            mode |= 1 << int(m.group(1))
        timed = []
        for port in range(1, 5):
            p = os.path.join(d, "in-p%d.pcap" % port)
            if os.path.isfile(p):
                timed += [(t, port, f) for t, f in pcap_frames(p)]
        timed.sort(key=lambda x: (x[0], x[1]))
        if timed:
            out("bridge", case, bridge_input(mode,
                                             [(p, f) for _, p, f in timed]))


def bridge_extra(corpus, outdir):
    """fuzz_bridge seeds from third-party captures (shared/pcap-corpus),
    written to 'outdir' (a build directory: never committed), each fed
    into p1 with VLAN filtering off and on."""
    os.makedirs(outdir, exist_ok=True)
    for name in sorted(os.listdir(corpus)):
        frames = [(1, f) for _, f in pcap_frames(os.path.join(corpus, name))]
        for mode in (0, 1):
            data = bridge_input(mode, frames[:64])
            if len(data) > 1:
                with open(os.path.join(outdir, "%s-%d" % (name, mode)),
                          "wb") as f:
                    f.write(data)


def stp_config(sender, root=0, cost=0, port=1, age=0, flags=0):
    """fuzz_stp operation 0: a config BPDU from MAC 'sender' on 'port'
    (defaults for the priorities and timers)."""
    return bytes([0, port, 0, sender, flags, root]) + struct.pack(
        ">B", cost) + bytes([sender, port, age, 0, 0, 0])


def stp():
    tick = lambda s: bytes([7, 0, s])      # s seconds
    # A better root heard on port 1, then on 2: one root port, others
    # blocking; time runs through listening, learning, forwarding.
    out("stp", "root-elsewhere", bytes([5, 0x80, 0]) + stp_config(1) +
        stp_config(1, port=2, cost=4) + tick(16) + tick(16) + tick(30))
    # Topology change: TCN on a designated port, link flaps.
    out("stp", "tcn-flap", bytes([0, 0x80, 0]) + tick(31) +
        bytes([4, 1]) + bytes([8, 2, 0]) + bytes([8, 2, 1]) + tick(31))
    # root_block and bpdu_guard on the port that hears the better root.
    out("stp", "root-block", bytes([5, 0x80, 0]) + bytes([13, 1, 1]) +
        stp_config(1) + tick(16) + bytes([13, 1, 0]) + stp_config(1) +
        tick(16) + bytes([13, 2, 2]) + stp_config(1, port=2))
    # STP off and on with ports in every state; timers changed.
    out("stp", "off-on", tick(16) + bytes([10, 0, 0]) + tick(1) +
        bytes([14, 0, 10, 60, 20]) + bytes([10, 0, 1]) + tick(31) +
        bytes([9, 0, 0]) + bytes([9, 0, 1]) + bytes([15, 3, 0]) +
        bytes([15, 3, 0]))


def vmm_pci():
    cfg_w = lambda reg, v: bytes([0, 1, reg, 2]) + struct.pack("<I", v)
    bar_w = lambda off, v, n=1: (bytes([3, 0, off >> 8, off & 0xff,
                                        {1: 0, 2: 1, 4: 2}[n]]) +
                                 v.to_bytes(n, "little"))
    bar_r = lambda off, n=4: bytes([4, 0, off >> 8, off & 0xff,
                                    {1: 0, 2: 1, 4: 2}[n]])
    # The virtio 1.2 §3.1.1 initialisation through the common
    # configuration: status, features, queue 0 set up and enabled, MSI-X
    # vectors, DRIVER_OK, a kick, the ISR read, then a reset.
    init = (bar_w(0x14, 1) + bar_w(0x14, 3) + bar_w(0x08, 1, 4) +
            bar_w(0x0c, 1, 4) + bar_w(0x14, 11) + bar_w(0x16, 0, 2) +
            bar_w(0x10, 0, 2) + bar_w(0x1a, 0, 2) + bar_w(0x20, 0x1000, 4) +
            bar_w(0x28, 0x2000, 4) + bar_w(0x30, 0x3000, 4) +
            bar_w(0x18, 256, 2) + bar_w(0x1c, 1, 2) + bar_w(0x14, 15) +
            bar_w(0x3000, 0, 2) + bar_r(0x1000, 1) + bar_r(0x2000) +
            bar_w(0x14, 0))
    out("vmm_pci", "virtio-init", init)
    # BAR sizing (all ones, read back, restore), the MSI-X capability
    # enabled, a vector's table entry written and unmasked.
    out("vmm_pci", "bar-sizing", cfg_w(0x10, 0xffffffff) +
        bytes([1, 1, 0x10, 2]) + cfg_w(0x10, 0xc0000000) +
        cfg_w(0x18, 0xffffffff) + bytes([1, 1, 0x18, 2]))
    out("vmm_pci", "msix", bytes([1, 1, 0x34, 0]) + init[:-6] +
        bytes([3, 1, 0, 0, 2]) + struct.pack("<I", 0xfee00000) +
        bytes([3, 1, 0, 8, 2]) + struct.pack("<I", 0x4041) +
        bytes([3, 1, 0, 12, 2]) + struct.pack("<I", 0) +
        bytes([4, 1, 8, 0, 2]))


# --- virtio-net header + options byte + frame, of fuzz_offload.c ---------
def offload():
    def vnet(flags, gso, hdr_len, gso_size, cs, co):
        return struct.pack("<BBHHHHH", flags, gso, hdr_len, gso_size, cs, co, 0)
    eth4 = bytes.fromhex("020000000002020000000001") + b"\x08\x00"
    eth6 = bytes.fromhex("020000000002020000000001") + b"\x86\xdd"
    pay = bytes(range(200)) * 10
    ip4 = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40 + len(pay), 1, 0x4000, 64,
                      6, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    tcp = struct.pack("!HHIIBBHHH", 1234, 80, 1, 2, 0x50, 0x99, 512, 0, 0)
    tcp4 = eth4 + ip4 + tcp + pay
    ip6 = struct.pack("!IHBB", 0x60000000, 8 + len(pay), 17, 64) + \
        bytes(15) + b"\x01" + bytes(15) + b"\x02"
    udp6 = eth6 + ip6 + struct.pack("!HHHH", 5000, 6000, 8 + len(pay), 0) + pay
    out("offload", "tcp4-gso", vnet(1, 1, 54, 500, 34, 16) + b"\x00" + tcp4)
    out("offload", "tcp4-gso-ecn-vlan-mss", vnet(1, 0x81, 54, 500, 34, 16) +
        b"\x15" + tcp4)
    out("offload", "udp6-uso", vnet(1, 5, 62, 300, 54, 6) + b"\x01" + udp6)
    out("offload", "csum-only", vnet(1, 0, 0, 0, 34, 16) + b"\x00" + tcp4[:300])
    out("offload", "bad-gso-size-0", vnet(1, 1, 54, 0, 34, 16) + b"\x00" + tcp4)
    out("offload", "bad-hdr-len", vnet(1, 1, 9999, 500, 34, 16) + b"\x00" + tcp4)
    out("offload", "bad-csum-start", vnet(1, 0, 0, 0, 2999, 16) + b"\x00" +
        tcp4[:300])


if __name__ == "__main__" and sys.argv[1:2] == ["--bridge-extra"]:
    bridge_extra(sys.argv[2], sys.argv[3])
elif __name__ == "__main__":
    rpc()
    if len(sys.argv) > 1:
        config(sys.argv[1])
    script()
    pcap()
    vhost_msg()
    vhost_ring()
    offload()
    vmm_boot(sys.argv[2] if len(sys.argv) > 2
             else os.path.join(TOP, "build/tests/guest/guest.elf"))
    bridge()
    stp()
    vmm_pci()
