"""A real tesserad with its HTTP gateway on 127.0.0.1:0, and small HTTP
helpers over raw sockets and http.client, for the gateway's tests and
bench."""

import http.client
import json
import os
import shutil
import socket
import struct
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tests", "python"))
from tesserad_process import Failure, TesseradProcess, check  # noqa: E402,F401


class Server(TesseradProcess):
    """tesserad with the gateway on, serving `web_files` as its web root;
    started at once, removed with its directory by stop()."""

    Error = Failure

    def __init__(self, tesserad, extra_flags=(), web_files=None):
        root = tempfile.mkdtemp(prefix="tessera-gw-")
        self.web = os.path.join(root, "web")
        os.makedirs(self.web)
        for name, content in (web_files or {}).items():
            path = os.path.join(self.web, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(content)
        super().__init__(tesserad, root,
                         ["--http_listen=127.0.0.1:0", "--web_root=" + self.web,
                          "--apertium=false"] + list(extra_flags))
        self.admin = self.admin_token
        try:
            self.grpc = self.start()
        except Failure:
            self.stop()
            raise

    def threads(self):
        return len(os.listdir("/proc/%d/task" % self.proc.pid))

    def cpu_seconds(self):
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def stop(self):
        super().stop()
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
