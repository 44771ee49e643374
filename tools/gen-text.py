#!/usr/bin/env python3
"""Writes labelled synthetic Swedish mail text for measuring detect.

    tools/gen-text.py [--seed N] [--bytes N] [--date YYYY-MM-DD]
                      [--sentences MIN,MAX] OUT.txt TRUTH.jsonl

OUT.txt is a run of short municipal letters (UTF-8). Each letter holds
MIN to MAX plain sentences (default 2,6) next to its numbers: the default
is the dense accuracy text (a finding every ~200 bytes); --sentences 20,39
writes letters of a few KB, closer to how often numbers occur in mail. TRUTH.jsonl has one
object per planted value: {"start", "end" (bytes), "kind", "value"
(canonical, for identifiers), "what"}. Kinds "pnr" and "samordningsnummer"
are the positives; every other kind is a decoy a careful reader would not
call a personnummer:

- phone numbers whose ten digits pass the date and Luhn checks, written
  the way phone numbers are written (grouped, +46, or with a label);
- organisation numbers (Luhn-valid, third digit >= 2), also as 16NNNNNNNNNN;
- personnummer with a wrong check digit (typos), also labelled;
- invoice, OCR, customer, order and case numbers that pass the date and
  Luhn checks, with their label;
- dates and times, including YYYYMMDD HHMM timestamps that pass the checks;
- amounts, postal codes, bank accounts, bankgiro and plusgiro numbers.

Positives come in every written form (YYMMDD-NNNC, YYMMDD+NNNC for people
who turned 100, YYMMDDNNNC, YYYYMMDDNNNC, YYYYMMDD-NNNC, space-separated),
with and without a label, and in sentences that carry a misleading word
("Ärendet gäller 640823-3234"). Two things are not generated because a
reader could not tell them apart either: an unlabelled space-separated
number, and an unlabelled bare ten-digit phone number that passes the
personnummer checks. Birth years that turn 100 in the reference year are
avoided (the '+' rule and century inference disagree about them).

Every identifier is computed (Luhn check digit), none is copied. The same
seed gives the same bytes."""
import argparse
import datetime
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synth  # noqa: E402

FIRST = ["Anna", "Elias", "Maja", "Oskar", "Ebba", "Hugo", "Saga", "Liam", "Alva", "Noah",
         "Åsa", "Örjan", "Ängla", "Björn", "Märta", "Göran", "Sofía", "Émile", "Zeynep", "Ali"]
LAST = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Öberg",
        "Åkesson", "Lindström", "Bäckström", "Hassan", "Nguyen", "Kowalski", "Sjöberg"]
TOWNS = ["Umeå", "Luleå", "Växjö", "Göteborg", "Malmö", "Örebro", "Västerås", "Sundsvall"]
FILLER = [
    "Jag skriver angående ansökan om försörjningsstöd som lämnades in förra veckan.",
    "Tack för ditt mejl, vi återkommer så snart vi har gått igenom underlaget.",
    "Mötet flyttas till torsdag eftermiddag i stora konferensrummet.",
    "Hon har varit sjukskriven sedan mars och läkarintyget bifogas.",
    "Eleven har hög frånvaro och skolkuratorn har kallat till möte.",
    "Vi behöver komplettering av hyreskontraktet och kontoutdraget.",
    "Beslutet kan överklagas inom tre veckor från att du tog del av det.",
    "Han har diagnosen adhd och behöver extra anpassningar i skolan.",
    "Familjen har skyddad identitet, var försiktig med adressuppgifter.",
    "Orosanmälan har inkommit och en utredning enligt SoL har inletts.",
    "Bifogar protokollet från senaste nämndsammanträdet.",
    "Min mamma har demens och bor på ett särskilt boende i {town}.",
    "Kan ni skicka beslutet per post i stället för digitalt?",
    "Vi har tagit emot din anmälan och den handläggs nu.",
    "Ledsen för dröjsmålet, det har varit mycket den här veckan.",
    "Bussen till {town} går kvart över sju från resecentrum.",
    "Han är medlem i fackförbundet och vill ha en facklig företrädare med.",
    "Dottern har ångest och går hos BUP varannan vecka.",
    "Glöm inte att lämna in tidrapporten före fredag.",
    "Renoveringen av skolgården beräknas vara klar i augusti.",
    "Jag har fått ett beslut om ekonomiskt bistånd men förstår inte beräkningen.",
    "Hyresvärden har skickat en påminnelse om obetald hyra.",
    "Barnet placerades i familjehem enligt LVU i januari.",
    "Enligt journalen har patienten diabetes och astma.",
    "Vi ses på föräldramötet i aulan klockan sex.",
]
GREET = ["Hej!", "Hej {first},", "Hejsan,", "God morgon,", "Till socialtjänsten i {town},"]
SIGN = ["Med vänlig hälsning\n{first} {last}", "Vänliga hälsningar\n{first}",
        "Mvh {first} {last}\n{town}", "Hälsningar\n{first} {last}\nHandläggare, {town} kommun"]

