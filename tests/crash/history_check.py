#!/usr/bin/python3
"""History checker in Elle's manner, against a real tesserad.

Concurrent clients (translators, reviewers, coordinators, each one user
calling sequentially) run randomized assign, claim, read, draft, submit,
approve, reject and reopen calls across many segments for a while. Every
call is recorded with its invoke and complete times, its request and its
result. The history is then checked, per segment, against a sequential
model of the segment state machine (translation.proto and
assignment.proto):

  - every version a call acknowledged is unique, the versions are
    contiguous, and ordering the writes by version respects real time (a
    write that completed before another began has the lower version): that
    order is the linearization;
  - replaying the writes in that order through the model, each one was
    allowed (version, state, four eyes, lease or assignment) and answered
    the state the model computes;
  - each refused call is explained by some state the segment may have had
    while the call ran (stale version, wrong state, four eyes, no lease);
  - each read (GetSegment, the translation a ClaimNext returns) equals a
    state the segment may have had while the read ran;
  - each claim handed out work the claimer may do, and no segment was
    leased to a second user while the first still held it with work to do;
  - the stored history equals the linearization, entry for entry.

A failure prints the seed and the anomaly.

Usage: history_check.py --tesserad BIN --stubs DIR [--seconds N] [--seed S]
"""

import argparse
import os
import random
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tessera_rig as rig  # noqa: E402

LANGS = ["de", "fr"]
UNTRANSLATED, TRANSLATED, APPROVED, REJECTED, NEEDS_UPDATE = 1, 2, 3, 4, 5
WRITES = ("submit", "draft", "approve", "reject", "reopen")
ACTION = {"submit": 3, "draft": 2, "approve": 4, "reject": 5, "reopen": 6}
INF = float("inf")


class Op:
    __slots__ = ("id", "user", "f", "seg", "req_version", "invoke",
                 "complete", "ok", "code", "reason", "resp", "extra")

    def __init__(self, user, f, seg=None, req_version=None, extra=None):
        self.user, self.f, self.seg = user, f, seg
        self.req_version = req_version
        self.extra = extra or {}
        self.ok = None       # True, False, or None (outcome unknown)
        self.code = self.reason = ""
        self.resp = None
        self.complete = INF

    def __repr__(self):
        span = "[%.4f, %.4f]" % (self.invoke, self.complete)
        res = ("ok %s" % (self.resp,)) if self.ok else (
            "unknown" if self.ok is None else "%s %s" % (self.code,
                                                          self.reason))
        return "op#%d %s %s %s v%s %s -> %s" % (
            self.id, self.user, self.f, self.seg, self.req_version, span, res)


def tstate(t):
    return {"version": t.version, "state": t.state, "author": t.author,
            "approvers": tuple(t.approvers)}


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.ops = []
        self.t0 = time.monotonic()

    def run(self, op, fn):
        """Runs fn() as op, recording times and the outcome. Returns the
        response or None."""
        with self.lock:
            op.id = len(self.ops)
            self.ops.append(op)
        op.invoke = time.monotonic() - self.t0
        try:
            r = fn()
        except rig.grpc.RpcError as e:
            op.complete = time.monotonic() - self.t0
            if e.code() in (rig.grpc.StatusCode.DEADLINE_EXCEEDED,
                            rig.grpc.StatusCode.UNAVAILABLE):
                op.ok = None
                op.complete = INF
            else:
                op.ok = False
                op.code = e.code().name
                op.reason = rig.reason(e)
                op.extra["details"] = e.details()
            return None
        op.complete = time.monotonic() - self.t0
        op.ok = True
        return r


