"""A real tesserad with its HTTP gateway on 127.0.0.1:0, and small HTTP
helpers over raw sockets and http.client, for the gateway's tests and
bench."""

import http.client
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


class Server:
    def __init__(self, tesserad, extra_flags=(), web_files=None):
        self.root = tempfile.mkdtemp(prefix="tessera-gw-")
        self.data = os.path.join(self.root, "data")
        self.web = os.path.join(self.root, "web")
        os.makedirs(self.web)
        for name, content in (web_files or {}).items():
            path = os.path.join(self.web, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(content)
        init = subprocess.run([tesserad, "init", "--data_dir=" + self.data],
                              capture_output=True, text=True, timeout=60)
        check(init.returncode == 0, "tesserad init: " + init.stderr)
        self.admin = init.stdout.strip().splitlines()[-1]
        self.log_path = os.path.join(self.root, "tesserad.log")
        self.proc = subprocess.Popen(
            [tesserad, "--listen=127.0.0.1:0", "--http_listen=127.0.0.1:0",
             "--data_dir=" + self.data, "--web_root=" + self.web,
             "--apertium=false"] + list(extra_flags),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.grpc = None
        self.http_port = None
        deadline = time.time() + 60
        lines = []
        while time.time() < deadline and self.http_port is None:
            line = self.proc.stderr.readline().decode("utf-8", "replace")
            if not line:
                break
            lines.append(line)
            m = re.search(r"serving on (\S+)", line)
            if m:
                self.grpc = m.group(1)
            m = re.search(r"web workbench on http://[^:]+:(\d+)/", line)
            if m:
                self.http_port = int(m.group(1))
        if self.http_port is None:
            self.stop()
            raise Failure("tesserad did not start: " + "".join(lines))
        log = open(self.log_path, "ab")

        def drain():
            for chunk in iter(lambda: self.proc.stderr.read1(4096), b""):
                log.write(chunk)
                log.flush()
        threading.Thread(target=drain, daemon=True).start()

    def threads(self):
        return len(os.listdir("/proc/%d/task" % self.proc.pid))

    def cpu_seconds(self):
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    def conn(self, timeout=30):
        return http.client.HTTPConnection("127.0.0.1", self.http_port,
                                          timeout=timeout)

    def request(self, method, path, body=b"", headers=None, conn=None):
        """(status, {lowercase header: value}, body bytes, [set-cookie...])"""
        c = conn or self.conn()
        if isinstance(body, str):
            body = body.encode()
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        cookies = r.msg.get_all("Set-Cookie") or []
        if conn is None:
            c.close()
        return r.status, hdrs, data, cookies

    def unary(self, method, msg, token=None, headers=None):
        h = {"Content-Type": "application/json"}
        if token:
            h["Authorization"] = "Bearer " + token
        h.update(headers or {})
        st, hd, body, _ = self.request("POST", "/tessera.v1." + method,
                                       json.dumps(msg), h)
        return st, hd, json.loads(body) if body else None

    def stats(self):
        st, _, body, _ = self.request("GET", "/_gateway/stats")
        check(st == 200, "stats: %d" % st)
        return json.loads(body)


def envelope(flags, payload):
    return struct.pack(">BI", flags, len(payload)) + payload


def parse_envelopes(data):
    out = []
    while len(data) >= 5:
        flags, n = struct.unpack(">BI", data[:5])
        out.append((flags, data[5:5 + n]))
        data = data[5 + n:]
    return out, data


class RawStream:
    """A server-streaming Connect call on its own socket, read frame by
    frame (http.client would buffer the chunked body)."""

    def __init__(self, port, method, msg, token, timeout_ms=None,
                 extra=b"", sock_timeout=30):
        self.sock = socket.create_connection(("127.0.0.1", port),
                                             timeout=sock_timeout)
        body = envelope(0, json.dumps(msg).encode())
        head = ("POST /tessera.v1.%s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                "Content-Type: application/connect+json\r\n"
                "Connect-Protocol-Version: 1\r\n"
                "Authorization: Bearer %s\r\nContent-Length: %d\r\n"
                % (method, port, token, len(body)))
        if timeout_ms is not None:
            head += "Connect-Timeout-Ms: %d\r\n" % timeout_ms
        self.sock.sendall(head.encode() + extra + b"\r\n" + body)
        self.buf = b""
        self.status = None
        self.headers = {}
        self.payload = b""  # de-chunked body so far

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError
        self.buf += chunk

    def read_head(self):
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        self.status = int(lines[0].split()[1])
        for l in lines[1:]:
            k, v = l.split(":", 1)
            self.headers[k.strip().lower()] = v.strip()
        return self.status

    def _dechunk(self):
        while True:
            if b"\r\n" not in self.buf:
                return False
            size_line, rest = self.buf.split(b"\r\n", 1)
            n = int(size_line, 16)
            if len(rest) < n + 2:
                return False
            self.payload += rest[:n]
            self.buf = rest[n + 2:]
            if n == 0:
                return True

    def next_frame(self):
        while True:
            frames, _ = parse_envelopes(self.payload)
            if frames:
                flags, data = frames[0]
                self.payload = self.payload[5 + len(data):]
                return flags, json.loads(data)
            before = len(self.payload)
            ended = self._dechunk()
            if len(self.payload) == before:
                if ended:
                    raise EOFError
                self._fill()

    def close(self):
        self.sock.close()
