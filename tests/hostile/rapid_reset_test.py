#!/usr/bin/python3
"""rapid_reset_test: HTTP/2 rapid reset (the CVE-2023-44487 class) must not
make tesserad allocate without bound, nor keep others waiting: neither
straight at tesserad (its H2 guard closes connections that reset streams
too fast) nor through the supported front proxy (deploy/nginx/tessera.conf,
in Debian's nginx).

An unauthenticated client sends HEADERS then RST_STREAM on --streams new
streams (100,000 by default), reconnecting whenever the peer closes the
connection, and ends each connection with a PING whose ack shows that the
peer processed everything before it. tesserad's peak RSS (VmHWM) must grow
by less than BOUND_MIB, and a WhoAmI must be served during the attack in
under MAX_PROBE_SECONDS and after it. Without the guard (--h2_guard=off)
the direct attack takes tesserad from 33 MB to 1.5-2.7 GB.

Usage: rapid_reset_test.py --tesserad BIN --stubs DIR [--nginx BIN]
       [--streams N]
"""

import os
import re
import socket
import ssl
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile  # noqa: E402
from hostile import check  # noqa: E402

# Peak RSS over the attack, beyond the RSS before it. Without the guard
# or the proxy it grows by 1.5-2 GB.
BOUND_MIB = 160
# Other clients are served during the attack, and promptly.
MAX_PROBE_SECONDS = 2
PATH = "/tessera.v1.IdentityService/WhoAmI"
CONF = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                    "..", "..", "deploy", "nginx", "tessera.conf")


class Probe:
    """WhoAmI every 200 ms on its own channel; records the outcomes."""

    def __init__(self, stubs, target, token, credentials=None, options=()):
        sys.path.insert(0, stubs)
        import grpc
        from tessera.v1 import identity_pb2, identity_pb2_grpc
        self.grpc = grpc
        if credentials is None:
            self.channel = grpc.insecure_channel(target, options=options)
        else:
            self.channel = grpc.secure_channel(target, credentials,
                                               options=options)
        self.stub = identity_pb2_grpc.IdentityServiceStub(self.channel)
        self.request = identity_pb2.WhoAmIRequest()
        self.metadata = (("authorization", "Bearer " + token),)
        self.ok = 0
        self.failed = []
        self.worst = 0.0
        self.stop_flag = threading.Event()
        self.thread = None

    def once(self, timeout=5):
        t0 = time.time()
        try:
            self.stub.WhoAmI(self.request, timeout=timeout,
                             metadata=self.metadata)
            self.ok += 1
            self.worst = max(self.worst, time.time() - t0)
            return True
        except self.grpc.RpcError as e:
            self.failed.append(e.code())
            return False

    def start(self):
        def run():
            while not self.stop_flag.is_set():
                self.once()
                self.stop_flag.wait(0.2)
        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def stop(self):
        self.stop_flag.set()
        if self.thread:
            self.thread.join()

    def served_within(self, seconds):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.once(timeout=max(0.5, deadline - time.time())):
                return True
            time.sleep(0.2)
        return False


def watch_peak(server, stop):
    """VmHWM is the kernel's peak; this also samples VmRSS as it goes."""
    peak = [0]

    def run():
        while not stop.is_set() and server.alive():
            try:
                peak[0] = max(peak[0], server.status("VmRSS"))
            except (OSError, hostile.Failure):
                return
            stop.wait(0.1)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return peak, t


def attack(server, connect, streams, block, probe, name):
    base = server.status("VmRSS")
    stop = threading.Event()
    peak, watcher = watch_peak(server, stop)
    probe.start()
    t0 = time.time()
    sent, conns = hostile.rapid_reset(connect, streams, block)
    elapsed = time.time() - t0
    time.sleep(1.0)
    probe.stop()
    stop.set()
    watcher.join()
    check(server.alive(), name + ": tesserad died under the attack")
    hwm = server.status("VmHWM")
    rss = server.status("VmRSS")
    grown = (hwm - base) / 1024.0
    print("%s: %d streams over %d connection(s) in %.1fs; tesserad RSS "
          "%.0f MiB before, peak %.0f MiB (+%.0f), %.0f MiB after; probe "
          "%d ok, %d failed (%s), slowest %.2fs"
          % (name, sent, conns, elapsed, base / 1024.0, hwm / 1024.0, grown,
             rss / 1024.0, probe.ok, len(probe.failed),
             sorted(set(str(c) for c in probe.failed)), probe.worst))
    check(sent == streams, "%s: only %d of %d streams sent"
          % (name, sent, streams))
    check(grown < BOUND_MIB, "%s: tesserad peak RSS grew by %.0f MiB under "
          "the attack (bound %d MiB)" % (name, grown, BOUND_MIB))
    check(probe.worst < MAX_PROBE_SECONDS,
          "%s: a WhoAmI took %.1fs during the attack (bound %ds)"
          % (name, probe.worst, MAX_PROBE_SECONDS))
    check(probe.served_within(5),
          name + ": WhoAmI not served within 5 s after the attack")
    return grown


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def make_cert(root):
    cert = os.path.join(root, "cert.pem")
    key = os.path.join(root, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                    "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost"],
                   check=True, capture_output=True, timeout=60)
    os.chmod(key, 0o644)
    return cert, key


