"""The three hash-chained trails (a case's, an enterprise's, an issue's): appending to them and
reading them back for the check.

An append first bumps the owner's ``trail_count``, which takes the owner's row lock: a second
append to the same trail waits for this transaction, then reads the head it left, so the chain
never forks. The head is written in the same transaction as the events it covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Callable

from tortoise.expressions import F
from tortoise.models import Model

from onething.domain.audit import Head, Link, chain, stamp
from storage import updates
from storage.models import Application, AuditEvent, Enterprise, EnterpriseEvent, Issue, IssueEvent


@dataclass(frozen=True)
class Trail:
    kind: str  # case | enterprise | issue: how the check names it
    owner: type[Model]
    event: type[Model]
    owner_field: str  # the event's column naming its owner
    label: str  # the owner's column that names it to people
    content: Callable[[Model], tuple]  # what an event's hash covers, in order


CASE = Trail("case", Application, AuditEvent, "application_id", "number", lambda e: (
    e.actor, e.role, e.action, e.from_state, e.to_state, e.item, e.note, stamp(e.at)))
ENTERPRISE = Trail("enterprise", Enterprise, EnterpriseEvent, "enterprise_id", "credit_code", lambda e: (
    e.actor, e.action, e.note, stamp(e.at)))
ISSUE = Trail("issue", Issue, IssueEvent, "issue_id", "id", lambda e: (
    e.actor, e.role, e.action, e.from_state, e.to_state, e.level, stamp(e.due_on), e.note, stamp(e.at)))
TRAILS = (CASE, ENTERPRISE, ISSUE)


async def append(trail: Trail, owner_id: int, events: list[dict], conn) -> None:
    """Write ``events`` (column values, ``at`` included) at the end of the owner's trail, in ``conn``'s transaction."""
    if not events:
        return
    await trail.owner.filter(id=owner_id).using_db(conn).update(trail_count=F("trail_count") + len(events))
    [(count, last)] = await trail.owner.filter(id=owner_id).using_db(conn).values_list("trail_count", "trail_head")
    rows = following(trail, owner_id, events, Head(count - len(events), last))
    await write(trail, rows, conn)
    await trail.owner.filter(id=owner_id).using_db(conn).update(trail_head=rows[-1]["hash"])


def following(trail: Trail, owner_id: int, events: list[dict], head: Head) -> list[dict]:
    """The event rows (column values) that follow ``head``, linked and hashed, not yet written: for
    a caller that holds the owner's row lock and knows its head (a case saved under its version
    check), which writes the new head with its own update of the owner and the rows at once (``write``)."""
    rows = [{trail.owner_field: owner_id, **values} for values in events]
    for row, link in zip(rows, chain([trail.content(SimpleNamespace(**row)) for row in rows], head)):
        row.update(seq=link.seq, prev_hash=link.prev_hash, hash=link.hash)
    return rows


async def write(trail: Trail, rows: list[dict], conn) -> None:
    """The rows in one INSERT: a sweep writes the events of a hundred cases at once."""
    await updates.insert_many(conn, trail.event, rows)


async def read(trail: Trail, owner_id: int) -> list[Link]:
    rows = await trail.event.filter(**{trail.owner_field: owner_id}).order_by("seq", "id")
    return [Link(r.seq, trail.content(r), r.prev_hash, r.hash) for r in rows]
