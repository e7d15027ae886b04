#!/usr/bin/python3
"""Crash test in the manner of RocksDB's db_crashtest.py.

Starts tesserad on a temp data dir, runs concurrent writers doing real
workflow calls (SaveDraft, Submit, Approve, Reject, Reopen, ClaimNext)
across several statements and languages, and a publication watcher. Every
acknowledged write is appended to an expected-state file and fsynced before
the driver counts it. The server is SIGKILLed at a random moment, restarted
on the same data dir and verified:

  - every acknowledged write is there with its content and version; a write
    that was in flight may be there or not, but whole;
  - each segment's history is contiguous from version 1, and its
    acknowledged versions read back as written;
  - progress counters equal a recount of the segments' states;
  - the publication feed, resumed from the watcher's saved cursor, has no
    gap and no duplicate, and holds every listed publication.

Each writer owns one (statement, language), so it knows exactly which
version each of its segments must have. A failure names the seed, the cycle
and the anomaly.

Usage: crash_test.py --tesserad BIN --stubs DIR [--cycles N] [--seed S]
"""

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tessera_rig as rig  # noqa: E402

LANGS = ["de", "fr", "es"]
SEGMENTS_PER_STATEMENT = 8


class Anomaly(Exception):
    pass


class Expected:
    """The expected-state file: one JSON line per acknowledged write,
    fsynced before the write counts as acknowledged."""

    def __init__(self, path):
        self.path = path
        self.f = open(path, "a", encoding="utf-8")
        self.lock = threading.Lock()
        self.count = 0

    def append(self, record):
        line = json.dumps(record, sort_keys=True) + "\n"
        with self.lock:
            self.f.write(line)
            self.f.flush()
            os.fsync(self.f.fileno())
            self.count += 1

    def load(self):
        """Latest acknowledged state per segment, every acknowledged version
        per segment, the feed received, and the watcher's cursor, as read
        back from the file (only its new lines: the file grows long)."""
        if not hasattr(self, "_offset"):
            self._offset = 0
            self._state = ({}, {}, [], [""])
        latest, versions, feed, cursor = self._state
        with self.lock, open(self.path, "rb") as f:
            f.seek(self._offset)
            for raw in f:
                r = json.loads(raw)
                if r["kind"] == "write":
                    latest[r["name"]] = r
                    versions.setdefault(r["name"], {})[r["version"]] = r
                elif r["kind"] == "publication":
                    feed.append(r["name"])
                    cursor[0] = r["cursor"]
                elif r["kind"] == "cursor":
                    cursor[0] = r["cursor"]
            self._offset = f.tell()
        return dict(latest), versions, list(feed), cursor[0]


def snapshot(t):
    """What a write acknowledged: the translation as the server returned
    it."""
    return {"version": t.version, "state": t.state, "text": t.content.text,
            "draft": t.draft.content.text if t.HasField("draft") else "",
            "approvers": list(t.approvers), "author": t.author}