def nginx_conf(root, port, upstream, cert, key):
    """The shipped site config with this test's addresses and files, in a
    main config that keeps everything under `root`."""
    with open(CONF) as f:
        site = f.read()
    site = re.sub(r"listen\s+443\s+ssl\s+http2;",
                  "listen 127.0.0.1:%d ssl http2;" % port, site)
    site = re.sub(r"ssl_certificate\s+\S+;", "ssl_certificate %s;" % cert,
                  site)
    site = re.sub(r"ssl_certificate_key\s+\S+;",
                  "ssl_certificate_key %s;" % key, site)
    site = re.sub(r"server\s+127\.0\.0\.1:50051;", "server %s;" % upstream,
                  site)
    check("127.0.0.1:%d" % port in site and upstream in site,
          "deploy/nginx/tessera.conf no longer has the lines this test "
          "adapts (listen 443, ssl_certificate*, server 127.0.0.1:50051)")
    with open(os.path.join(root, "tessera.conf"), "w") as f:
        f.write(site)
    main = """
daemon off;
master_process on;
worker_processes 1;
pid %(root)s/nginx.pid;
error_log %(root)s/error.log info;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path %(root)s/body;
  proxy_temp_path %(root)s/proxy;
  fastcgi_temp_path %(root)s/fastcgi;
  uwsgi_temp_path %(root)s/uwsgi;
  scgi_temp_path %(root)s/scgi;
  include %(root)s/tessera.conf;
}
""" % {"root": root}
    path = os.path.join(root, "nginx.conf")
    with open(path, "w") as f:
        f.write(main)
    return path


def drop_privileges():
    if os.getuid() == 0:
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)


def start_nginx(a, root, upstream, cert, key):
    for _ in range(5):
        port = free_port()
        conf = nginx_conf(root, port, upstream, cert, key)
        log = open(os.path.join(root, "nginx.stderr"), "ab")
        proc = subprocess.Popen([a.nginx, "-p", root + "/", "-c", conf,
                                 "-e", root + "/error.log"],
                                stdout=log, stderr=log,
                                preexec_fn=drop_privileges)
        deadline = time.time() + 10
        while time.time() < deadline and proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                return proc, port
            except OSError:
                time.sleep(0.1)
        proc.kill()
        proc.wait()
    with open(os.path.join(root, "error.log"), errors="replace") as f:
        raise hostile.Failure("nginx did not start: " + f.read()[-2000:])


def direct(a, root):
    """Straight at a plaintext port that other hosts can reach, which
    tesserad guards by default."""
    server = hostile.Server(a.tesserad, os.path.join(root, "exposed"),
                            args=["--listen=0.0.0.0:0",
                                  "--allow_insecure_remote"])
    server.start()
    try:
        port = server.port
        probe = Probe(a.stubs, "127.0.0.1:%d" % port, server.admin_token)
        check(probe.served_within(5), "not served before the attack")

        def connect_direct():
            return socket.create_connection(("127.0.0.1", port), 5)
        attack(server, connect_direct, a.streams,
               hostile.grpc_request_headers(PATH, "127.0.0.1:%d" % port),
               probe, "direct")
    finally:
        server.stop()


def test(a, root):
    direct(a, root)
    sys.path.insert(0, a.stubs)
    import grpc
    # Loopback only, so unguarded: the proxy is the defence.
    server = hostile.Server(a.tesserad, os.path.join(root, "tesserad"))
    server.start()
    nginx = None
    try:

        # Through nginx with the shipped config, over TLS.
        nginx_root = os.path.join(root, "nginx")
        os.makedirs(nginx_root)
        os.chmod(root, 0o755)
        os.chmod(nginx_root, 0o777)
        cert, key = make_cert(nginx_root)
        nginx, nport = start_nginx(a, nginx_root, server.address, cert, key)
        with open(cert, "rb") as f:
            creds = grpc.ssl_channel_credentials(root_certificates=f.read())
        via = Probe(a.stubs, "localhost:%d" % nport, server.admin_token,
                    credentials=creds)
        check(via.served_within(5),
              "not served through nginx before the attack")
        ctx = ssl.create_default_context(cafile=cert)
        ctx.set_alpn_protocols(["h2"])

        def connect_tls():
            raw = socket.create_connection(("127.0.0.1", nport), 5)
            s = ctx.wrap_socket(raw, server_hostname="localhost")
            check(s.selected_alpn_protocol() == "h2",
                  "nginx did not offer h2")
            return s
        attack(server, connect_tls, a.streams,
               hostile.grpc_request_headers(PATH, "localhost:%d" % nport,
                                            scheme="https"),
               via, "nginx")
    finally:
        if nginx is not None:
            nginx.terminate()
            try:
                nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                nginx.kill()
                nginx.wait()
        server.stop()


if __name__ == "__main__":
    sys.exit(hostile.main(test))
