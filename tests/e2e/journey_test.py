#!/usr/bin/python3
"""The full journey through the `tessera` CLI only, against a real tesserad.

An admin creates a coordinator, two translators and two reviewers; the
coordinator imports the ICOR resolution (fr) into de and en, signatories
marked not to translate, and assigns halves to each translator; the
translators work through `tessera translate` driven from stdin (de: a
pseudo-translation, en: the source itself); a reviewer rejects one segment,
its translator fixes it, the reviewers approve the rest; `tessera watch`
in the background receives both publications, `tessera pull` gets both
documents, and their bytes and structure are checked.
"""

import html.parser
import json
import os
import re
import stat
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Cli, Failure, Server, check, main  # noqa: E402

DE = "\u27e6de\u27e7 "        # pseudo-translation marker
DE_FIXED = "\u27e6de*\u27e7 "  # marker of the fixed segment
REASON = "Terminologie: bitte den Fachbegriff verwenden"


def drive(cli, server, token, args, respond, timeout=90):
    """Runs `tessera ARGS --json`, answering each claimed segment with
    respond(event). Returns the events. Any other event that waits for input
    is a failure."""
    p = subprocess.Popen([cli.tessera] + args + ["--json"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=cli.env(token, server))
    timer = threading.Timer(timeout, p.kill)
    timer.start()
    events = []
    try:
        for raw in p.stdout:
            ev = json.loads(raw)
            events.append(ev)
            kind = ev["event"]
            if kind == "claimed":
                p.stdin.write((respond(ev) + "\n").encode("utf-8"))
                p.stdin.flush()
            elif kind in ("qa_errors", "error"):
                raise Failure("%s: unexpected %s" % (" ".join(args), ev))
            elif kind == "done":
                break
        p.stdin.close()
        rc = p.wait(timeout=30)
    finally:
        timer.cancel()
        if p.poll() is None:
            p.kill()
    err = p.stderr.read().decode("utf-8", "replace")
    check(rc == 0, "%s exited %s: %s" % (" ".join(args), rc, err))
    check(events and events[-1]["event"] == "done" and
          events[-1]["reason"] == "nothing_to_claim",
          "%s did not finish its work: %s" % (" ".join(args), events[-3:]))
    return events


class Tags(html.parser.HTMLParser):
    """The element structure of an HTML fragment: start and end tags."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append("<" + tag)

    def handle_endtag(self, tag):
        self.tags.append("/" + tag)


def structure(html_text):
    t = Tags()
    t.feed(html_text)
    return t.tags


def journey(tessera, tesserad, seed, root):
    seed_bytes = open(seed, "rb").read()
    server = Server(tesserad, root)
    addr = server.start()
    cli = Cli(tessera, os.path.join(root, "home"))
    watch = None
    try:
        # --- connection and errors -------------------------------------
        out = cli.out(["login", "--server", addr, "--token",
                       server.admin_token])
        check("as admin" in out, "login: " + out)
        cfg = os.path.join(root, "home", ".config", "tessera", "config")
        check(stat.S_IMODE(os.stat(cfg).st_mode) == 0o600,
              "config file is not 0600")
        p = cli.run(["whoami", "--token", "tsr_bogus"], expect=4)
        check(b"does not accept this token" in p.stderr, p.stderr)
        p = cli.run(["whoami", "--server", "127.0.0.1:9", "--insecure"],
                    expect=3)
        check(b"cannot reach the server" in p.stderr, p.stderr)
        cli.run(["statement", "frobnicate"], expect=2)

        # --- admin: users and tokens -----------------------------------
        people = {
            "coord": "coordinator=de,en",
            "tina": "translator=de,en", "theo": "translator=de,en",
            "rita": "reviewer=de", "rolf": "reviewer=en",
        }
        tokens = {}
        for user, role in people.items():
            cli.out(["user", "create", user, "--role", role])
            tokens[user] = cli.out(["token", "issue", user]).strip()
            check(tokens[user].startswith("tsr_"), "token " + tokens[user])
        listed = {u["user_id"] for u in cli.json_lines(["user", "list"])}
        check(set(people) <= listed, "user list: %s" % listed)
        p = cli.run(["user", "create", "mallory"], token=tokens["tina"],
                    expect=5)
        check(b"denied" in p.stderr, p.stderr)
        cli.run(["statement", "show", "nope"], expect=6)

        def as_(user, args, **kw):
            return cli.out(args, token=tokens[user], server=addr, **kw)

        # --- watch in the background -----------------------------------
        watch_dir = os.path.join(root, "watch")
        os.makedirs(watch_dir)
        watch = subprocess.Popen(
            [tessera, "watch", "--count", "2", "--out-dir", watch_dir,
             "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=cli.env(tokens["coord"], addr))

        # --- coordinator: import and assign ----------------------------
        out = as_("coord", ["statement", "import", seed, "--id", "icor",
                            "--source-lang", "fr", "--targets", "de,en",
                            "--title", "ICOR résolution",
                            "--no-translate-lines", "53-81"])
        m = re.match(r"imported icor: (\d+) segments \((\d+) to translate\), "
                     r"(\d+) words", out)
        check(m, "import output: " + out)
        lines = [json.loads(l) for l in as_(
            "coord", ["statement", "show", "icor", "--segments", "--json"])
            .splitlines()]
        statement, segments = lines[0], lines[1:]
        check(statement["segment_count"] == int(m.group(1)) == len(segments),
              "segment counts")
        translatable = [s for s in segments if s.get("translatable")]
        check(len(translatable) == int(m.group(2)) > 10, "translatable count")
        check(not any(s.get("translatable") for s in segments
                      if 53 <= s["context"].get("source_line", 0) <= 81),
              "signatories must not be translatable")
        mid = translatable[len(translatable) // 2 - 1]["ordinal"]
        halves = {"tina": (1, mid), "theo": (mid + 1, len(segments))}
        for lang in ("de", "en"):
            for user, (a, b) in halves.items():
                out = as_("coord", ["assign", "icor", "--lang", lang, "--to",
                                    user, "--segments", "%d-%d" % (a, b),
                                    "--due", "+7d"])
                check(out.startswith("assigned "), out)
        as_("coord", ["assign", "icor", "--lang", "de", "--to", "rita",
                      "--role", "review"])
        as_("coord", ["assign", "icor", "--lang", "en", "--to", "rolf",
                      "--role", "review"])
        mine = json.loads(as_("tina", ["mine", "--json"]))
        check(len(mine.get("assignments", [])) == 2, "tina's work: %s" % mine)

        # --- translators ------------------------------------------------
        author = {}
        for user, (a, b) in halves.items():
            for lang in ("de", "en"):
                def respond(ev, lang=lang, user=user, a=a, b=b):
                    check(a <= ev["ordinal"] <= b,
                          "%s got segment %d outside %d-%d" %
                          (user, ev["ordinal"], a, b))
                    author[(lang, ev["segment_id"])] = user
                    return (DE + ev["source"]) if lang == "de" else ev["source"]
                events = drive(cli, addr, tokens[user],
                               ["translate", "--lang", lang, "icor"], respond)
                subs = [e for e in events if e["event"] == "submitted"]
                check(len(subs) == sum(1 for s in translatable
                                       if a <= s["ordinal"] <= b),
                      "%s %s submitted %d" % (user, lang, len(subs)))
        check(len(author) == 2 * len(translatable), "every segment translated")

        # --- review: one rejection, then approvals ---------------------
        rejected = []

        def rita(ev):
            check(ev["target"] == DE + ev["source"], "review shows target")
            if not rejected:
                rejected.append(ev["segment_id"])
                return ":reject " + REASON
            return ":approve"
        drive(cli, addr, tokens["rita"], ["review", "--lang", "de", "icor"],
              rita)
        drive(cli, addr, tokens["rolf"], ["review", "--lang", "en", "icor"],
              lambda ev: ":approve")
        fixer = author[("de", rejected[0])]
        mine = json.loads(as_(fixer, ["mine", "--json"]))
        check(any(r.endswith("/" + rejected[0])
                  for r in mine.get("rejected_segments", [])),
              "rejection listed in mine: %s" % mine)

        def fix(ev):
            check(ev["segment_id"] == rejected[0], "rejected comes back first")
            check(ev["rejection_reason"] == REASON, "reason shown")
            return DE_FIXED + ev["source"]
        events = drive(cli, addr, tokens[fixer],
                       ["translate", "--lang", "de", "icor"], fix)
        check(sum(e["event"] == "submitted" for e in events) == 1, "one fix")
        drive(cli, addr, tokens["rita"], ["review", "--lang", "de", "icor"],
              lambda ev: ":approve")

        progress = json.loads(as_("coord", ["progress", "icor", "--json"]))
        for lp in progress["languages"]:
            check(lp.get("percent_approved") == 100,
                  "progress %s: %s" % (lp["language"], lp))
        table = as_("coord", ["progress", "icor"])
        check("[####################] 100%" in table, table)

        # --- publications ----------------------------------------------
        for lang in ("de", "en"):
            pub = json.loads(as_("coord", ["publish", "icor", "--lang", lang,
                                           "--json"]))
            check(pub.get("complete") and pub.get("version") == "1",
                  "publish %s: %s" % (lang, pub))
        try:
            wout, werr = watch.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            watch.kill()
            raise Failure("watch did not receive two publications")
        check(watch.returncode == 0, "watch: " + werr.decode())
        got = [json.loads(l) for l in wout.decode().splitlines()]
        check(sorted(g["publication"]["language"] for g in got) == ["de", "en"],
              "watch got %s" % got)
        # Each language published itself when its last segment was
        # approved; the explicit publish above returned that publication.
        check(all(g["publication"]["trigger"] ==
                  "PUBLICATION_TRIGGER_AUTOMATIC" for g in got),
              "automatic publications: %s" % got)
        cursors = [g["cursor"] for g in got]
        check(len(set(cursors)) == 2 and all(cursors), "cursors %s" % cursors)
        # Resuming after the first cursor gives the second publication only.
        again = [json.loads(l) for l in as_(
            "coord", ["watch", "--since", cursors[0], "--count", "1",
                      "--json"], timeout=30).splitlines()]
        check([a["publication"]["name"] for a in again] ==
              [got[1]["publication"]["name"]], "watch --since: %s" % again)

        en = cli.run(["pull", "icor", "--lang", "en"], token=tokens["coord"],
                     server=addr).stdout
        check(en == seed_bytes, "en publication differs from the source")
        de_path = os.path.join(root, "icor.de.md")
        as_("coord", ["pull", "icor", "--lang", "de", "-o", de_path])
        de = open(de_path, "rb").read().decode("utf-8")
        check(de.count(DE) == len(translatable) - 1, "de markers")
        check(de.count(DE_FIXED) == 1, "fixed segment published")
        check(de.replace(DE, "").replace(DE_FIXED, "").encode() == seed_bytes,
              "de is the source plus one marker per segment")
        for g in got:
            written = open(g["file"], "rb").read()
            expect = en if g["publication"]["language"] == "en" else de.encode()
            check(written == expect, "watch wrote " + g["file"])
        html_en = as_("coord", ["pull", "icor", "--lang", "en", "--format",
                                "html"])
        html_de = as_("coord", ["pull", "icor", "--lang", "de", "--format",
                                "html"])
        check(structure(html_en) == structure(html_de) and
              len(structure(html_en)) > 20, "de and en HTML structure")
        two = os.path.join(root, "both")
        os.makedirs(two)
        as_("coord", ["pull", "icor", "--lang", "de,en", "-o", two])
        check(sorted(os.listdir(two)) == ["icor.de.md", "icor.en.md"],
              "pull of several languages")
    except Failure:
        print(server.log_tail(), file=sys.stderr)
        raise
    finally:
        if watch is not None and watch.poll() is None:
            watch.kill()
        server.stop()


if __name__ == "__main__":
    sys.exit(main(journey, sys.argv[1:]))
