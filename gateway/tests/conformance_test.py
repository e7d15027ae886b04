#!/usr/bin/python3
"""The HTTP gateway at the HTTP level, against a real tesserad: the Connect
protocol (unary JSON and proto, server streaming, every error path),
sign-in by cookie and its CSRF defence, static files and their headers,
and a client disconnect cancelling its call.

  conformance_test.py TESSERAD STUBS_DIR
"""

import base64
import json
import socket
import sys
import time
import unittest

sys.path.insert(0, __import__("os").path.dirname(__file__))
import gateway_rig as rig  # noqa: E402

TESSERAD = None
STUBS = None
SERVER = None
MAX_BODY = 65536

INDEX = b"<!doctype html><title>Tessera</title><script src=/app.js></script>"
APP = b"console.log('tessera');"


def setUpModule():
    global SERVER
    SERVER = rig.Server(TESSERAD, ["--http_max_body_bytes=%d" % MAX_BODY],
                        web_files={"index.html": INDEX, "app.js": APP,
                                   "assets/logo.svg": b"<svg/>"})


def tearDownModule():
    SERVER.stop()


SECURITY = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


class Base(unittest.TestCase):
    maxDiff = None

    def assertSecure(self, headers):
        for k, v in SECURITY.items():
            self.assertEqual(headers.get(k), v, k)
        csp = headers.get("content-security-policy", "")
        for part in ("default-src 'self'", "script-src 'self'",
                     "frame-ancestors 'none'", "base-uri 'none'"):
            self.assertIn(part, csp)
        self.assertNotIn("unsafe-inline", csp)

    def assertConnectError(self, status, headers, body, http_status, code):
        self.assertEqual(status, http_status, body)
        self.assertEqual(headers.get("content-type"), "application/json")
        err = json.loads(body)
        self.assertEqual(err["code"], code, body)
        self.assertTrue(err.get("message"), body)
        self.assertSecure(headers)
        return err

    def post(self, path, body, headers):
        return SERVER.request("POST", path, body, headers)[:3]