class Client(threading.Thread):
    def __init__(self, h, user, kind, index):
        super().__init__(daemon=True)
        self.h, self.user, self.kind = h, user, kind
        self.rng = random.Random("%s/%s" % (h.seed, user))
        self.token = h.tokens[user]
        self.error = None
        self.index = index

    def run(self):
        try:
            deadline = time.monotonic() + self.h.seconds
            while time.monotonic() < deadline:
                getattr(self, "step_" + self.kind)()
        except Exception as e:  # noqa: BLE001 - reported by the checker
            import traceback
            self.error = traceback.format_exc()

    def call(self, f, seg, fn, req_version=None, extra=None):
        op = Op(self.user, f, seg, req_version, extra)
        r = self.h.rec.run(op, lambda: fn(metadata=rig.auth(self.token),
                                          timeout=15))
        return op, r

    def read(self, seg):
        t = rig.pb["translation_pb2"]
        tr = self.h.stubs.translations
        op, r = self.call("read", seg, lambda **kw: tr.GetSegment(
            t.GetSegmentRequest(name=seg), **kw))
        if r is not None:
            op.resp = tstate(r)
        return r

    def write(self, f, seg, version, text=None):
        t, c = rig.pb["translation_pb2"], rig.pb["common_pb2"]
        tr = self.h.stubs.translations
        content = c.Content(text=text or "%s %s" % (
            seg.split("/")[3], rig.tag(self.rng)))
        calls = {
            "submit": lambda **kw: tr.Submit(t.SubmitRequest(
                name=seg, version=version, content=content), **kw),
            "draft": lambda **kw: tr.SaveDraft(t.SaveDraftRequest(
                name=seg, version=version, content=content), **kw),
            "approve": lambda **kw: tr.Approve(t.ApproveRequest(
                name=seg, version=version), **kw),
            "reject": lambda **kw: tr.Reject(t.RejectRequest(
                name=seg, version=version, reason="please check"), **kw),
            "reopen": lambda **kw: tr.Reopen(t.ReopenRequest(
                name=seg, version=version), **kw),
        }
        op, r = self.call(f, seg, calls[f], version)
        if r is not None:
            op.resp = tstate(r)
        return r

    def claim(self, role):
        a = rig.pb["assignment_pb2"]
        lang = self.rng.choice(self.h.langs_of[self.user])
        stmt = self.rng.choice(self.h.statements + [""])
        op, r = self.call("claim", None, lambda **kw:
                          self.h.stubs.assignments.ClaimNext(
                              a.ClaimNextRequest(statement=stmt,
                                                 language=lang, role=role),
                              **kw),
                          extra={"role": role, "lang": lang})
        if r is not None:
            op.seg = r.translation.name
            op.resp = tstate(r.translation)
            op.extra["claim_reason"] = r.reason
        return r

    def any_segment(self):
        return self.rng.choice(self.h.segments_in(self.h.langs_of[self.user]))

    def version_to_use(self, t):
        # Now and then a stale version, to exercise compare-and-set.
        if self.rng.random() < 0.1 and t.version > 1:
            return t.version - 1
        return t.version

    def step_translator(self):
        a = rig.pb["assignment_pb2"]
        roll = self.rng.random()
        if roll < 0.7:
            got = self.claim(a.ASSIGNMENT_ROLE_TRANSLATE)
            if got is None:
                time.sleep(0.005)
                return
            seg = got.translation.name
            if self.rng.random() < 0.3:
                t = self.write("draft", seg, got.translation.version)
                if t is None:
                    return
                self.write("submit", seg, t.version)
            else:
                self.write("submit", seg,
                           self.version_to_use(got.translation))
        else:
            # A segment from an assignment, or any segment (refused unless
            # assigned or leased).
            mine = self.h.assigned_to(self.user)
            seg = self.rng.choice(mine) if mine and roll < 0.9 else \
                self.any_segment()
            t = self.read(seg)
            if t is not None:
                self.write(self.rng.choice(["submit", "draft"]), seg,
                           self.version_to_use(t))

    def step_reviewer(self):
        a = rig.pb["assignment_pb2"]
        roll = self.rng.random()
        if roll < 0.8:
            got = self.claim(a.ASSIGNMENT_ROLE_REVIEW)
            if got is None:
                time.sleep(0.005)
                return
            seg, v = got.translation.name, self.version_to_use(
                got.translation)
        else:
            seg = self.any_segment()
            t = self.read(seg)
            if t is None:
                return
            v = self.version_to_use(t)
        self.write("approve" if self.rng.random() < 0.7 else "reject", seg, v)

    def step_coordinator(self):
        seg = self.any_segment()
        t = self.read(seg)
        if t is None:
            return
        f = {UNTRANSLATED: ["submit", "draft"],
             TRANSLATED: ["approve", "approve", "reject", "submit"],
             APPROVED: ["reopen", "reopen", "submit", "draft"],
             REJECTED: ["submit", "draft", "approve"],
             NEEDS_UPDATE: ["submit"]}.get(t.state, ["submit"])
        self.write(self.rng.choice(f), seg, self.version_to_use(t))
        time.sleep(self.rng.uniform(0, 0.01))

    def step_assigner(self):
        # Assigns the planned scopes one by one at random moments.
        if not self.h.plan:
            self.step_coordinator()
            return
        a = rig.pb["assignment_pb2"]
        time.sleep(self.rng.uniform(0, 0.3))
        stmt, lang, role, user, segs = self.h.plan.pop()
        ids = [s.rsplit("/", 1)[1] for s in segs]
        op = Op(self.user, "assign", None, None,
                {"role": role, "assignee": user, "segments": segs})
        with self.h.assign_lock:
            self.h.assigns.append(op)
        self.h.rec.run(op, lambda: self.h.stubs.assignments.Assign(
            a.AssignRequest(statement=stmt, language=lang, role=role,
                            assignee="users/" + user,
                            scope=a.AssignmentScope(
                                segments=a.SegmentSetScope(segment_ids=ids))),
            metadata=rig.auth(self.token), timeout=15))


