#!/usr/bin/python3
"""connection_exhaustion_test: idle TCP connections from anyone, no token,
must not stop the server accepting for good (CVE-2023-4785 in gRPC 1.51).

tesserad runs with a hard open-file limit of 256. The test opens idle TCP
connections until the server takes no more (it closes them, or the kernel
queue fills), closes them all, and then needs a fresh gRPC client to be
served within 5 s. Twice: with the automatic connection cap (the cap
refuses the excess), and with a cap above the descriptor limit, so that
accept itself runs out of descriptors and the listener must recover.

Usage: connection_exhaustion_test.py --tesserad BIN --stubs DIR
"""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile  # noqa: E402
from hostile import check  # noqa: E402

NOFILE = 256
ATTEMPTS = NOFILE + 128


def flood(port):
    """Opens up to ATTEMPTS idle connections; returns (sockets, closed by
    the server)."""
    socks = []
    for _ in range(ATTEMPTS):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(1.0)
        try:
            s.connect(("127.0.0.1", port))
        except OSError:
            s.close()
            break
        socks.append(s)
    time.sleep(1.0)
    closed = 0
    for s in socks:
        s.setblocking(False)
        try:
            if s.recv(1) == b"":
                closed += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
    return socks, closed


def round_trip(a, root, name, args):
    server = hostile.Server(a.tesserad, os.path.join(root, name), args=args,
                            nofile=NOFILE)
    server.start()
    try:
        ok, err = hostile.served_within(a.stubs, server.address,
                                        server.admin_token, 5)
        check(ok, "%s: not served before the flood: %s" % (name, err))
        socks, closed = flood(server.port)
        print("%s: opened %d connections, %d closed by the server"
              % (name, len(socks), closed))
        for s in socks:
            s.close()
        check(server.alive(), name + ": tesserad died under the flood")
        t0 = time.time()
        ok, err = hostile.served_within(a.stubs, server.address,
                                        server.admin_token, 5)
        check(ok, "%s: no new client served within 5 s after the flood "
              "ended (the listener stopped accepting): %s" % (name, err))
        print("%s: served again after %.2fs" % (name, time.time() - t0))
        return closed, server.log_lines()
    finally:
        server.stop()


def test(a, root):
    hostile.raise_own_nofile()
    os.makedirs(root, exist_ok=True)
    # The automatic cap leaves room below the limit: excess connections are
    # closed at once, so clients fail fast instead of hanging.
    closed, log = round_trip(a, root, "auto-cap", [])
    check(closed > 0, "auto-cap: the server took every one of %d connections "
          "under an open-file limit of %d" % (ATTEMPTS, NOFILE))
    check(any("open-file limit %d" % NOFILE in l for l in log),
          "auto-cap: start-up log does not state the open-file limit")
    # A cap above the limit: accept runs into EMFILE and must recover.
    _, log = round_trip(a, root, "emfile", ["--max_connections=100000"])
    check(any("for want of file descriptors" in l for l in log),
          "emfile: the flood never ran the server out of descriptors, so "
          "the recovery path was not exercised:\n" + "\n".join(log[-20:]))


if __name__ == "__main__":
    sys.exit(hostile.main(test))
