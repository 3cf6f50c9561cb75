"""A manager's threads with their enterprises (``/staff/api/v1``): send, read, broadcast.

A message is text, a thing's notice, a case's status card or a document; it goes to all the
enterprise's contacts on WeChat or to those named, and every delivery says sent, held for a
reply (outside WeChat's 48 hours), failed and why, or read.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from aiohttp import web
from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from onething.domain.notice import notice_for
from onething.keys import calendar_key, catalog_key, object_store_key, templates_key, workflow_key
from onething.services import enterprises, manager_messages, progress
from onething.services.file_checks import Examiner
from .enterprises import find
from onething.web.errors import ApiError
from onething.web.http import int_id, json_response, read_json, text
from onething.web.routes import Route
from .session import staff
from storage.models import Application, Broadcast, Enterprise, ManagerMessage, MessageDelivery
from storage.objects import ObjectTooLarge

DOCUMENT_MAX = 20 * 1024 * 1024
DOCUMENT_TYPES = {"application/pdf", "image/png", "image/jpeg"}
LINK = timedelta(minutes=5)


async def _content(request: web.Request, enterprise: Enterprise, body: dict) -> tuple[str, str]:
    """(kind, text) of a message from its body: text, a thing's notice or a case's status card."""
    catalog, templates = request.config_dict[catalog_key], request.config_dict[templates_key]
    if body.get("thing") is not None:
        thing = catalog.things.get(str(body["thing"]))
        if thing is None:
            raise ApiError("unknown_thing", "没有这件事。", status=422)
        return "notice", templates.get_template("notice.txt.j2").render(notice=notice_for(catalog, thing))
    if body.get("application") is not None:
        case = await Application.get_or_none(id=body["application"], enterprise_code=enterprise.credit_code) \
            if isinstance(body["application"], int) else None
        if case is None:
            raise ApiError("unknown_application", "该企业没有这个办件。", status=422)
        view = (await progress.cases_for_ids(catalog, [case.id]))
        return "status", progress.render(templates, view, linked=True, number=case.number, public_url="",
                                         calendar=request.config_dict[calendar_key].current)
    return "text", text(body, "text", max_length=2000)


async def send(request: web.Request) -> web.Response:
    enterprise = await find(request, "manager")
    body = await read_json(request)
    kind, content = await _content(request, enterprise, body)
    contacts = body.get("contacts")
    if contacts is not None and not (isinstance(contacts, list) and all(isinstance(c, int) for c in contacts)):
        raise ApiError("invalid_contacts", "contacts 须为联系人编号的列表。", status=422)
    return await _posted(request, enterprise, kind, content, contacts)


async def send_document(request: web.Request) -> web.Response:
    """The request body is the file (PDF, PNG or JPEG, at most 20 MB), ``?filename=``."""
    enterprise = await find(request, "manager")
    filename = request.query.get("filename", "").strip()[:200] or "文件"
    declared = (request.headers.get("Content-Type") or "").split(";")[0].strip()
    if declared not in DOCUMENT_TYPES:
        raise ApiError("unsupported_type", "只能发送 PDF、PNG 或 JPEG 文件。", status=415)
    key = f"messages/{enterprise.id}/{uuid.uuid4().hex}"
    store = request.config_dict[object_store_key]
    with Examiner(request.content.iter_chunked(256 * 1024)) as examiner:
        try:
            await store.put(key, examiner.stream(), content_type=declared, max_size=DOCUMENT_MAX)
        except ObjectTooLarge:
            raise ApiError("document_too_large", "文件不能超过 20MB。", status=413) from None
        if examiner.inspector.sniffed_type != declared:
            await store.delete(key)
            raise ApiError("type_mismatch", "文件内容与类型不符。", status=415)
        if await examiner.problem():
            await store.delete(key)
            raise ApiError("unreadable_file", "文件已损坏或不完整，无法打开，请检查后重新发送。", status=422)
    return await _posted(request, enterprise, "document", request.query.get("note", "")[:500], None,
                         object_key=key, filename=filename)


async def _posted(request, enterprise, kind, content, contacts, **extra) -> web.Response:
    session = staff(request)
    message, count = await manager_messages.post(enterprise.id, f"staff:{session.username}", kind, content,
                                                 request.config_dict[workflow_key].clock(), contact_ids=contacts, **extra)
    if message is None:
        if extra.get("object_key"):
            await request.config_dict[object_store_key].delete(extra["object_key"])
        raise ApiError("no_contacts", "该企业还没有可以接收消息的联系人（需已确认并关注公众号）。", status=422)
    return json_response(await _message_json(request, message), status=201)


async def _message_json(request: web.Request, message: ManagerMessage) -> dict:
    deliveries = await MessageDelivery.filter(message_id=message.id).order_by("id")
    link = None
    if message.object_key:
        link = await request.config_dict[object_store_key].presign_download(message.object_key, expires=LINK,
                                                                            filename=message.filename)
    return {"id": message.id, "direction": message.direction, "author": message.author, "kind": message.kind,
            "text": message.text, "filename": message.filename, "file_url": link, "contact": message.contact_id,
            "created_at": message.created_at.isoformat(),
            "deliveries": [{"contact": d.contact_id, "state": d.state, "channel": d.channel, "error": d.error,
                            "sent_at": d.sent_at.isoformat() if d.sent_at else None,
                            "read_at": d.read_at.isoformat() if d.read_at else None} for d in deliveries]}


async def threads(request: web.Request) -> web.Response:
    """The manager's inbox: each enterprise with its latest message and what came in unseen."""
    session = staff(request, "manager", "supervisor", "admin")
    rows = await enterprises.visible(session).annotate(
        unseen=Count("messages", _filter=Q(messages__direction="in", messages__seen_at__isnull=True)))
    items = []
    for enterprise in rows:
        last = await ManagerMessage.filter(enterprise_id=enterprise.id).order_by("-id").first()
        if last is None:
            continue
        items.append({"id": enterprise.id, "enterprise": enterprise.name, "unseen": enterprise.unseen,
                      "last": {"direction": last.direction, "kind": last.kind, "text": last.text[:80],
                               "at": last.created_at.isoformat()}})
    items.sort(key=lambda i: i["last"]["at"], reverse=True)  # latest first...
    items.sort(key=lambda i: -i["unseen"])  # ...and those waiting for an answer before all (a stable sort)
    return json_response({"items": items})


