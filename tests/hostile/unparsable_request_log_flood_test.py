#!/usr/bin/python3
"""unparsable_request_log_flood_test: requests whose bytes do not parse,
sent without a token, must not flood the server's log.

Each such request makes protobuf log one "libprotobuf ERROR" line (here: a
string field that is not UTF-8). The test sends 5,000 of them and needs the
server's stderr to grow by a bounded number of lines, with a summary of the
suppressed ones, every call answered with the documented code, and the
server still serving.

Usage: unparsable_request_log_flood_test.py --tesserad BIN --stubs DIR
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile  # noqa: E402
from hostile import check  # noqa: E402

CALLS = 5000
# ListTokensRequest.user (field 1, a string) holding bytes that are not
# UTF-8: protobuf refuses the message and logs why.
GARBAGE = b"\x0a\x04\xff\xfe\xfd\xfc"


def test(a, root):
    sys.path.insert(0, a.stubs)
    import grpc
    server = hostile.Server(a.tesserad, root)
    server.start()
    try:
        before = len(server.log_lines())
        codes = {}
        t0 = time.time()
        with grpc.insecure_channel(server.address) as channel:
            call = channel.unary_unary(
                "/tessera.v1.IdentityService/ListTokens",
                request_serializer=None, response_deserializer=None)
            batch = 250
            for start in range(0, CALLS, batch):
                futures = [call.future(GARBAGE, timeout=30)
                           for _ in range(min(batch, CALLS - start))]
                for f in futures:
                    try:
                        f.result()
                        code = grpc.StatusCode.OK
                    except grpc.RpcError as e:
                        code = e.code()
                    codes[code] = codes.get(code, 0) + 1
            elapsed = time.time() - t0
            # One more after a quiet second, so the summary is written.
            time.sleep(1.2)
            try:
                call(GARBAGE, timeout=10)
            except grpc.RpcError:
                pass
        time.sleep(0.5)
        lines = server.log_lines()[before:]
        proto = [l for l in lines if "libprotobuf" in l]
        print("%d calls in %.1fs: %s; stderr grew by %d lines (%d from "
              "libprotobuf)" % (CALLS, elapsed, codes, len(lines), len(proto)))
        check(codes == {grpc.StatusCode.UNIMPLEMENTED: CALLS},
              "unparsable requests should all get UNIMPLEMENTED (README, "
              "'Unparsable requests'), got %s" % codes)
        # 10 lines a second, a summary per second, and the probe's line.
        bound = 20 * (int(elapsed) + 3)
        check(len(lines) <= bound,
              "stderr grew by %d lines for %d unparsable calls (bound %d):"
              "\n%s" % (len(lines), CALLS, bound, "\n".join(lines[:5])))
        check(any("suppressed" in l for l in proto),
              "no summary of suppressed lines:\n" + "\n".join(lines[-5:]))
        ok, err = hostile.served_within(a.stubs, server.address,
                                        server.admin_token, 5)
        check(ok, "not served after the flood: %s" % err)
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(hostile.main(test))
