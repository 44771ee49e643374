#!/usr/bin/env python3
"""Synthetic municipal incident: mailboxes of staff in a Swedish municipality
whose residents wrote to them about social services, school and health.

Deterministic from --seed. Python 3 standard library only. Every
personnummer and samordningsnummer is computed (valid check digit); names,
addresses and numbers are invented. Writes:

  OUT/mailboxes/<owner>/            Maildir (INBOX, .Skickat, .&AMQ-renden.*: modified UTF-7)
  OUT/mailboxes/<owner>.mbox        mbox (mboxrd quoting)
  OUT/truth.json                    ground truth (see below)
  OUT/scope.json                    scope file (issue 5 contract)

truth.json: {"seed", "org_domains", "mailboxes":[{"owner","path","format"}],
  "messages": {message_id: {"mailbox", "pnr":[canonical 12 digits],
               "samordningsnummer":[...], "emails":[...], "date",
               "sender": the resident address of the top From, or null,
               "self": [numbers written as the writer's own in the top message,
                        outside archives: "mitt personnummer är ..."],
               "protected": [numbers written next to protected-identity words]}},
  "residents": [{"name", "kind", "canonical", "written", "email", "phone",
                 "messages", "first", "last", "mailboxes", "child"}]}
"sender" and "self" are the facts the report links a person by (docs/report.md,
rule L1); "protected" the numbers a protected-identity sentence follows.
A message's sets hold every identifier written anywhere in it: headers,
subject, body, quoted text, attachments (PDF, DOCX, CSV, zip), forwarded
messages. Decoys (phone numbers, organisation numbers, invoice and OCR
numbers, wrong check digits, dates) are never in the sets.

Sizes: --size tiny|small|demo|bench (or --messages N / --megabytes N);
--format maildir|mbox|mixed; --one-mbox FILE writes every message into one
mbox (for the memory check of a large mbox).
"""
import argparse
import base64
import datetime
import io
import json
import os
import quopri
import random
import sys
import zipfile
import zlib
from email.header import Header
from email.utils import format_datetime, formataddr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from synth import birth_serial, luhn_complete, luhn_digit, luhn_ok, orgnr, pnr  # noqa: E402

ORG_DOMAIN = "kommun.example"
RESIDENT_DOMAINS = ["example.com", "example.net", "example.org", "post.example"]
FIRST_M = ["Erik", "Lars", "Karl", "Anders", "Johan", "Per", "Nils", "Mikael", "Jan",
           "Hans", "Ali", "Mohammed", "Oskar", "Lucas", "Elias", "Hugo", "Åke", "Göran"]
FIRST_F = ["Anna", "Maria", "Eva", "Karin", "Kristina", "Lena", "Sara", "Emma", "Elin",
           "Ida", "Fatima", "Maja", "Alice", "Ebba", "Linnéa", "Åsa", "Märta", "Sofia"]
LAST = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
        "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Lindqvist",
        "Björk", "Ström", "Åberg", "Öberg", "Häggström", "Sjöberg", "Lindgren", "Ek"]
STAFF = [("Anna", "Lindberg", "socialsekreterare"), ("Bo", "Strand", "rektor"),
         ("Cecilia", "Holm", "biståndshandläggare"), ("David", "Ek", "skolsköterska"),
         ("Eva", "Sund", "enhetschef"), ("Fredrik", "Dahl", "registrator")]

TOPICS = {
    "social": {
        "subjects": ["Ansökan om ekonomiskt bistånd", "Angående min ansökan",
                     "Orosanmälan", "Fråga om försörjningsstöd", "Överklagan av beslut"],
        "lines": ["Jag vill ansöka om ekonomiskt bistånd för december.",
                  "Socialtjänsten har inte svarat på min ansökan om försörjningsstöd.",
                  "Jag vill göra en orosanmälan om ett barn i vårt hus.",
                  "Min socialsekreterare har slutat och jag vet inte vem jag ska kontakta.",
                  "Vi har fått avslag och vill överklaga beslutet från socialnämnden.",
                  "Hyran är obetald sedan två månader och vi riskerar vräkning."],
    },
    "school": {
        "subjects": ["Frånvaro", "Angående min dotter", "Angående min son",
                     "Elevhälsan", "Ansökan om skolskjuts"],
        "lines": ["Min son har varit sjuk och kommer inte till skolan den här veckan.",
                  "Eleven behöver särskilt stöd enligt elevhälsan.",
                  "Rektorn bad mig skicka in underlaget för åtgärdsprogrammet.",
                  "Vår dotter blir mobbad i klassen och mentorn har inte återkommit.",
                  "Vi ansöker om skolskjuts till grundskolan från och med vårterminen."],
    },
    "health": {
        "subjects": ["Hemtjänst", "Läkarintyg", "Fråga om vårdplanering",
                     "Ansökan om bostadsanpassning", "Särskilt boende"],
        "lines": ["Min mamma har fått diagnosen demens och behöver mer hemtjänst.",
                  "Här kommer läkarintyget från vårdcentralen om min sjukskrivning.",
                  "Jag har depression och ångest och orkar inte gå till mötet.",
                  "Pappa skrevs ut från sjukhuset i går och behöver hjälp med medicinering.",
                  "Vi vill ansöka om bostadsanpassning efter stroken i våras."],
    },
}
NEUTRAL_SUBJECTS = ["Veckobrev", "Kallelse till APT", "Protokoll från nämnden",
                    "Lokalbokning", "Påminnelse: tidrapportering", "Nytt nummer till växeln"]
