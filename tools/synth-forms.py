#!/usr/bin/env python3
"""Prints one synthetic personnummer (computed check digit) in its written forms."""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from synth import birth_serial, pnr  # noqa: E402


if __name__ == "__main__":
    rng = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
    c = pnr(1984, 3, 14, birth_serial(rng, male=True))
    print(c, f"{c[:8]}-{c[8:]}", c[2:], f"{c[2:8]}-{c[8:]}")
