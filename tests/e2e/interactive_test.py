#!/usr/bin/python3
"""`tessera translate` on a terminal: a pseudo-terminal sends keys and reads
the screen. Covers the readable screen with inline codes, a QA error and the
resubmit, a draft, $EDITOR, and Ctrl-C releasing the lease."""

import json
import os
import pty
import re
import select
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Cli, Failure, Server, check, main  # noqa: E402

DOC = """# Appel

Nous **exigeons** la paix. Voir [le site](https://example.org) aujourd'hui.

Deuxième paragraphe sans code.
"""


class Term:
    """A child process on a pseudo-terminal."""

    def __init__(self, argv, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(argv[0], argv, env)
        self.screen = ""

    def read_until(self, pattern, timeout=20):
        deadline = time.time() + timeout
        rx = re.compile(pattern)
        while time.time() < deadline:
            m = rx.search(self.screen)
            if m:
                return m
            r, _, _ = select.select([self.fd], [], [], 0.2)
            if r:
                try:
                    data = os.read(self.fd, 4096)
                except OSError:
                    break
                if not data:
                    break
                self.screen += data.decode("utf-8", "replace")
        m = rx.search(self.screen)
        if m:
            return m
        raise Failure("screen never showed %r; screen:\n%s" %
                      (pattern, self.screen[-2000:]))

    def send(self, text):
        self.mark = len(self.screen)
        os.write(self.fd, text.encode("utf-8"))

    def since_mark(self):
        return self.screen[self.mark:]

    def wait(self, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                # Drain what is left on the terminal.
                try:
                    while select.select([self.fd], [], [], 0.1)[0]:
                        data = os.read(self.fd, 4096)
                        if not data:
                            break
                        self.screen += data.decode("utf-8", "replace")
                except OSError:
                    pass
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.05)
        os.kill(self.pid, signal.SIGKILL)
        raise Failure("process did not exit; screen:\n" + self.screen[-2000:])


def interactive(tessera, tesserad, seed, root):
    server = Server(tesserad, root)
    addr = server.start()
    cli = Cli(tessera, os.path.join(root, "home"))
    admin = server.admin_token
    try:
        cli.out(["user", "create", "tina", "--role", "translator=de"],
                token=admin, server=addr)
        tina = cli.out(["token", "issue", "tina"], token=admin,
                       server=addr).strip()
        doc = os.path.join(root, "appel.md")
        with open(doc, "w") as f:
            f.write(DOC)
        cli.out(["statement", "import", doc, "--id", "appel", "--source-lang",
                 "fr", "--targets", "de", "--title", "Appel"], token=admin,
                server=addr)
        cli.out(["assign", "appel", "--lang", "de", "--to", "tina"],
                token=admin, server=addr)

        editor = os.path.join(root, "editor.sh")
        with open(editor, "w") as f:
            # Replaces the file with a translation keeping the codes.
            f.write("#!/bin/sh\nprintf '%s\\n' "
                    "'Siehe {1}die Seite{/1} heute.' > \"$1\"\n")
        os.chmod(editor, 0o755)
        env = cli.env(tina, addr)
        env["EDITOR"] = editor
        env["TERM"] = "xterm"
        term = Term([tessera, "translate", "--lang", "de", "appel"], env)

        # Segment 1: the heading. Submit by typing a line.
        term.read_until(r"SOURCE  Appel\r?\n(.|\n)*> $")
        term.send("Aufruf\r")
        term.read_until(r"submitted \(translated, version \d+\)")

        # Segment 2: codes shown readable, with a legend.
        term.read_until(r"SOURCE  Nous \{1\}exigeons\{/1\} la paix\.")
        term.read_until(r"codes +\{1\} strong")
        term.read_until(r"> $")
        # Dropping the code is a QA error; the segment stays for a fix.
        term.send("Wir fordern Frieden.\r")
        term.read_until(r"QA found problems(.|\n)*code")
        term.read_until(r"> $")
        term.send(":draft Wir {1}fordern{/1} Fri\r")
        term.read_until(r"draft saved \(untranslated")
        term.read_until(r"> $")
        term.send("Wir {1}fordern{/1} Frieden.\r")
        term.read_until(r"submitted \(translated")

        # Segment 3 has a link: translate it in $EDITOR.
        term.read_until(r"SOURCE  Voir \{1\}le site\{/1\} aujourd'hui\.")
        term.read_until(r"> $")
        term.send(":edit\r")
        term.read_until(r"submitted \(translated")

        # Segment 4: Ctrl-C releases the lease.
        term.read_until(r"SOURCE  Deuxième paragraphe sans code\.(.|\n)*> $")
        mine = json.loads(cli.out(["mine", "--json"], token=tina, server=addr))
        leases = [l for l in mine.get("leases", [])
                  if l.get("state") == "LEASE_STATE_ACTIVE"]
        check(len(leases) == 1, "one active lease before Ctrl-C: %s" % mine)
        term.send("\x03")
        code = term.wait()
        check(code == 130, "Ctrl-C exit code %s; screen:\n%s" %
              (code, term.screen[-800:]))
        check("released " + leases[0]["name"] in term.screen,
              "release reported: " + term.screen[-400:])
        mine = json.loads(cli.out(["mine", "--json"], token=tina, server=addr))
        check(not [l for l in mine.get("leases", [])
                   if l.get("state") == "LEASE_STATE_ACTIVE"],
              "lease still active after Ctrl-C: %s" % mine)

        segs = [json.loads(l) for l in cli.out(
            ["statement", "show", "appel", "--segments", "--json"],
            token=admin, server=addr).splitlines()][1:]
        check(len(segs) == 4, "segments: %s" % segs)
    except Failure:
        print(server.log_tail(), file=sys.stderr)
        raise
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main(interactive, sys.argv[1:]))