NEUTRAL_LINES = ["Välkomna till arbetsplatsträffen på torsdag klockan 9 i stora salen.",
                 "Kom ihåg att rapportera in tiden senast på fredag.",
                 "Protokollet är justerat och finns på intranätet.",
                 "Fikat står i personalrummet efter mötet."]
CONTEXT_PNR = ["Personnummer: {}", "mitt personnummer är {}", "pnr {}", "Personnr {}",
               "personnumret {}", "född {}", "Pers.nr: {}", "({})"]
CONTEXT_CHILD = ["Min son {name}, personnummer {num}", "vår dotter {name} ({num})",
                 "barnets personnummer är {num}", "eleven {name}, pnr {num}"]
CONTEXT_SAM = ["Samordningsnummer: {}", "mitt samordningsnummer {}", "samordningsnr {}"]
# Templates in which the writer gives the number as their own (report rule L1).
SELF_TEMPLATES = {"mitt personnummer är {}", "mitt samordningsnummer {}"}
# Written right after the sender's own number (a separate random stream, so
# that every other byte of a seed's output stays as it was).
PROTECTED_LINES = ["Jag har skyddad identitet och min adress får inte lämnas ut.",
                   "Observera att jag har sekretessmarkering hos Skatteverket.",
                   "Jag har skyddade personuppgifter, skicka inget till min adress."]
SIGNOFF = ["Med vänliga hälsningar", "Hälsningar", "Mvh", "Tack på förhand"]


def pnr_valid10(ten):
    """True when ten digits would read as a personnummer or samordningsnummer."""
    if len(ten) != 10 or not ten.isdigit():
        return False
    mm, dd = int(ten[2:4]), int(ten[4:6])
    # Read leniently, as a scanner may: samordningsnummer with month 00 or
    # day 60 (unknown) occur in Skatteverket's test series.
    sam = dd >= 60
    if sam:
        dd -= 60
    if not ((0 if sam else 1) <= mm <= 12 and (0 if sam else 1) <= dd <= 31):
        return False
    if ten[6:9] == "000":
        return False
    return luhn_ok(ten)


class Person:
    def __init__(self, rng, idx, birth, samordning=False):
        self.male = rng.random() < 0.5
        self.first = rng.choice(FIRST_M if self.male else FIRST_F)
        self.last = rng.choice(LAST)
        self.name = f"{self.first} {self.last}"
        self.birth = birth
        self.samordning = samordning
        self.canonical = pnr(birth.year, birth.month, birth.day, birth_serial(rng, self.male),
                             samordning)
        local = f"{ascii_fold(self.first)}.{ascii_fold(self.last)}{idx}".lower()
        self.email = f"{local}@{rng.choice(RESIDENT_DOMAINS)}"
        self.phone = phone_number(rng)
        self.kind = "samordningsnummer" if samordning else "pnr"

    def written(self, rng, ref, spaces=False):
        """One written form of the number as people type it; the space form
        ("YYMMDD NNNC", scored lower by design) only where a label says
        what the number is."""
        c = self.canonical
        old = ref.year - self.birth.year >= 100
        forms = [c, f"{c[:8]}-{c[8:]}", f"{c[2:8]}{'+' if old else '-'}{c[8:]}"]
        if not old:
            forms.append(c[2:])
        if not old and spaces:
            forms.append(f"{c[2:8]} {c[8:]}")
        return rng.choice(forms)


def ascii_fold(s):
    return s.translate(str.maketrans("åäöÅÄÖéÉ", "aaoAAOeE"))


