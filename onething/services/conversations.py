"""A manager's threads with their enterprises: what a message says, sending it (a document is
checked whole before it is kept), reading a thread, broadcasting one notice to many.

A message is text, a thing's one-time notice, a case's status card or a document; it goes to
all the enterprise's reachable contacts or to those named.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, AsyncIterable

import jinja2
from tortoise.expressions import Q
from tortoise.functions import Count, Max
from tortoise.transactions import in_transaction

from onething.domain.catalog import Catalog
from onething.domain.calendar import WorkCalendar
from onething.domain.notice import notice_for
from onething.domain.refusals import Refused
from onething.services import enterprises, manager_messages, progress
from onething.services.file_checks import KINDS, store_checked
from onething.services.staff import StaffSession
from storage.models import Application, Broadcast, Enterprise, ManagerMessage, MessageDelivery
from storage.objects import ObjectStore

DOCUMENT_MAX = 20 * 1024 * 1024
DOCUMENT_TYPES = ("application/pdf", "image/png", "image/jpeg")
LINK = timedelta(minutes=5)


@dataclass
class Composer:
    """What a message's words are written from."""

    catalog: Catalog
    templates: jinja2.Environment
    calendar: WorkCalendar

    async def content(self, enterprise: Enterprise, *, thing: str | None = None, application: int | None = None,
                      text: str = "") -> tuple[str, str]:
        """(kind, text): a thing's notice, a case's status card, or the text itself."""
        if thing is not None:
            found = self.catalog.things.get(thing)
            if found is None:
                raise Refused("unknown_thing", details={"field": "thing"})
            return "notice", self.templates.get_template("notice.txt.j2").render(notice=notice_for(self.catalog, found))
        if application is not None:
            case = await Application.get_or_none(id=application, enterprise_code=enterprise.credit_code)
            if case is None:
                raise Refused("unknown_application", details={"field": "application"})
            view = await progress.cases_for_ids(self.catalog, [case.id])
            return "status", progress.render(self.templates, view, linked=True, number=case.number, public_url="",
                                             calendar=self.calendar)
        if not text.strip():
            raise Refused("invalid_field", details={"field": "text", "fields": [
                {"field": "text", "problem": "required", "label": "消息内容"}]})
        return "text", text.strip()


def _author(session: StaffSession) -> str:
    return f"staff:{session.username}"


async def send(session: StaffSession, enterprise: Enterprise, kind: str, text: str, now: datetime,
               contacts: list[int] | None = None, **extra: Any) -> ManagerMessage:
    message, _ = await manager_messages.post(enterprise.id, _author(session), kind, text, now, contact_ids=contacts,
                                             **extra)
    if message is None:
        raise Refused("no_contacts")
    return message


async def send_document(store: ObjectStore, session: StaffSession, enterprise: Enterprise,
                        chunks: AsyncIterable[bytes], *, content_type: str, filename: str, note: str,
                        now: datetime) -> ManagerMessage:
    """A PDF, PNG or JPEG (at most 20 MB), kept only when whole and sent to someone."""
    if content_type not in DOCUMENT_TYPES:
        raise Refused("unsupported_type", status=415, details={"kinds": "、".join(KINDS[t] for t in DOCUMENT_TYPES)})
    key = f"messages/{enterprise.id}/{uuid.uuid4().hex}"
    await store_checked(store, key, chunks, content_type=content_type, max_size=DOCUMENT_MAX,
                        too_large=Refused("document_too_large", status=413, details={"limit_mb": DOCUMENT_MAX >> 20}))
    try:
        return await send(session, enterprise, "document", note.strip(), now, object_key=key,
                          filename=filename.strip() or "文件")
    except Refused:
        await store.delete(key)  # nobody to send it to: nothing kept
        raise


async def message_json(store: ObjectStore, message: ManagerMessage) -> dict[str, Any]:
    return (await messages_json(store, [message]))[0]


async def messages_json(store: ObjectStore, messages: list[ManagerMessage]) -> list[dict[str, Any]]:
    """Messages with their deliveries, read in one query however long the thread."""
    deliveries: dict[int, list[MessageDelivery]] = {m.id: [] for m in messages}
    for d in await MessageDelivery.filter(message_id__in=list(deliveries)).order_by("id"):
        deliveries[d.message_id].append(d)
    return [{"id": m.id, "direction": m.direction, "author": m.author, "kind": m.kind, "text": m.text,
             "filename": m.filename, "contact": m.contact_id, "created_at": m.created_at.isoformat(),
             "file_url": await store.presign_download(m.object_key, expires=LINK, filename=m.filename)
             if m.object_key else None,
             "deliveries": [{"contact": d.contact_id, "state": d.state, "channel": d.channel, "error": d.error,
                             "sent_at": d.sent_at.isoformat() if d.sent_at else None,
                             "read_at": d.read_at.isoformat() if d.read_at else None} for d in deliveries[m.id]]}
            for m in messages]


