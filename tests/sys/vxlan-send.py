#!/usr/bin/env python3
"""vxlan-send.py - sends crafted VXLAN datagrams, for the bad-input test.

Usage: vxlan-send.py DST_IP CASE...

Each CASE is one datagram to DST_IP:4789, written as NAME=SPEC where SPEC
is a comma-separated list of:
  raw:HEX        the whole UDP payload, as hex (no VXLAN header added)
  flags:N        VXLAN flags byte (default 8, the I flag)
  vni:N          VNI (default 42)
  rsvd:N         fill the three reserved bytes with N (default 0)
  inner:N        an inner Ethernet frame of N bytes: dst ff:ff:ff:ff:ff:ff,
                 src 02:00:00:00:00:01, type 0x88b5, zero padding
                 (shorter N truncate it)
  src:MAC        the inner source MAC
Prints one line per datagram sent: NAME and its UDP payload length.
"""
import socket
import struct
import sys


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def build(spec):
    opts = dict(flags=8, vni=42, rsvd=0, inner=60, src="02:00:00:00:00:01")
    for item in spec.split(","):
        key, _, val = item.partition(":")
        if key == "raw":
            return bytes.fromhex(val)
        if key == "src":
            opts["src"] = val
        else:
            opts[key] = int(val, 0)
    r = opts["rsvd"]
    hdr = struct.pack("!B3sI", opts["flags"], bytes([r, r, r]),
                      (opts["vni"] << 8) | r)
    frame = mac("ff:ff:ff:ff:ff:ff") + mac(opts["src"]) + b"\x88\xb5"
    frame = (frame + bytes(max(0, opts["inner"] - len(frame))))
    return hdr + frame[:opts["inner"]]


def main():
    dst = sys.argv[1]
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    for case in sys.argv[2:]:
        name, _, spec = case.partition("=")
        payload = build(spec)
        s.sendto(payload, (dst, 4789))
        print(name, len(payload))


if __name__ == "__main__":
    main()