def phone_number(rng):
    """A Swedish mobile number whose ten digits never read as a personnummer."""
    while True:
        digits = "07" + rng.choice("0236") + "".join(rng.choice("0123456789") for _ in range(7))
        if not pnr_valid10(digits):
            return digits


def phone_written(rng, digits):
    forms = [f"{digits[:3]}-{digits[3:6]} {digits[6:8]} {digits[8:]}",
             f"+46 {digits[1:3]} {digits[3:6]} {digits[6:8]} {digits[8:]}",
             f"{digits[:3]}-{digits[3:]}"]
    return rng.choice(forms)


def decoys(rng, date):
    """Numbers that look like identifiers but are not personal numbers."""
    out = []
    for _ in range(rng.randrange(1, 4)):
        kind = rng.randrange(6)
        if kind == 0:
            out.append(f"Tel: {phone_written(rng, phone_number(rng))}")
        elif kind == 1:
            # The third digit of an organisation number is 2 or more: never a birth month.
            body = (f"{rng.choice('25789')}{rng.randrange(10)}{rng.randrange(20, 100)}"
                    f"{rng.randrange(100):02d}{rng.randrange(1000):03d}")
            n = orgnr(body)
            out.append(f"Org.nr {n[:6]}-{n[6:]}")
        elif kind == 2:
            out.append(f"Fakturanummer: {rng.randrange(10**7, 10**8)}")
        elif kind == 3:
            while True:
                ocr = luhn_complete(str(rng.randrange(10**8, 10**9)))
                if not pnr_valid10(ocr):
                    break
            out.append(f"OCR-nummer {ocr}")
        elif kind == 4:
            out.append(f"Mötet är {date.strftime('%Y-%m-%d')} kl. {rng.randrange(8, 17)}:00")
        else:
            out.append(wrong_check(rng))
    return out


def wrong_check(rng):
    """A personnummer-shaped number with a wrong check digit."""
    birth = datetime.date(rng.randrange(1940, 2005), rng.randrange(1, 13), rng.randrange(1, 29))
    body = f"{birth.year % 100:02d}{birth.month:02d}{birth.day:02d}{rng.randrange(1, 999):03d}"
    bad = (luhn_digit(body) + rng.randrange(1, 10)) % 10
    return f"Ärende {body[:6]}-{body[6:]}{bad}"


def random_birth(rng, ref, child):
    if child:
        years = rng.randrange(3, 17)
    elif rng.random() < 0.01:
        years = rng.randrange(100, 104)
    else:
        years = rng.randrange(19, 95)
    year = ref.year - years
    return datetime.date(year, rng.randrange(1, 13), rng.randrange(1, 29))


# ---------------------------------------------------------------- MIME by hand

def qp(data):
    return quopri.encodestring(data).replace(b"\r\n", b"\n")


def b64(data):
    return base64.encodebytes(data)


def encode_text(rng, text, subtype="plain"):
    """A text part in a chosen charset and transfer encoding."""
    charset = rng.choices(["utf-8", "iso-8859-1", "windows-1252"], [6, 3, 2])[0]
    if charset == "windows-1252" and rng.random() < 0.5:
        text = text.replace(" - ", " \u2013 ")  # en dash: only in windows-1252
    if charset == "iso-8859-1":
        text = text.replace("\u2013", "-")
    data = text.encode(charset, errors="replace")
    cte = rng.choices(["8bit", "quoted-printable", "base64"], [4, 4, 2])[0]
    if charset == "iso-8859-1" and rng.random() < 0.05:
        charset = "us-ascii"  # a lying charset: 8-bit bytes declared ASCII
    body = {"8bit": lambda d: d, "quoted-printable": qp, "base64": b64}[cte](data)
    head = (f"Content-Type: text/{subtype}; charset=\"{charset}\"\n"
            f"Content-Transfer-Encoding: {cte}\n\n").encode()
    return head + body


def attachment(ctype, name, data):
    enc = Header(name, "utf-8").encode() if not name.isascii() else name
    head = (f"Content-Type: {ctype}; name=\"{enc}\"\n"
            f"Content-Disposition: attachment; filename=\"{enc}\"\n"
            "Content-Transfer-Encoding: base64\n\n").encode()
    return head + b64(data)


def multipart(rng, subtype, parts):
    boundary = f"=_bs{rng.getrandbits(64):016x}"
    out = [f"Content-Type: multipart/{subtype}; boundary=\"{boundary}\"\n\n"
           "This is a multi-part message in MIME format.\n".encode()]
    for p in parts:
        out.append(f"--{boundary}\n".encode())
        out.append(p)
        if not p.endswith(b"\n"):
            out.append(b"\n")
    out.append(f"--{boundary}--\n".encode())
    return b"".join(out)


