#!/usr/bin/python3
"""The HTTP gateway against native gRPC, same server, same run.

1. Per call: WhoAmI over the gateway (Connect JSON and proto) and over
   native gRPC, closed loop at a few concurrencies. Reports calls/s and the
   server's CPU per call (tesserad's utime+stime from /proc over the calls
   made). The load generator is Python on the same cores: read the CPU
   column, throughput is bounded by the client.
2. Capacity: 500 browser-like sessions, each holding a WatchPublications
   stream (Connect streaming) and an idle keep-alive connection, while a
   unary WhoAmI probe's p50/p99 is measured; next to the same probe with
   no session open.

  gateway_bench.py TESSERAD STUBS_DIR [--seconds=3] [--sessions=500]
"""

import argparse
import os
import socket
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "gateway", "tests"))
import gateway_rig as rig  # noqa: E402


class HttpCaller:
    """One keep-alive connection sending a fixed request; minimal parsing
    so that the client costs little."""

    def __init__(self, port, request):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.request = request
        self.buf = b""

    def call(self):
        self.sock.sendall(self.request)
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                head = self.buf[:end]
                i = head.lower().find(b"content-length:")
                n = int(head[i + 15:head.index(b"\r\n", i)])
                total = end + 4 + n
                if len(self.buf) >= total:
                    status = head[9:12]
                    self.buf = self.buf[total:]
                    if status != b"200":
                        raise RuntimeError("HTTP %s" % status)
                    return
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("connection closed")
            self.buf += chunk

    def close(self):
        self.sock.close()


def http_request(port, token, proto):
    if proto:
        ct, body = "application/proto", b""
    else:
        ct, body = "application/json", b"{}"
    return ("POST /tessera.v1.IdentityService/WhoAmI HTTP/1.1\r\n"
            "Host: 127.0.0.1:%d\r\nContent-Type: %s\r\n"
            "Connect-Protocol-Version: 1\r\n"
            "Authorization: Bearer %s\r\nContent-Length: %d\r\n\r\n"
            % (port, ct, token, len(body))).encode() + body


def run_loop(make_caller, concurrency, seconds):
    """Closed loop: `concurrency` threads calling until the time is up.
    Returns the number of calls made."""
    callers = [make_caller() for _ in range(concurrency)]
    for c in callers:
        c()  # connect and warm
    counts = [0] * concurrency
    stop = time.time() + seconds

    def worker(i):
        c = callers[i]
        n = 0
        while time.time() < stop:
            c()
            n += 1
        counts[i] = n
    threads = [threading.Thread(target=worker, args=(i,))
               for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts)


def per_call(server, stubs, seconds, concurrencies):
    sys.path.insert(0, stubs)
    import grpc
    from tessera.v1 import identity_pb2, identity_pb2_grpc

    md = (("authorization", "Bearer " + server.admin),)

    def grpc_caller():
        ch = grpc.insecure_channel(server.grpc)
        stub = identity_pb2_grpc.IdentityServiceStub(ch)
        req = identity_pb2.WhoAmIRequest()
        return lambda: stub.WhoAmI(req, metadata=md)

    def http_caller(proto):
        def make():
            c = HttpCaller(server.http_port,
                           http_request(server.http_port, server.admin, proto))
            return c.call
        return make

    paths = [("gRPC (native)", grpc_caller),
             ("gateway JSON", http_caller(False)),
             ("gateway proto", http_caller(True))]
    print("\n## WhoAmI per call: gateway against native gRPC "
          "(%g s per cell, server CPU from /proc)" % seconds)
    print("| concurrency | path | calls/s | server CPU us/call |")
    print("|---|---|---|---|")
    for c in concurrencies:
        for name, make in paths:
            cpu0 = server.cpu_seconds()
            t0 = time.time()
            n = run_loop(make, c, seconds)
            wall = time.time() - t0
            cpu = server.cpu_seconds() - cpu0
            print("| %d | %s | %.0f | %.0f |" % (c, name, n / wall,
                                                   cpu / max(n, 1) * 1e6))
            sys.stdout.flush()


def percentile(sorted_values, p):
    i = min(len(sorted_values) - 1, int(round(p / 100.0 * (len(sorted_values) - 1))))
    return sorted_values[i]


def probe(server, n):
    c = HttpCaller(server.http_port,
                   http_request(server.http_port, server.admin, False))
    c.call()
    lat = []
    for _ in range(n):
        t = time.perf_counter()
        c.call()
        lat.append(time.perf_counter() - t)
    c.close()
    lat.sort()
    return percentile(lat, 50) * 1e3, percentile(lat, 99) * 1e3


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def capacity(server, sessions, probes):
    print("\n## Capacity: %d sessions, each a WatchPublications stream "
          "(Connect streaming) and an idle keep-alive connection" % sessions)
    p50_0, p99_0 = probe(server, probes)
    threads0, rss0 = server.threads(), rss_mb(server.proc.pid)
    streams, idle = [], []
    t0 = time.time()
    for _ in range(sessions):
        s = rig.RawStream(server.http_port,
                          "PublicationService/WatchPublications", {},
                          server.admin)
        streams.append(s)
        k = HttpCaller(server.http_port,
                       http_request(server.http_port, server.admin, False))
        k.call()
        idle.append(k)
    for s in streams:
        if s.read_head() != 200:
            raise RuntimeError("stream refused")
        s.next_frame()
    opened = time.time() - t0
    stats = server.stats()
    p50_1, p99_1 = probe(server, probes)
    threads1, rss1 = server.threads(), rss_mb(server.proc.pid)
    print("| sessions open | HTTP connections | streams | tesserad threads "
          "| RSS MB | probe p50 ms | probe p99 ms |")
    print("|---|---|---|---|---|---|---|")
    print("| 0 | - | 0 | %d | %.0f | %.2f | %.2f |"
          % (threads0, rss0, p50_0, p99_0))
    print("| %d | %d | %d | %d | %.0f | %.2f | %.2f |"
          % (sessions, stats["connections"], stats["streams"], threads1, rss1,
             p50_1, p99_1))
    print("(%d sessions opened in %.1f s; %d probe calls each)"
          % (sessions, opened, probes))
    for s in streams:
        s.close()
    for k in idle:
        k.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tesserad")
    ap.add_argument("stubs")
    ap.add_argument("--seconds", type=float, default=3)
    ap.add_argument("--sessions", type=int, default=500)
    ap.add_argument("--probes", type=int, default=2000)
    ap.add_argument("--concurrency", default="1,4,16")
    a = ap.parse_args()
    server = rig.Server(a.tesserad)
    try:
        print("# tesserad HTTP gateway bench (%d cores)" % os.cpu_count())
        per_call(server, a.stubs, a.seconds,
                 [int(x) for x in a.concurrency.split(",")])
        capacity(server, a.sessions, a.probes)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
