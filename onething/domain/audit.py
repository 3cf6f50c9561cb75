"""The audit trail's tamper evidence: each event's hash covers its content and the previous hash.

Changing, removing or reordering any event breaks every hash after it, and ``verify`` says where.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

GENESIS = "0" * 64


@dataclass(frozen=True)
class Entry:
    seq: int
    actor: str
    role: str
    action: str
    from_state: str
    to_state: str
    item: str | None
    note: str
    at: datetime
    prev_hash: str
    hash: str = ""


def entry_hash(entry: Entry) -> str:
    content = json.dumps(
        [entry.seq, entry.actor, entry.role, entry.action, entry.from_state, entry.to_state,
         entry.item, entry.note, entry.at.isoformat(timespec="microseconds"), entry.prev_hash],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(content.encode()).hexdigest()


def verify(entries: list[Entry]) -> int | None:
    """Return the sequence number of the first event that does not check out, or None."""
    previous = GENESIS
    for expected_seq, entry in enumerate(entries, start=1):
        if entry.seq != expected_seq or entry.prev_hash != previous or entry.hash != entry_hash(entry):
            return entry.seq
        previous = entry.hash
    return None
