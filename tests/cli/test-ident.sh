#!/usr/bin/env python3
"""CLI conformance for `breachscope ident`: every record of the personnummer
org's shared test data ($BS_SHARED/samples/personnummer-meta/) gives the
expected JSON (input, valid, kind, canonical, birth_date, sex, reason), and
usage errors exit 2. Expected values are computed here from the records,
independently of the C code."""
import calendar
import json
import os
import subprocess
import sys

ROOT = os.environ.get("BS_SOURCE_ROOT", ".")
BIN = os.path.join(os.environ.get("BS_BUILD_ROOT", "build"), "breachscope")
sys.path.insert(0, os.path.join(ROOT, "tools"))
from synth import luhn_complete  # noqa: E402
META = os.path.join(os.environ["BS_SHARED"], "samples", "personnummer-meta")
DATE = "2025-01-01"
KINDS = {"ssn": "pnr", "con": "samordningsnummer", "interim": "interim", "org": "orgnr"}
FIELDS = ("input", "valid", "kind", "canonical", "birth_date", "sex", "reason")
failures = []


def load(name):
    with open(os.path.join(META, name), encoding="utf-8") as f:
        return json.load(f)


def birth_of(canon12):
    """Birth date of a 12-character personal number; None when unknown."""
    y, m, d = int(canon12[0:4]), int(canon12[4:6]), int(canon12[6:8])
    if d >= 60:
        d -= 60
    if m < 1 or m > 12 or d < 1 or d > calendar.monthrange(y, m)[1]:
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


def sex_of(canon12):
    return "male" if int(canon12[10]) % 2 else "female"


def personal(inp, rec_valid, kind, canon, reason):
    if not rec_valid:
        return {"input": inp, "valid": False, "kind": kind, "canonical": None,
                "birth_date": None, "sex": None, "reason": reason}
    return {"input": inp, "valid": True, "kind": kind, "canonical": canon,
            "birth_date": birth_of(canon), "sex": sex_of(canon), "reason": "ok"}


def invalid_reason(rec, s):
    if " " in s:
        return "space separator"
    if rec["type"] == "interim":
        return "letter"
    if rec["long_format"][8:11] == "000":
        return "serial 000"
    return "check digit"


def list_cases(records):
    for rec in records:
        kind = KINDS[rec["type"]]
        canon = rec["long_format"]
        spellings = [rec["long_format"], rec["separated_long"], rec["separated_format"]]
        if "+" not in rec["separated_format"]:
            spellings.append(rec["short_format"])  # same century as the '-' form
        for s in spellings:
            yield s, personal(s, rec["valid"], kind, canon, invalid_reason(rec, s))
        if "+" in rec["separated_format"]:
            # 10 digits without '+' read as the century after: still valid
            yield rec["short_format"], {"input": rec["short_format"], "valid": rec["valid"],
                                        "kind": kind}


def coords_cases(numbers):
    for s in numbers:
        yield s, personal(s, True, "samordningsnummer", s, "ok")
        dashed = s[:8] + "-" + s[8:]
        yield dashed, personal(dashed, True, "samordningsnummer", s, "ok")


def org_cases(records):
    for rec in records:
        for s in (rec["short_format"], rec["separated_format"]):
            yield s, {"input": s, "valid": True, "kind": "orgnr",
                      "canonical": rec["short_format"], "birth_date": None, "sex": None,
                      "reason": "ok"}


def structured_cases(tree):
    for typ, forms in tree.items():
        for groups in forms.values():
            for valid in (True, False):
                for v in groups["valid" if valid else "invalid"]:
                    s = str(v)
                    exp = {"input": s, "valid": valid}
                    if s != "0":
                        exp["kind"] = KINDS[typ]
                    yield s, exp


def iban(cc, bban):
    moved = bban + cc + "00"
    num = int("".join(str(int(c, 36)) for c in moved))
    return f"{cc}{98 - num % 97:02d}{bban}"


def other_kind_cases():
    """Generated values of the other kinds, with their exact answers."""
    def ok(inp, kind, canon, birth=None, sex=None):
        return inp, {"input": inp, "valid": True, "kind": kind, "canonical": canon,
                     "birth_date": birth, "sex": sex, "reason": "ok"}

    def bad(inp, kind, reason):
        return inp, {"input": inp, "valid": False, "kind": kind, "canonical": None,
                     "birth_date": None, "sex": None, "reason": reason}
    se = iban("SE", "5000" + "0000058398257466"[:-1] + "6")
    card = luhn_complete("400000123456789")
    yield ok("070-123 45 67", "phone", "+46701234567")
    yield ok("+46 (0)8-123 456 78", "phone", "+46812345678")
    yield bad("+47 22 12 34 56", "phone", "country")
    yield ok("Anna.Svensson@Kommun.Example", "email", "anna.svensson@kommun.example")
    yield bad("anna..svensson@kommun.example", "email", "local part")
    yield ok(" ".join(se[i:i + 4] for i in range(0, len(se), 4)), "iban", se)
    yield ok(card, "card", card)
    yield ok(card[:4] + " " + card[4:8] + " " + card[8:12] + " " + card[12:], "card", card)
    yield bad("hello", None, "not recognised")


def run(args, expect_status=0):
    p = subprocess.run([BIN, "ident", "--date", DATE] + args, capture_output=True, text=True)
    if p.returncode != expect_status:
        failures.append(f"exit {p.returncode} (want {expect_status}) for {args[:3]}...: {p.stderr}")
    return [json.loads(line) for line in p.stdout.splitlines()]


def check(name, cases):
    cases = list(cases)
    if not cases:
        failures.append(f"{name}: no cases")
        return
    got = run([c[0] for c in cases])
    if len(got) != len(cases):
        failures.append(f"{name}: {len(got)} lines for {len(cases)} values")
        return
    for (inp, exp), out in zip(cases, got):
        for k, v in exp.items():
            if out.get(k) != v:
                failures.append(f"{name}: \"{inp}\": {k} is {out.get(k)!r}, want {v!r}")
        if exp.get("kind") and set(FIELDS) - set(out):
            failures.append(f"{name}: \"{inp}\": missing fields {set(FIELDS) - set(out)}")


def main():
    check("list.json", list_cases(load("list.json")))
    check("interim.json", list_cases(load("interim.json")))
    check("orgnumber.json", org_cases(load("orgnumber.json")))
    check("structured.json", structured_cases(load("structured.json")))
    check("allCoords.json", coords_cases(load("allCoords.json")))
    check("other kinds", other_kind_cases())
    # loose mode accepts the space separator the strict default refuses
    p = subprocess.run([BIN, "ident", "--loose", "--date", DATE, "19090527 1474"],
                       capture_output=True, text=True)
    out = json.loads(p.stdout)
    if not out["valid"] or out["canonical"] != "190905271474":
        failures.append(f"--loose: {out}")
    for args in (["--date", "2025-02-30", "1"], ["--kind", "nope", "1"], []):
        p = subprocess.run([BIN, "ident"] + args, capture_output=True, text=True)
        if p.returncode != 2 or p.stdout:
            failures.append(f"usage {args}: exit {p.returncode}")
    for f in failures[:50]:
        print("FAIL", f)
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
