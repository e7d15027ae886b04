#!/usr/bin/python3
"""End to end with the real tesserad binary and a Python consumer.

Starts `tesserad init` and `tesserad` on a fresh data directory, imports a
seed as the admin, starts watch_client.py as a service user, approves every
segment in two languages (submitted by one coordinator, approved by
another) and checks that the client wrote both documents, each equal to the
source byte for byte (identity translations).

Usage: watch_client_test.py TESSERAD STUBS_DIR SEED_FILE
"""

import os
import re
import subprocess
import sys
import tempfile
import threading


def main():
    tesserad, stubs, seed = sys.argv[1:4]
    sys.path.insert(0, stubs)
    import grpc
    from tessera.v1 import (common_pb2, identity_pb2, identity_pb2_grpc,
                            statement_pb2, statement_pb2_grpc,
                            translation_pb2, translation_pb2_grpc)

    with open(seed, "rb") as f:
        source = f.read()
    work = tempfile.mkdtemp(prefix="tessera-pywatch-")
    data = os.path.join(work, "data")
    out = os.path.join(work, "out")
    admin = subprocess.run([tesserad, "init", "--data_dir=" + data],
                           check=True, capture_output=True,
                           text=True).stdout.strip()
    server = subprocess.Popen(
        [tesserad, "--listen=127.0.0.1:0", "--data_dir=" + data],
        stderr=subprocess.PIPE, text=True)
    address = None
    for line in server.stderr:
        m = re.search(r"tesserad: serving on (\S+)", line)
        if m:
            address = m.group(1)
            break
    assert address, "tesserad did not start"
    # Pass the server's log on, so it never blocks on a full pipe and a
    # failure shows why.
    threading.Thread(target=lambda: [sys.stderr.write(line)
                                     for line in server.stderr],
                     daemon=True).start()
    client = None
    try:
        channel = grpc.insecure_channel(address)
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        statements = statement_pb2_grpc.StatementServiceStub(channel)
        translations = translation_pb2_grpc.TranslationServiceStub(channel)

        def auth(token):
            return (("authorization", "Bearer " + token),)

        def user(user_id, role, languages=()):
            identity.CreateUser(identity_pb2.CreateUserRequest(
                user_id=user_id,
                roles=[common_pb2.RoleGrant(role=role,
                                            languages=list(languages))]),
                metadata=auth(admin), timeout=30)
            return identity.IssueToken(identity_pb2.IssueTokenRequest(
                user="users/" + user_id), metadata=auth(admin),
                timeout=30).secret

        c1 = user("c1", common_pb2.ROLE_COORDINATOR, ["en", "de"])
        c2 = user("c2", common_pb2.ROLE_COORDINATOR, ["en", "de"])
        site = user("site", common_pb2.ROLE_SERVICE)

        statement = statements.CreateStatement(
            statement_pb2.CreateStatementRequest(
                title="Seed", format=common_pb2.DOCUMENT_FORMAT_MARKDOWN,
                source=source, source_language="fr",
                target_languages=["en", "de"]),
            metadata=auth(c1), timeout=30)

        client = subprocess.Popen([
            sys.executable, os.path.join(os.path.dirname(__file__),
                                         "watch_client.py"),
            "--address", address, "--token", site, "--out", out,
            "--stubs", stubs, "--count", "2", "--timeout", "120"])

        for language in ("en", "de"):
            token = ""
            while True:
                page = translations.ListSegments(
                    translation_pb2.ListSegmentsRequest(
                        parent=statement.name + "/languages/" + language,
                        page_size=1000, page_token=token),
                    metadata=auth(c1), timeout=30)
                for t in page.translations:
                    done = translations.Submit(translation_pb2.SubmitRequest(
                        name=t.name, version=t.version,
                        content=t.source.content), metadata=auth(c1),
                        timeout=30)
                    translations.Approve(translation_pb2.ApproveRequest(
                        name=t.name, version=done.version),
                        metadata=auth(c2), timeout=30)
                token = page.next_page_token
                if not token:
                    break

        assert client.wait(timeout=150) == 0, "watch client failed"
        statement_id = statement.name.split("/", 1)[1]
        for language in ("en", "de"):
            path = os.path.join(out, statement_id, language, "v1.md")
            with open(path, "rb") as f:
                written = f.read()
            assert written == source, "%s differs from the source" % path
        with open(os.path.join(out, "cursor")) as f:
            assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", f.read())
        print("watch_client_test: both documents written, byte-identical")
        return 0
    finally:
        if client is not None and client.poll() is None:
            client.kill()
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