LABELLED = [
    "Personnummer: {v}", "Mitt personnummer är {v}.", "Pnr: {v}", "p-nr {v}",
    "Personnr {v}", "{name}, född {v}, har ansökt om plats.", "Barnets personnummer: {v}",
    "Sökandens personnummer är {v} enligt ansökan.", "Pers.nr: {v}",
    "Personnumret {v} stämmer inte med folkbokföringen.", "{name} (personnummer {v})",
]
LABELLED_SAM = ["Samordningsnummer: {v}", "Mitt samordningsnummer är {v}.",
                "{name} har samordningsnummer {v}.", "Samordningsnr {v}"]
UNLABELLED = [
    "Ansökan gäller {name} {v}.", "Ang. {name} ({v})", "{name} {v} har flyttat till {town}.",
    "Sökande: {name}, {v}", "Eleven {name}, {v}, går i årskurs 7.", "Ärendet gäller {v}.",
    "Hej! Jag skriver om min dotter {v}.", "Se bifogat underlag för {v}.",
    "Uppgifter: {name}; {v}; {town}", "Gäller: {v}", "Klient {v} har missat två besök.",
    "Vårdnadshavare för {v} är {name}.", "{v} {name}", "Beslutet avser {name}, {v}, i {town}.",
]


class Gen:
    def __init__(self, seed, ref, sentences=(2, 6)):
        self.rng = random.Random(seed)
        self.ref = ref
        self.sentences = sentences
        self.parts = []
        self.off = 0
        self.truth = []

    # -- output ---------------------------------------------------------
    def put(self, s):
        self.parts.append(s)
        self.off += len(s.encode("utf-8"))

    def mark(self, s, kind, value, what):
        start = self.off
        self.put(s)
        self.truth.append({"start": start, "end": self.off, "kind": kind, "value": value,
                           "what": what})

    def put_template(self, tmpl, value_text, kind, value, what):
        name = f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"
        before, after = tmpl.split("{v}")
        self.put(before.format(name=name, town=self.rng.choice(TOWNS)))
        self.mark(value_text, kind, value, what)
        self.put(after.format(name=name, town=self.rng.choice(TOWNS)))

    # -- positives ------------------------------------------------------
    def birth(self):
        while True:
            age_days = self.rng.randrange(0, 104 * 365)
            d = self.ref - datetime.timedelta(days=age_days)
            if abs(d.year - (self.ref.year - 100)) > 1:
                return d

    def canonical(self, d, samordning, serial=None):
        serial = serial if serial is not None else self.rng.randrange(1, 1000)
        return synth.pnr(d.year, d.month, d.day, serial, samordning)

    def forms(self, c, d, labelled):
        """Written forms a person of birth date d may be written in."""
        old = d.year + 100 <= self.ref.year
        sep = "+" if old else "-"
        forms = [("long", c), ("long-dash", f"{c[:8]}-{c[8:]}"),
                 ("short-sep", f"{c[2:8]}{sep}{c[8:]}"), ("short-sep", f"{c[2:8]}{sep}{c[8:]}")]
        if not old:
            forms.append(("short", c[2:]))
        if labelled and not old:
            forms.append(("short-space", f"{c[2:8]} {c[8:]}"))
        if labelled:
            forms.append(("long-space", f"{c[:8]} {c[8:]}"))
        return forms

    def positive(self):
        d = self.birth()
        sam = self.rng.random() < 0.15
        c = self.canonical(d, sam)
        labelled = self.rng.random() < 0.5
        what, text = self.rng.choice(self.forms(c, d, labelled))
        if labelled:
            tmpl = self.rng.choice(LABELLED_SAM if sam and self.rng.random() < 0.6 else LABELLED)
        else:
            tmpl = self.rng.choice(UNLABELLED)
        kind = "samordningsnummer" if sam else "pnr"
        self.put_template(tmpl, text, kind, c, f"{what}{'/label' if labelled else ''}")

    # -- decoys ---------------------------------------------------------
    def date_luhn_digits(self, prefix, total=10):
        """total (10 or 12) digits starting with prefix that pass the
        personnummer checks: a valid YYMMDD (YYYYMMDD) date and Luhn over
        the last ten digits."""
        skip = total - 10
        while True:
            s = prefix + "".join(str(self.rng.randrange(10))
                                 for _ in range(total - 1 - len(prefix)))
            s += str(synth.luhn_digit(s[skip:]))
            year = int(s[0:4]) if skip else 2000 + int(s[0:2])
            try:
                datetime.date(year, int(s[2 + skip:4 + skip]), int(s[4 + skip:6 + skip]))
            except ValueError:
                continue
            return s

    def phone(self):
        area = self.rng.choice(["070", "031", "040", "011", "021", "010", "060", "090"])
        n = self.date_luhn_digits(area)
        a, rest = n[:3], n[3:]
        forms = [f"{a}-{rest[:3]} {rest[3:5]} {rest[5:]}", f"{a} {rest[:3]} {rest[3:5]} {rest[5:]}",
                 f"+46 {a[1:]} {rest[:3]} {rest[3:5]} {rest[5:]}", f"+46{n[1:]}",
                 f"{a}-{rest}", f"({a}) {rest[:3]} {rest[3:5]} {rest[5:]}",
                 f"{n[:4]}-{n[4:6]} {n[6:8]} {n[8:]}"]
        labels = ["Tel: {v}", "Mobil {v}", "Ring mig på {v}", "Telefon: {v}", "SMS:a {v}",
                  "Nås på {v} efter lunch.", "{v}", "Växel {v}", "Tfn {v}", "Fax {v}"]
        if self.rng.random() < 0.3:
            text, tmpl = n, self.rng.choice(labels[:6] + labels[7:])  # bare: always labelled
        else:
            text, tmpl = self.rng.choice(forms), self.rng.choice(labels)
        self.put_template(tmpl, text, "decoy", None, "phone")

    def orgnr(self):
        body = f"{self.rng.choice('25789')}{self.rng.randrange(10)}{self.rng.randrange(2, 10)}" + \
            "".join(str(self.rng.randrange(10)) for _ in range(6))
        n = synth.orgnr(body)
        text = self.rng.choice([f"{n[:6]}-{n[6:]}", n, f"16{n}", f"16{n[:6]}-{n[6:]}"])
        tmpl = self.rng.choice(["Org.nr {v}", "Organisationsnummer: {v}", "{v}",
                                "Leverantör: Bygg AB, {v}", "orgnr {v}"])
        self.put_template(tmpl, text, "decoy", None, "orgnr")

    def bad_check(self):
        d = self.birth()
        c = self.canonical(d, self.rng.random() < 0.15)
        c = c[:11] + str((int(c[11]) + self.rng.randrange(1, 10)) % 10)
        what, text = self.rng.choice(self.forms(c, d, True))
        tmpl = self.rng.choice(LABELLED + UNLABELLED)
        self.put_template(tmpl, text, "decoy", None, "bad-check")

    def reference(self):
        n = self.date_luhn_digits(str(self.rng.randrange(10)), self.rng.choice([10, 10, 12]))
        if len(n) == 12:
            n = self.date_luhn_digits(self.rng.choice(["19", "20"]), 12)
        tmpl = self.rng.choice([
            "OCR: {v}", "OCR-nummer {v}", "Fakturanummer {v}", "Fakturanr: {v}",
            "Kundnummer: {v}", "Kundnr {v}", "Ordernummer {v}", "Ordernr: {v}",
            "Ärendenummer {v}", "Ärendenr: {v}", "Dnr {v}", "Referens: {v}",
            "Ange OCR {v} vid betalning.", "Betala till bankgiro 5050-1055 med OCR {v}.",
            "Avtalsnummer {v}", "Försäkringsnummer: {v}", "Ert kundnummer är {v}."])
        self.put_template(tmpl, n, "decoy", None, "reference")

    def timestamp(self):
        t = self.ref - datetime.timedelta(minutes=self.rng.randrange(0, 60 * 24 * 400))
        forms = [t.strftime("%Y-%m-%d %H:%M"), t.strftime("%Y-%m-%d kl. %H.%M"),
                 t.strftime("%Y%m%d %H%M"), t.strftime("%y%m%d %H%M"),
                 t.strftime("%Y-%m-%dT%H:%M:%S"), f"{t.day}/{t.month} {t.year}",
                 t.strftime("%Y%m%d%H%M")]
        tmpl = self.rng.choice(["Skickat: {v}", "Datum: {v}", "Mötet {v} ställs in.",
                                "Senast uppdaterad {v}", "{v}", "Inkom {v}"])
        self.put_template(tmpl, self.rng.choice(forms), "decoy", None, "time")

    def amount(self):
        v = self.rng.choice([f"{self.rng.randrange(1, 999)} {self.rng.randrange(1000):03d} kr",
                             f"{self.rng.randrange(100, 99999)},{self.rng.randrange(100):02d} kr",
                             f"SEK {self.rng.randrange(1, 99)} 000",
                             f"{self.rng.randrange(1, 9)} {self.rng.randrange(1000):03d} "
                             f"{self.rng.randrange(1000):03d} kronor"])
        self.put_template(self.rng.choice(["Beloppet är {v}.", "Summa: {v}", "{v} betalas ut."]),
                          v, "decoy", None, "amount")

    def account(self):
        clearing = f"{self.rng.randrange(8000, 8999)}-{self.rng.randrange(10)}"
        acct = f"{self.rng.randrange(100, 999)} {self.rng.randrange(100, 999)} " \
               f"{self.rng.randrange(100, 999)}-{self.rng.randrange(10)}"
        v = self.rng.choice([f"{clearing}, {acct}", f"{self.rng.randrange(1000, 9999)}-"
                             f"{self.rng.randrange(1000, 9999)}", f"{self.rng.randrange(10**5, 10**6)}-"
                             f"{self.rng.randrange(10)}",
                             f"{self.rng.randrange(100, 999)} {self.rng.randrange(10, 99)}"])
        self.put_template(self.rng.choice(["Kontonummer {v}", "Bankgiro {v}", "Plusgiro: {v}",
                                           "Postadress: Box 12, {v} {town}"]),
                          v, "decoy", None, "account")

    # -- letters --------------------------------------------------------
    def sentence(self):
        self.put(self.rng.choice(FILLER).format(town=self.rng.choice(TOWNS)))

    def letter(self):
        first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
        self.put(self.rng.choice(GREET).format(first=first, town=self.rng.choice(TOWNS)))
        self.put("\n\n")
        items = [self.positive] * self.rng.randrange(0, 4)
        decoys = [self.phone, self.phone, self.orgnr, self.bad_check, self.reference,
                  self.reference, self.timestamp, self.amount, self.account]
        items += [self.rng.choice(decoys) for _ in range(self.rng.randrange(1, 5))]
        items += [self.sentence] * self.rng.randrange(self.sentences[0], self.sentences[1] + 1)
        self.rng.shuffle(items)
        for i, item in enumerate(items):
            item()
            self.put(self.rng.choice([" ", " ", "\n", "\n\n"]) if i + 1 < len(items) else "\n\n")
        self.put(self.rng.choice(SIGN).format(first=first, last=last,
                                              town=self.rng.choice(TOWNS)))
        self.put("\n\n" + "-" * 20 + "\n\n")


