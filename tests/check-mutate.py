#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Give each field of a bundle's config.json, one at a time, a value of
another JSON type and run `husk check --format json` on the result.

usage: check-mutate.py HUSK BUNDLE

BUNDLE/config.json is the starting document; each variant is written to
BUNDLE/mutated.json.  For every variant husk must exit 0 or 1 as its
report says (no crash), list no problem twice, and list a problem only
about the field it broke (the same path, one inside it or around it)
unless the starting document has that problem too: the rules and host
checks that run beside a bad field must not repeat it elsewhere.  Then
every fifth leaf is given a bad value at once and each field is broken
in turn again: the problems at those leaves must all still be listed (a
bad field must not end the parse of its section).
Prints one line per violation and exits 1 when there is any.
"""
import json
import os
import subprocess
import sys


def paths_of(value, path=()):
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths_of(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from paths_of(v, path + (i,))


def path_text(path):
    out = ""
    for k in path:
        out += "[%d]" % k if isinstance(k, int) else ("." if out else "") + k
    return out


def near(a, b):
    def within(x, y):
        return x.startswith(y) and (len(x) == len(y) or x[len(y)] in ".[")
    return within(a, b) or within(b, a)


def json_type(value):
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def value_at(doc, path):
    for k in path:
        doc = doc[k]
    return doc


def replaced(doc, path, value):
    doc = json.loads(json.dumps(doc))
    at = doc
    for k in path[:-1]:
        at = at[k]
    at[path[-1]] = value
    return doc


def check(husk, bundle, doc):
    with open(os.path.join(bundle, "mutated.json"), "w") as f:
        json.dump(doc, f)
    r = subprocess.run([husk, "check", "--bundle", bundle, "--config", "mutated.json",
                        "--format", "json"], capture_output=True, text=True)
    if r.returncode not in (0, 1):
        return None, "exit %d: %s" % (r.returncode, r.stderr.strip()[-300:])
    report = json.loads(r.stdout)
    if (r.returncode == 0) != report["ok"]:
        return None, "exit %d but ok is %s" % (r.returncode, report["ok"])
    return report, None


def main():
    husk, bundle = sys.argv[1], sys.argv[2]
    with open(os.path.join(bundle, "config.json")) as f:
        base = json.load(f)
    report, why = check(husk, bundle, base)
    if report is None:
        print("the starting document:", why)
        return 1
    known = {(p["path"], p["message"]) for p in report["problems"]}
    bad = runs = 0
    for path in list(paths_of(base))[1:]:
        original = json_type(value_at(base, path))
        for value in (5, "x", {}, True):
            if json_type(value) == original:
                continue
            runs += 1
            where = "%s = %s" % (path_text(path), json.dumps(value))
            report, why = check(husk, bundle, replaced(base, path, value))
            if report is None:
                print(where + ":", why)
                bad += 1
                continue
            seen = [(p["path"], p["message"]) for p in report["problems"]]
            if len(seen) != len(set(seen)):
                print(where + ": a problem listed twice:", seen)
                bad += 1
            for p in report["problems"]:
                if (p["path"], p["message"]) not in known and not near(p["path"], path_text(path)):
                    print("%s: a problem elsewhere: %s: %s" % (where, p["path"], p["message"]))
                    bad += 1
    # Then with a bad value in several leaves at once: breaking any other
    # field must not hide their problems (a section read on past it).
    leaves = [p for p in list(paths_of(base))[1:]
              if not isinstance(value_at(base, p), (dict, list))][::5]
    marked = base
    for p in leaves:
        marked = replaced(marked, p, "x" if json_type(value_at(base, p)) != "str" else 5)
    report, why = check(husk, bundle, marked)
    if report is None:
        print("the marked document:", why)
        return 1
    reported = {p["path"] for p in report["problems"]}
    marks = [path_text(p) for p in leaves if path_text(p) in reported]
    for path in list(paths_of(marked))[1:]:
        original = json_type(value_at(marked, path))
        for value in (5, "x", {}, True):
            if json_type(value) == original:
                continue
            runs += 1
            where = "%s = %s" % (path_text(path), json.dumps(value))
            report, why = check(husk, bundle, replaced(marked, path, value))
            if report is None:
                print(where + ":", why)
                bad += 1
                continue
            seen = {p["path"] for p in report["problems"]}
            for m in marks:
                if m not in seen and not near(m, path_text(path)):
                    print("%s: hides the problem at %s" % (where, m))
                    bad += 1
    print("%d variants, %d violations (%d bad fields kept in sight)" % (runs, bad, len(marks)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