class Writer(threading.Thread):
    """Works one (statement, language). `mode` is "coord" (coordinators do
    everything) or "claim" (a translator and a reviewer work through
    ClaimNext; a coordinator reopens when all is approved)."""

    def __init__(self, driver, index, statement, language, rounds, mode):
        super().__init__(daemon=True)
        self.d = driver
        self.index = index
        self.statement = statement
        self.language = language
        self.rounds = rounds
        self.mode = mode
        self.rng = random.Random("%s/%d" % (driver.seed, index))
        self.model = {}      # name -> snapshot dict (what we last saw)
        self.inflight = None  # (name, expected dict) of the call cut short
        self.error = None
        self.acks = 0

    # -- one cycle --
    def run(self):
        try:
            while not self.d.stopping.is_set():
                self.step()
        except Lost:
            pass
        except Exception as e:  # noqa: BLE001 - reported by the driver
            self.error = "%s: %r" % (type(e).__name__, e)

    def call(self, fn, req, token, name, expect):
        self.inflight = (name, expect)
        try:
            r = fn(req, metadata=rig.auth(token), timeout=10)
        except rig.grpc.RpcError as e:
            if rig.is_lost(e):
                raise Lost()
            self.inflight = None
            raise
        self.inflight = None
        return r

    def ack(self, action, t):
        snap = snapshot(t)
        prev = self.model.get(t.name)
        if prev is not None and snap["version"] != prev["version"] + 1:
            raise Anomaly("%s on %s acknowledged version %d after %d" % (
                action, t.name, snap["version"], prev["version"]))
        self.model[t.name] = snap
        rec = dict(snap, kind="write", name=t.name, action=action,
                   cycle=self.d.cycle)
        self.d.expected.append(rec)
        self.acks += 1

    def step(self):
        if self.mode == "coord":
            self.coord_step()
        else:
            self.claim_step()

    def coord_step(self):
        d, t, c = self.d, rig.pb["translation_pb2"], rig.pb["common_pb2"]
        S = c
        name = self.rng.choice(sorted(self.model))
        m = self.model[name]
        st = m["state"]
        tr = d.stubs.translations
        # No digits: QA compares the numbers of source and target.
        text = "%s %s" % (self.language, rig.tag(self.rng))
        nxt = {"version": m["version"] + 1}
        roll = self.rng.random()
        if st == S.SEGMENT_STATE_APPROVED:
            if roll < 0.8:
                nxt.update(state=S.SEGMENT_STATE_TRANSLATED, text=m["text"])
                r = self.call(tr.Reopen, t.ReopenRequest(
                    name=name, version=m["version"], reason="again"),
                    d.tokens["ca"], name, nxt)
                self.ack("reopen", r)
            else:
                return
        elif st == S.SEGMENT_STATE_TRANSLATED and roll < 0.6:
            approver = "cb" if "users/cb" not in m["approvers"] else "cc"
            done = len(m["approvers"]) + 1 >= self.rounds
            nxt.update(state=S.SEGMENT_STATE_APPROVED if done
                       else S.SEGMENT_STATE_TRANSLATED, text=m["text"])
            r = self.call(tr.Approve, t.ApproveRequest(
                name=name, version=m["version"]), d.tokens[approver], name,
                nxt)
            self.ack("approve", r)
        elif st == S.SEGMENT_STATE_TRANSLATED and roll < 0.75:
            nxt.update(state=S.SEGMENT_STATE_REJECTED, text=m["text"])
            r = self.call(tr.Reject, t.RejectRequest(
                name=name, version=m["version"], reason="fix " + text),
                d.tokens["cb"], name, nxt)
            self.ack("reject", r)
        elif roll < 0.85:
            nxt.update(state=st, text=m["text"], draft=text, action="draft")
            r = self.call(tr.SaveDraft, t.SaveDraftRequest(
                name=name, version=m["version"],
                content=c.Content(text=text)), d.tokens["ca"], name, nxt)
            self.ack("draft", r)
        else:
            nxt.update(state=S.SEGMENT_STATE_TRANSLATED, text=text)
            r = self.call(tr.Submit, t.SubmitRequest(
                name=name, version=m["version"],
                content=c.Content(text=text)), d.tokens["ca"], name, nxt)
            self.ack("submit", r)

    def claim(self, token, role):
        a = rig.pb["assignment_pb2"]
        req = a.ClaimNextRequest(statement=self.statement,
                                 language=self.language, role=role)
        for attempt in range(20):
            try:
                return self.call(self.d.stubs.assignments.ClaimNext, req,
                                 token, None, None)
            except rig.grpc.RpcError as e:
                if rig.reason(e) == "NOTHING_TO_CLAIM":
                    return None
                if e.code() == rig.grpc.StatusCode.ABORTED:
                    # A claim that lost a race to another claim; documented
                    # as retryable.
                    self.d.claim_aborts += 1
                    continue
                raise
        raise Anomaly("ClaimNext ABORTED 20 times in a row")

    def claim_step(self):
        d, t, c = self.d, rig.pb["translation_pb2"], rig.pb["common_pb2"]
        a = rig.pb["assignment_pb2"]
        S = c
        tr = d.stubs.translations
        got = self.claim(d.tokens["t%d" % self.index],
                         a.ASSIGNMENT_ROLE_TRANSLATE)
        if got is not None:
            tx = got.translation
            m = self.model[tx.name]
            if tx.version != m["version"]:
                raise Anomaly("ClaimNext returned %s at version %d, last "
                              "acknowledged %d" % (tx.name, tx.version,
                                                   m["version"]))
            text = "%s %s" % (self.language, rig.tag(self.rng))
            nxt = {"version": m["version"] + 1,
                   "state": S.SEGMENT_STATE_TRANSLATED, "text": text}
            r = self.call(tr.Submit, t.SubmitRequest(
                name=tx.name, version=tx.version,
                content=c.Content(text=text)), d.tokens["t%d" % self.index],
                tx.name, nxt)
            self.ack("submit", r)
            return
        got = self.claim(d.tokens["r%d" % self.index],
                         a.ASSIGNMENT_ROLE_REVIEW)
        if got is not None:
            tx = got.translation
            m = self.model[tx.name]
            if tx.version != m["version"]:
                raise Anomaly("ClaimNext (review) returned %s at version %d, "
                              "last acknowledged %d" % (
                                  tx.name, tx.version, m["version"]))
            if self.rng.random() < 0.75:
                nxt = {"version": m["version"] + 1, "text": m["text"],
                       "state": S.SEGMENT_STATE_APPROVED}
                r = self.call(tr.Approve, t.ApproveRequest(
                    name=tx.name, version=tx.version),
                    d.tokens["r%d" % self.index], tx.name, nxt)
                self.ack("approve", r)
            else:
                nxt = {"version": m["version"] + 1, "text": m["text"],
                       "state": S.SEGMENT_STATE_REJECTED}
                r = self.call(tr.Reject, t.RejectRequest(
                    name=tx.name, version=tx.version, reason="check terms"),
                    d.tokens["r%d" % self.index], tx.name, nxt)
                self.ack("reject", r)
            return
        # Everything approved: reopen a few so work goes on.
        approved = [n for n, m in sorted(self.model.items())
                    if m["state"] == S.SEGMENT_STATE_APPROVED]
        for name in self.rng.sample(approved, min(2, len(approved))):
            m = self.model[name]
            nxt = {"version": m["version"] + 1, "text": m["text"],
                   "state": S.SEGMENT_STATE_TRANSLATED}
            r = self.call(tr.Reopen, t.ReopenRequest(
                name=name, version=m["version"]), d.tokens["ca"], name, nxt)
            self.ack("reopen", r)
        if not approved:
            time.sleep(0.01)