class Anomaly(Exception):
    pass


class History:
    def __init__(self, args):
        self.seed = args.seed
        self.seconds = args.seconds
        self.rng = random.Random(self.seed)
        self.rec = Recorder()
        self.assigns = []
        self.assign_lock = threading.Lock()
        self.anomalies = []
        self.claim_aborts = 0

    def setup(self, server):
        c = rig.pb["common_pb2"]
        a = rig.pb["assignment_pb2"]
        self.stubs = rig.Stubs(server.address)
        admin = server.admin_token
        self.tokens, self.langs_of = {}, {}
        people = [("c1", "coordinator", c.ROLE_COORDINATOR, LANGS),
                  ("c2", "coordinator", c.ROLE_COORDINATOR, LANGS),
                  ("c3", "assigner", c.ROLE_COORDINATOR, LANGS),
                  ("t1", "translator", c.ROLE_TRANSLATOR, LANGS),
                  ("t2", "translator", c.ROLE_TRANSLATOR, LANGS),
                  ("t3", "translator", c.ROLE_TRANSLATOR, ["de"]),
                  ("r1", "reviewer", c.ROLE_REVIEWER, LANGS),
                  ("r2", "reviewer", c.ROLE_REVIEWER, LANGS),
                  ("r3", "reviewer", c.ROLE_REVIEWER, ["fr"])]
        self.people = people
        for user, _, role, langs in people:
            self.tokens[user] = rig.make_user(self.stubs, admin, user, role,
                                              langs)
            self.langs_of[user] = list(langs)
        self.rounds = {}
        self.statements = []
        for title, rounds, open_ in (("Open pool", 1, True),
                                     ("Two rounds", 2, True),
                                     ("Assigned", 1, False)):
            s = rig.plain_statement(
                self.stubs, self.tokens["c1"], title,
                self.rng.sample(rig.SENTENCES, 10), LANGS, rounds, open_)
            self.statements.append(s.name)
            self.rounds[s.name] = rounds
        self.segs = {}
        for s in self.statements:
            for lang in LANGS:
                self.segs[(s, lang)] = [t.name for t in rig.list_segments(
                    self.stubs, self.tokens["c1"],
                    "%s/languages/%s" % (s, lang))]
        # Disjoint assignment scopes in the last two statements, handed out
        # while the others work.
        self.plan = []
        for s in self.statements[1:]:
            for lang in LANGS:
                segs = list(self.segs[(s, lang)])
                self.rng.shuffle(segs)
                tr = [u for u, k, _, l in people
                      if k == "translator" and lang in l]
                rv = [u for u, k, _, l in people
                      if k == "reviewer" and lang in l]
                for i, u in enumerate(tr):
                    part = segs[i * 3:(i + 1) * 3]
                    if part:
                        self.plan.append((s, lang, a.ASSIGNMENT_ROLE_TRANSLATE,
                                          u, sorted(part)))
                for i, u in enumerate(rv):
                    part = segs[i * 3 + 1:(i + 1) * 3 + 1]
                    if part:
                        self.plan.append((s, lang, a.ASSIGNMENT_ROLE_REVIEW,
                                          u, sorted(part)))
        self.rng.shuffle(self.plan)
        self.initial = {}
        for segs in self.segs.values():
            for name in segs:
                t = self.stubs.translations.GetSegment(
                    rig.pb["translation_pb2"].GetSegmentRequest(name=name),
                    metadata=rig.auth(self.tokens["c1"]), timeout=30)
                self.initial[name] = tstate(t)

    def segments_in(self, langs):
        return [n for (s, l), segs in sorted(self.segs.items())
                if l in langs for n in segs]

    def assigned_to(self, user):
        with self.assign_lock:
            return [s for op in self.assigns if op.ok
                    and op.extra["assignee"] == user
                    for s in op.extra["segments"]]

    def run(self):
        clients = [Client(self, u, k, i)
                   for i, (u, k, _, _) in enumerate(self.people)]
        for c in clients:
            c.start()
        for c in clients:
            c.join(timeout=self.seconds + 120)
            if c.is_alive():
                raise Anomaly("client %s hung" % c.user)
            if c.error:
                raise Anomaly("client %s failed: %s" % (c.user, c.error))

    # ---- the checker ----
    def flag(self, what, *ops):
        self.anomalies.append(what + "".join("\n    " + repr(o)
                                             for o in ops))

    def stmt_of(self, seg):
        return seg.split("/languages/")[0]

    def lang_of(self, seg):
        return seg.split("/")[3]

    def check(self):
        ops = self.rec.ops
        by_seg = {}
        for op in ops:
            if op.seg and op.f in WRITES + ("read", "claim"):
                by_seg.setdefault(op.seg, []).append(op)
        self.claims_by_user = {}
        for op in ops:
            if op.f == "claim":
                self.claims_by_user.setdefault(op.user, []).append(op)
        for op in ops:
            if op.f == "assign" and op.ok is False:
                self.flag("Assign of a disjoint scope refused", op)
            if op.f == "claim" and op.ok is False and \
                    op.reason != "NOTHING_TO_CLAIM":
                if op.code == "ABORTED":
                    # Not in ClaimNext's contract yet, but retryable; counted.
                    self.claim_aborts += 1
                else:
                    self.flag("ClaimNext failed unexpectedly", op)
        stored = {}
        for seg in sorted(self.initial):
            stored[seg] = rig.history(self.stubs, self.tokens["c1"], seg)
        self.checked_segments = 0
        for seg in sorted(self.initial):
            self.check_segment(seg, by_seg.get(seg, []), stored[seg])
            self.checked_segments += 1
        self.check_lease_exclusion()

    def apply(self, seg, st, op):
        """The model: the state after `op` on `st`, or the reasons the model
        refuses it (a set of ErrorInfo reasons)."""
        errs = set()
        if op.req_version != st["version"]:
            errs.add("VERSION_CONFLICT")
        f, user = op.f, "users/" + op.user
        s = st["state"]
        nxt = dict(st, version=st["version"] + 1)
        if f == "submit":
            if s == APPROVED:
                errs.add("WRONG_STATE")
            nxt.update(state=TRANSLATED, author=user, approvers=())
        elif f == "draft":
            if s == APPROVED:
                errs.add("WRONG_STATE")
        elif f == "approve":
            if s != TRANSLATED:
                errs.add("WRONG_STATE")
            if user == st["author"] or user in st["approvers"]:
                errs.add("FOUR_EYES")
            apps = st["approvers"] + (user,)
            done = len(apps) >= self.rounds[self.stmt_of(seg)]
            nxt.update(approvers=apps, state=APPROVED if done else TRANSLATED)
        elif f == "reject":
            if s != TRANSLATED:
                errs.add("WRONG_STATE")
            nxt.update(state=REJECTED, approvers=())
        elif f == "reopen":
            if s != APPROVED:
                errs.add("WRONG_STATE")
            nxt.update(state=TRANSLATED, approvers=())
        return nxt, errs

    def permission(self, op):
        """For a translator's or reviewer's write: (surely allowed, maybe
        allowed) by a lease from their last claim or an assignment."""
        kind = op.user[0]
        if kind == "c":
            return True, True
        a = rig.pb["assignment_pb2"]
        role = a.ASSIGNMENT_ROLE_TRANSLATE if kind == "t" else \
            a.ASSIGNMENT_ROLE_REVIEW
        lang = self.lang_of(op.seg)
        sure = maybe = False
        for c in self.claims_by_user.get(op.user, []):
            if c.invoke > op.invoke:
                break
            if c.extra["role"] != role or c.extra["lang"] != lang:
                continue
            if c.ok is True:
                # The user's latest claim for this language and role holds
                # the lease (calls of one user are sequential).
                sure = maybe = c.seg == op.seg
            elif c.ok is False and c.reason == "NOTHING_TO_CLAIM":
                # A finished lease ends then; one whose work is open but
                # outside the claim's scope stays.
                sure = False
        for asg in self.assigns:
            if asg.ok is False or asg.extra["assignee"] != op.user or \
                    asg.extra["role"] != role or \
                    op.seg not in asg.extra["segments"]:
                continue
            if asg.complete < op.invoke:
                sure = maybe = True
            elif asg.invoke < op.complete:
                maybe = True
        return sure, maybe

    def check_segment(self, seg, ops, stored):
        init = self.initial[seg]
        writes = [o for o in ops if o.f in WRITES and o.ok is True]
        unknown = [o for o in ops if o.f in WRITES and o.ok is None]
        by_version = {}
        for o in writes:
            v = o.resp["version"]
            if v in by_version:
                self.flag("%s: two writes acknowledged version %d" % (seg, v),
                          by_version[v], o)
                return
            by_version[v] = o
        # The stored history: versions from 1, each write at its version;
        # entries no acknowledged write explains must come from calls whose
        # outcome is unknown.
        nums = [e.version for e in stored]
        if nums != list(range(1, len(nums) + 1)):
            self.flag("%s: stored history not contiguous: %s" % (seg, nums))
            return
        top = len(stored)
        for v in range(init["version"] + 1, top + 1):
            e = stored[v - 1]
            o = by_version.get(v)
            if o is None:
                cands = [u for u in unknown if u.req_version == v - 1 and
                         ACTION[u.f] == e.action and
                         e.actor == "users/" + u.user]
                if not cands:
                    self.flag("%s: stored version %d (action %d by %s) was "
                              "made by no call" % (seg, v, e.action, e.actor))
                    return
                o = cands[0]
                unknown.remove(o)
                by_version[v] = o
            elif e.action != ACTION[o.f] or e.actor != "users/" + o.user:
                self.flag("%s: stored version %d is action %d by %s, the "
                          "call that got it was" % (seg, v, e.action,
                                                    e.actor), o)
        for v in by_version:
            if v > top or v <= init["version"]:
                self.flag("%s: acknowledged version %d is not in the "
                          "history (%d entries)" % (seg, v, top),
                          by_version[v])
                return
        order = [by_version[v] for v in range(init["version"] + 1, top + 1)]
        # Real-time order.
        for i in range(len(order)):
            for j in range(i + 1, len(order)):
                if order[j].complete < order[i].invoke:
                    self.flag("%s: not linearizable: version %d was written "
                              "by a call that completed before the call "
                              "writing version %d began" % (
                                  seg, order[j].resp and
                                  order[j].resp["version"] or
                                  init["version"] + 1 + j,
                                  init["version"] + 1 + i),
                              order[i], order[j])
                    return
        # Replay through the model.
        states = [(init, None)]
        st = init
        for o in order:
            nxt, errs = self.apply(seg, st, o)
            sure, maybe = self.permission(o)
            if not maybe:
                errs.add("NOT_ASSIGNED")
            if errs:
                self.flag("%s: write succeeded but the model refuses it "
                          "(%s) in state %s" % (seg, ",".join(sorted(errs)),
                                                st), o)
            if o.resp is not None:
                got = o.resp
                want = nxt
                for k in ("version", "state", "author", "approvers"):
                    if got[k] != want[k]:
                        self.flag("%s: write answered %s=%r, the model says "
                                  "%r" % (seg, k, got[k], want[k]), o)
            e = stored[nxt["version"] - 1]
            if e.state != nxt["state"]:
                self.flag("%s: stored version %d has state %d, the model "
                          "says %d" % (seg, nxt["version"], e.state,
                                       nxt["state"]), o)
            st = nxt
            states.append((st, o))

        def possible(op):
            """States the segment may have had while op ran."""
            out = []
            for k, (s, w) in enumerate(states):
                began = -INF if w is None else w.invoke
                nxt = states[k + 1][1] if k + 1 < len(states) else None
                ended = INF if nxt is None else nxt.complete
                if began < op.complete and ended > op.invoke:
                    out.append(s)
            return out

        for o in ops:
            if o.ok is False and o.f in WRITES:
                errs = set()
                for s in possible(o):
                    errs |= self.apply(seg, s, o)[1]
                sure, maybe = self.permission(o)
                if not sure:
                    errs.add("NOT_ASSIGNED")
                if o.reason not in errs:
                    self.flag("%s: %s refused with %s %s, which no state it "
                              "may have seen explains (model: %s)" % (
                                  seg, o.f, o.code, o.reason,
                                  ",".join(sorted(errs)) or "allowed"), o)
            elif o.ok and o.f in ("read", "claim"):
                ps = possible(o)
                if o.resp not in ps:
                    self.flag("%s: %s saw a state the segment never had "
                              "while it ran (possible: %s)" % (seg, o.f, ps),
                              o)
                    continue
                if o.f == "claim":
                    self.check_claim(seg, o, ps)

    def check_claim(self, seg, op, states):
        a = rig.pb["assignment_pb2"]
        user = "users/" + op.user
        for s in states:
            if op.extra["role"] == a.ASSIGNMENT_ROLE_TRANSLATE:
                if s["state"] in (UNTRANSLATED, NEEDS_UPDATE, REJECTED):
                    return
            elif s["state"] == TRANSLATED and s["author"] != user and \
                    user not in s["approvers"]:
                return
        self.flag("%s: ClaimNext handed out work the claimer may not do" %
                  seg, op)

    def check_lease_exclusion(self):
        """A segment claimed by U1 must not be claimed by U2 while U1 surely
        still holds it with the work undone."""
        claims = [o for o in self.rec.ops if o.f == "claim" and o.ok]
        writes = {}
        for o in self.rec.ops:
            if o.f in WRITES and o.ok is not False:
                writes.setdefault((o.user, o.seg), []).append(o)
        for c1 in claims:
            later = [c for c in self.claims_by_user[c1.user]
                     if c.invoke > c1.invoke and
                     c.extra["role"] == c1.extra["role"] and
                     c.extra["lang"] == c1.extra["lang"]]
            ends = min([c.invoke for c in later] +
                       [w.invoke for w in writes.get((c1.user, c1.seg), [])
                        if w.invoke > c1.invoke] + [INF])
            for c2 in claims:
                if c2.seg == c1.seg and c2.user != c1.user and \
                        c2.extra["role"] == c1.extra["role"] and \
                        c2.invoke > c1.complete and c2.complete < ends:
                    self.flag("%s leased to a second user while the first "
                              "still held it with its work undone" % c1.seg,
                              c1, c2)


