#!/usr/bin/env python3
"""netdev-vlan.py - tagged frames for tests/sys/netdev-port.sh.

  netdev-vlan.py send DEV VID SRC-MAC   sends 5 broadcast frames tagged VID
                                        (802.1Q, EtherType 0x88b5 inside)
  netdev-vlan.py recv DEV SRC-MAC       waits up to 5 s for one such frame
                                        from SRC-MAC and prints its VID, or
                                        "untagged"; exits 1 if none came

The kernel takes the tag out of a received frame before any packet socket
sees it (skb_vlan_untag), so the receiver reads it back from the
PACKET_AUXDATA control message, and from the frame itself as well in case
a tag is left inline (a QinQ inner tag, say).
"""
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 1 << 4
ETHERTYPE = 0x88B5          # IEEE local experimental
MARK = b"nd-vlan-test"


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def send(dev, vid, src):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((dev, 0))
    frame = (b"\xff" * 6 + mac_bytes(src) +
             struct.pack("!HHH", 0x8100, vid, ETHERTYPE) + MARK)
    frame += b"\0" * max(0, 60 - len(frame))
    for _ in range(5):
        s.send(frame)
        time.sleep(0.1)


def recv(dev, src):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    s.bind((dev, 0))
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    want = mac_bytes(src)
    end = time.time() + 5
    while time.time() < end:
        if not select.select([s], [], [], end - time.time())[0]:
            break
        data, anc, _, _ = s.recvmsg(65536, socket.CMSG_SPACE(20))
        if data[6:12] != want:
            continue
        vid = None
        for level, kind, aux in anc:
            if level == SOL_PACKET and kind == PACKET_AUXDATA:
                status, _, _, _, _, tci, _ = struct.unpack("IIIHHHH",
                                                           aux[:20])
                if status & TP_STATUS_VLAN_VALID:
                    vid = tci & 0xFFF
        etype = struct.unpack("!H", data[12:14])[0]
        if etype == 0x8100:
            vid = struct.unpack("!H", data[14:16])[0] & 0xFFF
            etype = struct.unpack("!H", data[16:18])[0]
        if etype != ETHERTYPE:
            continue
        print(vid if vid is not None else "untagged")
        return 0
    print("nothing")
    return 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["send"] and len(sys.argv) == 5:
        send(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        sys.exit(0)
    if sys.argv[1:2] == ["recv"] and len(sys.argv) == 4:
        sys.exit(recv(sys.argv[2], sys.argv[3]))
    sys.exit(__doc__)