class UnaryTest(Base):
    def test_json_call(self):
        st, hd, msg = SERVER.unary("IdentityService/WhoAmI", {}, SERVER.admin)
        self.assertEqual(st, 200, msg)
        self.assertEqual(hd["content-type"], "application/json")
        self.assertEqual(msg["user"]["userId"], "admin")
        self.assertSecure(hd)

    def test_snake_case_and_unknown_fields_are_accepted(self):
        st, _, msg = SERVER.unary("IdentityService/ListUsers",
                                  {"page_size": 5, "noSuchField": 1},
                                  SERVER.admin)
        self.assertEqual(st, 200, msg)
        self.assertIn("admin", [u["userId"] for u in msg["users"]])

    def test_proto_call(self):
        sys.path.insert(0, STUBS)
        from tessera.v1 import identity_pb2
        req = identity_pb2.ListUsersRequest(page_size=3).SerializeToString()
        st, hd, body = self.post(
            "/tessera.v1.IdentityService/ListUsers", req,
            {"Content-Type": "application/proto",
             "Authorization": "Bearer " + SERVER.admin})
        self.assertEqual(st, 200, body)
        self.assertEqual(hd["content-type"], "application/proto")
        resp = identity_pb2.ListUsersResponse.FromString(body)
        self.assertIn("admin", [u.user_id for u in resp.users])

    def test_unknown_service_and_method(self):
        for path in ("/tessera.v1.NoService/WhoAmI",
                     "/tessera.v1.IdentityService/NoMethod",
                     "/grpc.health.v1.Health/Check"):
            st, hd, body = self.post(path, "{}", {
                "Content-Type": "application/json",
                "Authorization": "Bearer " + SERVER.admin})
            self.assertConnectError(st, hd, body, 404, "unimplemented")

    def test_bad_content_type(self):
        for ct in ("text/plain", "application/x-www-form-urlencoded",
                   "application/connect+json", "application/json; charset=latin1"):
            st, hd, body = self.post(
                "/tessera.v1.IdentityService/WhoAmI", "{}",
                {"Content-Type": ct, "Authorization": "Bearer " + SERVER.admin})
            self.assertEqual(st, 415, ct)
            self.assertSecure(hd)

    def test_bad_json(self):
        st, hd, body = self.post(
            "/tessera.v1.IdentityService/ListUsers", '{"pageSize": "many"',
            {"Content-Type": "application/json",
             "Authorization": "Bearer " + SERVER.admin})
        err = self.assertConnectError(st, hd, body, 400, "invalid_argument")
        self.assertIn("ListUsersRequest", err["message"])

    def test_oversized_body(self):
        c = SERVER.conn()
        big = json.dumps({"displayName": "x" * (MAX_BODY + 10)})
        st, hd, body, _ = SERVER.request(
            "POST", "/tessera.v1.IdentityService/CreateUser", big,
            {"Content-Type": "application/json",
             "Authorization": "Bearer " + SERVER.admin}, conn=c)
        err = self.assertConnectError(st, hd, body, 413, "resource_exhausted")
        self.assertIn(str(MAX_BODY), err["message"])
        self.assertEqual(hd.get("connection"), "close")
        c.close()

    def test_unknown_encoding(self):
        for enc in ("zstd", "gzip", "br"):
            st, hd, body = self.post(
                "/tessera.v1.IdentityService/WhoAmI", "{}",
                {"Content-Type": "application/json", "Content-Encoding": enc,
                 "Authorization": "Bearer " + SERVER.admin})
            err = self.assertConnectError(st, hd, body, 501, "unimplemented")
            self.assertIn(enc, err["message"])

    def test_protocol_version(self):
        st, hd, body = self.post(
            "/tessera.v1.IdentityService/WhoAmI", "{}",
            {"Content-Type": "application/json", "Connect-Protocol-Version": "2",
             "Authorization": "Bearer " + SERVER.admin})
        self.assertConnectError(st, hd, body, 400, "invalid_argument")

    def test_timeout(self):
        # An elapsed deadline: the call never runs.
        st, hd, body = self.post(
            "/tessera.v1.IdentityService/WhoAmI", "{}",
            {"Content-Type": "application/json", "Connect-Timeout-Ms": "0",
             "Authorization": "Bearer " + SERVER.admin})
        self.assertConnectError(st, hd, body, 504, "deadline_exceeded")
        for bad in ("soon", "-5", "12345678901"):
            st, hd, body = self.post(
                "/tessera.v1.IdentityService/WhoAmI", "{}",
                {"Content-Type": "application/json", "Connect-Timeout-Ms": bad,
                 "Authorization": "Bearer " + SERVER.admin})
            self.assertConnectError(st, hd, body, 400, "invalid_argument")
        st, _, _ = SERVER.unary("IdentityService/WhoAmI", {}, SERVER.admin,
                                {"Connect-Timeout-Ms": "5000"})
        self.assertEqual(st, 200)

    def test_missing_and_bad_token(self):
        st, hd, body = self.post("/tessera.v1.IdentityService/WhoAmI", "{}",
                                 {"Content-Type": "application/json"})
        self.assertConnectError(st, hd, body, 401, "unauthenticated")
        st, hd, body = self.post(
            "/tessera.v1.IdentityService/WhoAmI", "{}",
            {"Content-Type": "application/json",
             "Authorization": "Bearer tsr_not_a_real_token"})
        self.assertConnectError(st, hd, body, 401, "unauthenticated")

    def test_permission_denied_with_details(self):
        translator = make_user("gw-translator", "ROLE_TRANSLATOR")
        st, hd, body = self.post(
            "/tessera.v1.IdentityService/CreateUser",
            json.dumps({"userId": "gw-intruder", "displayName": "x"}),
            {"Content-Type": "application/json",
             "Authorization": "Bearer " + translator})
        err = self.assertConnectError(st, hd, body, 403, "permission_denied")
        info = [d for d in err["details"] if d["type"] == "google.rpc.ErrorInfo"]
        self.assertEqual(len(info), 1, err)
        self.assertEqual(info[0]["debug"]["metadata"]["method"],
                         "/tessera.v1.IdentityService/CreateUser")
        # The value is the ErrorInfo itself, unpadded base64.
        raw = base64.b64decode(info[0]["value"] + "=" * (-len(info[0]["value"]) % 4))
        sys.path.insert(0, STUBS)
        from google.rpc import error_details_pb2
        decoded = error_details_pb2.ErrorInfo.FromString(raw)
        self.assertEqual(decoded.reason, info[0]["debug"]["reason"])

    def test_details_of_invalid_argument(self):
        st, hd, body = self.post(
            "/tessera.v1.IdentityService/CreateUser",
            json.dumps({"userId": "Not Valid!", "displayName": "x",
                        "roles": [{"role": "ROLE_TRANSLATOR"}]}),
            {"Content-Type": "application/json",
             "Authorization": "Bearer " + SERVER.admin})
        err = self.assertConnectError(st, hd, body, 400, "invalid_argument")
        self.assertTrue(err.get("details"), err)

    def test_get_of_a_method_is_not_a_call(self):
        st, hd, _, _ = SERVER.request("PUT", "/tessera.v1.IdentityService/WhoAmI")
        self.assertEqual(st, 405)
        self.assertSecure(hd)


