"""The back-office inbox: notices for one staff member, or shared by a role (a team's inbox).

Notices are written in the transaction of the change they report, with their text rendered
from ``templates/staff_<kind>.txt.j2`` at that moment, so the inbox reads as it was then.
A notice to a role is one shared row: the first of that role to read it marks it read for all
(the service centre works its inbox as a team).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import jinja2
from tortoise.expressions import Q

from onething.services.staff import StaffSession
from storage.models import StaffNotice

PAGE = 100


async def post(templates: jinja2.Environment, kind: str, context: dict[str, Any], now: datetime, conn, *,
               staff_id: int | None = None, role: str | None = None, payload: dict | None = None) -> StaffNotice:
    notice = unsaved(templates, kind, context, now, staff_id=staff_id, role=role, payload=payload)
    await notice.save(using_db=conn)
    return notice


def unsaved(templates: jinja2.Environment, kind: str, context: dict[str, Any], now: datetime, *,
            staff_id: int | None = None, role: str | None = None, payload: dict | None = None) -> StaffNotice:
    """A notice rendered now, not yet written."""
    if (staff_id is None) == (role is None):
        raise ValueError("a notice goes to one staff member or to one role")
    return StaffNotice(**rows_to(templates, kind, context, now, [{"staff_id": staff_id, "role": role}],
                                 payload=payload)[0])


def rows_to(templates: jinja2.Environment, kind: str, context: dict[str, Any], now: datetime,
            recipients: list[dict], *, payload: dict | None = None) -> list[dict]:
    """The same notice (rendered once) for each recipient (``{"staff_id": ...}`` or ``{"role": ...}``),
    as rows for a caller that writes many at once (``storage.updates.insert_many``)."""
    text = templates.get_template(f"staff_{kind}.txt.j2").render(**context).strip() if recipients else ""
    return [{"staff_id": to.get("staff_id"), "role": to.get("role"), "kind": kind, "text": text,
             "payload": payload or {}, "created_at": now} for to in recipients]


def _mine(session: StaffSession):
    return StaffNotice.filter(Q(staff_id=session.id) | Q(staff_id=None, role=session.role))


async def inbox(session: StaffSession) -> tuple[list[StaffNotice], int]:
    """Unread first, then newest first; and how many are unread."""
    unread = await _mine(session).filter(read_at__isnull=True).order_by("-id").limit(PAGE)
    read = await _mine(session).filter(read_at__isnull=False).order_by("-id").limit(max(PAGE - len(unread), 0))
    return [*unread, *read], await _mine(session).filter(read_at__isnull=True).count()


async def mark_read(session: StaffSession, notice_id: int, now: datetime) -> StaffNotice | None:
    """None when the notice is not in this person's inbox (someone else's does not exist for them)."""
    await _mine(session).filter(id=notice_id, read_at__isnull=True).update(read_at=now, read_by=session.username)
    return await _mine(session).get_or_none(id=notice_id)


def notice_json(row: StaffNotice) -> dict:
    return {"id": row.id, "kind": row.kind, "text": row.text, "payload": row.payload,
            "shared_with": row.role, "created_at": row.created_at.isoformat(),
            "read_at": row.read_at.isoformat() if row.read_at else None, "read_by": row.read_by}
