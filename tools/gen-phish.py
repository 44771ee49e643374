#!/usr/bin/env python3
"""Writes a synthetic phishing campaign planted among normal mail, for
tests/cli/test-hunt.sh and demos. Everything is invented (names, addresses
under .test domains); nothing is personal data.

    tools/gen-phish.py OUT [--seed N] [--normal N]

OUT/ioc.json            the campaign's indicators (every list kind)
OUT/maildir/<user>/     Maildir++ mailboxes (INBOX and .Sent)
OUT/mbox/<user>.mbox    the same messages as mbox files (From_ lines escaped where ambiguous)
OUT/expected.jsonl      one line per planted hit: mailbox, folder, message_id,
                        matched (sorted), for both trees alike

Traps that must not hit: running text naming the phishing domain, a
look-alike domain (notevil-link.test), a subject close to the pattern, a
body line starting with "From " that is not a message separator."""
import argparse
import base64
import hashlib
import json
import os
import quopri
import random

USERS = ["alice", "bob", "carol"]
ORG = "kommun.test"
ATTACHMENT = b"<html><body><form action='https://collect.evil-phish.test/p'>" \
             b"<input name=pw></form></body></html>\n"
IOC = {
    "version": 1,
    "comment": "synthetic campaign for tests",
    "senders": ["it-support@evil-phish.test"],
    "sender_domains": ["phishdomain.test"],
    "display_names": ["(?i)^microsoft 365 team$"],
    "subjects": ["(?i)l\u00f6senord.*utg\u00e5r"],
    "urls": ["https://login.evil-phish.test/reset"],
    "domains": ["evil-link.test"],
    "attachment_sha256": [hashlib.sha256(ATTACHMENT).hexdigest()],
    "message_ids": ["<campaign-7@mailer.unknown.test>"],
}


def headers(frm, to, subject, mid, date, extra=()):
    lines = [f"From: {frm}", f"To: {to}", f"Subject: {subject}",
             f"Message-ID: <{mid}>", f"Date: {date}", "MIME-Version: 1.0"]
    lines += list(extra)
    return "\n".join(lines) + "\n"


def text_body(text):
    return ("Content-Type: text/plain; charset=utf-8\n"
            "Content-Transfer-Encoding: 8bit\n\n" + text + "\n")


def html_qp_body(html):
    qp = quopri.encodestring(html.encode()).decode()
    return ("Content-Type: text/html; charset=utf-8\n"
            "Content-Transfer-Encoding: quoted-printable\n\n" + qp + "\n")


def html_b64_body(html):
    b64 = base64.encodebytes(html.encode()).decode()
    return ("Content-Type: text/html; charset=utf-8\n"
            "Content-Transfer-Encoding: base64\n\n" + b64)


def with_attachment(text, name, data):
    b = "=-=b0undary=-="
    b64 = base64.encodebytes(data).decode()
    return (f'Content-Type: multipart/mixed; boundary="{b}"\n\n'
            f"--{b}\n" + text_body(text) + f"--{b}\n"
            f'Content-Type: application/octet-stream; name="{name}"\n'
            f'Content-Disposition: attachment; filename="{name}"\n'
            "Content-Transfer-Encoding: base64\n\n" + b64 + f"--{b}--\n")


def b2047(s):
    return "=?UTF-8?B?" + base64.b64encode(s.encode()).decode() + "?="


def date_of(rng, i):
    return f"Mon, {1 + i % 27:02d} Mar 2026 {8 + i % 9:02d}:{rng.randrange(60):02d}:00 +0100"


def phishing(rng, user, n, kind):
    """One planted message of a kind; returns (raw, matched)."""
    to = f"{user}@{ORG}"
    mid = f"phish-{kind}-{n}@{user}.gen.test"
    d = date_of(rng, n)
    if kind == "sender":
        html = ('<p>Din brevl&aring;da &auml;r full.</p><a href="https://login.evil-phish.test/'
                'reset?u=1&amp;t=2">Logga in</a>')
        raw = headers('"IT Support" <it-support@evil-phish.test>', to, "Your mailbox is full",
                      mid, d) + html_qp_body(html)
        return raw, ["sender:it-support@evil-phish.test", "url:https://login.evil-phish.test/reset"]
    if kind == "sender_domain":
        raw = headers(f"noreply@mail.phishdomain.test", to, "Faktura", mid, d) + \
            text_body("Se bifogad faktura.")
        return raw, ["sender_domain:phishdomain.test"]
    if kind == "display":
        subj = b2047("Ditt lösenord utgår idag")
        raw = headers(f'{b2047("Microsoft 365 Team")} <service@m365-notice.test>', to, subj,
                      mid, d) + text_body("Byt lösenord nu.")
        return raw, ["display_name:(?i)^microsoft 365 team$", "subject:(?i)l\u00f6senord.*utg\u00e5r"]
    if kind == "domain":
        html = '<a href="https://portal.evil-link.test/a?x=1&amp;y=2">Dokument</a>'
        raw = headers(f"kollega@partner.test", to, "Delat dokument", mid, d) + html_b64_body(html)
        return raw, ["domain:evil-link.test"]
    if kind == "attachment":
        raw = headers(f"ekonomi@leverantor.test", to, "Betalningsp\u00e5minnelse", mid, d) + \
            with_attachment("Se bilaga.", "faktura.html", ATTACHMENT)
        return raw, ["attachment_sha256:" + IOC["attachment_sha256"][0]]
    if kind == "message_id":
        mid = "campaign-7@mailer.unknown.test"
        raw = headers(f"info@nyhetsbrev.test", to, "Nyhetsbrev", mid, d) + text_body("Hej!")
        return raw, ["message_id:<campaign-7@mailer.unknown.test>"]
    if kind == "return_path":
        raw = headers(f"support@helpdesk.test", to, "Verifiera konto", mid, d,
                      ["Return-Path: <bounce@bounce.phishdomain.test>"]) + text_body("Klicka.")
        return raw, ["sender_domain:phishdomain.test"]
    raise ValueError(kind)