def make_user(user_id, role):
    st, _, msg = SERVER.unary("IdentityService/CreateUser", {
        "userId": user_id, "displayName": user_id,
        "roles": [{"role": role, "languages": ["en"]}]}, SERVER.admin)
    assert st in (200, 409), msg
    st, _, msg = SERVER.unary("IdentityService/IssueToken",
                              {"user": "users/" + user_id}, SERVER.admin)
    assert st == 200, msg
    return msg["secret"]


class StreamTest(Base):
    def test_messages_then_deadline_in_end_stream(self):
        s = rig.RawStream(SERVER.http_port, "PublicationService/WatchPublications",
                          {}, SERVER.admin, timeout_ms=700)
        try:
            self.assertEqual(s.read_head(), 200)
            self.assertEqual(s.headers["content-type"], "application/connect+json")
            self.assertEqual(s.headers.get("transfer-encoding"), "chunked")
            self.assertSecure(s.headers)
            started = time.time()
            flags, msg = s.next_frame()
            self.assertEqual(flags, 0)
            self.assertTrue(msg.get("caughtUp"), msg)
            flags, end = s.next_frame()
            self.assertEqual(flags, 2, end)
            self.assertEqual(end["error"]["code"], "deadline_exceeded", end)
            self.assertLess(time.time() - started, 10)
        finally:
            s.close()

    def test_error_before_messages_goes_in_end_stream(self):
        s = rig.RawStream(SERVER.http_port, "PublicationService/WatchPublications",
                          {"cursor": "!!not a cursor!!"}, SERVER.admin)
        try:
            self.assertEqual(s.read_head(), 200)
            flags, end = s.next_frame()
            self.assertEqual(flags, 2)
            self.assertEqual(end["error"]["code"], "invalid_argument", end)
            self.assertTrue(end["error"].get("details"), end)
        finally:
            s.close()

    def test_stream_ends_with_ok_end_stream(self):
        s = rig.RawStream(SERVER.http_port, "MemoryService/ExportTmx",
                          {"sourceLanguage": "fr"}, SERVER.admin)
        try:
            self.assertEqual(s.read_head(), 200)
            frames = []
            while True:
                flags, msg = s.next_frame()
                frames.append((flags, msg))
                if flags & 2:
                    break
            self.assertNotIn("error", frames[-1][1], frames)
            self.assertGreaterEqual(len(frames), 2, frames)
            tmx = b"".join(base64.b64decode(m["chunk"]) for f, m in frames[:-1])
            self.assertIn(b"<tmx", tmx)
        finally:
            s.close()

    def test_stream_errors(self):
        cases = [
            # Compressed envelope.
            (b"\x01\x00\x00\x00\x02{}", {}, "unimplemented"),
            # Not one whole envelope.
            (b"\x00\x00\x00\x00\x09{}", {}, "invalid_argument"),
            (rig.envelope(0, b"{"), {}, "invalid_argument"),
            (rig.envelope(0, b"{}"), {"Connect-Content-Encoding": "gzip"},
             "unimplemented"),
            (rig.envelope(0, b"{}"), {"Connect-Timeout-Ms": "x"},
             "invalid_argument"),
        ]
        for body, extra, code in cases:
            h = {"Content-Type": "application/connect+json",
                 "Authorization": "Bearer " + SERVER.admin}
            h.update(extra)
            st, hd, data = self.post(
                "/tessera.v1.PublicationService/WatchPublications", body, h)
            self.assertEqual(st, 200)
            frames, rest = rig.parse_envelopes(data)
            self.assertEqual(len(frames), 1, data)
            self.assertEqual(frames[0][0], 2)
            self.assertEqual(json.loads(frames[0][1])["error"]["code"], code,
                             (body, extra))
        # A unary content type for a streaming method.
        st, _, _ = self.post("/tessera.v1.PublicationService/WatchPublications",
                             "{}", {"Content-Type": "application/json",
                                    "Authorization": "Bearer " + SERVER.admin})
        self.assertEqual(st, 415)

    def test_missing_token_in_stream(self):
        st, _, data = self.post(
            "/tessera.v1.PublicationService/WatchPublications",
            rig.envelope(0, b"{}"), {"Content-Type": "application/connect+json"})
        self.assertEqual(st, 200)
        frames, _ = rig.parse_envelopes(data)
        self.assertEqual(json.loads(frames[-1][1])["error"]["code"],
                         "unauthenticated")

    def test_client_disconnect_cancels_the_call(self):
        # Regression: a stream that is idle (caught up, nothing to send)
        # must still end when its client goes away, not at the next
        # publication.
        base = wait_stats(lambda s: s["streams"] == 0)
        s = rig.RawStream(SERVER.http_port, "PublicationService/WatchPublications",
                          {}, SERVER.admin)
        self.assertEqual(s.read_head(), 200)
        flags, msg = s.next_frame()
        self.assertTrue(msg.get("caughtUp"))
        self.assertEqual(SERVER.stats()["streams"], base["streams"] + 1)
        s.close()
        after = wait_stats(lambda st: st["streams"] == base["streams"] and
                           st["calls"] == base["calls"])
        self.assertEqual(after["streams"], base["streams"])

    def test_unary_then_stream_on_one_connection(self):
        c = SERVER.conn()
        for _ in range(3):
            st, _, body, _ = SERVER.request(
                "POST", "/tessera.v1.IdentityService/WhoAmI", "{}",
                {"Content-Type": "application/json",
                 "Authorization": "Bearer " + SERVER.admin}, conn=c)
            self.assertEqual(st, 200, body)
        c.close()