def self_check(h):
    """Plants anomalies in copies of a clean history; the checker must
    report each one."""
    import copy
    clean = h.rec.ops
    writes = {}
    for o in clean:
        if o.f in WRITES and o.ok:
            writes.setdefault(o.seg, []).append(o)
    reads = [o for o in clean if o.f == "read" and o.ok]

    def swap(ops):
        # Two writes on one segment, the later one begun after the first
        # ended, trade the versions they were answered with.
        for seg, ws in sorted(writes.items()):
            ws = sorted(ws, key=lambda o: o.resp["version"])
            for a, b in zip(ws, ws[1:]):
                if a.complete < b.invoke:
                    ops[a.id].resp, ops[b.id].resp = b.resp, a.resp
                    return True
        return False

    def stale_read(ops):
        # A read answers a version that was long gone.
        for r in reads:
            if r.resp["version"] > 3:
                ops[r.id].resp = dict(r.resp, version=1)
                return True
        return False

    def lost_write(ops):
        # An acknowledged write whose version the server did not keep.
        for seg, ws in sorted(writes.items()):
            w = ws[-1]
            ops[w.id].resp = dict(w.resp, version=w.resp["version"] + 50)
            return True
        return False

    for plant in (swap, stale_read, lost_write):
        ops = [copy.copy(o) for o in clean]
        if not plant(ops):
            raise Anomaly("self-check: no history to plant %s in" %
                          plant.__name__)
        h.rec.ops, h.anomalies = ops, []
        h.check()
        if not h.anomalies:
            raise Anomaly("self-check: the checker missed a planted %s" %
                          plant.__name__)
    h.rec.ops, h.anomalies = clean, []
    print("history_check: self-check caught every planted anomaly")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tesserad", required=True)
    ap.add_argument("--stubs", required=True)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--seed", default="")
    ap.add_argument("--self_check", action="store_true",
                    help="also check that the checker catches anomalies "
                    "planted in the recorded history")
    args = ap.parse_args()
    rig.load_stubs(args.stubs)
    base = args.seed or str(random.SystemRandom().randrange(1 << 32))
    total_ops = total_writes = 0
    for run in range(args.runs):
        args.seed = base if args.runs == 1 else "%s.%d" % (base, run)
        print("history_check: seed %s, %.0fs" % (args.seed, args.seconds),
              flush=True)
        root = tempfile.mkdtemp(prefix="tessera-history-")
        server = rig.Server(args.tesserad, root)
        h = History(args)
        try:
            server.start()
            h.setup(server)
            h.run()
            h.check()
            if args.self_check and not h.anomalies:
                self_check(h)
        except (Anomaly, rig.RigError) as e:
            print("history_check: FAIL seed %s: %s" % (args.seed, e),
                  file=sys.stderr)
            print(server.log_tail(), file=sys.stderr)
            server.kill()
            return 1
        finally:
            server.stop()
        ops = h.rec.ops
        n_ok = sum(1 for o in ops if o.ok)
        n_w = sum(1 for o in ops if o.ok and o.f in WRITES)
        n_ref = sum(1 for o in ops if o.ok is False)
        n_unk = sum(1 for o in ops if o.ok is None)
        total_ops += len(ops)
        total_writes += n_w
        print("history_check: %d calls (%d ok, %d acknowledged writes, %d "
              "refused, %d unknown) over %d segments, %d ClaimNext ABORTED, %d "
              "anomalies" % (len(ops), n_ok, n_w, n_ref, n_unk,
                             h.checked_segments, h.claim_aborts,
                             len(h.anomalies)), flush=True)
        if h.anomalies:
            for a in h.anomalies[:20]:
                print("ANOMALY (seed %s): %s" % (args.seed, a),
                      file=sys.stderr)
            print("history_check: FAIL seed %s: %d anomalies" % (
                args.seed, len(h.anomalies)), file=sys.stderr)
            print("data kept in", root, file=sys.stderr)
            return 1
        shutil.rmtree(root, ignore_errors=True)
    print("history_check: PASS seed %s: %d runs, %d calls, %d acknowledged "
          "writes checked" % (base, args.runs, total_ops, total_writes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