NORMAL_TEXTS = [
    "Varning: klicka inte p\u00e5 l\u00e4nkar fr\u00e5n evil-link.test eller evil-phish.test.",
    "M\u00f6te p\u00e5 torsdag, se https://www.example.org/kalender?id=4.",
    "Titta p\u00e5 https://notevil-link.test/info och https://evil-link.test.example.org/x.",
    "Hej,\nFrom now on we meet on Fridays.\n>From the minutes: nothing.\n",
    "Ditt l\u00f6senord \u00e4r oförändrat.",
]


def normal(rng, user, n):
    to = f"{user}@{ORG}"
    mid = f"normal-{n}@{user}.gen.test"
    frm = f"kollega{n % 7}@{ORG}"
    text = NORMAL_TEXTS[n % len(NORMAL_TEXTS)]
    subj = ["Veckobrev", "Your mailbox is fine", "Lunch?", "Protokoll"][n % 4]
    if n % 6 == 5:
        return headers(frm, to, subj, mid, date_of(rng, n)) + \
            with_attachment(text, "protokoll.txt", f"protokoll {n}\n".encode())
    if n % 6 == 4:
        html = f'<p>{text}</p><a href="https://intranet.{ORG}/nyheter/{n}">Nyheter</a>'
        return headers(frm, to, subj, mid, date_of(rng, n)) + html_qp_body(html)
    return headers(frm, to, subj, mid, date_of(rng, n)) + text_body(text)


def plan(rng, count):
    """(user, folder, raw, matched) for every message, phishing mixed in."""
    msgs = []
    kinds = {"alice": ["sender"] * 12 + ["display", "domain"],
             "bob": ["sender_domain", "attachment", "message_id"],
             "carol": ["return_path", "domain"]}
    n = 0
    for user in USERS:
        for kind in kinds[user]:
            n += 1
            raw, matched = phishing(rng, user, n, kind)
            msgs.append((user, "INBOX", raw, sorted(matched)))
        for _ in range(count):
            n += 1
            folder = "Sent" if n % 5 == 0 else "INBOX"
            msgs.append((user, folder, normal(rng, user, n), None))
    rng.shuffle(msgs)
    return msgs


def write_maildir(out, msgs):
    for i, (user, folder, raw, _) in enumerate(msgs):
        top = os.path.join(out, "maildir", user)
        box = top if folder == "INBOX" else os.path.join(top, "." + folder)
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(box, sub), exist_ok=True)
        sub, flags = ("cur", ":2,S") if i % 3 else ("new", "")
        with open(os.path.join(box, sub, f"17400000{i:02d}.M{i}P1.gen{flags}"), "wb") as f:
            f.write(raw.encode())


def mbox_escape(raw):
    """Escapes only "From " lines after an empty line (the only ones that
    could be read as separators), leaving other "From " lines as traps."""
    lines = raw.split("\n")
    return "\n".join(">" + l if l.startswith("From ") and i > 0 and lines[i - 1] == "" else l
                      for i, l in enumerate(lines))


def write_mbox(out, msgs):
    os.makedirs(os.path.join(out, "mbox"), exist_ok=True)
    for user in USERS:
        for folder in ("INBOX", "Sent"):
            name = f"{user}.mbox" if folder == "INBOX" else os.path.join(user, f"{folder}.mbox")
            path = os.path.join(out, "mbox", name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                for u, fo, raw, _ in msgs:
                    if u == user and fo == folder:
                        f.write(b"From MAILER-DAEMON Mon Mar  2 08:00:00 2026\n")
                        f.write(mbox_escape(raw).encode() + b"\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--normal", type=int, default=30, help="normal messages per user")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    msgs = plan(rng, a.normal)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "ioc.json"), "w") as f:
        json.dump(IOC, f, indent=2, ensure_ascii=False)
    write_maildir(a.out, msgs)
    write_mbox(a.out, msgs)
    with open(os.path.join(a.out, "expected.jsonl"), "w") as f:
        rows = []
        for user, folder, raw, matched in msgs:
            if matched:
                mid = "<" + raw.split("Message-ID: <", 1)[1].split(">", 1)[0] + ">"
                rows.append({"mailbox": user, "folder": folder, "message_id": mid,
                             "matched": matched})
        for r in sorted(rows, key=lambda r: (r["mailbox"], r["message_id"])):
            f.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
