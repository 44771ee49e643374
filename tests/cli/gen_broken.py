#!/usr/bin/env python3
"""Writes a directory of deliberately broken messages (one .eml each) and
prints the expectation per file as JSON: {"file": [status, defect-name]}.

  gen_broken.py DIR > expect.json

Kinds: truncated, wrong boundary, bad base64, lying charset, zip bomb,
50-level nesting, empty file, binary garbage, a message over the size cap
(the test sets [scan] max_message_bytes below it). Synthetic content only.
"""
import io
import json
import os
import sys
import zipfile

HEAD = "From: Anna Ek <anna@example.org>\r\nTo: handl@kommun.example\r\nSubject: {s}\r\n"


def zip_bomb():
    """A small zip whose one member expands 1000-fold (ratio guard)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("nollor.txt", b"0" * (16 << 20))
    return out.getvalue()


def b64(data):
    import base64
    return base64.encodebytes(data).decode()


def nested(levels):
    msg = HEAD.format(s="level 0") + "Content-Type: text/plain\r\n\r\nlevel 0\r\n"
    for i in range(1, levels + 1):
        msg = HEAD.format(s=f"level {i}") + "Content-Type: message/rfc822\r\n\r\n" + msg
    return msg.encode()


def messages():
    yield "truncated.eml", "partial", "truncated", (
        HEAD.format(s="cut") + "Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n"
        "Content-Type: text/plain\r\n\r\nthe text stops he").encode()
    yield "wrong-boundary.eml", "partial", "truncated", (
        HEAD.format(s="boundary") + "Content-Type: multipart/mixed; boundary=AAA\r\n\r\n"
        "--BBB\r\nContent-Type: text/plain\r\n\r\nhidden\r\n--BBB--\r\n").encode()
    yield "bad-base64.eml", "partial", "bad-transfer-encoding", (
        HEAD.format(s="base64") + "Content-Type: text/plain\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\nSGVqIH!!!Zp\r\n").encode()
    yield "lying-charset.eml", "ok", "charset-fallback", (
        HEAD.format(s="charset") + "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        ).encode() + "Hej, jag söker bistånd för vår familj.\r\n".encode("latin-1")
    yield "zip-bomb.eml", "partial", "ratio-limit", (
        HEAD.format(s="bomb") + "Content-Type: multipart/mixed; boundary=Z\r\n\r\n--Z\r\n"
        "Content-Type: application/zip; name=\"a.zip\"\r\nContent-Transfer-Encoding: base64\r\n"
        "\r\n" + b64(zip_bomb()) + "--Z--\r\n").encode()
    yield "nested-50.eml", "partial", "depth-limit", nested(50)
    yield "empty.eml", "failed", "unparsable", b""
    yield "garbage.eml", "failed", "unparsable", bytes(range(1, 32)) * 40
    yield "too-large.eml", "failed", "max_message_bytes", (
        HEAD.format(s="large") + "Content-Type: text/plain\r\n\r\n"
        + ("0123456789 " * 9 + "\r\n") * 4000).encode()


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    expect = {}
    for name, status, reason, data in messages():
        with open(os.path.join(out, name), "wb") as fp:
            fp.write(data)
        expect[name] = [status, reason]
    json.dump(expect, sys.stdout, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