def header_value(rng, value):
    if value.isascii():
        return value
    return Header(value, rng.choice(["utf-8", "iso-8859-1"])).encode()


def address(rng, name, email):
    if name.isascii():
        return formataddr((name, email))
    return formataddr((name, email), charset=rng.choice(["utf-8", "iso-8859-1"]))


def html_of(text):
    rows = []
    for line in text.split("\n"):
        esc = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        esc = esc.replace("å", "&aring;").replace("ä", "&auml;").replace("ö", "&ouml;")
        if ":" in esc and len(esc) < 60:
            k, v = esc.split(":", 1)
            rows.append(f"<tr><td><b>{k}</b></td><td>{v.strip()}</td></tr>")
        else:
            rows.append(f"<tr><td colspan=\"2\"><p>{esc}</p></td></tr>")
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>p{margin:0}</style>"
            "</head><body><table>" + "".join(rows) + "</table></body></html>\n")


# ------------------------------------------------------------ attachment files

def pdf_bytes(lines, compress):
    """A minimal valid one-page PDF with Helvetica text (WinAnsi)."""
    ops = ["BT", "/F1 11 Tf", "14 TL", "50 800 Td"]
    for line in lines:
        s = line.encode("cp1252", errors="replace")
        s = s.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
        ops.append("(" + s.decode("latin-1") + ") Tj T*")
    ops.append("ET")
    content = "\n".join(ops).encode("latin-1")
    filt = ""
    if compress:
        content = zlib.compress(content)
        filt = " /Filter /FlateDecode"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            f"<< /Length {len(content)}{filt} >>\nstream\n".encode() + content + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + o + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
              .encode())
    return out.getvalue()


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def docx_bytes(rng, lines):
    """A minimal DOCX; some numbers are split over two runs as Word does."""
    paras = []
    for line in lines:
        runs = [line]
        if rng.random() < 0.3 and len(line) > 8:
            cut = rng.randrange(1, len(line) - 1)
            runs = [line[:cut], line[cut:]]
        paras.append("<w:p>" + "".join(
            f"<w:r><w:t xml:space=\"preserve\">{xml_escape(r)}</w:t></w:r>" for r in runs)
            + "</w:p>")
    doc = ("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
           "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
           "<w:body>" + "".join(paras) + "</w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipinfo("[Content_Types].xml"),
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas."
                   "openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" "
                   "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
                   "<Default Extension=\"xml\" ContentType=\"application/xml\"/><Override "
                   "PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-"
                   "officedocument.wordprocessingml.document.main+xml\"/></Types>")
        z.writestr(zipinfo("_rels/.rels"),
                   "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://"
                   "schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id="
                   "\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                   "relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>")
        z.writestr(zipinfo("word/document.xml"), doc)
    return out.getvalue()


def zipinfo(name):
    """Fixed time stamps keep the output byte-identical for one seed."""
    zi = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    zi.compress_type = zipfile.ZIP_DEFLATED
    return zi


def zip_bytes(files):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            z.writestr(zipinfo(name), data)
    return out.getvalue()


def image_bytes(rng, size):
    """A binary blob with a JPEG header: a part scanners must skip as binary."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + rng.randbytes(size)


# --------------------------------------------------------------- the incident

class Incident:
    def __init__(self, args):
        self.rng = random.Random(args.seed)
        self.args = args
        self.start = datetime.datetime(2023, 9, 1, tzinfo=datetime.timezone.utc)
        self.end = datetime.datetime(2024, 10, 31, tzinfo=datetime.timezone.utc)
        n_res = max(20, args.messages // 5)
        ref = self.end.date()
        self.residents = []
        for i in range(n_res):
            child = self.rng.random() < 0.15
            sam = not child and self.rng.random() < 0.08
            birth = random_birth(self.rng, ref, child)
            if sam:
                birth = datetime.date(max(birth.year, 1960), birth.month, birth.day)
            self.residents.append(Person(self.rng, i, birth, sam))
        self.children = [p for p in self.residents if ref.year - p.birth.year < 18]
        self.staff = [(f"{f} {l}", f"{ascii_fold(f).lower()}.{ascii_fold(l).lower()}@{ORG_DOMAIN}",
                       role) for f, l, role in STAFF]
        self.owners = self.staff[:args.mailboxes]
        self.truth = {}
        self.stats = {p.canonical: set() for p in self.residents}
        self.rng_facts = random.Random(args.seed * 7919 + 17)
        self.depth = 0  # nesting of the text being written: 0 = the top message
        self.facts = {"sender": None, "self": set(), "protected": set()}

    def date(self):
        span = (self.end - self.start).total_seconds()
        d = self.start + datetime.timedelta(seconds=self.rng.random() * span)
        return d.astimezone(datetime.timezone(datetime.timedelta(hours=1)))

    def person_line(self, ids, who, ref, child_name=None):
        rng = self.rng
        ids.add((who.kind, who.canonical))
        if who.samordning:
            template = rng.choice(CONTEXT_SAM)
            self.note_self(template, who)
            return template.format(who.written(rng, ref, True))
        if child_name:
            return rng.choice(CONTEXT_CHILD).format(name=child_name, num=who.written(rng, ref))
        template = rng.choice(CONTEXT_PNR)
        self.note_self(template, who)
        return template.format(who.written(rng, ref, template.startswith("Personnummer")))

    def note_self(self, template, who):
        if template in SELF_TEMPLATES and self.depth == 0:
            self.facts["self"].add(who.canonical)

    def letter(self, ids, sender, topic, date, where_pnr=True):
        """Body text of a resident's letter; ids gets what it names."""
        rng = self.rng
        t = TOPICS[topic]
        lines = ["Hej!", ""]
        lines += rng.sample(t["lines"], k=min(len(t["lines"]), rng.randrange(1, 4)))
        if where_pnr:
            lines.append(self.person_line(ids, sender, date.date()))
            if self.rng_facts.random() < 0.08:
                lines.append(self.rng_facts.choice(PROTECTED_LINES))
                self.facts["protected"].add(sender.canonical)
        if topic == "school" and rng.random() < 0.6:
            child = rng.choice(self.children or self.residents)
            lines.append(self.person_line(ids, child, date.date(), child.first))
        lines += decoys(rng, date)
        lines += ["", rng.choice(SIGNOFF), sender.name,
                  f"Telefon {phone_written(rng, sender.phone)}"]
        filler = rng.randrange(0, self.args.filler + 1)
        lines += ["", "Bakgrund:"] + [rng.choice(t["lines"]) for _ in range(filler)]
        return "\n".join(lines) + "\n"

    def form_lines(self, ids, sender, date):
        rng = self.rng
        return ["Blankett: ansökan", f"Namn: {sender.name}",
                self.person_line(ids, sender, date.date()),
                f"Adress: {rng.choice(LAST)}vägen {rng.randrange(1, 80)}"] + decoys(rng, date)

    def attachments_for(self, ids, sender, date, kind):
        rng = self.rng
        if kind == "pdf":
            return [attachment("application/pdf", rng.choice(["ansokan.pdf", "intyg.pdf",
                               "läkarintyg.pdf"]),
                               pdf_bytes(self.form_lines(ids, sender, date),
                                         rng.random() < 0.6))]
        if kind == "docx":
            return [attachment("application/vnd.openxmlformats-officedocument."
                               "wordprocessingml.document", "underlag.docx",
                               docx_bytes(rng, self.form_lines(ids, sender, date)))]
        if kind == "csv":
            return [attachment("text/csv", "lista.csv", self.csv(ids, date).encode("utf-8"))]
        if kind == "zip":
            inner = [("lista.csv", self.csv(ids, date).encode("utf-8"))]
            if rng.random() < 0.5:
                self.depth += 1  # an archive member is one level down
                inner.append(("underlag.docx",
                              docx_bytes(rng, self.form_lines(ids, sender, date))))
                self.depth -= 1
            return [attachment("application/zip", "handlingar.zip", zip_bytes(inner))]
        return [attachment("image/jpeg", "bild.jpg",
                           image_bytes(rng, rng.randrange(30000, 150000)))]

    def csv(self, ids, date):
        rng = self.rng
        # "Ärende" labels case numbers in this corpus (a decoy context), so
        # the lists name their third column otherwise.
        rows = [rng.choice(["namn;personnummer;enhet", "Namn;Personnummer;Verksamhet",
                            "namn;pnr;handläggare"])]
        units = ["Socialtjänsten", "Grundskolan", "Hemtjänsten", "Elevhälsan"]
        for p in rng.sample(self.residents, k=min(len(self.residents), rng.randrange(2, 8))):
            rows.append(f"{p.name};{p.written(rng, date.date())};{rng.choice(units)}")
            ids.add((p.kind, p.canonical))
        return "\n".join(rows) + "\n"

    def headers(self, mid, frm, to, subject, date, with_date=True):
        rng = self.rng
        h = [f"Return-Path: <{to[1]}>",
             f"Received: from mx.{ORG_DOMAIN} by mail.{ORG_DOMAIN}; {format_datetime(date)}"]
        if with_date:
            h.append(f"Date: {format_datetime(date)}")
        h += [f"From: {address(rng, *frm)}", f"To: {address(rng, *to)}",
              f"Subject: {header_value(rng, subject)}", f"Message-ID: {mid}",
              "MIME-Version: 1.0"]
        return ("\n".join(h) + "\n").encode("ascii")

    def inbound(self, mid, owner, date):
        """A resident writes to staff: the most common message."""
        rng = self.rng
        ids = set()
        sender = rng.choice(self.residents)
        if self.depth == 0:
            self.facts["sender"] = sender.email
        topic = rng.choice(list(TOPICS))
        subject = rng.choice(TOPICS[topic]["subjects"])
        if rng.random() < 0.1 and not sender.samordning:
            subject += " " + sender.written(rng, date.date())
            ids.add((sender.kind, sender.canonical))
        att_kind = rng.choices(["", "pdf", "docx", "csv", "zip", "img"],
                               [45, 14, 10, 6, 5, 20])[0]
        text = self.letter(ids, sender, topic, date, where_pnr=att_kind in ("", "csv", "img")
                           or rng.random() < 0.5)
        emails = {sender.email}
        if rng.random() < 0.3:
            body = multipart(rng, "alternative", [encode_text(rng, text),
                                                   encode_text(rng, html_of(text), "html")])
        elif rng.random() < 0.1:
            body = encode_text(rng, html_of(text), "html")
        else:
            body = encode_text(rng, text)
        if att_kind:
            body = multipart(rng, "mixed", [body] + self.attachments_for(ids, sender, date,
                                                                        att_kind))
        head = self.headers(mid, (sender.name, sender.email), owner[:2], subject, date,
                            with_date=rng.random() > 0.03)
        return head + body, ids, emails

    def reply(self, mid, owner, date):
        """Staff answer, quoting the resident's letter."""
        rng = self.rng
        ids = set()
        to = rng.choice(self.residents)
        topic = rng.choice(list(TOPICS))
        quoted = self.letter(ids, to, topic, date)
        text = (f"Hej {to.first}!\n\nTack för ditt meddelande. Vi återkommer inom två veckor.\n\n"
                f"{owner[0]}\n{owner[2]}, {ORG_DOMAIN}\n\n"
                + "".join("> " + line + "\n" for line in quoted.splitlines()))
        body = self.with_logo(encode_text(rng, text))
        head = self.headers(mid, owner[:2], (to.name, to.email),
                            "SV: " + rng.choice(TOPICS[topic]["subjects"]), date)
        return head + body, ids, {to.email}

    def with_logo(self, body):
        """Half of staff mail carries the municipality's logo (binary, skipped)."""
        rng = self.rng
        if rng.random() < 0.5:
            return body
        return multipart(rng, "related", [body, attachment(
            "image/png", "logo.png", b"\x89PNG\r\n\x1a\n" + rng.randbytes(rng.randrange(4000, 16000)))])

    def forward(self, mid, owner, date):
        """Staff forwards a resident's message to a colleague (message/rfc822)."""
        rng = self.rng
        self.depth += 1
        inner, ids, emails = self.inbound(f"<fwd.{mid[1:]}", owner, date)
        self.depth -= 1
        colleague = rng.choice([s for s in self.staff if s != owner])
        note = encode_text(rng, "Hej,\n\nSe vidarebefordrat ärende nedan, kan du ta det?\n\n"
                           f"/{owner[0]}\n")
        body = multipart(rng, "mixed", [note, b"Content-Type: message/rfc822\n"
                                        b"Content-Disposition: inline\n\n" + inner])
        head = self.headers(mid, owner[:2], colleague[:2], "VB: Ärende", date)
        return head + body, ids, emails

    def internal(self, mid, owner, date):
        """A staff message with no personal numbers: only decoys."""
        rng = self.rng
        colleague = rng.choice([s for s in self.staff if s != owner])
        text = "\n".join(["Hej alla,", ""] + rng.sample(NEUTRAL_LINES, 2) + decoys(rng, date)
                         + ["", owner[0], f"Org.nr 212000-{rng.randrange(1000, 9999)}"]) + "\n"
        body = self.with_logo(encode_text(rng, text))
        if rng.random() < 0.2:
            body = multipart(rng, "mixed", [body, attachment(
                "application/pdf", "protokoll.pdf",
                pdf_bytes(["Protokoll", "Närvarande: " + owner[0]] + decoys(rng, date),
                          True))])
        head = self.headers(mid, colleague[:2], owner[:2], rng.choice(NEUTRAL_SUBJECTS), date)
        return head + body, set(), set()

    def message(self, n, owner):
        rng = self.rng
        date = self.date()
        mid = f"<{self.args.seed}.{n}@gen.{ORG_DOMAIN}>"
        kind = rng.choices(["inbound", "reply", "forward", "internal"], [60, 15, 8, 17])[0]
        self.facts = {"sender": None, "self": set(), "protected": set()}
        data, ids, emails = getattr(self, kind)(mid, owner, date)
        folder = {"inbound": rng.choice(["INBOX", "INBOX", "Ärenden", "Ärenden/Skola"]),
                  "reply": "Skickat", "forward": "Skickat", "internal": "INBOX"}[kind]
        return mid, date, folder, data, ids, emails


# ------------------------------------------------------------------- writers

# Maildir++ folder directories as Dovecot and Courier write them: names in
# IMAP's modified UTF-7 (RFC 3501 5.1.3), "." between levels.
MAILDIR_FOLDER = {"INBOX": "", "Skickat": ".Skickat", "Ärenden": ".&AMQ-renden",
                  "Ärenden/Skola": ".&AMQ-renden.Skola"}


def mbox_quote(data):
    """mboxrd: every line starting with >*From gets one more '>'."""
    out = []
    for line in data.split(b"\n"):
        stripped = line.lstrip(b">")
        if stripped.startswith(b"From "):
            line = b">" + line
        out.append(line)
    return b"\n".join(out)


class MboxWriter:
    def __init__(self, path):
        self.fp = open(path, "wb")

    def add(self, n, date, folder, data, crlf=False):
        frm = date.astimezone(datetime.timezone.utc).strftime("%a %b %d %H:%M:%S %Y")
        rec = b"From MAILER-DAEMON " + frm.encode() + b"\n" + mbox_quote(data)
        if not rec.endswith(b"\n"):
            rec += b"\n"
        rec += b"\n"
        if crlf:
            rec = rec.replace(b"\n", b"\r\n")
        self.fp.write(rec)
        return f"offset:{self.fp.tell() - len(rec)}"

    def close(self):
        self.fp.close()


class MaildirWriter:
    def __init__(self, path):
        self.path = path
        for f in MAILDIR_FOLDER.values():
            for sub in ("cur", "new", "tmp"):
                os.makedirs(os.path.join(path, f, sub), exist_ok=True)

    def add(self, n, date, folder, data, crlf=False):
        sub = "cur" if n % 5 else "new"
        name = f"{int(date.timestamp())}.M{n}P1.gen"
        flags = ":2,S" if sub == "cur" else ""
        path = os.path.join(self.path, MAILDIR_FOLDER[folder], sub, name + flags)
        with open(path, "wb") as fp:
            fp.write(data)
        t = date.timestamp()
        os.utime(path, (t, t))
        disk = MAILDIR_FOLDER[folder][1:].replace(".", "/") or "INBOX"
        return f"{disk}/{sub}/{name}"  # the locator keeps the name as on disk

    def close(self):
        pass


def plan_size(args):
    sizes = {"tiny": 120, "small": 600, "demo": 3000, "bench": 11000}
    if args.messages is None:
        args.messages = sizes[args.size]


def scope_for(inc, boxes, msgs):
    """Scope file: most mailboxes compromised; some messages accessed/synced."""
    rng = random.Random(inc.args.seed + 1)
    accounts = []
    for i, (owner, path) in enumerate(boxes):
        if i == len(boxes) - 1 and len(boxes) > 1:
            continue  # the last mailbox was not compromised
        items = []
        for mid, m in msgs.items():
            if m["mailbox"] != owner[1]:
                continue
            r = rng.random()
            if r < 0.15:
                items.append({"message_id": mid, "grade": "accessed"})
            elif r < 0.35 and m["folder"] == "Skickat":
                items.append({"message_id": mid, "grade": "synced"})
        accounts.append({
            "account": owner[1], "mailboxes": [path],
            "windows": [{"from": "2024-09-02T06:10:00Z", "to": "2024-09-04T15:30:00Z"}],
            "items": items,
            "folders": [{"folder": "Skickat", "grade": "synced", "from": "2024-09-02T06:40:00Z",
                         "to": "2024-09-02T06:41:00Z"}] if i == 0 else [],
            "evidence": [{"rule": "ioc-address", "time": "2024-09-02T06:10:00Z",
                          "ip": "192.0.2.45", "record": f"signin-{i + 1}"}]})
    throttled = [{"account": boxes[0][0][1], "from": "2024-09-03T00:00:00Z",
                  "to": "2024-09-04T00:00:00Z"}] if boxes else []
    return {"version": 1, "accounts": accounts, "throttled": throttled}


def generate(args):
    plan_size(args)
    inc = Incident(args)
    out = os.path.abspath(args.out)
    os.makedirs(os.path.join(out, "mailboxes"), exist_ok=True)
    boxes, writers = [], []
    for i, owner in enumerate(inc.owners):
        local = owner[1].split("@")[0]
        fmt = args.format if args.format != "mixed" else ("mbox" if i % 2 else "maildir")
        if args.one_mbox:
            fmt = "mbox"
        if fmt == "mbox":
            path = os.path.abspath(args.one_mbox) if args.one_mbox else \
                os.path.join(out, "mailboxes", local + ".mbox")
            w = writers[0] if (args.one_mbox and writers) else MboxWriter(path)
        else:
            path = os.path.join(out, "mailboxes", local)
            w = MaildirWriter(path)
        boxes.append((owner, path))
        writers.append(w)
    msgs = {}
    total = 0
    target = args.megabytes * 1e6 if args.megabytes else None
    n = 0
    while (total < target) if target else (n < args.messages):
        idx = n % len(boxes)
        owner = boxes[idx][0]
        mid, date, folder, data, ids, emails = inc.message(n, owner)
        crlf = args.format != "maildir" and idx == 1 and n % 7 == 0
        loc = writers[idx].add(n, date, folder, data, crlf)
        total += len(data)
        if not args.no_truth:
            msgs[mid] = {"mailbox": owner[1], "folder": folder, "locator": loc,
                         "date": date.astimezone(datetime.timezone.utc).strftime("%Y-%m-%d"),
                         "pnr": sorted(c for k, c in ids if k == "pnr"),
                         "samordningsnummer": sorted(c for k, c in ids
                                                     if k == "samordningsnummer"),
                         "emails": sorted(emails), "sender": inc.facts["sender"],
                         "self": sorted(inc.facts["self"]),
                         "protected": sorted(inc.facts["protected"])}
            for k, c in ids:
                inc.stats[c].add(mid)
        n += 1
    for w in {id(w): w for w in writers}.values():
        w.close()
    if not args.no_truth:
        write_truth(inc, out, boxes, msgs)
    print(json.dumps({"messages": n, "bytes": total, "out": out}))


def write_truth(inc, out, boxes, msgs):
    residents = []
    for p in inc.residents:
        mids = sorted(inc.stats[p.canonical])
        dates = sorted(msgs[m]["date"] for m in mids)
        residents.append({
            "name": p.name, "kind": p.kind, "canonical": p.canonical,
            "written": f"{p.canonical[2:8]}-{p.canonical[8:]}", "email": p.email,
            "phone": p.phone, "messages": len(mids), "first": dates[0] if dates else None,
            "last": dates[-1] if dates else None,
            "mailboxes": sorted({msgs[m]["mailbox"] for m in mids}),
            "child": inc.end.year - p.birth.year < 18})
    truth = {"seed": inc.args.seed, "org_domains": [ORG_DOMAIN],
             "mailboxes": [{"owner": o[1], "path": p,
                            "format": "mbox" if p.endswith(".mbox") else "maildir"}
                           for o, p in boxes],
             "messages": msgs, "residents": residents}
    with open(os.path.join(out, "truth.json"), "w") as fp:
        json.dump(truth, fp, ensure_ascii=False, indent=0, sort_keys=True)
    with open(os.path.join(out, "scope.json"), "w") as fp:
        json.dump(scope_for(inc, boxes, msgs), fp, ensure_ascii=False, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--size", choices=["tiny", "small", "demo", "bench"], default="small")
    ap.add_argument("--messages", type=int, help="number of messages (overrides --size)")
    ap.add_argument("--megabytes", type=float, help="generate until this many MB")
    ap.add_argument("--format", choices=["maildir", "mbox", "mixed"], default="mixed")
    ap.add_argument("--mailboxes", type=int, default=4, help="number of mailboxes (1-6)")
    ap.add_argument("--filler", type=int, default=12,
                    help="max background lines per letter (message size)")
    ap.add_argument("--one-mbox", help="write every message into this one mbox file")
    ap.add_argument("--no-truth", action="store_true", help="skip truth.json and scope.json")
    args = ap.parse_args()
    args.mailboxes = max(1, min(args.mailboxes, len(STAFF)))
    generate(args)


if __name__ == "__main__":
    sys.exit(main())
