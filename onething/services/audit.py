"""Checking the audit trail of every case for tampering."""

from __future__ import annotations

from onething.domain.audit import Entry, verify
from storage.models import Application, AuditEvent


async def check_case(application_id: int) -> int | None:
    rows = await AuditEvent.filter(application_id=application_id).order_by("seq")
    return verify([
        Entry(seq=r.seq, actor=r.actor, role=r.role, action=r.action, from_state=r.from_state,
              to_state=r.to_state, item=r.item, note=r.note, at=r.at, prev_hash=r.prev_hash, hash=r.hash)
        for r in rows
    ])


async def check_all() -> list[tuple[str, int]]:
    """Every case whose trail does not verify, with the first bad event."""
    broken = []
    for application_id, number in await Application.all().order_by("id").values_list("id", "number"):
        seq = await check_case(application_id)
        if seq is not None:
            broken.append((number, seq))
    return broken
