"""Plumbing shared by the crash test and the history checker: a tesserad
process that can be killed and restarted on the same data directory, users
with tokens, and the error reason of a failed call.

Needs Debian's python3-grpcio and python3-protobuf and the stubs the build
generates from proto/ (tests/python/stubs); call load_stubs() first.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "python"))
from tesserad_process import TesseradProcess  # noqa: E402

grpc = None
pb = {}


def load_stubs(stubs_dir):
    global grpc
    sys.path.insert(0, stubs_dir)
    import grpc as _grpc
    grpc = _grpc
    from google.rpc import error_details_pb2, status_pb2
    from tessera.v1 import (assignment_pb2, assignment_pb2_grpc, common_pb2,
                            identity_pb2, identity_pb2_grpc, publication_pb2,
                            publication_pb2_grpc, statement_pb2,
                            statement_pb2_grpc, translation_pb2,
                            translation_pb2_grpc)
    pb.update(locals())
    del pb["stubs_dir"]
    return pb


class RigError(Exception):
    pass


class Server(TesseradProcess):
    """tesserad on 127.0.0.1:0 over one data dir, restartable."""
    Error = RigError


def auth(token):
    return (("authorization", "Bearer " + token),)


class Stubs:
    """One channel and every service stub on it."""

    def __init__(self, address):
        self.channel = grpc.insecure_channel(address)
        self.identity = pb["identity_pb2_grpc"].IdentityServiceStub(
            self.channel)
        self.statements = pb["statement_pb2_grpc"].StatementServiceStub(
            self.channel)
        self.translations = pb["translation_pb2_grpc"].TranslationServiceStub(
            self.channel)
        self.assignments = pb["assignment_pb2_grpc"].AssignmentServiceStub(
            self.channel)
        self.publications = pb["publication_pb2_grpc"].PublicationServiceStub(
            self.channel)

    def close(self):
        self.channel.close()


def make_user(stubs, admin_token, user_id, role, languages=()):
    c = pb["common_pb2"]
    i = pb["identity_pb2"]
    stubs.identity.CreateUser(i.CreateUserRequest(
        user_id=user_id,
        roles=[c.RoleGrant(role=role, languages=list(languages))]),
        metadata=auth(admin_token), timeout=30)
    return stubs.identity.IssueToken(i.IssueTokenRequest(
        user="users/" + user_id), metadata=auth(admin_token),
        timeout=30).secret


def reason(err):
    """ErrorInfo.reason of a failed call ("" if none)."""
    status_pb2 = pb["status_pb2"]
    details = pb["error_details_pb2"]
    for key, value in (err.trailing_metadata() or ()):
        if key == "grpc-status-details-bin":
            st = status_pb2.Status()
            st.ParseFromString(value)
            for any_ in st.details:
                info = details.ErrorInfo()
                if any_.Unpack(info):
                    return info.reason
    return ""


# Codes that mean "the server went away": the call's outcome is unknown.
def is_lost(err):
    return err.code() in (grpc.StatusCode.UNAVAILABLE,
                          grpc.StatusCode.DEADLINE_EXCEEDED,
                          grpc.StatusCode.CANCELLED,
                          grpc.StatusCode.UNKNOWN)


def plain_statement(stubs, token, title, sentences, targets, review_rounds=1,
                    open_claiming=False):
    c = pb["common_pb2"]
    s = pb["statement_pb2"]
    source = ("\n\n".join(sentences) + "\n").encode("utf-8")
    return stubs.statements.CreateStatement(s.CreateStatementRequest(
        title=title, format=c.DOCUMENT_FORMAT_PLAIN_TEXT, source=source,
        source_language="en", target_languages=list(targets),
        review_rounds=review_rounds, allow_open_claiming=open_claiming),
        metadata=auth(token), timeout=30)


def list_segments(stubs, token, parent):
    t = pb["translation_pb2"]
    out, page = [], ""
    while True:
        r = stubs.translations.ListSegments(t.ListSegmentsRequest(
            parent=parent, page_size=1000, page_token=page),
            metadata=auth(token), timeout=30)
        out.extend(r.translations)
        page = r.next_page_token
        if not page:
            return out


def history(stubs, token, name):
    t = pb["translation_pb2"]
    out, page = [], ""
    while True:
        r = stubs.translations.GetHistory(t.GetHistoryRequest(
            name=name, page_size=1000, page_token=page),
            metadata=auth(token), timeout=30)
        out.extend(r.entries)
        page = r.next_page_token
        if not page:
            return out


def list_publications(stubs, token):
    p = pb["publication_pb2"]
    out, page = [], ""
    while True:
        r = stubs.publications.ListPublications(p.ListPublicationsRequest(
            page_size=500, page_token=page), metadata=auth(token), timeout=30)
        out.extend(r.publications)
        page = r.next_page_token
        if not page:
            return out


SENTENCES = [
    "The assembly met in the old hall after sunset.",
    "Every delegate asked for a written record of the vote.",
    "The committee will publish its findings next spring.",
    "Farmers in the valley reported a late harvest.",
    "Schools reopened once the roads were cleared.",
    "The council thanked the volunteers for their work.",
    "A new bridge will link the two market towns.",
    "Observers praised the calm conduct of the election.",
    "The river flooded the lower streets twice this year.",
    "Doctors called for more clinics in remote villages.",
    "The treaty enters into force when both parties sign it.",
    "Citizens may read the full text at the public library.",
]

WORDS = ["alpha", "bravo", "cedar", "delta", "ember", "fjord", "garnet",
         "harbor", "indigo", "juniper", "kestrel", "lumen", "meadow",
         "nectar", "onyx", "prairie", "quartz", "russet", "saffron", "tundra"]


def tag(rng, n=3):
    return " ".join(rng.choice(WORDS) for _ in range(n))
