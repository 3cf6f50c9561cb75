"""A manager's threads with their enterprises (``/staff/api/v1``): send, read, broadcast.

A message is text, a thing's notice, a case's status card or a document; it goes to all the
enterprise's contacts on WeChat or to those named, and every delivery says sent, held for a
reply (outside WeChat's 48 hours), failed and why, or read.
"""

from __future__ import annotations

from aiohttp import web

from onething.keys import calendar_key, catalog_key, object_store_key, templates_key, workflow_key
from onething.services import conversations
from onething.services.conversations import DOCUMENT_TYPES, Composer
from onething.services.manager_views import BROADCAST, BROADCAST_PROGRESS, MESSAGE, THREAD, THREADS
from onething.web.http import json_response
from onething.web.routes import Route
from onething.web.schemas import ID, array, obj, text
from onething.web.validation import body, query
from .enterprises import find
from .session import staff

SERVE = ("manager", "supervisor", "admin")


def _now(request: web.Request):
    return request.config_dict[workflow_key].clock()


def _composer(request: web.Request) -> Composer:
    config = request.config_dict
    return Composer(config[catalog_key], config[templates_key], config[calendar_key].current)


async def _answer(request: web.Request, message, status: int = 201) -> web.Response:
    return json_response(await conversations.message_json(request.config_dict[object_store_key], message),
                         status=status)


async def send(request: web.Request) -> web.Response:
    enterprise = await find(request, "manager")
    sent = body(request)
    kind, content = await _composer(request).content(enterprise, thing=sent.get("thing"),
                                                     application=sent.get("application"), text=sent.get("text", ""))
    return await _answer(request, await conversations.send(staff(request), enterprise, kind, content, _now(request),
                                                           sent.get("contacts")))


async def send_document(request: web.Request) -> web.Response:
    """The request body is the file (PDF, PNG or JPEG, at most 20 MB), ``?filename=&note=``."""
    enterprise = await find(request, "manager")
    asked = query(request)
    message = await conversations.send_document(
        request.config_dict[object_store_key], staff(request), enterprise, request.content.iter_chunked(256 * 1024),
        content_type=(request.headers.get("Content-Type") or "").split(";")[0].strip(),
        filename=asked.get("filename", ""), note=asked.get("note", ""), now=_now(request))
    return await _answer(request, message)


async def threads(request: web.Request) -> web.Response:
    """The manager's inbox: each enterprise with its latest message and what came in unseen."""
    return json_response({"items": await conversations.threads(staff(request, *SERVE))})


async def thread(request: web.Request) -> web.Response:
    enterprise = await find(request, *SERVE)
    messages = await conversations.thread(staff(request), enterprise, _now(request))
    store = request.config_dict[object_store_key]
    return json_response({"id": enterprise.id, "enterprise": enterprise.name,
                          "messages": await conversations.messages_json(store, messages)})


async def broadcast(request: web.Request) -> web.Response:
    """One notice to many of the manager's enterprises; sent at WeChat's pace by the worker."""
    sent = body(request)
    done = await conversations.broadcast(staff(request, "manager"), _composer(request), _now(request),
                                         ids=sent.get("enterprises"), thing=sent.get("thing"), text=sent.get("text", ""))
    if done is None:
        raise web.HTTPNotFound()  # one of them is not this manager's
    record, deliveries = done
    return json_response({"id": record.id, "enterprises": record.enterprises, "deliveries": deliveries}, status=201)


async def broadcast_progress(request: web.Request) -> web.Response:
    progress = await conversations.broadcast_progress(staff(request, *SERVE), int(request.match_info["id"]))
    if progress is None:
        raise web.HTTPNotFound()
    return json_response(progress)


WORDS = text(2000, "消息内容")
THING = text(64, "事项编码", description="一件事的编码：发送其一次性告知")
MESSAGE_BODY = obj({
    "text": WORDS, "thing": THING,
    "application": {**ID, "title": "办件编号", "description": "本企业办件编号：发送其进度卡片"},
    "contacts": array({**ID, "title": "联系人编号"}, max_items=1000, description="只发给这些联系人（缺省：全部）")})
SENT = {"201": "已排队发送"}
ROUTES = [
    Route("POST", "/enterprises/{id}/messages", send, "给企业发消息：文字、一次性告知或办件进度卡片", MESSAGE_BODY,
          roles=("manager",), response=MESSAGE, status=201, responses=SENT),
    Route("PUT", "/enterprises/{id}/messages/document", send_document,
          "给企业发文件（请求体即文件，?filename=&note=）", upload=DOCUMENT_TYPES, roles=("manager",),
          query={"filename": text(255, "文件名"), "note": text(500, "附言")}, response=MESSAGE, status=201,
          responses=SENT),
    Route("GET", "/conversations", threads, "经理的会话列表：各企业最新消息和未读数", roles=SERVE, response=THREADS),
    Route("GET", "/conversations/{id}", thread, "与一个企业的全部往来消息（含每条的送达状态）", roles=SERVE,
          response=THREAD),
    Route("POST", "/conversations/{id}/messages", send, "在会话中回复企业", MESSAGE_BODY, roles=("manager",),
          response=MESSAGE, status=201, responses=SENT),
    Route("POST", "/broadcasts", broadcast, "群发一次性告知或通知给多个企业（按微信频率限制分批发送）", obj({
        "enterprises": array({**ID, "title": "企业编号"}, max_items=1000, min_items=1, title="企业"),
        "text": WORDS, "thing": THING}), roles=("manager",), response=BROADCAST, status=201, responses=SENT),
    Route("GET", "/broadcasts/{id}", broadcast_progress, "群发进度", roles=SERVE, response=BROADCAST_PROGRESS),
]
