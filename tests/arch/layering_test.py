#!/usr/bin/python3
"""Holds the services wing to its layering rules (DESIGN.md, sections 4 and 8).

Reads the source tree only. Each rule is one test; a failure names the file,
the line and the rule it breaks.
"""
import os
import re
import sys
import unittest

ROOT = os.environ.get("TESSERA_SOURCE_DIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
SERVICES = os.path.join(ROOT, "services")

# Which column family each service owns (storage/FORMAT.md).
OWNED_FAMILY = {
    "identity": "kIdentity",
    "statement": "kStatements",
    "translation": "kTranslations",
    "assignment": "kAssignments",
    "publication": "kPublications",
    "memory": "kMemory",
}
FAMILIES = set(OWNED_FAMILY.values()) | {"kFeed", "kMeta"}
MAX_LINES = 800

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^">]+)[">]')
FAMILY = re.compile(r'\b(?:ColumnFamily|Cf)::(k[A-Za-z]+)\b')


def service_dirs():
    for name in sorted(os.listdir(SERVICES)):
        path = os.path.join(SERVICES, name)
        if name in OWNED_FAMILY and os.path.isdir(path):
            yield name, path


def is_test(filename):
    """Tests may build several real cores to set up what they check."""
    return filename.endswith(("_test.cc", "_test_fixture.h"))


def is_edge(filename):
    """gRPC-facing files: handlers, converters and their tests."""
    return (is_test(filename) or "_service." in filename or
            "_convert." in filename)


def sources(path):
    for f in sorted(os.listdir(path)):
        if f.endswith((".h", ".cc")):
            yield f, os.path.join(path, f)


def lines_of(path):
    with open(path, encoding="utf-8") as fh:
        return fh.read().split("\n")


class LayeringTest(unittest.TestCase):
    maxDiff = None

    def test_cores_include_no_grpc_api_or_icu(self):
        bad = []
        for svc, path in service_dirs():
            for f, full in sources(path):
                if is_edge(f):
                    continue
                for n, line in enumerate(lines_of(full), 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    inc = m.group(1)
                    if (inc.startswith(("grpc", "grpcpp/", "google/rpc/",
                                        "unicode/", "tessera/v1/",
                                        "services/grpc/"))):
                        bad.append(f"services/{svc}/{f}:{n}: {inc}")
        self.assertEqual(bad, [], "domain code must not include gRPC, "
                         "google.rpc, API protos or ICU")

    def test_no_service_reaches_into_another(self):
        bad = []
        forbidden = re.compile(
            r'^services/(\w+)/(\w+_core\.h|\w+_keys\.h|\w+_records\.pb\.h|'
            r'\w+_service\.h)$')
        for svc, path in service_dirs():
            for f, full in sources(path):
                for n, line in enumerate(lines_of(full), 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    fm = forbidden.match(m.group(1))
                    if fm and fm.group(1) != svc and not is_test(f):
                        bad.append(f"services/{svc}/{f}:{n}: {m.group(1)}")
        self.assertEqual(bad, [], "use a port in your own folder instead "
                         "of another service's core, keys, records or edge")

    def test_no_service_reads_another_column_family(self):
        bad = []
        for svc, path in service_dirs():
            mine = OWNED_FAMILY[svc]
            for f, full in sources(path):
                for n, line in enumerate(lines_of(full), 1):
                    for fam in FAMILY.findall(line):
                        if fam in FAMILIES and fam != mine and not is_test(f):
                            bad.append(f"services/{svc}/{f}:{n}: {fam}")
        self.assertEqual(bad, [], "a service touches only its own column "
                         "family; read the feed through storage::FeedSource")

    def test_no_service_links_another_services_records_or_core(self):
        # Adapters (NAME ..._for_...) are the one place a provider's core
        # meets a consumer's port; tests may build several cores.
        bad = []
        target = re.compile(r'tessera_cc_(?:library|binary)\s*\((.*?)\)',
                            re.S)
        other = re.compile(r'\btessera_(\w+?)_(records_proto|core)\b')
        for svc, path in service_dirs():
            cmake = os.path.join(path, "CMakeLists.txt")
            if not os.path.exists(cmake):
                continue
            with open(cmake, encoding="utf-8") as fh:
                text = fh.read()
            for block in target.findall(text):
                name = re.search(r'NAME\s+(\S+)', block)
                if name is None or "_for_" in name.group(1):
                    continue
                for dep_svc, what in other.findall(block):
                    if dep_svc != svc and dep_svc in OWNED_FAMILY:
                        bad.append(f"services/{svc}/CMakeLists.txt: "
                                   f"{name.group(1)} links "
                                   f"tessera_{dep_svc}_{what}")
        self.assertEqual(bad, [], "link the port's adapter, not another "
                         "service's core or records")

    def test_no_long_files(self):
        bad = []
        for dirpath, _, files in os.walk(SERVICES):
            for f in sorted(files):
                if f.endswith(".cc") and not f.endswith("_test.cc"):
                    full = os.path.join(dirpath, f)
                    n = len(lines_of(full))
                    if n > MAX_LINES:
                        bad.append(f"{os.path.relpath(full, ROOT)}: {n} lines")
        self.assertEqual(bad, [], f"split files over {MAX_LINES} lines by "
                         "capability")

    def test_checker_sees_a_violation(self):
        # The include pattern must match the way this tree writes includes,
        # or every rule above would pass vacuously.
        self.assertTrue(INCLUDE.match('#include "services/x/x_core.h"'))
        self.assertTrue(FAMILY.search("storage::ColumnFamily::kFeed"))
        self.assertGreater(len(list(service_dirs())), 4)


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