def sentence_range(text):
    try:
        lo, hi = (int(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected MIN,MAX") from None
    if lo < 0 or hi < lo:
        raise argparse.ArgumentTypeError(f"{text!r}: expected 0 <= MIN <= MAX")
    return lo, hi


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bytes", type=int, default=3 * 1024 * 1024)
    ap.add_argument("--date", default="2024-05-01")
    ap.add_argument("--sentences", type=sentence_range, default=(2, 6),
                    help="plain sentences per letter, MIN,MAX (default 2,6)")
    ap.add_argument("out")
    ap.add_argument("truth")
    a = ap.parse_args()
    g = Gen(a.seed, datetime.date.fromisoformat(a.date), a.sentences)
    with open(a.out, "w", encoding="utf-8") as out:
        written = 0
        while written < a.bytes:
            g.letter()
            if len(g.parts) > 4096:
                out.write("".join(g.parts))
                written = g.off
                g.parts = []
        out.write("".join(g.parts))
    with open(a.truth, "w", encoding="utf-8") as t:
        for row in g.truth:
            t.write(json.dumps(row, ensure_ascii=False) + "\n")
    pos = sum(1 for r in g.truth if r["kind"] in ("pnr", "samordningsnummer"))
    print(f"gen-text: {g.off} bytes, {pos} personnummer/samordningsnummer, "
          f"{len(g.truth) - pos} decoys", file=sys.stderr)


if __name__ == "__main__":
    main()
