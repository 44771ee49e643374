#!/usr/bin/env python3
"""Seeds a workspace's index with a few synthetic residents for the serve
tests and the demo: pseudonyms computed exactly as crypto does
(bsindex.pseudonym: BLAKE2b-256 keyed with pseudonym.key over
"kind:canonical"), check digits computed here. Writes DIR/dev-residents.txt
for --dev-login and prints one JSON object naming who is where.

usage: seed-index.py DIR"""
import json
import os
import sqlite3
import sys

from bsindex import pseudonym, read_key  # this directory

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))
from synth import pnr  # noqa: E402


PEOPLE = {
    "found": {"kind": "pnr", "value": pnr(1984, 3, 14, 331), "name": "Test Testsson"},
    "samordning": {"kind": "samordningsnummer", "value": pnr(1990, 7, 2, 412, True),
                   "name": "Prov Provsdotter"},
    "absent": {"kind": "pnr", "value": pnr(1975, 11, 30, 128), "name": "Ingen Inget"},
    "email": {"kind": "email", "value": "anna.prov@example.org", "name": None},
}

# (key into PEOPLE, date, grade, categories)
MESSAGES = [
    ("found", "2024-03-01T09:00:00Z", "accessed", {"health": 2, "social_services": 1}),
    ("found", "2024-03-20T10:30:00Z", "window", {"health": 1}),
    ("found", "2024-04-15T16:45:00Z", "window", {}),
    ("found", "2024-05-01T08:00:00Z", "none", {"criminal": 1}),
    ("samordning", "2024-02-11T12:00:00Z", "synced", {}),
    ("email", "2024-01-05T07:15:00Z", "accessed", {"health": 1}),
    ("email", "2024-01-09T07:15:00Z", "window", {}),
]


def main():
    ws = sys.argv[1]
    key = read_key(ws)
    db = sqlite3.connect(os.path.join(ws, "index.sqlite"))
    db.execute("INSERT OR IGNORE INTO source(id, path, format, mailbox, state) "
               "VALUES(1, 'exports/handlaggare.mbox', 'mbox', 'handlaggare@kommun.example', 'done')")
    subjects = {}
    for name, p in PEOPLE.items():
        if name == "absent":
            continue
        cur = db.execute("INSERT OR IGNORE INTO subject(kind, pseudonym, role) VALUES(?,?,?)",
                         (p["kind"], pseudonym(key, p["kind"], p["value"]),
                          "resident" if p["kind"] == "email" else None))
        subjects[name] = db.execute("SELECT id FROM subject WHERE kind=? AND pseudonym=?",
                                    (p["kind"], pseudonym(key, p["kind"], p["value"]))).fetchone()[0]
    for i, (who, date, grade, cats) in enumerate(MESSAGES):
        db.execute("INSERT OR REPLACE INTO message(id, source_id, locator, message_id, date, mailbox,"
                   " folder, grade, status, bytes) VALUES(?,1,?,?,?,?,?,?,'ok',2048)",
                   (i + 1, f"offset:{i * 4096}", f"<seed{i}@kommun.example>", date,
                    "handlaggare@kommun.example", "Inbox", grade))
        db.execute("INSERT OR REPLACE INTO occurrence(subject_id, message_id, location, confidence,"
                   " count) VALUES(?,?,'body','high',1)", (subjects[who], i + 1))
        for cat, n in cats.items():
            db.execute("INSERT OR REPLACE INTO message_category(message_id, category, count)"
                       " VALUES(?,?,?)", (i + 1, cat, n))
    db.commit()
    with open(os.path.join(ws, "dev-residents.txt"), "w") as f:
        for name in ("found", "samordning", "absent"):
            f.write(f"{PEOPLE[name]['value']}\t{PEOPLE[name]['name']}\n")
    print(json.dumps({k: v["value"] for k, v in PEOPLE.items()}))


if __name__ == "__main__":
    main()
