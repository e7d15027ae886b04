#!/usr/bin/python3
"""A publication consumer, as a website or an archive would run it.

It follows PublicationService.WatchPublications with a service token,
writes each published document to OUT/<statement>/<language>/v<version>.<ext>
(fetched with GetPublication) and keeps its cursor in OUT/cursor, so that a
restart resumes where it stopped. It reconnects with the last cursor when
the stream breaks, and exits once it has written --count documents.

Needs Debian's python3-grpcio and python3-protobuf, and the stubs that the
build generates from proto/ (pass their directory with --stubs).
"""

import argparse
import os
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--address", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--stubs", required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--timeout", type=float, default=120)
    args = ap.parse_args()
    sys.path.insert(0, args.stubs)
    import grpc
    from tessera.v1 import common_pb2, publication_pb2, publication_pb2_grpc

    os.makedirs(args.out, exist_ok=True)
    cursor_path = os.path.join(args.out, "cursor")
    cursor = ""
    if os.path.exists(cursor_path):
        with open(cursor_path) as f:
            cursor = f.read().strip()
    metadata = (("authorization", "Bearer " + args.token),)
    written = 0
    give_up = time.monotonic() + args.timeout
    extension = {common_pb2.DOCUMENT_FORMAT_MARKDOWN: "md",
                 common_pb2.DOCUMENT_FORMAT_PLAIN_TEXT: "txt"}
    while written < args.count:
        left = give_up - time.monotonic()
        if left <= 0:
            print("watch_client: gave up after %d documents" % written,
                  file=sys.stderr)
            return 1
        with grpc.insecure_channel(args.address) as channel:
            stub = publication_pb2_grpc.PublicationServiceStub(channel)
            request = publication_pb2.WatchPublicationsRequest(cursor=cursor)
            stream = stub.WatchPublications(request, metadata=metadata,
                                            timeout=left)
            try:
                for message in stream:
                    if message.HasField("publication"):
                        p = message.publication
                        got = stub.GetPublication(
                            publication_pb2.GetPublicationRequest(name=p.name),
                            metadata=metadata, timeout=30)
                        statement_id = p.statement.split("/", 1)[1]
                        directory = os.path.join(args.out, statement_id,
                                                 p.language)
                        os.makedirs(directory, exist_ok=True)
                        path = os.path.join(directory, "v%d.%s" % (
                            p.version, extension.get(p.format, "bin")))
                        with open(path + ".tmp", "wb") as f:
                            f.write(got.content)
                        os.replace(path + ".tmp", path)
                        written += 1
                    cursor = message.cursor
                    with open(cursor_path + ".tmp", "w") as f:
                        f.write(cursor)
                    os.replace(cursor_path + ".tmp", cursor_path)
                    if written >= args.count:
                        stream.cancel()
                        break
            except grpc.RpcError as e:
                if e.code() == grpc.StatusCode.CANCELLED and \
                        written >= args.count:
                    break
                print("watch_client: stream ended (%s: %s), reconnecting" %
                      (e.code(), e.details()), file=sys.stderr)
                time.sleep(0.2)
    print("watch_client: wrote %d documents" % written, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
