"""The department reviewer's pages (后台审批): the department's queue, a task, and its decisions.

A reviewer sees only their own department's tasks (``review_tasks``, as the API): another's task
is the 404 page. The task page is the case page (materials, masked form with the audited reveal)
with the task's own actions beside it.
"""

from __future__ import annotations

from aiohttp import web
from multidict import MultiDictProxy

from onething.domain.refusals import Refused
from onething.keys import catalog_key, object_store_key, settings_key, workflow_key
from onething.services import certificates, console_queues, review_tasks
from onething.services.console_sessions import form_token_ok
from onething.services.presenters import task_json
from onething.web.errors import message_of
from onething.web.http import int_id
from .framework import TOKEN, Page, actor, form, me, page_number, render
from .window import case_page

REVIEWER = ("reviewer",)
TASK = r"/tasks/{id:\d{1,9}}"


async def queue(request: web.Request) -> web.Response:
    shown = await console_queues.department_page(request.config_dict[catalog_key], me(request), page_number(request))
    return render(request, "console/tasks.html.j2", queue=shown)


async def task_page(request: web.Request, task_id: int, **shown) -> web.Response:
    row = await review_tasks.of_reviewer(me(request), task_id)
    return await case_page(request, row.application_id, task=task_json(request.config_dict[catalog_key], row), **shown)


async def task(request: web.Request) -> web.Response:
    return await task_page(request, int_id(request))


async def _review(request: web.Request, which: str, decision) -> web.Response:
    session, flow, given, task_id = me(request), request.config_dict[workflow_key], form(request), int_id(request)
    try:
        await review_tasks.act(flow, session, task_id, lambda row: decision(flow, row, actor(session), given))
    except Refused as exc:
        if exc.status == 404:
            raise
        return await task_page(request, task_id, status=exc.status, refusal=message_of(request, exc), which=which,
                               typed=given)
    raise web.HTTPSeeOther(f"/staff/tasks/{task_id}?done={which}")


def _text(given: MultiDictProxy, name: str, limit: int = 2000) -> str:
    return given.get(name, "").strip()[:limit]


async def approve(request):
    return await _review(request, "approve", lambda flow, row, who, given: flow.approve(
        row, who, result_number=_text(given, "result_number", 64), note=_text(given, "note")))


async def reject(request):
    return await _review(request, "reject", lambda flow, row, who, given: flow.reject(row, who, _text(given, "reason")))


async def pause(request):
    return await _review(request, "pause", lambda flow, row, who, given: flow.pause(
        row, who, given.get("kind", ""), note=_text(given, "note")))


async def resume(request):
    return await _review(request, "resume", lambda flow, row, who, given: flow.resume(row, who))


async def extend(request):
    return await _review(request, "extend", lambda flow, row, who, given: flow.request_extension(
        row, who, _text(given, "reason")))


async def return_item(request):
    return await _review(request, "return", lambda flow, row, who, given: flow.return_item(
        row, who, [line.strip() for line in given.get("problems", "").splitlines() if line.strip()]))


async def certificate(request: web.Request) -> web.Response:
    """The certificate as a multipart form: its token first, then the PDF, streamed to the store."""
    task_id = int_id(request)
    row = await certificates.reviewers_task(task_id, me(request).department)
    try:
        reader = await request.multipart()
        token = await reader.next()
        given = (await token.text()) if token is not None and token.name == "csrf" else ""
        if not form_token_ok(request.config_dict[settings_key].secret_key, request[TOKEN], given):
            raise Refused("console.form_expired", status=403)
        part = await reader.next()
        if part is None or part.name != "certificate" or not part.filename:
            raise Refused("console.file_missing", status=400)
        content_type = (part.headers.get("Content-Type") or "").split(";")[0].strip()
        await certificates.attach_certificate(request.config_dict[object_store_key], row, content_type,
                                              _chunks(part))
    except Refused as exc:
        return await task_page(request, task_id, status=exc.status, refusal=message_of(request, exc),
                               which="certificate")
    except ValueError:  # not a multipart form at all
        return await task_page(request, task_id, status=400, refusal=message_of(request, Refused("bad_request")),
                               which="certificate")
    raise web.HTTPSeeOther(f"/staff/tasks/{task_id}?done=certificate")


async def _chunks(part):
    while chunk := await part.read_chunk(256 * 1024):
        yield chunk


PAGES = [
    Page("GET", "/tasks", queue, REVIEWER, nav="审批队列"),
    Page("GET", TASK, task, REVIEWER),
    Page("POST", f"{TASK}/approve", approve, REVIEWER),
    Page("POST", f"{TASK}/reject", reject, REVIEWER),
    Page("POST", f"{TASK}/pause", pause, REVIEWER),
    Page("POST", f"{TASK}/resume", resume, REVIEWER),
    Page("POST", f"{TASK}/extension", extend, REVIEWER),
    Page("POST", f"{TASK}/return", return_item, REVIEWER),
    Page("POST", f"{TASK}/certificate", certificate, REVIEWER, upload=True),
]