class Lost(Exception):
    """The server went away during a call."""


class Watcher(threading.Thread):
    """Follows WatchPublications from the saved cursor and records each
    message (publication name and cursor) in the expected-state file."""

    def __init__(self, driver, cursor):
        super().__init__(daemon=True)
        self.d = driver
        self.cursor = cursor
        self.error = None
        self.stream = None

    def run(self):
        p = rig.pb["publication_pb2"]
        try:
            self.stream = self.d.stubs.publications.WatchPublications(
                p.WatchPublicationsRequest(cursor=self.cursor),
                metadata=rig.auth(self.d.tokens["site"]))
            for msg in self.stream:
                if msg.HasField("publication"):
                    self.d.expected.append({
                        "kind": "publication", "name": msg.publication.name,
                        "cursor": msg.cursor})
                else:
                    self.d.expected.append({"kind": "cursor",
                                            "cursor": msg.cursor})
        except rig.grpc.RpcError as e:
            if not rig.is_lost(e):
                self.error = "WatchPublications: %s %s" % (e.code(),
                                                           e.details())


class Driver:
    def __init__(self, args, root):
        self.args = args
        self.seed = args.seed
        self.rng = random.Random(self.seed)
        self.root = root
        self.server = rig.Server(args.tesserad, root)
        self.expected = Expected(os.path.join(root, "expected.jsonl"))
        self.cycle = 0
        self.stopping = threading.Event()
        self.claim_aborts = 0
        self.inflight_landed = 0
        self.inflight_lost = 0
        self.checked_writes = 0
        self.checked_history = 0
        self.stubs = None
        self.history_rotation = 0

    def fail(self, what):
        raise Anomaly("seed %s cycle %d: %s" % (self.seed, self.cycle, what))

    def connect(self):
        if self.stubs:
            self.stubs.close()
        self.stubs = rig.Stubs(self.server.address)

    def setup(self):
        c = rig.pb["common_pb2"]
        self.server.start()
        self.connect()
        admin = self.server.admin_token
        self.tokens = {}
        for u in ("ca", "cb", "cc"):
            self.tokens[u] = rig.make_user(self.stubs, admin, u,
                                           c.ROLE_COORDINATOR, LANGS)
        self.tokens["site"] = rig.make_user(self.stubs, admin, "site",
                                            c.ROLE_SERVICE)
        self.tokens["admin"] = admin
        # Statement 1: one review round, open claiming (claim writers in de
        # and fr, coordinators in es); statement 2: two rounds.
        s1 = rig.plain_statement(
            self.stubs, self.tokens["ca"], "One",
            self.rng.sample(rig.SENTENCES, SEGMENTS_PER_STATEMENT), LANGS,
            review_rounds=1, open_claiming=True)
        s2 = rig.plain_statement(
            self.stubs, self.tokens["ca"], "Two",
            self.rng.sample(rig.SENTENCES, SEGMENTS_PER_STATEMENT), LANGS,
            review_rounds=2)
        self.statements = [s1.name, s2.name]
        plan = [(s1.name, "de", 1, "claim"), (s1.name, "fr", 1, "claim"),
                (s1.name, "es", 1, "coord"), (s2.name, "de", 2, "coord"),
                (s2.name, "fr", 2, "coord"), (s2.name, "es", 2, "coord")]
        self.writers = []
        for i, (stmt, lang, rounds, mode) in enumerate(plan):
            if mode == "claim":
                self.tokens["t%d" % i] = rig.make_user(
                    self.stubs, admin, "t%d" % i, c.ROLE_TRANSLATOR, [lang])
                self.tokens["r%d" % i] = rig.make_user(
                    self.stubs, admin, "r%d" % i, c.ROLE_REVIEWER, [lang])
            w = Writer(self, i, stmt, lang, rounds, mode)
            for t in rig.list_segments(self.stubs, self.tokens["ca"],
                                       "%s/languages/%s" % (stmt, lang)):
                w.model[t.name] = snapshot(t)
                self.expected.append(dict(snapshot(t), kind="write",
                                          name=t.name, action="created",
                                          cycle=0))
            self.writers.append(w)

    def run_cycle(self):
        self.cycle += 1
        self.stopping.clear()
        _, _, _, cursor = self.expected.load()
        watcher = Watcher(self, cursor)
        watcher.start()
        threads = []
        for w in self.writers:
            nw = Writer(self, w.index, w.statement, w.language, w.rounds,
                        w.mode)
            nw.model = w.model
            nw.rng = w.rng
            threads.append(nw)
        for nw in threads:
            nw.start()
        time.sleep(self.rng.uniform(0.05, self.args.max_run))
        self.server.kill()
        self.stopping.set()
        for nw in threads:
            nw.join(timeout=30)
            if nw.is_alive():
                self.fail("writer %d hung after the kill" % nw.index)
        watcher.join(timeout=30)
        self.writers = threads
        for nw in threads:
            if nw.error:
                self.fail("writer %d (%s %s): %s" % (
                    nw.index, nw.statement, nw.language, nw.error))
        if watcher.error:
            self.fail(watcher.error)
        started = time.time()
        self.server.start()
        self.restart_seconds = time.time() - started
        self.connect()
        self.verify()

    def verify(self, full_history=False):
        c = rig.pb["common_pb2"]
        a = rig.pb["assignment_pb2"]
        latest, versions, feed, cursor = self.expected.load()
        tok = self.tokens["ca"]
        # Every acknowledged write, at its segment's latest version.
        for w in self.writers:
            rows = {t.name: t for t in rig.list_segments(
                self.stubs, tok, "%s/languages/%s" % (w.statement,
                                                      w.language))}
            for name, want in sorted(latest.items()):
                if name not in rows:
                    continue
                got = snapshot(rows[name])
                self.checked_writes += 1
                inflight = w.inflight if w.inflight and \
                    w.inflight[0] == name else None
                if got["version"] == want["version"]:
                    for k in ("state", "text", "draft", "approvers"):
                        if got[k] != want[k]:
                            self.fail("%s v%d: %s is %r, acknowledged %r" % (
                                name, got["version"], k, got[k], want[k]))
                    if inflight:
                        self.inflight_lost += 1
                elif inflight and got["version"] == inflight[1]["version"]:
                    for k, v in inflight[1].items():
                        if k != "action" and got[k] != v:
                            self.fail("%s v%d (in flight at the kill) landed "
                                      "partly: %s is %r, the write had %r" % (
                                          name, got["version"], k, got[k], v))
                    self.inflight_landed += 1
                    # It is durable now: from here on it counts.
                    rec = dict(got, kind="write", name=name, landed=True,
                               action=inflight[1].get("action", ""),
                               cycle=self.cycle)
                    self.expected.append(rec)
                    versions.setdefault(name, {})[got["version"]] = rec
                else:
                    self.fail("%s is at version %d; last acknowledged %d%s" % (
                        name, got["version"], want["version"],
                        ", in flight %d" % inflight[1]["version"]
                        if inflight else ""))
                w.model[name] = got
            w.inflight = None
            # Counters against a recount.
            prog = self.stubs.assignments.GetProgress(a.GetProgressRequest(
                statement=w.statement, languages=[w.language]),
                metadata=rig.auth(tok), timeout=30)
            lp = prog.languages[0]
            recount = {}
            for t in rows.values():
                if t.state == c.SEGMENT_STATE_UNSPECIFIED:
                    continue
                n, words = recount.get(t.state, (0, 0))
                recount[t.state] = (n + 1, words + t.source.word_count)
            for sc in lp.state_counts:
                want = recount.get(sc.state, (0, 0))
                if (sc.segments, sc.words) != want:
                    self.fail("%s %s progress says %d segments / %d words in "
                              "state %d; recount %d / %d" % (
                                  w.statement, w.language, sc.segments,
                                  sc.words, sc.state, want[0], want[1]))
            if lp.segment_count != len([t for t in rows.values()
                                        if t.state != 0]):
                self.fail("%s %s segment_count %d, recount %d" % (
                    w.statement, w.language, lp.segment_count, len(rows)))
        # Histories: a few segments each cycle, all of them at the end.
        names = sorted(latest)
        if full_history:
            chosen = names
        else:
            k = 4
            start = self.history_rotation % len(names)
            chosen = (names + names)[start:start + k]
            self.history_rotation += k
        for name in chosen:
            entries = rig.history(self.stubs, tok, name)
            nums = [e.version for e in entries]
            if nums != list(range(1, len(nums) + 1)):
                self.fail("%s history is not contiguous: %s" % (
                    name, compress(nums)))
            for v, rec in sorted(versions.get(name, {}).items()):
                if v > len(entries):
                    self.fail("%s history ends at %d; version %d was "
                              "acknowledged" % (name, len(entries), v))
                e = entries[v - 1]
                text = rec["draft"] if rec["action"] == "draft" else \
                    rec["text"]
                if e.state != rec["state"] or e.content.text != text:
                    self.fail("%s history v%d is (%d, %r); acknowledged "
                              "(%d, %r)" % (name, v, e.state, e.content.text,
                                            rec["state"], text))
                self.checked_history += 1
        self.verify_feed(feed, cursor)

    def verify_feed(self, feed, cursor):
        p = rig.pb["publication_pb2"]
        listed = rig.list_publications(self.stubs, self.tokens["ca"])
        received = list(feed)
        stream = self.stubs.publications.WatchPublications(
            p.WatchPublicationsRequest(cursor=cursor),
            metadata=rig.auth(self.tokens["site"]), timeout=30)
        try:
            for msg in stream:
                if msg.HasField("publication"):
                    received.append(msg.publication.name)
                if msg.caught_up:
                    break
        finally:
            stream.cancel()
        seen = set()
        per_key = {}
        for name in received:
            if name in seen:
                self.fail("publication %s delivered twice by the feed" % name)
            seen.add(name)
            key, _, ver = name.rpartition("/publications/")
            per_key.setdefault(key, []).append(int(ver))
        for key, vers in per_key.items():
            if vers != list(range(1, len(vers) + 1)):
                self.fail("feed for %s has a gap or is out of order: %s" % (
                    key, compress(vers)))
        for pub in listed:
            if pub.name not in seen:
                self.fail("publication %s is listed but the feed resumed "
                          "from its cursor never delivered it" % pub.name)
        self.publications = len(received)


