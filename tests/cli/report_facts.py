#!/usr/bin/env python3
"""The facts the scanner records for the report (docs/report.md), one row
of the table below per message:

  report_facts.py write MBOX > EXPECTED.json   an mbox of the rows
  report_facts.py check WORKSPACE EXPECTED.json

check reads subject_fact from the scanned index (pseudonyms recomputed from
the workspace key) and compares it with the table exactly, naming the row.
Every number is computed here (check digit), never pasted."""
import json
import os
import sqlite3
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from synth import pnr  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from bsindex import pseudonym, read_key  # noqa: E402

FILLER = ("Vi har pratat om ärendet tidigare och jag vill bara påminna om att "
          "handläggaren lovade att återkomma inom två veckor. ") * 6


def dash(c):
    return f"{c[:8]}-{c[8:]}"


def rows():
    """(name, from, body, forwarded (from, body) or None, facts) where facts
    are (kind, canonical, fact) expected for this message."""
    n = [pnr(1971 + i, 1 + i, 3 + i, 101 + 2 * i) for i in range(10)]
    child = pnr(2015, 6, 12, 242)
    sam = pnr(1988, 4, 10, 113, samordning=True)
    a = [f"invanare{i}@example.org" for i in range(8)]
    return [
        ("self-sv", a[0], f"Hej!\nMitt personnummer är {dash(n[0])}.\nMvh",
         None, [("email", a[0], "sender"), ("pnr", n[0], "self")]),
        ("child-not-self", a[1], f"Min son Kalle, personnummer {dash(child)}, är sjuk.",
         None, [("email", a[1], "sender")]),
        ("self-en", a[2], f"Hello,\nmy personal identity number is {dash(n[1])}\n",
         None, [("email", a[2], "sender"), ("pnr", n[1], "self")]),
        ("forwarded-not-top", "anna.lindberg@kommun.example", "Se nedan.",
         (a[3], f"mitt personnummer är {dash(n[2])}"),
         [("email", "anna.lindberg@kommun.example", "sender")]),
        ("protected-near-not-far", a[4],
         f"Jag har skyddad identitet.\nMitt pnr: {dash(n[3])}\n{FILLER}\n"
         f"Personnummer: {dash(n[4])}\n",
         None, [("email", a[4], "sender"), ("pnr", n[3], "self"), ("pnr", n[3], "protected")]),
        ("self-and-child", a[5],
         f"mitt personnummer är {dash(n[5])} och barnets personnummer är {dash(child)}",
         None, [("email", a[5], "sender"), ("pnr", n[5], "self")]),
        ("samordningsnummer", a[6], f"Jag har samordningsnummer {sam}.",
         None, [("email", a[6], "sender"), ("samordningsnummer", sam, "self")]),
        ("label-only", a[7], f"Personnummer: {dash(n[6])}\npnr {dash(n[7])}",
         None, [("email", a[7], "sender")]),
    ]


def message(i, frm, body, fwd):
    head = (f"From: {frm}\nTo: anna.lindberg@kommun.example\nSubject: Ärende {i}\n"
            f"Date: Tue, 03 Sep 2024 10:{i:02d}:00 +0000\nMessage-ID: <facts.{i}@test>\n"
            "MIME-Version: 1.0\n")
    text = "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
    if not fwd:
        return head + text + body + "\n"
    inner = (f"From: {fwd[0]}\nTo: anna.lindberg@kommun.example\nSubject: Fråga\n"
             f"Message-ID: <inner.{i}@test>\n" + text + fwd[1] + "\n")
    return (head + "Content-Type: multipart/mixed; boundary=\"b\"\n\n--b\n" + text + body
            + "\n--b\nContent-Type: message/rfc822\n\n" + inner + "--b--\n")


def write(path):
    expected = {}
    with open(path, "w", encoding="utf-8") as fp:
        for i, (name, frm, body, fwd, facts) in enumerate(rows()):
            fp.write("From MAILER-DAEMON Tue Sep  3 10:00:00 2024\n")
            fp.write(message(i, frm, body, fwd) + "\n")
            expected[f"facts.{i}@test"] = {"row": name, "facts": sorted(facts)}
    json.dump(expected, sys.stdout)


def check(ws, expected_path):
    key = read_key(ws)
    expected = json.load(open(expected_path))
    db = sqlite3.connect(f"file:{os.path.join(ws, 'index.sqlite')}?mode=ro", uri=True)
    got = {}
    for mid, kind, p, fact in db.execute(
            "SELECT m.message_id, s.kind, s.pseudonym, f.fact FROM subject_fact f "
            "JOIN message m ON m.id = f.message_id JOIN subject s ON s.id = f.subject_id"):
        got.setdefault(mid.strip("<>"), set()).add((kind, bytes(p), fact))
    bad = 0
    for mid, e in expected.items():
        want = {(k, pseudonym(key, k, c), f) for k, c, f in e["facts"]}
        have = got.get(mid, set())
        ok = want == have
        bad += not ok
        print(f"{'ok' if ok else 'not ok'} - facts of row {e['row']}")
        if not ok:
            print(f"  missing {sorted((k, f) for k, _, f in want - have)}, "
                  f"extra {sorted((k, f) for k, _, f in have - want)}")
    return 1 if bad else 0


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2])
        sys.exit(0)
    sys.exit(check(sys.argv[2], sys.argv[3]))
