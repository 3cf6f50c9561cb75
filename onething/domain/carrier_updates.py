"""Tracking updates a carrier's system pushes to us: what they mean and how they are signed.

The carrier signs ``<timestamp>.<body>`` with HMAC-SHA256 under the secret agreed with it. The
timestamp bounds how long a captured request stays usable; the service remembers each request
for longer than that, so within the window a replay is recognised as well. It remembers what
was signed, not how the header spelled the signature: a captured request with a space, a
no-break space or the hex in capitals is still the same request.
"""

from __future__ import annotations

import hashlib
import hmac
import re

MAX_SKEW_SECONDS = 300
MAX_BODY_BYTES = 16 * 1024
# A carrier's event name -> the courier action it stands for.
EVENTS = {"picked_up": "pickup", "out_for_delivery": "out_for_delivery", "delivered": "deliver",
          "failed": "fail", "returned": "return"}
# ASCII only: str.isdigit, str.strip and \s would let other scripts' digits and spaces through
TIMESTAMP = re.compile(r"[0-9]{1,12}", re.ASCII)
SIGNATURE = re.compile(r"sha256=([0-9a-f]{64})", re.ASCII | re.IGNORECASE)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return f"sha256={_digest(secret, timestamp, body).hex()}"


def _digest(secret: str, timestamp: str, body: bytes) -> bytes:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).digest()


def check(secret: str, timestamp: str, body: bytes, signature: str, now: float) -> str | None:
    """None when the update is genuine and fresh, else why not ("stale" or "bad_signature")."""
    if not TIMESTAMP.fullmatch(timestamp) or abs(now - int(timestamp)) > MAX_SKEW_SECONDS:
        return "stale"
    parsed = SIGNATURE.fullmatch(signature)
    if parsed is None or not hmac.compare_digest(_digest(secret, timestamp, body), bytes.fromhex(parsed[1])):
        return "bad_signature"
    return None


def fingerprint(timestamp: str, body: bytes) -> str:
    """What a genuine update is remembered by: what its signature covers, however it was spelled."""
    return hashlib.sha256(timestamp.encode() + b"." + body).hexdigest()
