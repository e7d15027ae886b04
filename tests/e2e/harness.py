"""Shared plumbing of the end-to-end tests: a real tesserad in a temp dir,
and the `tessera` CLI run as a subprocess. Tests touch the server only
through the CLI binary."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


class Server:
    """tesserad on 127.0.0.1:0 over a fresh data dir."""

    def __init__(self, tesserad, root):
        self.tesserad = tesserad
        self.data = os.path.join(root, "data")
        init = subprocess.run([tesserad, "init", "--data_dir=" + self.data],
                              capture_output=True, text=True, timeout=30)
        check(init.returncode == 0, "tesserad init failed: " + init.stderr)
        self.admin_token = init.stdout.strip().splitlines()[-1]
        self.log_path = os.path.join(root, "tesserad.log")
        self.proc = None
        self.address = None

    def start(self):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.tesserad, "--listen=127.0.0.1:0", "--data_dir=" + self.data],
            stdout=log, stderr=subprocess.PIPE)
        deadline = time.time() + 30
        lines = []
        while time.time() < deadline:
            line = self.proc.stderr.readline().decode("utf-8", "replace")
            if not line:
                break
            lines.append(line)
            m = re.search(r"serving on (\S+)", line)
            if m:
                self.address = m.group(1)
                # Keep draining stderr into the log so the server never
                # blocks on a full pipe.
                self._drain(log)
                return self.address
        raise Failure("tesserad did not start: " + "".join(lines))

    def _drain(self, log):
        import threading

        def run():
            for chunk in iter(lambda: self.proc.stderr.read1(4096), b""):
                log.write(chunk)
                log.flush()
        threading.Thread(target=run, daemon=True).start()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log_tail(self, n=40):
        try:
            with open(self.log_path, "rb") as f:
                return b"".join(f.readlines()[-n:]).decode("utf-8", "replace")
        except OSError:
            return ""


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