def wait_stats(pred, seconds=5):
    deadline = time.time() + seconds
    while True:
        s = SERVER.stats()
        # The stats request itself is one open connection.
        if pred(s):
            return s
        if time.time() > deadline:
            raise AssertionError("stats never matched: %r" % s)
        time.sleep(0.05)


class CookieTest(Base):
    def sign_in(self, token, extra=None):
        h = {"Content-Type": "application/json", "X-Tessera-CSRF": "1"}
        h.update(extra or {})
        return SERVER.request("POST", "/auth/session",
                              json.dumps({"token": token}), h)

    def test_sign_in_sets_a_strict_cookie(self):
        st, hd, body, cookies = self.sign_in(SERVER.admin)
        self.assertEqual(st, 200, body)
        self.assertEqual(json.loads(body)["user"]["userId"], "admin")
        self.assertEqual(len(cookies), 1)
        attrs = [a.strip() for a in cookies[0].split(";")]
        self.assertEqual(attrs[0], "tessera_token=" + SERVER.admin)
        for a in ("HttpOnly", "SameSite=Strict", "Path=/"):
            self.assertIn(a, attrs)
        # Loopback listener: plain http://, so no Secure.
        self.assertNotIn("Secure", attrs)
        self.assertSecure(hd)
        self.assertEqual(hd.get("cache-control"), "no-store")

    def test_bad_token_sets_nothing(self):
        st, hd, body, cookies = self.sign_in("tsr_wrong")
        self.assertConnectError(st, hd, body, 401, "unauthenticated")
        self.assertEqual(cookies, [])
        st, hd, body, cookies = self.sign_in("bad token; Path=/x")
        self.assertConnectError(st, hd, body, 400, "invalid_argument")
        self.assertEqual(cookies, [])

    def test_sign_in_needs_the_custom_header(self):
        st, hd, body, cookies = SERVER.request(
            "POST", "/auth/session", json.dumps({"token": SERVER.admin}),
            {"Content-Type": "application/json"})
        self.assertConnectError(st, hd, body, 403, "permission_denied")
        self.assertEqual(cookies, [])

    def test_cookie_call_and_csrf(self):
        cookie = "tessera_token=" + SERVER.admin
        ok = {"Content-Type": "application/json", "Cookie": cookie,
              "Connect-Protocol-Version": "1"}
        st, _, body = self.post("/tessera.v1.IdentityService/WhoAmI", "{}", ok)
        self.assertEqual(st, 200, body)
        same_origin = dict(ok, Origin="http://127.0.0.1:%d" % SERVER.http_port,
                           **{"Sec-Fetch-Site": "same-origin"})
        st, _, body = self.post("/tessera.v1.IdentityService/WhoAmI", "{}",
                                same_origin)
        self.assertEqual(st, 200, body)
        # No custom header: a cookie alone does not authorise.
        st, hd, body = self.post("/tessera.v1.IdentityService/WhoAmI", "{}",
                                 {"Content-Type": "application/json",
                                  "Cookie": cookie})
        self.assertConnectError(st, hd, body, 403, "permission_denied")
        create = json.dumps({"userId": "mallory", "displayName": "m",
                             "roles": [{"role": "ROLE_ADMIN"}]})
        attempts = [
            {"Content-Type": "application/x-www-form-urlencoded"},
            {"Content-Type": "text/plain"},
            {"Content-Type": "multipart/form-data; boundary=x"},
            {"Content-Type": "application/json", "Connect-Protocol-Version": "1"},
            {"Content-Type": "application/json", "X-Tessera-CSRF": "1"},
        ]
        for extra in attempts:
            h = {"Cookie": cookie, "Origin": "http://evil.example",
                 "Sec-Fetch-Site": "cross-site"}
            h.update(extra)
            st, hd, body = self.post("/tessera.v1.IdentityService/CreateUser",
                                     create, h)
            self.assertIn(st, (403, 415), (extra, body))
        # An Origin of another site alone is refused, too.
        st, hd, body = self.post("/tessera.v1.IdentityService/CreateUser", create,
                                 dict(ok, Origin="http://evil.example"))
        self.assertConnectError(st, hd, body, 403, "permission_denied")
        st, _, msg = SERVER.unary("IdentityService/ListUsers", {"pageSize": 100},
                                  SERVER.admin)
        self.assertNotIn("mallory", [u["userId"] for u in msg["users"]])

    def test_sign_out_clears_the_cookie(self):
        for method, path in (("DELETE", "/auth/session"), ("POST", "/auth/signout")):
            st, hd, body, cookies = SERVER.request(
                method, path, b"", {"X-Tessera-CSRF": "1",
                                    "Cookie": "tessera_token=" + SERVER.admin})
            self.assertEqual(st, 200, body)
            self.assertEqual(len(cookies), 1)
            self.assertTrue(cookies[0].startswith("tessera_token=;"), cookies)
            self.assertIn("Max-Age=0", cookies[0])
        st, hd, body, cookies = SERVER.request("DELETE", "/auth/session", b"",
                                               {"Origin": "http://evil.example",
                                                "X-Tessera-CSRF": "1"})
        self.assertEqual(st, 403)
        self.assertEqual(cookies, [])


