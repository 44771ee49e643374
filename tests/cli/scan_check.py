#!/usr/bin/env python3
"""Checks a scanned workspace against the generator's ground truth, and dumps
an index in a form that two runs can be compared by.

  scan_check.py accuracy WORKSPACE TRUTH.json [MIN_RATIO]
  scan_check.py dump WORKSPACE > FILE
  scan_check.py killmid WORKSPACE ROWS COMMAND...   (SIGKILL once ROWS messages are in)

Pseudonyms are recomputed here from the workspace key exactly as the crypto
module does (tests/lib/bsindex.py: BLAKE2b-256 keyed with pseudonym.key over
"kind:canonical"), so the comparison needs no plaintext in the index.
"""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from bsindex import pseudonym, read_key  # noqa: E402

KINDS = ("pnr", "samordningsnummer")


def found_per_message(db):
    """message_id -> set of (kind, pseudonym) for personal numbers."""
    out = {}
    q = ("SELECT m.message_id, s.kind, s.pseudonym FROM occurrence o "
         "JOIN message m ON m.id = o.message_id JOIN subject s ON s.id = o.subject_id "
         "WHERE s.kind IN (?, ?)")
    for mid, kind, p in db.execute(q, KINDS):
        out.setdefault(mid, set()).add((kind, bytes(p)))
    return out


def accuracy(ws, truth_path, min_ratio):
    key = read_key(ws)
    truth = json.load(open(truth_path))
    db = sqlite3.connect(f"file:{os.path.join(ws, 'index.sqlite')}?mode=ro", uri=True)
    found = found_per_message(db)
    ids = {r[0] for r in db.execute("SELECT message_id FROM message")}
    tp = fp = fn = 0
    missing_rows = 0
    worst = []
    for mid, m in truth["messages"].items():
        bare = mid.strip("<>")
        if bare not in ids and mid not in ids:
            missing_rows += 1
        want = {(k, pseudonym(key, k, c)) for k in KINDS for c in m[k]}
        got = found.get(bare, set()) | found.get(mid, set())
        tp += len(want & got)
        fp += len(got - want)
        fn += len(want - got)
        if want != got and len(worst) < int(os.environ.get("SCAN_CHECK_SHOW", "10")):
            entry = {"message": mid, "locator": m["locator"], "mailbox": m["mailbox"],
                     "missed": len(want - got), "extra": len(got - want)}
            if os.environ.get("SCAN_CHECK_SHOW"):  # synthetic numbers only: debugging aid
                entry["missed_numbers"] = [c for k in KINDS for c in m[k]
                                           if (k, pseudonym(key, k, c)) not in got]
            worst.append(entry)
    recall = tp / (tp + fn) if tp + fn else 1.0
    precision = tp / (tp + fp) if tp + fp else 1.0
    report = {"messages": len(truth["messages"]), "rows_missing": missing_rows,
              "true_positive": tp, "false_positive": fp, "false_negative": fn,
              "recall": round(recall, 5), "precision": round(precision, 5)}
    print(json.dumps(report))
    for w in worst:
        print("  differs:", json.dumps(w), file=sys.stderr)
    ok = recall >= min_ratio and precision >= min_ratio and missing_rows == 0
    return 0 if ok else 1


def dump(ws):
    """Every row that matters, keyed by what is stable across runs (paths,
    locators, pseudonyms), sorted; row ids left out."""
    db = sqlite3.connect(f"file:{os.path.join(ws, 'index.sqlite')}?mode=ro", uri=True)
    rows = []
    for r in db.execute("SELECT s.path, s.format, s.mailbox, s.content_hash, s.state FROM source s"):
        rows.append("source|" + "|".join(map(str, r)))
    for r in db.execute("SELECT s.path, m.locator, m.message_id, m.date, m.mailbox, m.folder, "
                        "m.grade, m.status, m.reason, m.bytes FROM message m "
                        "JOIN source s ON s.id = m.source_id"):
        rows.append("message|" + "|".join(map(str, r)))
    for r in db.execute("SELECT s.kind, hex(s.pseudonym), s.role FROM subject s"):
        rows.append("subject|" + "|".join(map(str, r)))
    for r in db.execute("SELECT src.path, m.locator, s.kind, hex(s.pseudonym), o.location, "
                        "o.confidence, o.child, o.count FROM occurrence o "
                        "JOIN message m ON m.id = o.message_id JOIN source src ON "
                        "src.id = m.source_id JOIN subject s ON s.id = o.subject_id"):
        rows.append("occurrence|" + "|".join(map(str, r)))
    for r in db.execute("SELECT src.path, m.locator, c.category, c.count FROM message_category c "
                        "JOIN message m ON m.id = c.message_id "
                        "JOIN source src ON src.id = m.source_id"):
        rows.append("category|" + "|".join(map(str, r)))
    for line in sorted(rows):
        print(line)
    return 0


def killmid(ws, rows, cmd):
    """Runs cmd and kills it with SIGKILL as soon as the index holds at
    least rows messages; prints "killed at N" or "finished"."""
    path = os.path.join(ws, "index.sqlite")
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while p.poll() is None and time.monotonic() < deadline:
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.05)
            n = db.execute("SELECT count(*) FROM message").fetchone()[0]
            db.close()
        except sqlite3.Error:
            n = 0
        if n >= rows:
            p.send_signal(signal.SIGKILL)
            p.wait()
            print(f"killed at {n}")
            return 0
        time.sleep(0.003)
    p.wait()
    print("finished")
    return 0


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "accuracy":
        ratio = float(sys.argv[4]) if len(sys.argv) > 4 else 0.995
        return accuracy(sys.argv[2], sys.argv[3], ratio)
    if len(sys.argv) > 4 and sys.argv[1] == "killmid":
        return killmid(sys.argv[2], int(sys.argv[3]), sys.argv[4:])
    if len(sys.argv) == 3 and sys.argv[1] == "dump":
        return dump(sys.argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
