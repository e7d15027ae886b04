"""A real tesserad for the Python tests: `tesserad init` over a fresh data
dir, then the server on 127.0.0.1:0 (restartable on the same data), its
stderr copied to a log file, the address it printed, and its memory from
/proc. Shared by the end-to-end, hostile-network and crash tests."""

import os
import re
import resource
import signal
import subprocess
import threading
import time


class Failure(Exception):
    """A test's finding; the rigs raise it through check()."""


def check(cond, what):
    if not cond:
        raise Failure(what)


class TesseradProcess:
    """tesserad over `root`/data; `flags` are added to every start."""

    # Raised when init or start fails; callers set their own.
    Error = RuntimeError

    def __init__(self, tesserad, root, flags=(), nofile=None, init_timeout=60):
        self.tesserad = tesserad
        self.root = root
        self.data = os.path.join(root, "data")
        self.log_path = os.path.join(root, "tesserad.log")
        self.flags = list(flags)
        self.nofile = nofile
        init = subprocess.run([tesserad, "init", "--data_dir=" + self.data],
                              capture_output=True, text=True,
                              timeout=init_timeout)
        if init.returncode != 0:
            raise self.Error("tesserad init failed: " + init.stderr)
        self.admin_token = init.stdout.strip().splitlines()[-1]
        self.proc = None
        self.address = None
        self.port = None
        self.http_port = None  # set when the flags turn the gateway on
        # The lines tesserad printed up to and including "serving on".
        self.start_lines = []

    def _http_wanted(self):
        return any(f.startswith("--http_listen=") and f != "--http_listen="
                   for f in self.flags)

    def _limit(self):
        resource.setrlimit(resource.RLIMIT_NOFILE, (self.nofile, self.nofile))

    def start(self, timeout=60):
        """Starts the server and returns the address it serves on."""
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.tesserad, "--listen=127.0.0.1:0",
             "--data_dir=" + self.data] + self.flags,
            stdout=log, stderr=subprocess.PIPE,
            # preexec_fn can deadlock the child when the caller has threads
            # (the crash test's writers), so it is used only when asked for.
            preexec_fn=self._limit if self.nofile is not None else None)
        deadline = time.time() + timeout
        self.start_lines = []
        self.address = None
        self.http_port = None
        while time.time() < deadline:
            line = self.proc.stderr.readline().decode("utf-8", "replace")
            if not line:
                break
            self.start_lines.append(line)
            log.write(line.encode())
            m = re.search(r"serving on (\S+)", line)
            if m:
                self.address = m.group(1)
                self.port = int(self.address.rsplit(":", 1)[1])
            m = re.search(r"web workbench on http://\S+:(\d+)/", line)
            if m:
                self.http_port = int(m.group(1))
            # With the gateway on, its line comes after the gRPC one.
            if self.address and (self.http_port or not self._http_wanted()):
                log.flush()
                # Keep draining stderr so the server never blocks on a
                # full pipe.
                proc = self.proc

                def drain():
                    for chunk in iter(lambda: proc.stderr.read1(4096), b""):
                        log.write(chunk)
                        log.flush()
                    log.close()
                threading.Thread(target=drain, daemon=True).start()
                return self.address
        log.close()
        raise self.Error("tesserad did not start: " +
                         "".join(self.start_lines[-20:]))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        """SIGKILL: no shutdown code runs; the page cache survives."""
        if self.alive():
            os.kill(self.proc.pid, signal.SIGKILL)
        if self.proc:
            self.proc.wait()

    def stop(self, timeout=20):
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log_lines(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace").splitlines()

    def log_tail(self, n=40):
        try:
            return "\n".join(self.log_lines()[-n:])
        except OSError:
            return ""

    def status(self, field):
        """A field of /proc/PID/status in KiB (VmRSS, VmHWM)."""
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        raise self.Error("no %s in /proc status" % field)
