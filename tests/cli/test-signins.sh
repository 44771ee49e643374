#!/usr/bin/env python3
"""CLI test for `breachscope signins` against tools/gen-signins.py's tenant:
for every sign-in format (JSON array, NDJSON, portal CSV with en-US,
day-first and ISO dates) and both audit formats (JSON, CSV with AuditData),
exactly the planted victims are compromised, their windows, throttled
periods, accessed items and synced folders match the plan to the minute, no
normal user (travellers and a heavy reader included) is flagged, the bad
rows are reported with file:line and skipped, and stderr names nobody.
Also: --contained-at closes the open window, usage errors exit 2."""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.environ.get("BS_SOURCE_ROOT", ".")
BIN = os.path.join(os.environ.get("BS_BUILD_ROOT", "build"), "breachscope")
SIGNINS = ["signins.json", "signins.ndjson", "signins-us.csv", "signins-eu.csv", "signins-iso.csv"]
AUDITS = ["audit.json", "audit.csv"]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(args, cwd):
    p = subprocess.run([BIN, "signins"] + args, cwd=cwd, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def minute(t):
    return t[:16] if t else None


def check_scope(tag, scope, summary, plan):
    accounts = {a["account"]: a for a in scope["accounts"]}
    check(set(accounts) == set(plan["compromised"]),
          f"{tag}: compromised {sorted(accounts)} != plan {sorted(plan['compromised'])}")
    rules = {a["account"]: set(a["rules"]) for a in summary["accounts"]}
    flagged = {a["account"] for a in summary["accounts"] if a["compromised"]}
    check(not (flagged & set(plan["normal"])), f"{tag}: normal users flagged: {flagged & set(plan['normal'])}")
    for t in plan["travellers"]:
        check(t not in flagged, f"{tag}: traveller {t} flagged")
    for name, want in plan["compromised"].items():
        got = accounts.get(name)
        if not got:
            continue
        gw = [(minute(w["from"]), minute(w["to"])) for w in got["windows"]]
        pw = [(minute(w["from"]), minute(w["to"])) for w in want["windows"]]
        check(gw == pw, f"{tag}: {name} windows {gw} != {pw}")
        acc = sorted(i["message_id"] for i in got["items"] if i["grade"] == "accessed")
        check(acc == want["accessed"], f"{tag}: {name} accessed items differ ({len(acc)} vs {len(want['accessed'])})")
        check(sorted(f["folder"] for f in got.get("folders", [])) == want["synced_folders"],
              f"{tag}: {name} synced folders {got.get('folders')}")
        th = [(minute(t["from"]), minute(t["to"])) for t in scope["throttled"] if t["account"] == name]
        check(th == [(minute(t["from"]), minute(t["to"])) for t in want["throttled"]],
              f"{tag}: {name} throttled {th}")
        missing = set(want["rules"]) - rules.get(name, set())
        check(not missing, f"{tag}: {name} lacks rules {missing}")
        check(all(e["rule"] and e["record"] for e in got["evidence"]), f"{tag}: {name} evidence incomplete")
        check(got["open"] == (want["windows"][-1]["to"] is None), f"{tag}: {name} open flag")


def check_stderr(tag, err, files, plan):
    want = {f"{f}:{line}" for f in files for line in plan["bad_rows"].get(f, [])}
    got = {l.split(": ")[1] for l in err.splitlines() if ": skipped: " in l}
    check(got == want, f"{tag}: skipped rows {sorted(got)} != {sorted(want)}")
    check("@" not in err, f"{tag}: stderr names an account")
    check("(null)" not in err, f"{tag}: a skip without a reason")


def formats(d, plan):
    for s in SIGNINS:
        for a in AUDITS:
            tag = f"{s}+{a}"
            code, out, err = run(["--ioc", "ioc.json", "--audit", a, "--json", "--out", "scope.json", s], d)
            check(code == 1, f"{tag}: exit {code}, want 1 (findings): {err[-300:]}")
            try:
                summary = json.loads(out)
                with open(os.path.join(d, "scope.json"), encoding="utf-8") as f:
                    scope = json.load(f)
            except ValueError as e:
                check(False, f"{tag}: output is not JSON: {e}")
                continue
            check(scope["version"] == 1, f"{tag}: version")
            check_scope(tag, scope, summary, plan)
            check_stderr(tag, err, [s, a], plan)


def contained_at(d, plan):
    code, out, err = run(["--ioc", "ioc.json", "--audit", "audit.json", "--contained-at",
                          "2024-03-12T06:30:00Z", "--out", "scope.json", "signins.json"], d)
    check(code == 1, f"contained-at: exit {code}")
    with open(os.path.join(d, "scope.json"), encoding="utf-8") as f:
        scope = json.load(f)
    for a in scope["accounts"]:
        last = a["windows"][-1]
        if plan["compromised"][a["account"]]["windows"][-1]["to"] is None:
            check(last["to"] == "2024-03-12T06:30:00Z" and not a["open"], f"contained-at: {a['account']} {last}")
    check("compromised" in out and "OPEN" not in out, "contained-at: table")


def text_and_usage(d, plan):
    code, out, err = run(["--ioc", "ioc.json", "--audit", "audit.json", "--out", "scope.json", "signins.json"], d)
    rows = [l for l in out.splitlines() if l.split()[1:2] == ["compromised"] and "@" in l.split()[0]]
    check(len(rows) == len(plan["compromised"]), f"table: {len(rows)} compromised rows")
    check("OPEN" in out, "table: open window shown")
    check(run(["signins.json"], d)[0] == 2, "no --out: exit 2")
    check(run(["--out", "x.json", "nonexistent.json"], d)[0] == 2, "missing file: exit 2")
    check(run(["--out", "x.json", "--contained-at", "soon", "signins.json"], d)[0] == 2, "bad time: exit 2")
    check(run(["--out", "x.json", "--home-countries", "Sweden", "signins.json"], d)[0] == 2, "bad country: exit 2")
    # a clean tenant: the normal users only, no audit: exit 0
    with open(os.path.join(d, "signins.ndjson"), encoding="utf-8") as f:
        clean = [l for l in f if l.startswith("{") and any(u in l for u in plan["normal"])
                 and all(t not in l for t in plan["travellers"])]
    with open(os.path.join(d, "clean.ndjson"), "w", encoding="utf-8") as f:
        f.writelines(l for l in clean if json.loads(l).get("createdDateTime", "").startswith("20"))
    code, out, err = run(["--out", "clean-scope.json", "clean.ndjson"], d)
    check(code == 0, f"clean tenant: exit {code} {err[-200:]}")
    with open(os.path.join(d, "clean-scope.json"), encoding="utf-8") as f:
        check(json.load(f) == {"version": 1, "accounts": [], "throttled": []}, "clean tenant: empty scope")


def main():
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen-signins.py"), "--seed", "5", d], check=True)
        with open(os.path.join(d, "plan.json"), encoding="utf-8") as f:
            plan = json.load(f)
        formats(d, plan)
        contained_at(d, plan)
        text_and_usage(d, plan)
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
