#!/usr/bin/env python3
"""Checks `report --json` of a scanned incident:

  report_check.py WORKSPACE REPORT.json TRUTH.json

1. exactly against figures computed here, independently, from the index
   (SQL over index.sqlite): messages by grade, records, subjects min/max,
   by kind, by category, children, coverage;
2. against the generator's ground truth: the personal numbers in exposed
   messages (grades read from the index by Message-ID) equal the report's
   pnr + samordningsnummer counts within the scanner's accuracy (99 %).
Pseudonyms are recomputed from the workspace key (BLAKE2b-256 keyed), so no
plaintext is needed from the index."""
import json
import os
import sqlite3
import sys

CATS = ["health", "social", "criminal", "protected_identity", "children_school", "ethnicity",
        "religion", "political", "trade_union", "sexual", "biometric_genetic"]


def from_index(db):
    q = lambda sql: db.execute(sql).fetchall()
    want = {"messages": {g: 0 for g in ("accessed", "synced", "window", "none")}}
    for g, n in q("SELECT grade, count(*) FROM message GROUP BY 1"):
        want["messages"][g] = n
    want["messages"]["total"] = sum(want["messages"].values())
    exposed = ("FROM occurrence o JOIN message m ON m.id = o.message_id "
               "JOIN subject s ON s.id = o.subject_id WHERE m.grade <> 'none'")
    want["max"] = q(f"SELECT count(DISTINCT s.id) {exposed}")[0][0]
    want["min"] = q(f"SELECT count(DISTINCT s.id) {exposed} AND m.grade = 'accessed'")[0][0]
    want["by_kind"] = dict(q(f"SELECT s.kind, count(DISTINCT s.id) {exposed} GROUP BY 1"))
    want["children"] = q(f"SELECT count(DISTINCT s.id) {exposed} AND o.child = 1")[0][0]
    want["by_category"] = dict(q(
        f"SELECT c.category, count(DISTINCT s.id) {exposed.replace('WHERE', 'JOIN message_category c ON c.message_id = m.id WHERE')} GROUP BY 1"))
    want["records"] = dict(q("SELECT m.grade, count(*) FROM (SELECT DISTINCT subject_id, "
                             "message_id FROM occurrence) o JOIN message m ON m.id = o.message_id "
                             "GROUP BY 1"))
    want["coverage"] = dict(q("SELECT status, count(*) FROM message GROUP BY 1"))
    return want


def compare_index(rep, want):
    bad = []

    def same(name, got, exp):
        if got != exp:
            bad.append(f"{name}: report {got}, index {exp}")

    same("messages", rep["messages"], want["messages"])
    same("subjects.max", rep["subjects"]["max"], want["max"])
    same("subjects.min", rep["subjects"]["min"], want["min"])
    for kind, n in rep["subjects"]["by_kind"].items():
        same(f"by_kind.{kind}", n, want["by_kind"].get(kind, 0))
    same("children", rep["children"], want["children"])
    for cat in CATS:
        same(f"by_category.{cat}", rep["subjects"]["by_category"][cat],
             want["by_category"].get(cat, 0))
    for g in ("accessed", "synced", "window"):
        same(f"records.{g}", rep["records"][g], want["records"].get(g, 0))
    for s in ("ok", "partial", "failed"):
        same(f"coverage.{s}", rep["coverage"][s], want["coverage"].get(s, 0))
    if rep["persons"]["max"] > rep["subjects"]["max"] or rep["persons"]["min"] > rep["subjects"]["min"]:
        bad.append("more persons than identifiers")
    return bad


def compare_truth(ws, db, rep, truth):
    grade = {}
    for mid, g in db.execute("SELECT message_id, grade FROM message"):
        grade[(mid or "").strip("<>")] = g
    exposed = set()
    for mid, m in truth["messages"].items():
        if grade.get(mid.strip("<>"), "none") == "none":
            continue
        for kind in ("pnr", "samordningsnummer"):
            exposed.update((kind, c) for c in m[kind])
    want = len(exposed)
    got = rep["subjects"]["by_kind"]["pnr"] + rep["subjects"]["by_kind"]["samordningsnummer"]
    print(json.dumps({"truth_numbers": want, "report_numbers": got}))
    if want == 0 or abs(got - want) > max(1, want // 100):
        return [f"personal numbers: report {got}, ground truth {want}"]
    return []


def main():
    ws, rep_path, truth_path = sys.argv[1:4]
    db = sqlite3.connect(f"file:{os.path.join(ws, 'index.sqlite')}?mode=ro", uri=True)
    rep = json.load(open(rep_path))
    bad = compare_index(rep, from_index(db))
    bad += compare_truth(ws, db, rep, json.load(open(truth_path)))
    for b in bad:
        print("  differs:", b, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
