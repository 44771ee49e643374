#!/usr/bin/env python3
"""Synthetic Entra ID sign-in and Unified Audit Log exports of a tenant with a
planted attacker, plus the plan (ground truth) as plan.json.

    tools/gen-signins.py [--seed N] [--users N] OUTDIR
    tools/gen-signins.py --bench-bytes N [--seed N] FILE   (one big sign-in JSON array)

Deterministic for a seed. Everything is invented: the domain is
kommun.example, addresses come from the documentation ranges (RFC 5737).

The tenant: normal users signing in from Sweden two to four times a day over
two weeks (browser, Outlook, phones over ActiveSync, a few wrong passwords),
reading their own mail (MailItemsAccessed), one heavy reader who hits the
audit throttle on her own, and two who travel normally (Stockholm to Oslo by
train, to Helsinki by ferry). The attacker:
  anna  phished: sign-in from an IOC address (failed tries first), an inbox
        rule moving mail to RSS Feeds, Bind and Sync; password reset next day
  bo    IMAP downloads from an address abroad (no IOC: two weak rules),
        over a thousand Bind records in a day (throttled); sessions revoked
  cia   the same attacker address as bo (found through bo), forwarding set
        to an outside address, mail read through the attacker's session from
        a Microsoft address; never contained (open window)
  greta sign-in from the Swedish server that made anna's inbox rule, found
        through anna (attacker-ip); she changes her password next day

Files in OUTDIR: signins.json (array, pretty), signins.ndjson, signins-us.csv
(en-US dates), signins-eu.csv (day-first dates), signins-iso.csv, audit.json
(array), audit.csv (AuditData column), ioc.json, plan.json. Every sign-in
file holds the same sign-ins and one or two bad rows, whose lines the plan
lists."""
import argparse
import csv
import io
import json
import os
import random
from datetime import datetime, timedelta, timezone

DOMAIN = "kommun.example"
START = datetime(2024, 3, 1, tzinfo=timezone.utc)
DAYS = 14
FIRST = ["anna", "bo", "cia", "dan", "eva", "filip", "greta", "hugo", "ida", "jon", "karin",
         "lars", "maja", "nils", "olga", "per", "rut", "sven", "tove", "ulf", "vera", "wilma",
         "axel", "britt", "carl", "disa", "erik", "frida", "gustav", "hanna", "isak", "jenny",
         "kalle", "lena", "måns", "nora", "oskar", "pia", "ronja", "stig"]
