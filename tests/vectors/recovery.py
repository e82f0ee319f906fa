#!/usr/bin/env python3
"""Known answers for till-kiosk's recovery codes, computed outside the crate.

The service desk's tool and the tills in the field must agree forever, so
the derivation (docs/security.md, "Recovery codes") is written out again
here with nothing but Python's hmac and hashlib, and its answers are kept in
recovery.json, which tests/recovery_known_answers.rs checks the crate
against. Run from the repository root to regenerate (the answers must not
change):

    python3 tests/vectors/recovery.py > tests/vectors/recovery.json
"""
import hashlib
import hmac
import json


def h(key: bytes, *parts: bytes) -> bytes:
    """HMAC-SHA-256 over each part, each preceded by its length (8 bytes, big-endian)."""
    m = hmac.new(key, digestmod=hashlib.sha256)
    for p in parts:
        m.update(len(p).to_bytes(8, "big"))
        m.update(p)
    return m.digest()


def till_key(master: bytes, serial: str) -> bytes:
    return h(master, b"till-kiosk/till-key/v1", serial.encode())


def response(key: bytes, serial: str, nonce: str) -> str:
    m = h(key, b"till-kiosk/recovery/v1", serial.encode(), nonce.encode())
    return "%012d" % (int.from_bytes(m[:8], "big") % 10**12)


CASES = [
    (bytes(range(32)), "10000000a1b2c3d4", "12345678"),
    (bytes(range(32)), "10000000a1b2c3d4", "00000000"),
    (bytes(range(32)), "10000000a1b2c3d4", "99999999"),
    (b"service-desk master key, 32 bytes or more!", "10000000a1b2c3d4", "31415926"),
    (b"service-desk master key, 32 bytes or more!", "3d1219c7c4c5404aaa1f6d2a48adfda4", "27182818"),
    (bytes([0xFF]) * 64, "a", "00000001"),
    (hashlib.sha256(b"another desk").digest(), "00000000deadbeef", "05550123"),
]

vectors = []
for master, serial, nonce in CASES:
    k = till_key(master, serial)
    vectors.append({
        "master_key_hex": master.hex(),
        "serial": serial,
        "nonce": nonce,
        "till_key_hex": k.hex(),
        "response": response(k, serial, nonce),
    })
print(json.dumps({"vectors": vectors}, indent=2))
