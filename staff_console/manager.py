"""The project service manager's pages: their enterprises, the inbox of threads, replies.

The same services and the same authorisation as ``staff_api.enterprises`` and
``staff_api.conversations``: a manager finds only their own enterprises; another's is the 404 page.
"""

from __future__ import annotations

from urllib.parse import unquote

from aiohttp import web

from onething.domain.calendar import local_date
from onething.domain.identity import mask_name
from onething.domain.refusals import Refused
from onething.domain.states import STATE_NAMES
from onething.keys import calendar_key, catalog_key, object_store_key, settings_key, templates_key, workflow_key
from onething.services import conversations, enterprise_desk
from onething.services.console_sessions import form_token_ok
from onething.services.conversations import Composer
from onething.web.errors import message_of
from .framework import TOKEN, Page, form, me, render

SERVE = ("manager", "supervisor", "admin")
KINDS = {"text": "文字", "notice": "一件事告知", "status": "办件进度卡片"}


def _now(request: web.Request):
    return request.config_dict[workflow_key].clock()


def _id(request: web.Request) -> int:
    return int(request.match_info["id"])


async def enterprises(request: web.Request) -> web.Response:
    return render(request, "console/enterprises.html.j2", enterprises=await enterprise_desk.listing(me(request)))


async def enterprise(request: web.Request) -> web.Response:
    found = await enterprise_desk.dossier(me(request), _id(request), local_date(_now(request)))
    if found is None:
        raise Refused("not_found", status=404)
    return render(request, "console/enterprise.html.j2", file=found, catalog=request.config_dict[catalog_key],
                  mask_name=mask_name, state_names={s.value: name for s, name in STATE_NAMES.items()})


async def inbox(request: web.Request) -> web.Response:
    return render(request, "console/threads.html.j2", threads=await conversations.threads(me(request)))


async def _thread_page(request: web.Request, status: int = 200, **context) -> web.Response:
    found = await enterprise_desk.dossier(me(request), _id(request), local_date(_now(request)))
    if found is None:
        raise Refused("not_found", status=404)
    messages = await conversations.thread(me(request), found.enterprise, _now(request))
    context.setdefault("sent", {})
    return render(request, "console/thread.html.j2", status, file=found, kinds=KINDS,
                  things=request.config_dict[catalog_key].things,
                  messages=await conversations.messages_json(request.config_dict[object_store_key], messages),
                  **context)


async def thread(request: web.Request) -> web.Response:
    return await _thread_page(request, done=request.query.get("sent") == "1")


async def reply(request: web.Request) -> web.Response:
    """Text, a thing's notice or a case's status card, to all the enterprise's contacts on WeChat."""
    enterprise = await enterprise_desk.find(me(request), _id(request))
    if enterprise is None:
        raise Refused("not_found", status=404)
    sent = form(request)
    kind = sent.get("kind", "text")
    composer = _composer(request)
    try:
        case = sent.get("application", "").strip()
        if kind == "status" and not case.isdigit():
            raise Refused("unknown_application", details={"field": "application"})
        made = await composer.content(enterprise, thing=sent.get("thing") if kind == "notice" else None,
                                      application=int(case) if kind == "status" else None,
                                      text=sent.get("text", "")[:2000] if kind == "text" else "")
        await conversations.send(me(request), enterprise, *made, _now(request))
    except Refused as exc:
        return await _thread_page(request, exc.status,
                                  refusal=message_of(request, exc), sent=dict(sent))
    raise web.HTTPSeeOther(f"/staff/threads/{enterprise.id}?sent=1")


async def document(request: web.Request) -> web.Response:
    """A PDF, PNG or JPEG with a note, as a multipart form (token, note, file in that order), streamed
    to the store and checked whole before anyone is sent it."""
    enterprise = await enterprise_desk.find(me(request), _id(request))
    if enterprise is None:
        raise Refused("not_found", status=404)
    try:
        reader = await request.multipart()
        fields = {}
        while (part := await reader.next()) is not None and part.name != "document":
            fields[part.name] = await _short_text(part)
        if not form_token_ok(request.config_dict[settings_key].secret_key, request[TOKEN], fields.get("csrf", "")):
            raise Refused("console.form_expired", status=403)
        if part is None or not part.filename:
            raise Refused("console.file_missing", status=400)
        await conversations.send_document(
            request.config_dict[object_store_key], me(request), enterprise, _chunks(part),
            content_type=(part.headers.get("Content-Type") or "").split(";")[0].strip(),
            filename=unquote(part.filename)[:255], note=fields.get("note", ""), now=_now(request))
    except Refused as exc:
        return await _thread_page(request, exc.status, refusal=message_of(request, exc))
    except ValueError:  # not a multipart form at all
        return await _thread_page(request, 400, refusal=message_of(request, Refused("bad_request")))
    raise web.HTTPSeeOther(f"/staff/threads/{enterprise.id}?sent=1")


async def _short_text(part, limit: int = 8192) -> str:
    read = b""
    while chunk := await part.read_chunk(1024):
        read += chunk
        if len(read) > limit:  # a token or a note, never more
            raise Refused("bad_request", status=400)
    return read.decode("utf-8", "replace")[:500]


async def _chunks(part):
    while chunk := await part.read_chunk(256 * 1024):
        yield chunk


def _composer(request: web.Request) -> Composer:
    config = request.config_dict
    return Composer(config[catalog_key], config[templates_key], config[calendar_key].current)


async def _broadcasts_page(request: web.Request, status: int = 200, **context) -> web.Response:
    context.setdefault("sent", {})
    return render(request, "console/broadcasts.html.j2", status, broadcasts=await conversations.broadcasts(me(request)),
                  enterprises=await enterprise_desk.listing(me(request)), things=request.config_dict[catalog_key].things,
                  **context)


async def broadcasts(request: web.Request) -> web.Response:
    return await _broadcasts_page(request, done=request.query.get("sent") == "1")


async def broadcast(request: web.Request) -> web.Response:
    """One thing's notice or one text to the enterprises ticked, sent by the worker at WeChat's pace."""
    sent = form(request)
    chosen = [int(i) for i in sent.getall("enterprise", []) if i.isdigit()][:1000]
    try:
        if not chosen:
            raise Refused("no_enterprises")
        notice = sent.get("kind") == "notice"
        done = await conversations.broadcast(me(request), _composer(request), _now(request), ids=chosen,
                                             thing=sent.get("thing") if notice else None,
                                             text="" if notice else sent.get("text", "")[:2000])
    except Refused as exc:
        kept = {**sent, "enterprise": [str(i) for i in chosen]}
        return await _broadcasts_page(request, exc.status, refusal=message_of(request, exc), sent=kept)
    if done is None:
        raise Refused("not_found", status=404)  # one of them is not this manager's
    raise web.HTTPSeeOther("/staff/broadcasts?sent=1")


PAGES = [
    Page("GET", "/enterprises", enterprises, SERVE, nav="企业"),
    Page("GET", "/enterprises/{id:\\d+}", enterprise, SERVE),
    Page("GET", "/threads", inbox, SERVE, nav="会话"),
    Page("GET", "/threads/{id:\\d+}", thread, SERVE),
    Page("POST", "/threads/{id:\\d+}", reply, ("manager",)),
    Page("POST", "/threads/{id:\\d+}/document", document, ("manager",), upload=True),
    Page("GET", "/broadcasts", broadcasts, SERVE, nav="群发"),
    Page("POST", "/broadcasts", broadcast, ("manager",)),
]