LAST = ["berg", "lind", "ek", "holm", "strand", "dahl", "sjö", "ström", "vik", "ås"]
PLACES = {
    "stockholm": ("Stockholm", "Stockholm", "SE", 59.33, 18.07),
    "goteborg": ("Göteborg", "Västra Götaland", "SE", 57.71, 11.97),
    "malmo": ("Malmö", "Skåne", "SE", 55.60, 13.00),
    "oslo": ("Oslo", "Oslo", "NO", 59.91, 10.75),
    "helsinki": ("Helsinki", "Uusimaa", "FI", 60.17, 24.94),
    "lagos": ("Lagos", "Lagos", "NG", 6.52, 3.38),
    "moscow": ("Moscow", "Moscow", "RU", 55.76, 37.62),
}
IOC_IP = "203.0.113.7"        # in the IOC file's range 203.0.113.0/25
IMAP_IP = "192.0.2.50"        # abroad, not an IOC
VPS_IP = "192.0.2.99"         # the attacker's server in Stockholm: looks local
MS_IP = "2603:10a6:10:1::5"   # a Microsoft front end, as seen in audit records


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Tenant:
    def __init__(self, seed, users):
        self.rng = random.Random(seed)
        self.signins = []   # dicts in the Graph shape (plus "_t")
        self.audit = []     # UAL records (plus "_t")
        self.users = []
        for i in range(users):
            name = FIRST[i % len(FIRST)] + ("" if i < len(FIRST) else str(i // len(FIRST)))
            self.users.append(f"{name}.{LAST[i % len(LAST)]}@{DOMAIN}".replace("å", "a")
                              .replace("ö", "o").replace("ä", "a"))
        self.home = {u: self.rng.choice(["stockholm", "goteborg", "malmo"]) for u in self.users}
        self.ip = {u: f"198.51.100.{i + 1}" for i, u in enumerate(self.users)}
        self.msgid_n = 0

    def hexid(self):
        return "%08x-%04x-%04x-%04x-%012x" % tuple(self.rng.getrandbits(b) for b in (32, 16, 16, 16, 48))

    def msgid(self):
        self.msgid_n += 1
        return f"<{self.msgid_n:06d}.{self.rng.getrandbits(32):08x}@{DOMAIN}>"

    def signin(self, user, t, place, ip, client="Browser", error=0, session=None):
        city, state, cc, lat, lon = PLACES[place]
        jitter = self.rng.uniform(-0.02, 0.02)
        rec = {
            "id": self.hexid(), "createdDateTime": iso(t), "userDisplayName": user.split("@")[0],
            "userPrincipalName": user, "userId": self.hexid(), "appId": self.hexid(),
            "appDisplayName": "Office 365 Exchange Online", "ipAddress": ip,
            "clientAppUsed": client, "correlationId": self.hexid(),
            "sessionId": session or self.hexid(), "conditionalAccessStatus": "notApplied",
            "isInteractive": True, "riskDetail": "hidden", "riskLevelAggregated": "hidden",
            "status": {"errorCode": error, "failureReason": "Invalid username or password." if error else None},
            "deviceDetail": {"browser": "Edge 120.0", "operatingSystem": "Windows10"},
            "location": {"city": city, "state": state, "countryOrRegion": cc,
                         "geoCoordinates": {"latitude": round(lat + jitter, 4),
                                            "longitude": round(lon + jitter, 4)}},
            "_t": t,
        }
        self.signins.append(rec)
        return rec

    def mia(self, user, t, ip, session, kind, items=(), folder="\\Inkorgen", throttled=False):
        rec = {"CreationTime": t.strftime("%Y-%m-%dT%H:%M:%S"), "Id": self.hexid(),
               "Operation": "MailItemsAccessed", "OrganizationId": "org", "RecordType": 50,
               "ResultStatus": "Succeeded", "UserKey": "k", "UserType": 0, "Version": 1,
               "Workload": "Exchange", "UserId": user, "ClientIPAddress": ip,
               "ClientInfoString": "Client=OWA;Action=ViaProxy", "ExternalAccess": False,
               "LogonType": 0, "MailboxOwnerUPN": user, "SessionId": session,
               "OperationCount": max(1, len(items)),
               "OperationProperties": [{"Name": "MailAccessType", "Value": kind},
                                       {"Name": "IsThrottled", "Value": "True" if throttled else "False"}],
               "Folders": [{"Id": "f", "Path": folder,
                            "FolderItems": [{"InternetMessageId": m, "SizeInBytes": 2048} for m in items]}],
               "_t": t}
        self.audit.append(rec)
        return rec

    def admin(self, user, t, op, ip, params, record_type=1):
        rec = {"CreationTime": t.strftime("%Y-%m-%dT%H:%M:%S"), "Id": self.hexid(),
               "Operation": op, "RecordType": record_type, "ResultStatus": "True",
               "UserId": user, "Workload": "Exchange", "ClientIP": ip + ":51123",
               "ObjectId": user.split("@")[0] + "\\.", "Parameters": params, "_t": t}
        self.audit.append(rec)
        return rec

    def entra(self, actor, target, t, op):
        rec = {"CreationTime": t.strftime("%Y-%m-%dT%H:%M:%S"), "Id": self.hexid(),
               "Operation": op, "RecordType": 8, "ResultStatus": "Success",
               "UserId": actor, "Workload": "AzureActiveDirectory", "ObjectId": target,
               "Target": [{"Type": 5, "ID": target}], "ClientIP": "198.51.100.250", "_t": t}
        self.audit.append(rec)
        return rec


def normal_day(tn, user, day, place=None, ip=None):
    rng = tn.rng
    place = place or tn.home[user]
    ip = ip or tn.ip[user]
    for _ in range(rng.randint(2, 4)):
        t = START + timedelta(days=day, hours=rng.randint(7, 17), minutes=rng.randint(0, 59),
                              seconds=rng.randint(0, 59))
        client = rng.choice(["Browser", "Mobile Apps and Desktop clients", "Exchange ActiveSync"])
        session = tn.hexid()
        if rng.random() < 0.05:
            tn.signin(user, t - timedelta(minutes=1), place, ip, client, error=50126)
        tn.signin(user, t, place, ip, client, session=session)
        if rng.random() < 0.5:
            tn.mia(user, t + timedelta(minutes=5), ip, session, "Bind",
                   [tn.msgid() for _ in range(rng.randint(1, 3))])


def normal_users(tn, skip):
    for user in tn.users:
        if user in skip:
            continue
        for day in range(DAYS):
            if day % 7 in (5, 6):
                continue  # weekends off
            normal_day(tn, user, day)


def traveller(tn, user, dest, leave_day, back_day, travel_hours):
    """Home until the morning of leave_day, then dest after travel_hours."""
    ip_abroad = "198.51.100." + str(200 + len(dest))
    for day in range(DAYS):
        t_home_last = START + timedelta(days=leave_day, hours=7)
        if day < leave_day or day > back_day:
            normal_day(tn, user, day)
        elif day == leave_day:
            tn.signin(user, t_home_last, tn.home[user], tn.ip[user])
            tn.signin(user, t_home_last + timedelta(hours=travel_hours), dest, ip_abroad)
        else:
            normal_day(tn, user, day, dest, ip_abroad)


def heavy_reader(tn, user, day):
    """Her own Outlook add-in reads a lot: over 1000 records in a day, no attacker."""
    session = tn.hexid()
    t0 = START + timedelta(days=day, hours=8)
    tn.signin(user, t0, tn.home[user], tn.ip[user], "Mobile Apps and Desktop clients", session=session)
    for i in range(1100):
        tn.mia(user, t0 + timedelta(seconds=20 * i + 30), tn.ip[user], session, "Bind", [tn.msgid()])


def attack_anna(tn, plan, anna):
    d = START + timedelta(days=4)
    for m in (5, 7):  # password guesses first: failures are no access
        tn.signin(anna, d + timedelta(hours=10, minutes=m), "lagos", IOC_IP, error=50126)
    s1 = tn.hexid()
    t_in = d + timedelta(hours=10, minutes=12)
    tn.signin(anna, t_in, "lagos", IOC_IP, session=s1)
    tn.admin(anna, d + timedelta(hours=10, minutes=20), "New-InboxRule", VPS_IP,
             [{"Name": "Name", "Value": "."}, {"Name": "SubjectOrBodyContainsWords", "Value": "faktura;lösenord"},
              {"Name": "MoveToFolder", "Value": "RSS Feeds"}, {"Name": "MarkAsRead", "Value": "True"},
              {"Name": "StopProcessingRules", "Value": "True"}])
    accessed = [tn.msgid() for _ in range(5)]
    tn.mia(anna, d + timedelta(hours=10, minutes=30), IOC_IP, s1, "Bind", accessed)
    tn.mia(anna, d + timedelta(hours=10, minutes=40), IOC_IP, s1, "Sync", folder="\\Inkorgen")
    t_reset = d + timedelta(days=1, hours=9)
    tn.entra("it.admin@" + DOMAIN, anna, t_reset, "Reset user password.")
    tn.signin(anna, t_reset + timedelta(hours=2), "lagos", IOC_IP, error=50126)  # locked out
    plan["compromised"][anna] = {
        "windows": [{"from": iso(t_in), "to": iso(t_reset)}], "accessed": sorted(accessed),
        "synced_folders": ["\\Inkorgen"], "throttled": [],
        "rules": ["ioc-ip", "foreign-country", "inbox-rule"]}
    PLACES["vps"] = ("Stockholm", "Stockholm", "SE", 59.33, 18.07)


def attack_bo(tn, plan, bo):
    d = START + timedelta(days=5)
    t_in = d + timedelta(hours=2)
    s2 = tn.hexid()
    tn.signin(bo, t_in, "moscow", IMAP_IP, "IMAP4", session=s2)
    accessed = []
    times = []
    for i in range(1100):  # IMAP fetches, one Bind record each, every 6 s
        t = t_in + timedelta(hours=1, seconds=6 * i)
        m = tn.msgid()
        accessed.append(m)
        tn.mia(bo, t, IMAP_IP, s2, "Bind", [m])
        times.append(t)
    own = sorted(r["_t"] for r in tn.audit if r.get("MailboxOwnerUPN") == bo
                 and r["Operation"] == "MailItemsAccessed")
    start = next(own[j] for j in range(999, len(own)) if own[j] - own[j - 999] < timedelta(days=1))
    t_revoke = d + timedelta(days=1, hours=12)
    tn.entra("it.admin@" + DOMAIN, bo, t_revoke, "Invalidate all refresh tokens for a user.")
    plan["compromised"][bo] = {
        "windows": [{"from": iso(t_in), "to": iso(t_revoke)}], "accessed": sorted(accessed),
        "synced_folders": [], "throttled": [{"from": iso(start), "to": iso(start + timedelta(days=1))}],
        "rules": ["foreign-country", "legacy-protocol"]}


def attack_cia(tn, plan, cia):
    d = START + timedelta(days=6)
    t_in = d + timedelta(hours=16)
    s3 = tn.hexid()
    tn.signin(cia, t_in, "moscow", IMAP_IP, "Browser", session=s3)
    tn.admin(cia, t_in + timedelta(minutes=3), "Set-Mailbox", IMAP_IP,
             [{"Name": "Identity", "Value": cia}, {"Name": "ForwardingSmtpAddress", "Value": "smtp:drop@evil.example"},
              {"Name": "DeliverToMailboxAndForward", "Value": "True"}])
    accessed = [tn.msgid() for _ in range(3)]
    tn.mia(cia, t_in + timedelta(minutes=10), MS_IP, s3, "Bind", accessed)
    plan["compromised"][cia] = {
        "windows": [{"from": iso(t_in), "to": None}], "accessed": sorted(accessed),
        "synced_folders": [], "throttled": [],
        "rules": ["foreign-country", "forwarding", "attacker-session"]}


def attack_dan(tn, plan, dan):
    """The server address that made anna's inbox rule signs in to dan."""
    d = START + timedelta(days=8)
    t_in = d + timedelta(hours=11, minutes=2, seconds=33)
    s4 = tn.hexid()
    tn.signin(dan, t_in, "vps", VPS_IP, "Browser", session=s4)
    accessed = [tn.msgid() for _ in range(2)]
    tn.mia(dan, t_in + timedelta(minutes=4), VPS_IP, s4, "Bind", accessed)
    t_change = d + timedelta(days=1, hours=8, minutes=15)
    tn.entra(dan, dan, t_change, "Change user password.")
    plan["compromised"][dan] = {
        "windows": [{"from": iso(t_in), "to": iso(t_change)}], "accessed": sorted(accessed),
        "synced_folders": [], "throttled": [], "rules": ["attacker-ip"]}


def clean(rec):
    return {k: v for k, v in rec.items() if k != "_t"}


CSV_HEADER = ["Date (UTC)", "Request ID", "User agent", "Correlation ID", "User ID", "User", "Username",
              "Incoming token type", "Application", "Application ID ", "IP address", "Location", "Status",
              "Sign-in error code", "Failure reason", "Client app", "Session ID", "Incoming token type",
              "Autonomous system  number"]


def csv_date(t, style):
    if style == "us":
        h = t.hour % 12 or 12
        return f"{t.month}/{t.day}/{t.year}, {h}:{t.minute:02d}:{t.second:02d} {'PM' if t.hour >= 12 else 'AM'}"
    if style == "eu":
        return t.strftime("%d/%m/%Y %H:%M:%S")
    return iso(t)


def write_csv(path, recs, style, bad_at):
    """Writes the portal CSV; the row at index bad_at gets an unreadable date.
    Returns the file line of the bad row."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(CSV_HEADER)
    bad_line = None
    for i, r in enumerate(recs):
        loc = r["location"]
        date = csv_date(r["_t"], style) if i != bad_at else "yesterday"
        if i == bad_at:
            bad_line = out.getvalue().count("\n") + 1
        ok = r["status"]["errorCode"] == 0
        w.writerow([date, r["id"], "Mozilla/5.0 (Windows NT 10.0)\nEdg/120.0", r["correlationId"], r["userId"],
                    r["userDisplayName"], r["userPrincipalName"], "none", r["appDisplayName"], r["appId"],
                    r["ipAddress"], f"{loc['city']}, {loc['state']}, {loc['countryOrRegion']}",
                    "Success" if ok else "Failure", r["status"]["errorCode"],
                    "Other." if ok else r["status"]["failureReason"], r["clientAppUsed"], r["sessionId"],
                    "primaryRefreshToken", "AS64500"])
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(out.getvalue())
    return bad_line


def write_json_array(path, recs, bad):
    """Pretty array; bad = {index: text} replaces records. Returns their lines."""
    lines = {}
    with open(path, "w", encoding="utf-8") as f:
        f.write("[\n")
        n = 2
        for i, r in enumerate(recs):
            text = bad.get(i) or json.dumps(clean(r), indent=2, ensure_ascii=False)
            lines[i] = n
            f.write(text + (",\n" if i + 1 < len(recs) else "\n"))
            n += text.count("\n") + 1
        f.write("]\n")
    return [lines[i] for i in sorted(bad)]


def write_ndjson(path, recs, bad):
    with open(path, "w", encoding="utf-8") as f:
        for i, r in enumerate(recs):
            f.write((bad.get(i) or json.dumps(clean(r), ensure_ascii=False)) + "\n")
    return [i + 1 for i in sorted(bad)]


def write_audit_csv(path, recs, bad_at):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["CreationDate", "UserIds", "Operations", "AuditData"])
    bad_line = None
    for i, r in enumerate(recs):
        if i == bad_at:
            bad_line = out.getvalue().count("\n") + 1
        data = json.dumps(clean(r), ensure_ascii=False) if i != bad_at else "{not json"
        w.writerow([csv_date(r["_t"], "us"), r["UserId"], r["Operation"], data])
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(out.getvalue())
    return bad_line


def build(seed, users):
    tn = Tenant(seed, users)
    anna, bo, cia, dan = tn.users[0], tn.users[1], tn.users[2], tn.users[6]
    travellers = {tn.users[3]: ("oslo", 2, 5, 6.0), tn.users[4]: ("helsinki", 8, 10, 12.0)}
    heavy = tn.users[5]
    plan = {"seed": seed, "compromised": {}, "normal": [], "bad_rows": {}}
    normal_users(tn, {anna, bo, cia, dan, heavy} | set(travellers))
    for u in (anna, bo, cia, dan):  # victims live normally too
        for day in range(DAYS):
            if day % 7 not in (5, 6):
                normal_day(tn, u, day)
    for u, (dest, leave, back, hours) in travellers.items():
        traveller(tn, u, dest, leave, back, hours)
    for day in range(DAYS):
        if day % 7 not in (5, 6) and day != 3:
            normal_day(tn, heavy, day)
    heavy_reader(tn, heavy, 3)
    attack_anna(tn, plan, anna)
    attack_bo(tn, plan, bo)
    attack_cia(tn, plan, cia)
    attack_dan(tn, plan, dan)
    plan["normal"] = sorted(u for u in tn.users if u not in plan["compromised"])
    plan["travellers"] = sorted(travellers)
    plan["heavy_reader"] = heavy
    tn.signins.sort(key=lambda r: r["_t"], reverse=True)  # exports come newest first
    tn.audit.sort(key=lambda r: r["_t"])
    return tn, plan


def write_all(outdir, seed, users):
    os.makedirs(outdir, exist_ok=True)
    tn, plan = build(seed, users)
    recs = tn.signins
    plain = set(plan["normal"]) - set(plan["travellers"])
    b1 = next(i for i in range(len(recs) // 3, len(recs)) if recs[i]["userPrincipalName"] in plain)
    b2 = next(i for i in range(2 * len(recs) // 3, len(recs)) if recs[i]["userPrincipalName"] in plain)
    bad_date = json.dumps({**clean(recs[b1]), "createdDateTime": "yesterday"})
    bad_syntax = '{"createdDateTime": 2024-03-05, "userPrincipalName": }'
    plan["bad_rows"]["signins.json"] = write_json_array(
        os.path.join(outdir, "signins.json"), recs, {b1: bad_date, b2: bad_syntax})
    plan["bad_rows"]["signins.ndjson"] = write_ndjson(
        os.path.join(outdir, "signins.ndjson"), recs, {b1: bad_date, b2: bad_syntax})
    for style in ("us", "eu", "iso"):
        name = f"signins-{style}.csv"
        plan["bad_rows"][name] = [write_csv(os.path.join(outdir, name), recs, style, b1)]
    # the skipped rows are normal sign-ins: the plan does not depend on them
    plan["skipped_signins"] = [iso(recs[b1]["_t"]), iso(recs[b2]["_t"])]
    audit_bad = 1  # an early, harmless record
    with open(os.path.join(outdir, "audit.json"), "w", encoding="utf-8") as f:
        json.dump([clean(r) for r in tn.audit], f, ensure_ascii=False)
    plan["bad_rows"]["audit.csv"] = [write_audit_csv(os.path.join(outdir, "audit.csv"), tn.audit, audit_bad)]
    with open(os.path.join(outdir, "ioc.json"), "w") as f:
        json.dump({"version": 1, "senders": ["it-support@evil.example"], "ips": ["203.0.113.0/25"]}, f)
    with open(os.path.join(outdir, "plan.json"), "w") as f:
        json.dump(plan, f, indent=1, ensure_ascii=False)


def write_bench(path, target_bytes, seed):
    """A big sign-in JSON array: the tenant again and again, a day later each
    round, until the file has target_bytes."""
    tn, _ = build(seed, 40)
    written = 0
    rnd = 0
    with open(path, "w", encoding="utf-8") as f:
        f.write("[\n")
        while written < target_bytes:
            shift = timedelta(days=DAYS * rnd)
            for r in tn.signins:
                rec = clean(r)
                rec["createdDateTime"] = iso(r["_t"] + shift)
                text = ("" if written == 0 else ",\n") + json.dumps(rec, ensure_ascii=False)
                f.write(text)
                written += len(text)
                if written >= target_bytes:
                    break
            rnd += 1
        f.write("\n]\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--users", type=int, default=30)
    ap.add_argument("--bench-bytes", type=int)
    ap.add_argument("out")
    a = ap.parse_args()
    if a.bench_bytes:
        write_bench(a.out, a.bench_bytes, a.seed)
    else:
        write_all(a.out, a.seed, max(a.users, 8))


if __name__ == "__main__":
    main()
