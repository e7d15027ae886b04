#!/usr/bin/python3
"""A small HTTP server that answers like LibreTranslate, for tests.

Listens on 127.0.0.1, port 0, and prints the port on stdout. Pairs: en<->fr
and en->es. /translate answers "[target] " + q reversed, except for some
magic texts: "boom" (HTTP 500), "busy" (429), "bad" (400), "garbage" (not
JSON), "sleep:S ..." (answers after S seconds). GET /stats reports the
requests seen and the most in flight at once. Ends when stdin closes.
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATS = {"translate": 0, "languages": 0, "in_flight": 0, "max_in_flight": 0,
         "last_request": None}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, code, payload, raw=None):
        body = raw if raw is not None else json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/languages":
            with LOCK:
                STATS["languages"] += 1
            self.answer(200, [
                {"code": "en", "name": "English", "targets": ["fr", "es"]},
                {"code": "fr", "name": "French", "targets": ["en"]},
            ])
        elif self.path == "/stats":
            with LOCK:
                self.answer(200, STATS)
        else:
            self.answer(404, {"error": "no such path"})

    def do_POST(self):
        if self.path != "/translate":
            self.answer(404, {"error": "no such path"})
            return
        length = int(self.headers.get("Content-Length", "0"))
        req = json.loads(self.rfile.read(length) or b"{}")
        with LOCK:
            STATS["translate"] += 1
            STATS["in_flight"] += 1
            STATS["max_in_flight"] = max(STATS["max_in_flight"],
                                         STATS["in_flight"])
            STATS["last_request"] = req
        try:
            q = req.get("q", "")
            if q.startswith("sleep:"):
                time.sleep(float(q.split()[0][len("sleep:"):]))
            if q == "boom":
                self.answer(500, {"error": "the engine crashed"})
            elif q == "busy":
                self.answer(429, {"error": "too many requests"})
            elif q == "bad":
                self.answer(400, {"error": "bad request"})
            elif q == "garbage":
                self.answer(200, None, raw=b"<html>not json</html>")
            else:
                self.answer(200, {"translatedText":
                                  "[%s] %s" % (req.get("target"), q[::-1])})
        finally:
            with LOCK:
                STATS["in_flight"] -= 1


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    sys.stdin.read()  # the test closes it, or dies
    server.shutdown()


if __name__ == "__main__":
    main()
