#!/usr/bin/env python3
"""Prints one synthetic personnummer (computed check digit) in its written forms."""
import random
import sys


def luhn_digit(digits):
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10


def synth_pnr(rng, year, month, day, samordning=False, male=True):
    serial = rng.randrange(1, 500) * 2 - (1 if male else 0)
    serial = max(serial, 2)
    body = f"{year:04d}{month:02d}{day + (60 if samordning else 0):02d}{serial:03d}"
    return body + str(luhn_digit(body[2:]))


if __name__ == "__main__":
    rng = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
    c = synth_pnr(rng, 1984, 3, 14)
    print(c, f"{c[:8]}-{c[8:]}", c[2:], f"{c[2:8]}-{c[8:]}")
