#!/usr/bin/python3
"""TLS: against a server that offers TLS, the CLI uses it (verified with
--ca-file) and never falls back to plaintext; against a plaintext loopback
server, it falls back. Also a revoked token gets exit code 4."""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Cli, Failure, Server, check, main  # noqa: E402


class TlsServer(Server):
    def __init__(self, tesserad, root, cert, key):
        super().__init__(tesserad, root, flags=["--tls_cert_file=" + cert,
                                                "--tls_key_file=" + key])


def tls(tessera, tesserad, seed, root):
    cert = os.path.join(root, "cert.pem")
    key = os.path.join(root, "key.pem")
    gen = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
         "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-addext",
         "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", key, "-out", cert], capture_output=True, timeout=30)
    check(gen.returncode == 0, "openssl: %s" % gen.stderr)
    server = TlsServer(tesserad, os.path.join(root, "tls"), cert, key)
    os.makedirs(os.path.join(root, "tls"), exist_ok=True)
    addr = server.start()
    cli = Cli(tessera, os.path.join(root, "home"))
    try:
        out = cli.out(["login", "--server", addr, "--token",
                       server.admin_token, "--ca-file", cert])
        check("over TLS" in out, "login: " + out)
        # The config remembers TLS and the roots.
        check(cli.out(["whoami"]).startswith("admin "), "whoami via config")
        # Without the roots the certificate is not trusted, and the CLI does
        # not silently retry in plaintext: the call fails as unreachable.
        fresh = Cli(tessera, os.path.join(root, "fresh"))
        p = fresh.run(["whoami", "--server", addr, "--token",
                       server.admin_token], expect=3)
        check(b"cannot reach" in p.stderr, p.stderr)
        p = fresh.run(["whoami", "--server", addr, "--token",
                       server.admin_token, "--tls"], expect=3)
        check(b"cannot reach" in p.stderr, p.stderr)
        # Revoked token: exit 4.
        issued = json.loads(cli.out(["token", "issue", "admin", "--json"]))
        cli.out(["token", "revoke", issued["token"]["name"]])
        cli.run(["whoami", "--token", issued["secret"]], expect=4)
    finally:
        server.stop()

    plain = Server(tesserad, os.path.join(root, "plain"))
    addr = plain.start()
    try:
        out = Cli(tessera, os.path.join(root, "home2")).out(
            ["login", "--server", addr, "--token", plain.admin_token])
        check("over plaintext" in out, "loopback fallback: " + out)
    finally:
        plain.stop()


if __name__ == "__main__":
    sys.exit(main(tls, sys.argv[1:]))
