"""The supervisor's pages: bad-rating follow-ups, the notifications outbox, the credit blacklist,
and a refusal overturned, recorded from the case's page.

The same services and roles as ``staff_api.supervision``, ``staff_api.outbox`` and
``staff_api.credit``: a follow-up is closed by a supervisor with a note; the outbox is read by
supervisors and admins and a notification sent again by an admin only, as in the API.
"""

from __future__ import annotations

from aiohttp import web

from onething.domain import credit as rules
from onething.domain.calendar import local_date
from onething.domain.refusals import Refused
from onething.domain.overturns import BASES
from onething.keys import id_cipher_key, templates_key, workflow_key
from onething.services import credit, follow_ups, outbox, overturns
from onething.web.errors import message_of
from .framework import Page, actor, form, me, page_number, render
from .window import CASE, decide

WATCH = ("supervisor", "admin")
OUTBOX_STATES = {"pending": "待发送", "sending": "发送中", "attempting": "重试中", "sent": "已发送", "failed": "发送失败",
                 "undeliverable": "无法送达", "unknown": "状态不明", "internal": "仅站内"}


async def _follow_ups_page(request: web.Request, status: int = 200, **context) -> web.Response:
    today = local_date(request.config_dict[workflow_key].clock())
    return render(request, "console/follow_ups.html.j2", status, items=await follow_ups.open_ones(today), **context)


async def follow_up_list(request: web.Request) -> web.Response:
    return await _follow_ups_page(request, done=request.query.get("closed") == "1")


async def close_follow_up(request: web.Request) -> web.Response:
    note = form(request).get("note", "")[:1000].strip()
    target = int(request.match_info["id"])
    try:
        if not note:
            raise Refused("invalid_field", details={"field": "note", "fields": [
                {"field": "note", "problem": "required", "label": "回访情况"}]})
        await follow_ups.close(request.config_dict[workflow_key], target, actor(me(request)), note)
    except Refused as exc:
        return await _follow_ups_page(request, exc.status, refusal=message_of(request, exc), failed=target,
                                      note=note)
    raise web.HTTPSeeOther("/staff/follow-ups?closed=1")


async def notifications(request: web.Request) -> web.Response:
    state = request.query.get("state", "")
    state = state if state in outbox.STATES else ""
    found = await outbox.page(state or None, None, page_number(request))
    return render(request, "console/outbox.html.j2", found=found, state=state, states=OUTBOX_STATES,
                  retryable=outbox.RETRYABLE,
                  done=request.query.get("retried") == "1")


async def retry(request: web.Request) -> web.Response:
    await outbox.retry(int(request.match_info["id"]))  # a refusal is the error page, with its words
    state = form(request).get("state", "")
    raise web.HTTPSeeOther(f"/staff/outbox?retried=1&state={state if state in outbox.STATES else ''}")


async def _credit_page(request: web.Request, status: int = 200, **context) -> web.Response:
    everything = request.query.get("state") == "all"
    return render(request, "console/credit.html.j2", status, flags=await credit.listed(include_cleared=everything),
                  everything=everything, **context)


async def credit_list(request: web.Request) -> web.Response:
    return await _credit_page(request, done=request.query.get("changed") == "1", sent={})


async def change_flag(request: web.Request) -> web.Response:
    """Set or clear a flag on a person (ID number, posted, never in the address) or an enterprise."""
    sent = form(request)
    try:
        who = sent.get("subject", "")
        number = sent.get("number", "")[:32]
        subject = rules.citizen(number) if who == "citizen" else rules.enterprise(number)
        await credit.change(subject, request.config_dict[id_cipher_key], actor(me(request)),
                            request.config_dict[workflow_key].clock(), clear=sent.get("action") == "clear",
                            reason=sent.get("reason", "")[:rules.REASON_MAX], document=sent.get("document", "")[:rules.DOCUMENT_MAX])
    except Refused as exc:
        kept = {k: v for k, v in sent.items() if k != "number" or sent.get("subject") != "citizen"}  # never echo an ID number
        return await _credit_page(request, exc.status, refusal=message_of(request, exc), sent=kept)
    raise web.HTTPSeeOther("/staff/credit?changed=1")


async def overturn(request: web.Request) -> web.Response:
    """As any decision on the case's page: its page again, saying why, when refused."""
    templates = request.config_dict[templates_key]

    async def record(flow, case_id: int, who, given) -> None:
        basis = given.get("basis", "")
        if basis not in BASES:
            raise Refused("console.basis_missing", status=400)
        await overturns.overturn(flow, templates, case_id, given.get("item") or None, basis,
                                 given.get("note", "")[:500].strip(), who)

    return await decide(request, "overturn", record)


PAGES = [
    Page("POST", f"{CASE}/overturn", overturn, ("supervisor",)),
    Page("GET", "/follow-ups", follow_up_list, WATCH, nav="差评回访"),
    Page("POST", "/follow-ups/{id:\\d+}/close", close_follow_up, ("supervisor",)),
    Page("GET", "/outbox", notifications, WATCH, nav="通知发件箱"),
    Page("POST", "/outbox/{id:\\d+}/retry", retry, ("admin",)),
    Page("GET", "/credit", credit_list, WATCH, nav="失信名单"),
    Page("POST", "/credit", change_flag, WATCH),
]
