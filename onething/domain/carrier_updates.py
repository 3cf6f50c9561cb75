"""Tracking updates a carrier's system pushes to us: what they mean and how they are signed.

The carrier signs ``<timestamp>.<body>`` with HMAC-SHA256 under the secret agreed with it. The
timestamp bounds how long a captured request stays usable; the service remembers signatures
for longer than that, so within the window a replay is recognised as well.
"""

from __future__ import annotations

import hashlib
import hmac

MAX_SKEW_SECONDS = 300
MAX_BODY_BYTES = 16 * 1024
# A carrier's event name -> the courier action it stands for.
EVENTS = {"picked_up": "pickup", "out_for_delivery": "out_for_delivery", "delivered": "deliver",
          "failed": "fail", "returned": "return"}


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def check(secret: str, timestamp: str, body: bytes, signature: str, now: float) -> str | None:
    """None when the update is genuine and fresh, else why not ("stale" or "bad_signature")."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > MAX_SKEW_SECONDS:
        return "stale"
    if not hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.strip().encode()):
        return "bad_signature"
    return None
