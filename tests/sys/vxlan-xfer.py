#!/usr/bin/env python3
"""vxlan-xfer.py - a checksummed TCP transfer for the VXLAN system tests.

  vxlan-xfer.py recv ADDR PORT      accept one connection, read to EOF,
                                    print "<bytes> <sha256>"
  vxlan-xfer.py send ADDR PORT N SEED
                                    connect, send N pseudo-random bytes
                                    (from SEED), print "<bytes> <sha256>"

The receiver prints "ready" on stderr once it listens.  The bytes are
generated, not read from a file, so a test compares the two lines.
"""
import hashlib
import random
import socket
import sys


def main():
    mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    h = hashlib.sha256()
    total = 0
    if mode == "recv":
        srv = socket.socket(fam, socket.SOCK_STREAM)
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind((addr, port))
        srv.listen(1)
        srv.settimeout(30)
        print("ready", file=sys.stderr, flush=True)
        conn, _ = srv.accept()
        conn.settimeout(30)
        while True:
            b = conn.recv(1 << 20)
            if not b:
                break
            h.update(b)
            total += len(b)
        conn.close()
    else:
        n, seed = int(sys.argv[4]), int(sys.argv[5])
        rng = random.Random(seed)
        s = socket.create_connection((addr, port), timeout=30)
        while total < n:
            chunk = rng.randbytes(min(1 << 20, n - total))
            s.sendall(chunk)
            h.update(chunk)
            total += len(chunk)
        s.shutdown(socket.SHUT_WR)
        s.recv(1)               # the receiver's close
        s.close()
    print(total, h.hexdigest())


if __name__ == "__main__":
    main()
