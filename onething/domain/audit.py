"""The audit trails' tamper evidence: each event's hash covers its content and the previous hash,
and the trail's owner keeps its head (how many events, the last hash).

Changing, removing or reordering any event breaks every hash after it; removing the last events
leaves a chain that still links but no longer reaches the head. ``check`` says where either
happened. Cases, enterprises and issues keep trails of their own, chained the same way.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone

GENESIS = "0" * 64


@dataclass(frozen=True)
class Link:
    """One event of a trail: its number, the values its hash covers (in order), and the chain."""

    seq: int
    content: tuple
    prev_hash: str
    hash: str = ""


@dataclass(frozen=True)
class Head:
    """What the trail's owner says the trail is: its number of events and its last hash."""

    count: int = 0
    hash: str = GENESIS


@dataclass(frozen=True)
class Break:
    """The first event that does not check out, and why: ``altered`` (its content or its link),
    ``missing`` (an event the chain or the head says exists is not there), ``unrecorded`` (an
    event beyond what the head records), ``head`` (the trail's end is not the head's hash)."""

    seq: int
    reason: str


def stamp(value: datetime | date | None) -> str | None:
    """The form a time takes in a hash: UTC with microseconds, however the database hands it back."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return value.isoformat(timespec="microseconds")
    return value.isoformat() if isinstance(value, date) else value


def link_hash(seq: int, content: tuple, prev_hash: str) -> str:
    return hashlib.sha256(_encode([seq, *content, prev_hash]).encode()).hexdigest()


# json.dumps with these options, without making an encoder for every event: the text hashed never changes
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def chain(contents: list[tuple], head: Head) -> list[Link]:
    """Links for new events appended after ``head``."""
    links, seq, previous = [], head.count, head.hash
    for content in contents:
        seq += 1
        link = Link(seq, content, previous, link_hash(seq, content, previous))
        links.append(link)
        previous = link.hash
    return links


def check(links: list[Link], head: Head) -> Break | None:
    """The first event of a trail (ordered by seq) that does not check out against its head, or None."""
    previous = GENESIS
    for expected_seq, link in enumerate(links, start=1):
        if link.seq > expected_seq:
            return Break(expected_seq, "missing")
        if link.seq != expected_seq or link.prev_hash != previous or link.hash != link_hash(
                link.seq, link.content, link.prev_hash):
            return Break(link.seq, "altered")
        previous = link.hash
    if head.count > len(links):
        return Break(len(links) + 1, "missing")
    if head.count < len(links):
        return Break(head.count + 1, "unrecorded")
    if head.hash != previous:
        return Break(head.count, "head")
    return None