class StaticTest(Base):
    def test_index_and_assets(self):
        st, hd, body, _ = SERVER.request("GET", "/")
        self.assertEqual(st, 200)
        self.assertEqual(body, INDEX)
        self.assertEqual(hd["content-type"], "text/html; charset=utf-8")
        self.assertSecure(hd)
        self.assertTrue(hd.get("etag"))
        self.assertEqual(hd.get("cache-control"), "no-cache")
        st, hd2, body, _ = SERVER.request("GET", "/", headers={"If-None-Match": hd["etag"]})
        self.assertEqual(st, 304)
        self.assertEqual(body, b"")
        self.assertSecure(hd2)
        st, hd, body, _ = SERVER.request("GET", "/app.js")
        self.assertEqual((st, body), (200, APP))
        self.assertEqual(hd["content-type"], "text/javascript; charset=utf-8")
        st, hd, body, _ = SERVER.request("GET", "/assets/logo.svg")
        self.assertEqual(hd["content-type"], "image/svg+xml")
        st, hd, body, _ = SERVER.request("HEAD", "/app.js")
        self.assertEqual((st, body), (200, b""))
        self.assertEqual(hd["content-length"], str(len(APP)))
        st, hd, body, _ = SERVER.request("GET", "/missing.js")
        self.assertEqual(st, 404)
        self.assertSecure(hd)

    def test_no_traversal(self):
        for path in ("/../data/CURRENT", "/%2e%2e/data/CURRENT",
                     "/assets/..%2f..%2fdata/CURRENT", "/..%5cdata"):
            s = socket.create_connection(("127.0.0.1", SERVER.http_port), timeout=10)
            s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                       % path).encode())
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            s.close()
            status = int(data.split(b" ", 2)[1])
            self.assertIn(status, (400, 404), path)
            self.assertNotIn(b"MANIFEST", data, path)

    def test_huge_headers_are_refused(self):
        s = socket.create_connection(("127.0.0.1", SERVER.http_port), timeout=10)
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40000 + b"\r\n\r\n")
        data = s.recv(65536)
        s.close()
        self.assertTrue(data.startswith(b"HTTP/1.1 431"), data[:80])


if __name__ == "__main__":
    TESSERAD = sys.argv[1]
    STUBS = sys.argv[2]
    unittest.main(argv=[sys.argv[0]] + sys.argv[3:], verbosity=2)
