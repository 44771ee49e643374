"""Synthetic Swedish identifiers for the generators in tools/ and the tests:
Luhn check digits, personnummer and samordningsnummer assembled from a date
and a serial, organisation numbers.

Privacy rule: every personnummer in this tree is computed (here, or by
tests/lib/synth.h for the C tests), never pasted. Standard library only
(Python 3.11, Debian 12).

The generators are seeded and their output must stay byte-identical for a
seed: the one helper that takes an rng, birth_serial(), makes exactly the
call its docstring names, and the others make none. Random choices that
differ between generators (which digits an organisation number starts
with, how a serial is drawn) stay in the generators.

Use from tools/: sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)));
from tests: sys.path.insert(0, os.path.join(BS_SOURCE_ROOT, "tools"))."""


def luhn_digit(digits):
    """The check digit (an int 0-9) that completes the string digits under
    the Luhn (mod 10) rule: the rightmost digit and every second one to its
    left are doubled, a doubled digit over 9 counting as its digit sum.
    A personnummer's check digit covers its ten-digit form, so pass the nine
    digits YYMMDDNNN; an organisation number's, its first nine digits."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return (10 - total % 10) % 10


def luhn_ok(number):
    """True when the last digit of number is the Luhn check digit of the
    rest (pass the ten-digit form of a personnummer)."""
    return luhn_digit(number[:-1]) == int(number[-1])


def luhn_complete(digits):
    """digits with its Luhn check digit appended (a card or OCR number)."""
    return digits + str(luhn_digit(digits))


def pnr(year, month, day, serial, samordning=False):
    """A canonical personnummer, 12 digits YYYYMMDDNNNC, of a person born on
    year-month-day with birth serial NNN (0-999; odd for men, even for
    women). With samordning the day is written plus 60: a
    samordningsnummer. The check digit C covers YYMMDDNNN, as in the
    ten-digit form."""
    day += 60 if samordning else 0
    body = f"{year:04d}{month:02d}{day:02d}{serial:03d}"
    return body + str(luhn_digit(body[2:]))


def birth_serial(rng, male):
    """A birth serial for pnr() whose parity gives the sex (odd for men, even
    for women), from one call rng.randrange(1, 500). A man's serial 001
    comes out as 002, as the generators have always drawn it (kept so that
    a seed's output does not change)."""
    serial = rng.randrange(1, 500) * 2 - (1 if male else 0)
    return max(serial, 2)


def orgnr(body):
    """A ten-digit organisation number: body (nine digits) and its Luhn
    check digit. The third digit of an organisation number is 2 or more, so
    it never reads as a birth month; body must keep that."""
    if len(body) != 9 or not body.isdigit() or body[2] < "2":
        raise ValueError(f"not the first nine digits of an organisation number: {body!r}")
    return luhn_complete(body)
