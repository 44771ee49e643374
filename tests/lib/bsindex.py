"""What the Python test helpers need to read a workspace's index as the C
store wrote it, in one place so the contract is written once.

pseudonym() is docs/contracts.md "Pseudonyms": BLAKE2b-256 keyed with the
workspace's pseudonym.key over "kind_name:canonical" (UTF-8), the raw 32
bytes as stored in the subject.pseudonym BLOB. tests/unit/test-crypto.c pins
the C side to the same function with a value computed by hashlib.

Test-only, standard library only. Use from tests/cli:
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
"..", "lib")); from tests/lib the script's own directory is on sys.path."""
import hashlib
import os


def read_key(ws):
    """The workspace's pseudonym key, the bytes of WS/pseudonym.key."""
    with open(os.path.join(ws, "pseudonym.key"), "rb") as f:
        return f.read()


def pseudonym(key, kind, canonical):
    """The 32-byte pseudonym of (kind, canonical) under key, as the index
    stores it; .hex() gives the lower-case form reports and the API show."""
    return hashlib.blake2b(f"{kind}:{canonical}".encode(), key=key, digest_size=32).digest()