async def threads(session: StaffSession) -> list[dict[str, Any]]:
    """Each enterprise with its latest message and what came in unseen: those waiting for an
    answer first, then the latest."""
    rows = await enterprises.visible(session).annotate(
        unseen=Count("messages", _filter=Q(messages__direction="in", messages__seen_at__isnull=True)))
    # each thread's latest message, two queries for the whole inbox
    latest = await ManagerMessage.filter(enterprise_id__in=[e.id for e in rows]).group_by("enterprise_id") \
        .annotate(last=Max("id")).values_list("last", flat=True) if rows else []
    lasts = {m.enterprise_id: m for m in await ManagerMessage.filter(id__in=list(latest))} if latest else {}
    items = []
    for enterprise in rows:
        last = lasts.get(enterprise.id)
        if last is None:
            continue
        items.append({"id": enterprise.id, "enterprise": enterprise.name, "unseen": enterprise.unseen,
                      "last": {"direction": last.direction, "kind": last.kind, "text": last.text[:80],
                               "at": last.created_at.isoformat()}})
    items.sort(key=lambda i: i["last"]["at"], reverse=True)
    items.sort(key=lambda i: -i["unseen"])  # a stable sort: the latest first within each
    return items


async def thread(session: StaffSession, enterprise: Enterprise, now: datetime) -> list[ManagerMessage]:
    """The whole thread; the manager reading it has seen what came in."""
    messages = await ManagerMessage.filter(enterprise_id=enterprise.id).order_by("id")
    if session.role == "manager":
        await ManagerMessage.filter(enterprise_id=enterprise.id, direction="in", seen_at__isnull=True).update(
            seen_at=now)
    return messages


async def broadcast(session: StaffSession, composer: Composer, now: datetime, *, ids: list[int] | None,
                    thing: str | None = None, text: str = "") -> tuple[Broadcast, int] | None:
    """One notice to many of the manager's enterprises, sent at WeChat's pace by the worker.
    (the broadcast, how many deliveries) or None when one of ``ids`` is not this manager's."""
    query = enterprises.visible(session)
    if ids is not None:
        query = query.filter(id__in=ids)
    targets = await query
    if ids is not None and len(targets) != len(set(ids)):
        return None
    if not targets:
        raise Refused("no_enterprises")
    kind, content = await composer.content(targets[0], thing=thing, text=text)
    async with in_transaction():  # all of it queued, or none (a retried request must not half-repeat)
        record = await Broadcast.create(author=_author(session), text=content, enterprises=len(targets),
                                        created_at=now)
        total = 0
        for enterprise in targets:
            _, count = await manager_messages.post(enterprise.id, _author(session), kind, content, now,
                                                   broadcast_id=record.id)
            total += count
    return record, total


async def broadcast_progress(session: StaffSession, broadcast_id: int) -> dict[str, Any] | None:
    record = await Broadcast.get_or_none(id=broadcast_id)
    if record is None or (session.role == "manager" and record.author != _author(session)):
        return None
    states = await MessageDelivery.filter(message__broadcast_id=record.id).values_list("state", flat=True)
    return {"id": record.id, "enterprises": record.enterprises,
            "states": {s: states.count(s) for s in sorted(set(states))}}


async def broadcasts(session: StaffSession, limit: int = 50) -> list[dict[str, Any]]:
    """The latest broadcasts (a manager's own), each with its deliveries counted by state: two queries."""
    query = Broadcast.all() if session.role != "manager" else Broadcast.filter(author=_author(session))
    records = await query.order_by("-id").limit(limit)
    counts = await MessageDelivery.filter(message__broadcast_id__in=[r.id for r in records]) \
        .annotate(n=Count("id")).group_by("message__broadcast_id", "state") \
        .values_list("message__broadcast_id", "state", "n") if records else []
    states: dict[int, dict[str, int]] = {r.id: {} for r in records}
    for broadcast_id, state, n in counts:
        states[broadcast_id][state] = n
    return [{"id": r.id, "author": r.author, "text": r.text, "enterprises": r.enterprises,
             "created_at": r.created_at, "states": states[r.id]} for r in records]
