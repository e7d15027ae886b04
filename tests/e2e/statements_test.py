#!/usr/bin/python3
"""Coordinator and admin commands that need only the identity and statement
services: dry-run import, revise with its diff, listings in text and JSON,
role changes, token listing, and the distinct exit codes."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Cli, Server, check, main  # noqa: E402

V1 = """# Appel

Nous **exigeons** la paix. La guerre doit cesser.

Signé à Paris.
"""

V2 = """# Appel

Nous **exigeons** la paix immédiate. La guerre doit cesser.

Un nouveau paragraphe.

Signé à Paris.
"""


def statements(tessera, tesserad, seed, root):
    server = Server(tesserad, root)
    addr = server.start()
    cli = Cli(tessera, os.path.join(root, "home"))
    try:
        # Flags beat the environment: a bogus env token is overridden.
        out = cli.out(["whoami", "--token", server.admin_token],
                      token="tsr_bogus", server=addr)
        check(out.startswith("admin "), out)
        cli.run(["whoami"], token="tsr_bogus", server=addr, expect=4)
        cli.out(["login", "--server", addr, "--token", server.admin_token])

        cli.out(["user", "create", "coord", "--name", "Coordinator",
                 "--role", "coordinator=de"])
        out = cli.out(["user", "roles", "coord", "--set", "coordinator=de,en",
                       "--set", "reviewer=fr"])
        check(out.strip() == "coord  coordinator=de,en reviewer=fr", out)
        check("coordinator=de,en" in cli.out(["user", "list"]), "user list")
        cli.run(["user", "create", "coord"], expect=7)  # already exists
        cli.run(["user", "create", "x", "--role", "wizard"], expect=2)
        coord = cli.out(["token", "issue", "coord", "--description", "ci"]) \
            .strip()
        tokens = cli.json_lines(["token", "list", "coord"])
        check(len(tokens) == 1 and tokens[0]["description"] == "ci",
              "token list: %s" % tokens)

        v1 = os.path.join(root, "v1.md")
        v2 = os.path.join(root, "v2.md")
        open(v1, "w").write(V1)
        open(v2, "w").write(V2)
        out = cli.out(["statement", "import", v1, "--id", "appel",
                       "--source-lang", "fr", "--targets", "de,en",
                       "--title", "Appel", "--dry-run"], token=coord,
                      server=addr)
        check(out.startswith("would import appel: 4 segments (4 to "
                             "translate)"), out)
        cli.run(["statement", "show", "appel"], expect=6)
        out = cli.out(["statement", "import", v1, "--id", "appel",
                       "--source-lang", "fr", "--targets", "de,en",
                       "--title", "Appel", "--draft", "--deadline", "+3d",
                       "--label", "kind=call"], token=coord, server=addr)
        check(out.startswith("imported appel: 4 segments (4 to translate), "
                             "12 words, fr -> de,en, draft"), out)
        # Outside the coordinator's languages: denied, exit 5.
        cli.out(["user", "create", "narrow", "--role", "coordinator=tr"])
        narrow = cli.out(["token", "issue", "narrow"]).strip()
        p = cli.run(["statement", "import", v1, "--source-lang", "fr",
                     "--targets", "de", "--title", "X"], token=narrow,
                    server=addr, expect=5)
        check(b"denied" in p.stderr, p.stderr)
        p = cli.run(["statement", "import", v1, "--source-lang", "fr",
                     "--targets", "de,de-XX-invalid!!", "--title", "X"],
                    expect=1)
        check(b"target_languages" in p.stderr, p.stderr)

        cli.out(["statement", "open", "appel"], token=coord, server=addr)
        out = cli.out(["statement", "revise", "appel", v2, "--note", "more"],
                      token=coord, server=addr)
        lines = out.splitlines()
        check(lines[0] == "revision 2: 1 added, 0 removed, 1 changed, "
              "3 unchanged (0 moved)", out)
        check("  - Nous {1}exigeons{/1} la paix." in lines, out)
        check("  + Nous {1}exigeons{/1} la paix immédiate." in lines, out)
        check(any(l.startswith("+ ") and l.endswith("Un nouveau paragraphe.")
                  for l in lines), out)

        listed = cli.json_lines(["statement", "list"])
        check([s["statement_id"] for s in listed] == ["appel"], listed)
        check(listed[0]["state"] == "STATEMENT_STATE_OPEN" and
              listed[0]["labels"] == {"kind": "call"}, listed)
        table = cli.out(["statement", "list"])
        check(table.splitlines()[1].startswith("appel  open   fr->de,en  5"),
              table)
        show = cli.out(["statement", "show", "appel", "--segments"])
        check("{1}exigeons{/1}" in show and "revisions/2" in show, show)
        cli.out(["statement", "close", "appel"], token=coord, server=addr)
        cli.run(["statement", "close", "appel"], token=coord, server=addr,
                expect=7)
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main(statements, sys.argv[1:]))
