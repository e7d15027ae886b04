#!/usr/bin/python3
"""Short form of the gateway's capacity check: 500 open streams, each on
its own connection, cost no thread each, and a unary call is still
answered while they are open; closing them ends their calls.

  capacity_test.py TESSERAD [SESSIONS]
"""

import sys
import time

sys.path.insert(0, __import__("os").path.dirname(__file__))
import gateway_rig as rig  # noqa: E402


def main():
    tesserad = sys.argv[1]
    sessions = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    server = rig.Server(tesserad)
    streams = []
    try:
        # Warm up: a few streams and calls start gRPC's own threads.
        warm = [rig.RawStream(server.http_port,
                              "PublicationService/WatchPublications", {},
                              server.admin) for _ in range(10)]
        for w in warm:
            rig.check(w.read_head() == 200, "warm-up stream refused")
            w.next_frame()
        for w in warm:
            w.close()
        time.sleep(0.5)
        before = server.threads()
        for i in range(sessions):
            s = rig.RawStream(server.http_port,
                              "PublicationService/WatchPublications", {},
                              server.admin)
            streams.append(s)
        for s in streams:
            rig.check(s.read_head() == 200, "stream refused: %d" % s.status)
            flags, msg = s.next_frame()
            rig.check(flags == 0 and msg.get("caughtUp"),
                      "stream did not catch up: %r" % msg)
        stats = server.stats()
        rig.check(stats["streams"] == sessions,
                  "gateway counts %r streams" % stats)
        during = server.threads()
        started = time.time()
        st, _, msg = server.unary("IdentityService/WhoAmI", {}, server.admin)
        took = time.time() - started
        rig.check(st == 200 and msg["user"]["userId"] == "admin",
                  "probe failed with %d streams open: %r" % (sessions, msg))
        rig.check(took < 10, "probe took %.1fs" % took)
        # A thread per connection would add `sessions` threads.
        rig.check(during - before < 32,
                  "threads grew from %d to %d with %d streams"
                  % (before, during, sessions))
        for s in streams:
            s.close()
        streams = []
        deadline = time.time() + 20
        while True:
            stats = server.stats()
            if stats["streams"] == 0 and stats["calls"] == 0:
                break
            rig.check(time.time() < deadline,
                      "closed streams still open: %r" % stats)
            time.sleep(0.1)
        print("PASS: %d streams, threads %d -> %d, probe %.1f ms"
              % (sessions, before, during, took * 1000))
    finally:
        for s in streams:
            s.close()
        server.stop()


if __name__ == "__main__":
    try:
        main()
    except rig.Failure as e:
        print("FAIL:", e, file=sys.stderr)
        sys.exit(1)