def compress(nums):
    return nums if len(nums) <= 12 else nums[:6] + ["..."] + nums[-6:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tesserad", required=True)
    ap.add_argument("--stubs", required=True)
    ap.add_argument("--cycles", type=int, default=50)
    ap.add_argument("--seed", default="")
    ap.add_argument("--max_run", type=float, default=0.8,
                    help="longest load phase before a kill, seconds")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--self_check", action="store_true",
                    help="also check that a planted lost write is caught")
    args = ap.parse_args()
    if not args.seed:
        args.seed = str(random.SystemRandom().randrange(1 << 32))
    rig.load_stubs(args.stubs)
    print("crash_test: seed %s, %d cycles" % (args.seed, args.cycles),
          flush=True)
    root = tempfile.mkdtemp(prefix="tessera-crash-")
    started = time.time()
    d = Driver(args, root)
    ok = False
    try:
        d.setup()
        restarts = []
        for _ in range(args.cycles):
            d.run_cycle()
            restarts.append(d.restart_seconds)
            if d.cycle % 50 == 0:
                print("  cycle %d: %d acknowledged writes, %.0fs" % (
                    d.cycle, d.expected.count, time.time() - started),
                    flush=True)
        d.verify(full_history=True)
        if args.self_check:
            # A write the server never kept must be reported.
            latest, _, _, _ = d.expected.load()
            name = sorted(latest)[0]
            d.expected.append(dict(latest[name], kind="write",
                                   version=latest[name]["version"] + 1,
                                   text="never written", action="submit"))
            try:
                d.verify()
            except Anomaly as e:
                print("crash_test: self-check caught a planted lost write: "
                      "%s" % e)
            else:
                raise Anomaly("self-check: a planted lost write went "
                              "unnoticed")
        d.server.stop()
        ok = True
        restarts.sort()
        print("crash_test: PASS seed %s: %d cycles, %d acknowledged writes "
              "recorded, %d latest-version checks, %d history entries "
              "checked, %d in-flight writes landed, %d lost, %d publications "
              "in the feed, %d ClaimNext ABORTED retried, restart median "
              "%.0f ms, %.0fs" % (
                  args.seed, d.cycle, d.expected.count, d.checked_writes,
                  d.checked_history, d.inflight_landed, d.inflight_lost,
                  d.publications, d.claim_aborts,
                  1000 * restarts[len(restarts) // 2] if restarts else 0,
                  time.time() - started))
        return 0
    except (Anomaly, rig.RigError) as e:
        print("crash_test: FAIL %s" % e, file=sys.stderr)
        print("server log tail:\n" + d.server.log_tail(), file=sys.stderr)
        return 1
    except rig.grpc.RpcError as e:
        print("crash_test: FAIL seed %s cycle %d: unexpected %s %s" % (
            args.seed, d.cycle, e.code(), e.details()), file=sys.stderr)
        print("server log tail:\n" + d.server.log_tail(), file=sys.stderr)
        return 1
    finally:
        d.server.kill()
        if args.keep or not ok:
            print("data kept in", root, file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