async def thread(request: web.Request) -> web.Response:
    enterprise = await find(request, "manager", "supervisor", "admin")
    messages = await ManagerMessage.filter(enterprise_id=enterprise.id).order_by("id")
    if staff(request).role == "manager":
        await ManagerMessage.filter(enterprise_id=enterprise.id, direction="in", seen_at__isnull=True).update(
            seen_at=request.config_dict[workflow_key].clock())
    return json_response({"id": enterprise.id, "enterprise": enterprise.name,
                              "messages": [await _message_json(request, m) for m in messages]})


async def broadcast(request: web.Request) -> web.Response:
    """One notice to many of the manager's enterprises; sent at WeChat's pace by the worker."""
    session = staff(request, "manager")
    body = await read_json(request)
    ids = body.get("enterprises")
    query = enterprises.visible(session)
    if ids is not None:
        if not (isinstance(ids, list) and ids and all(isinstance(i, int) for i in ids)):
            raise ApiError("invalid_enterprises", "enterprises 须为企业编号的列表。", status=422)
        query = query.filter(id__in=ids)
    targets = await query
    if ids is not None and len(targets) != len(set(ids)):
        raise web.HTTPNotFound()  # one of them is not this manager's
    if not targets:
        raise ApiError("no_enterprises", "没有可发送的企业。", status=422)
    kind, content = await _content(request, targets[0], {k: v for k, v in body.items() if k != "application"})
    now = request.config_dict[workflow_key].clock()
    async with in_transaction():  # all of it queued, or none (a retried request must not half-repeat)
        record = await Broadcast.create(author=f"staff:{session.username}", text=content, enterprises=len(targets),
                                        created_at=now)
        total = 0
        for enterprise in targets:
            _, count = await manager_messages.post(enterprise.id, f"staff:{session.username}", kind, content, now,
                                                   broadcast_id=record.id)
            total += count
    return json_response({"id": record.id, "enterprises": len(targets), "deliveries": total}, status=201)


async def broadcast_progress(request: web.Request) -> web.Response:
    session = staff(request, "manager", "supervisor", "admin")
    record = await Broadcast.get_or_none(id=int_id(request))
    if record is None or (session.role == "manager" and record.author != f"staff:{session.username}"):
        raise web.HTTPNotFound()
    states = await MessageDelivery.filter(message__broadcast_id=record.id).values_list("state", flat=True)
    return json_response({"id": record.id, "enterprises": record.enterprises,
                              "states": {s: states.count(s) for s in sorted(set(states))}})


STRING = {"type": "string"}
MESSAGE = {"type": "object", "properties": {
    "text": STRING, "thing": {"type": "string", "description": "一件事的编码：发送其一次性告知"},
    "application": {"type": "integer", "description": "本企业办件编号：发送其进度卡片"},
    "contacts": {"type": "array", "items": {"type": "integer"}, "description": "只发给这些联系人（缺省：全部）"}}}
ROUTES = [
    Route("POST", "/enterprises/{id}/messages", send, "给企业发消息：文字、一次性告知或办件进度卡片", MESSAGE,
          responses={"201": "已排队发送"}),
    Route("PUT", "/enterprises/{id}/messages/document", send_document,
          "给企业发文件（请求体即文件，?filename=&note=）", responses={"201": "已排队发送"}),
    Route("GET", "/conversations", threads, "经理的会话列表：各企业最新消息和未读数"),
    Route("GET", "/conversations/{id}", thread, "与一个企业的全部往来消息（含每条的送达状态）"),
    Route("POST", "/conversations/{id}/messages", send, "在会话中回复企业", MESSAGE, responses={"201": "已排队发送"}),
    Route("POST", "/broadcasts", broadcast, "群发一次性告知或通知给多个企业（按微信频率限制分批发送）", {
        "type": "object", "properties": {"enterprises": {"type": "array", "items": {"type": "integer"}},
                                         "text": STRING, "thing": STRING}}, responses={"201": "已排队发送"}),
    Route("GET", "/broadcasts/{id}", broadcast_progress, "群发进度"),
]
