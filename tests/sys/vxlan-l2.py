#!/usr/bin/env python3
"""vxlan-l2.py - sends or counts marked Ethernet frames on an interface.

  vxlan-l2.py send IF DST_MAC MARK      one frame, EtherType 0x88b5 (local
                                        experimental), payload MARK, from
                                        the interface's own MAC
  vxlan-l2.py count IF MARK SECONDS     prints how many frames with that
                                        EtherType and payload MARK arrive
                                        in SECONDS (prints "ready" first,
                                        on stderr, once listening)
"""
import socket
import sys
import time

ETH_P_ALL = 0x0003
ETH_TYPE = 0x88B5


def mac_bytes(s):
    return bytes(int(x, 16) for x in s.split(":"))


def main():
    cmd, ifname = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifname, 0))
    if cmd == "send":
        src = s.getsockname()[4]
        payload = sys.argv[4].encode()
        frame = mac_bytes(sys.argv[3]) + src + ETH_TYPE.to_bytes(2, "big")
        frame += payload + bytes(max(0, 46 - len(payload)))
        s.send(frame)
        return
    mark = sys.argv[3].encode()
    end = time.monotonic() + float(sys.argv[4])
    n = 0
    print("ready", file=sys.stderr, flush=True)
    while True:
        left = end - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            data, addr = s.recvfrom(65535)
        except socket.timeout:
            break
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        if data[12:14] == ETH_TYPE.to_bytes(2, "big") and \
                data[14:14 + len(mark)] == mark:
            n += 1
    print(n)


if __name__ == "__main__":
    main()
