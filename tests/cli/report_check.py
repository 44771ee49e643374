#!/usr/bin/env python3
"""Checks `report --json` of a scanned incident:

  report_check.py WORKSPACE REPORT.json TRUTH.json

1. the contract of issue 6 §1: every key, of the right type;
2. exactly against figures computed here, independently, from the index
   (SQL over index.sqlite): messages by grade, records, subjects min/max,
   by kind, by category, children, coverage;
3. against the generator's ground truth, exactly: the personal numbers and
   the residents' addresses in exposed messages (grades read from the index
   by Message-ID); the persons under the linking rules of docs/report.md
   (L1: a message whose top From is a resident and that gives exactly one
   number as the writer's own links the two; L2: an address linked to two
   numbers links nothing), applied to the truth's facts over the index's
   exposed identifiers; every number written next to protected-identity
   words ranks as protected_identity.
Pseudonyms are recomputed from the workspace key (tests/lib/bsindex.py), so no
plaintext is needed from the index."""
import json
import os
import sqlite3
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from bsindex import pseudonym, read_key  # noqa: E402

GRADE_RANK = {"none": 0, "window": 1, "synced": 2, "accessed": 3}
CONTRACT = {"messages": dict, "subjects": dict, "persons": dict, "children": int,
            "high_risk": int, "coverage": dict}
CONTRACT_INNER = {"messages": ["accessed", "synced", "window", "none", "total"],
                  "subjects": ["min", "max", "by_kind", "by_category"],
                  "persons": ["min", "max"], "coverage": ["ok", "partial", "failed"]}

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


def check_contract(rep):
    bad = [f"contract: {k} missing or not {t.__name__}" for k, t in CONTRACT.items()
           if not isinstance(rep.get(k), t) or isinstance(rep.get(k), bool)]
    for k, inner in CONTRACT_INNER.items():
        bad += [f"contract: {k}.{i} missing" for i in inner
                if not isinstance(rep.get(k), dict) or i not in rep[k]]
    return bad


def exposed_subjects(db):
    """(kind, pseudonym) -> best grade rank, over exposed messages."""
    out = {}
    q = ("SELECT s.kind, s.pseudonym, m.grade FROM occurrence o "
         "JOIN message m ON m.id = o.message_id JOIN subject s ON s.id = o.subject_id "
         "WHERE m.grade <> 'none'")
    for kind, p, g in db.execute(q):
        k = (kind, bytes(p))
        out[k] = max(out.get(k, 0), GRADE_RANK[g])
    return out


def truth_links(truth, key):
    """L1 and L2 over the truth's facts: address pseudonym -> number pseudonym."""
    links, refused = {}, set()
    kind_of = {}
    for m in truth["messages"].values():
        for kind in ("pnr", "samordningsnummer"):
            kind_of.update((c, kind) for c in m[kind])
    for m in truth["messages"].values():
        if not m.get("sender") or len(m.get("self", [])) != 1:
            continue
        a = ("email", pseudonym(key, "email", m["sender"]))
        c = m["self"][0]
        n = (kind_of[c], pseudonym(key, kind_of[c], c))
        if links.get(a, n) != n:
            refused.add(a)
        links[a] = n
    return {a: n for a, n in links.items() if a not in refused}


def expected_persons(exposed, links):
    parent = {k: k for k in exposed}

    def root(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for a, n in links.items():
        if a in exposed and n in exposed:
            parent[root(a)] = root(n)
    best = {}
    for k, g in exposed.items():
        r = root(k)
        best[r] = max(best.get(r, 0), g)
    return len(best), sum(1 for g in best.values() if g == GRADE_RANK["accessed"])


def protected_listed(rep):
    out = set()
    for e in rep.get("high_risk_list", []):
        if "protected_identity" in e["reasons"]:
            out.update(bytes.fromhex(i["pseudonym"]) for i in e["identifiers"])
    return out


def compare_truth(ws, db, rep, truth):
    key = read_key(ws)
    grade = {}
    for mid, g in db.execute("SELECT message_id, grade FROM message"):
        grade[(mid or "").strip("<>")] = g
    numbers = {"pnr": set(), "samordningsnummer": set()}
    emails, protected = set(), set()
    for mid, m in truth["messages"].items():
        if grade.get(mid.strip("<>"), "none") == "none":
            continue
        for kind in numbers:
            numbers[kind].update(m[kind])
            protected.update(pseudonym(key, kind, c) for c in m.get("protected", [])
                             if c in m[kind])
        emails.update(m["emails"])
    exposed = exposed_subjects(db)
    pmax, pmin = expected_persons(exposed, truth_links(truth, key))
    got = {"pnr": rep["subjects"]["by_kind"]["pnr"],
           "samordningsnummer": rep["subjects"]["by_kind"]["samordningsnummer"],
           "resident_emails": rep["subjects"]["by_role"]["resident"],
           "persons_max": rep["persons"]["max"], "persons_min": rep["persons"]["min"]}
    want = {"pnr": len(numbers["pnr"]), "samordningsnummer": len(numbers["samordningsnummer"]),
            "resident_emails": len(emails), "persons_max": pmax, "persons_min": pmin}
    print(json.dumps({"truth": want, "report": got, "identifiers": rep["subjects"]["max"],
                      "links": rep["persons"].get("links"), "protected": len(protected)}))
    bad = [f"{k}: report {got[k]}, ground truth {want[k]}" for k in want if got[k] != want[k]]
    if want["persons_max"] >= rep["subjects"]["max"]:
        bad.append("the incident links nobody: the linking rule is not exercised")
    if not protected:
        bad.append("the incident plants no protected identity near a number")
    listed = protected_listed(rep)
    if len(rep.get("high_risk_list", [])) < 100 and not protected <= listed:
        bad.append(f"{len(protected - listed)} numbers next to protected-identity words "
                   "are not ranked protected_identity")
    return bad


def main():
    ws, rep_path, truth_path = sys.argv[1:4]
    db = sqlite3.connect(f"file:{os.path.join(ws, 'index.sqlite')}?mode=ro", uri=True)
    rep = json.load(open(rep_path))
    bad = check_contract(rep)
    if bad:
        for b in bad:
            print("  differs:", b, file=sys.stderr)
        return 1
    bad = compare_index(rep, from_index(db))
    bad += compare_truth(ws, db, rep, json.load(open(truth_path)))
    for b in bad:
        print("  differs:", b, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
