"""Shared plumbing of the end-to-end tests: a real tesserad in a temp dir,
and the `tessera` CLI run as a subprocess. Tests touch the server only
through the CLI binary."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "python"))
from tesserad_process import Failure, TesseradProcess, check  # noqa: E402,F401


class Server(TesseradProcess):
    """tesserad on 127.0.0.1:0 over a fresh data dir."""
    Error = Failure


class Cli:
    """Runs the tessera binary with a private config dir."""

    def __init__(self, tessera, home):
        self.tessera = tessera
        self.home = home
        os.makedirs(home, exist_ok=True)

    def env(self, token=None, server=None):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
               "HOME": self.home,
               "XDG_CONFIG_HOME": os.path.join(self.home, ".config"),
               "LANG": "C.UTF-8"}
        if token:
            env["TESSERA_TOKEN"] = token
        if server:
            env["TESSERA_SERVER"] = server
        return env

    def run(self, args, token=None, server=None, expect=0, stdin=None,
            timeout=60):
        p = subprocess.run([self.tessera] + args, capture_output=True,
                           env=self.env(token, server), input=stdin,
                           timeout=timeout)
        if expect is not None and p.returncode != expect:
            raise Failure("tessera %s: exit %d, expected %d\nstdout: %s\n"
                          "stderr: %s" % (" ".join(args), p.returncode, expect,
                                          p.stdout.decode(errors="replace"),
                                          p.stderr.decode(errors="replace")))
        return p

    def out(self, args, **kw):
        return self.run(args, **kw).stdout.decode("utf-8")

    def json_lines(self, args, **kw):
        return [json.loads(l) for l in self.out(args + ["--json"], **kw)
                .splitlines() if l.strip()]


def main(test, argv):
    """Parses --tessera, --tesserad, --seed; runs test(tessera, tesserad,
    seed, root) in a temp dir; exits 0 on success."""
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--tessera", required=True)
    ap.add_argument("--tesserad", required=True)
    ap.add_argument("--seed", default="")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args(argv)
    root = tempfile.mkdtemp(prefix="tessera-e2e-")
    started = time.time()
    try:
        test(a.tessera, a.tesserad, a.seed, root)
    except Failure as e:
        print("FAIL:", e, file=sys.stderr)
        return 1
    finally:
        if not a.keep:
            shutil.rmtree(root, ignore_errors=True)
        else:
            print("kept", root, file=sys.stderr)
    print("PASS in %.1fs" % (time.time() - started))
    return 0
