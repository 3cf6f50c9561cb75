"""Back office for window clerks, reviewers, supervisors and admins (``/staff/api/v1``).

Thin: authenticate, check the role (and a reviewer's department), call the workflow, render.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta
from dataclasses import asdict

from aiohttp import web

from onething.domain.notice import notice_for
from onething.keys import catalog_key, id_cipher_key, object_store_key, redis_key, templates_key, workflow_key
from onething.services import staff as accounts
from onething.services.file_checks import Examiner, same_size
from . import (conversations, credit, enterprises, extensions, form_reveal, inbox, issues, ledger, outbox, projects,
               shipments as shipments_staff, supervision)
from onething.web.routes import mount
from .session import actor, staff, staff_auth
from onething.web.errors import ApiError
from onething.web.http import int_id, iso_date, json_response, read_json, run_rule, text
from onething.web.login_limits import login_succeeded, login_wait
from onething.services.presenters import application_detail, application_summary, task_json
from onething.web.provisional import dated_json
from storage.models import Application, AttachedMaterial, AuditEvent, ReviewTask
from storage.objects import ObjectTooLarge

log = logging.getLogger("onething.staff")
READ_ALL = ("clerk", "supervisor", "admin")
DOWNLOAD_TTL = timedelta(minutes=5)
CERTIFICATE_MAX = 20 * 1024 * 1024


async def login(request: web.Request) -> web.Response:
    body = await read_json(request)
    username = text(body, "username", max_length=64)
    wait = await login_wait(request, "staff", username)
    if wait:
        raise ApiError("too_many_attempts", "登录尝试过多，请稍后再试。", status=429, headers={"Retry-After": str(wait)})
    user = await accounts.authenticate(username, text(body, "password", max_length=256))
    if user is None or user.role == "courier":
        log.info("staff login refused")
        raise ApiError("bad_credentials", "用户名或密码不正确。", status=401)
    await login_succeeded(request, "staff", username)
    token = await accounts.open_session(request.config_dict[redis_key], user)
    return json_response({"token": token, "expires_in": accounts.SESSION_TTL,
                              "user": {"username": user.username, "role": user.role, "department": user.department}})


async def logout(request: web.Request) -> web.Response:
    await accounts.close_session(request.config_dict[redis_key], request.headers["Authorization"][7:].strip())
    return json_response({"ok": True})


async def applications(request: web.Request) -> web.Response:
    """The intake queue (submitted cases, oldest deadline first) or any state a clerk asks for."""
    staff(request, *READ_ALL)
    state = request.query.get("state", "submitted")
    rows = await Application.filter(state=state).order_by("intake_due_on", "id").limit(200)
    catalog = request.config_dict[catalog_key]
    return dated_json(request, {"items": [application_summary(catalog, r) for r in rows]})


async def application(request: web.Request) -> web.Response:
    session = staff(request, *READ_ALL, "reviewer")
    row = await Application.get_or_none(id=int_id(request))
    if row is None:
        raise web.HTTPNotFound()
    tasks = await ReviewTask.filter(application_id=row.id).order_by("id")
    if session.role == "reviewer" and not any(t.department == session.department for t in tasks):
        raise web.HTTPNotFound()  # a reviewer sees only cases their department works on
    events = await AuditEvent.filter(application_id=row.id).order_by("seq")
    detail = application_detail(request.config_dict[catalog_key], row, tasks, events,
                                request.config_dict[id_cipher_key])
    detail["materials"] = await _materials(request, row.id)
    detail["credit"] = await credit.case_credit(row)  # staff only: never in the applicant's own view
    store = request.config_dict[object_store_key]
    for task_json_, task in zip(detail["tasks"], tasks):
        task_json_["certificate_url"] = await store.presign_download(
            task.certificate_key, expires=DOWNLOAD_TTL, filename=f"{task.item}.pdf") if task.certificate_key else None
    return dated_json(request, detail)


async def _materials(request: web.Request, application_id: int) -> list[dict]:
    """The documents of a case, each with a download link that expires in minutes; a kept copy that
    no longer matches its record (``intact: false``) gets no link."""
    catalog, store = request.config_dict[catalog_key], request.config_dict[object_store_key]
    attached = await AttachedMaterial.filter(application_id=application_id).select_related("file")
    intact = await asyncio.gather(*(same_size(store, a.file) for a in attached))
    return [
        {"material": a.material, "name": catalog.materials[a.material].name, "filename": a.file.filename,
         "content_type": a.file.content_type, "size": a.file.size, "sha256": a.file.sha256, "intact": ok,
         "download_url": await store.presign_download(a.file.object_key, expires=DOWNLOAD_TTL,
                                                      filename=a.file.filename or f"{a.material}.bin") if ok else None}
        for a, ok in zip(attached, intact)
    ]


async def _decide(request: web.Request, decide) -> web.Response:
    session = staff(request, "clerk")
    body = await read_json(request)
    await run_rule(decide(request.config_dict[workflow_key], int_id(request), actor(session), body))
    return await application(request)


async def accept(request):
    def decide(flow, case_id, who, body):
        owed = body.get("owed") or {}
        if not isinstance(owed, dict):
            raise ApiError("invalid_field", "owed 应为 {材料代码: 补交日期}。", status=422)
        return flow.accept(case_id, who, owed={k: iso_date(v, f"owed.{k}") for k, v in owed.items()},
                           note=text(body, "note", required=False))
    return await _decide(request, decide)


async def return_for_correction(request):
    return await _decide(request, lambda flow, case_id, who, body: flow.return_for_correction(
        case_id, who, _problems(body)))


def _problems(body: dict) -> list[str]:
    """The complete problem list of a return for correction, at intake or during review."""
    problems = body.get("problems")
    if not isinstance(problems, list) or not all(isinstance(p, str) for p in problems):
        raise ApiError("invalid_field", "problems 应为问题清单（文字列表）。", status=422)
    return problems


async def refuse(request):
    return await _decide(request, lambda flow, case_id, who, body: flow.refuse(case_id, who, text(body, "reason")))


async def results_ready(request):
    return await _decide(request, lambda flow, case_id, who, body: flow.results_ready(case_id, who))


async def handover(request):
    return await _decide(request, lambda flow, case_id, who, body: flow.hand_over(case_id, who, "collect"))


async def waive_owed(request: web.Request) -> web.Response:
    """A supervisor (or admin) lets the results go out without an owed deferred material, saying why."""
    session = staff(request, "supervisor", "admin")
    reason = text(await read_json(request), "reason", max_length=500)
    await run_rule(request.config_dict[workflow_key].waive_owed(int_id(request), actor(session),
                                                                request.match_info["material"], reason))
    return await application(request)


async def tasks(request: web.Request) -> web.Response:
    """A department's queue, nearest deadline first; supervisors may look at any department."""
    session = staff(request, "reviewer", "supervisor", "admin")
    department = session.department if session.role == "reviewer" else request.query.get("department")
    query = ReviewTask.filter(state__in=["in_review", "paused"])
    if department:
        query = query.filter(department=department)
    rows = await query.order_by("due_on", "id").limit(500)
    catalog = request.config_dict[catalog_key]
    return dated_json(request, {"items": [task_json(catalog, r) for r in rows]})


async def _review(request: web.Request, review) -> web.Response:
    session = staff(request, "reviewer")
    task = await ReviewTask.get_or_none(id=int_id(request))
    if task is None or task.department != session.department:
        raise web.HTTPNotFound()  # another department's task does not exist for this reviewer
    body = await read_json(request)
    await run_rule(review(request.config_dict[workflow_key], task, actor(session), body))
    await task.refresh_from_db()
    return dated_json(request, task_json(request.config_dict[catalog_key], task))


async def certificate(request: web.Request) -> web.Response:
    """Store the electronic certificate (PDF) of an item before or with its approval."""
    session = staff(request, "reviewer")
    task = await ReviewTask.get_or_none(id=int_id(request))
    if task is None or task.department != session.department:
        raise web.HTTPNotFound()
    if (request.headers.get("Content-Type") or "").split(";")[0].strip() != "application/pdf":
        raise ApiError("unsupported_type", "电子证照须为 PDF 文件。", status=415)
    key = f"certificates/{task.application_id}/{task.item}-{uuid.uuid4().hex}.pdf"
    store = request.config_dict[object_store_key]
    with Examiner(request.content.iter_chunked(256 * 1024)) as examiner:
        try:
            await store.put(key, examiner.stream(), content_type="application/pdf", max_size=CERTIFICATE_MAX)
        except ObjectTooLarge:
            raise ApiError("certificate_too_large", "电子证照不能超过 20MB。", status=413) from None
        if examiner.inspector.sniffed_type != "application/pdf":
            await store.delete(key)
            raise ApiError("type_mismatch", "文件内容不是 PDF。", status=415)
        if await examiner.problem():
            await store.delete(key)
            raise ApiError("unreadable_file", "文件不是一份完整的 PDF，无法打开，请重新导出后上传。", status=422)
    await ReviewTask.filter(id=task.id).update(certificate_key=key)
    await task.refresh_from_db()
    return dated_json(request, task_json(request.config_dict[catalog_key], task))


async def approve(request):
    return await _review(request, lambda flow, task, who, body: flow.approve(
        task, who, result_number=text(body, "result_number", required=False, max_length=64),
        note=text(body, "note", required=False)))


async def reject(request):
    return await _review(request, lambda flow, task, who, body: flow.reject(task, who, text(body, "reason")))


async def pause(request):
    return await _review(request, lambda flow, task, who, body: flow.pause(
        task, who, text(body, "kind", max_length=32), note=text(body, "note", required=False)))


async def resume(request):
    return await _review(request, lambda flow, task, who, body: flow.resume(task, who))


async def return_item(request):
    """审查中补正: the reviewer returns their own item with the complete list of problems."""
    return await _review(request, lambda flow, task, who, body: flow.return_item(task, who, _problems(body)))


async def things(request: web.Request) -> web.Response:
    staff(request)
    catalog = request.config_dict[catalog_key]
    return json_response({"items": [
        {"code": t.code, "name": t.name, "audience": t.audience, "promised_days": t.promised_days()}
        for t in catalog.things.values()
    ]})


def _notice(request: web.Request):
    staff(request)
    catalog = request.config_dict[catalog_key]
    thing = catalog.things.get(request.match_info["code"])
    if thing is None:
        raise web.HTTPNotFound()
    return notice_for(catalog, thing)


async def notice_json(request: web.Request) -> web.Response:
    return json_response(asdict(_notice(request)))


async def notice_html(request: web.Request) -> web.Response:
    html = request.config_dict[templates_key].get_template("notice.html.j2").render(notice=_notice(request))
    return web.Response(text=html, content_type="text/html")


# The service managers' endpoints (enterprises, messages, projects, the issue ledger, the inbox),
# the §42 extensions and the supervisors' credit blacklist, from which the staff OpenAPI document
# is built too.
ROUTES = [*enterprises.ROUTES, *conversations.ROUTES, *projects.ROUTES, *issues.ROUTES, *ledger.ROUTES,
          *inbox.ROUTES, *extensions.ROUTES, *credit.ROUTES, *form_reveal.ROUTES]


def create_app() -> web.Application:
    app = web.Application(middlewares=[staff_auth])
    app.router.add_post("/auth/login", login)
    app.router.add_post("/auth/logout", logout)
    app.router.add_get("/applications", applications)
    app.router.add_get("/applications/{id}", application)
    for name, handler in (("accept", accept), ("return", return_for_correction), ("refuse", refuse),
                          ("results-ready", results_ready), ("handover", handover)):
        app.router.add_post(f"/applications/{{id}}/{name}", handler)
    supervision.setup(app)
    outbox.setup(app)
    shipments_staff.setup(app)
    mount(app, ROUTES, prefix="/staff/api/v1", title="onething 工作人员接口", authorise=lambda request, roles: staff(request, *roles))
    app.router.add_get("/things", things)
    app.router.add_get("/things/{code}/notice", notice_json)
    app.router.add_get("/things/{code}/notice.html", notice_html)
    app.router.add_get("/tasks", tasks)
    app.router.add_put("/tasks/{id}/certificate", certificate)
    app.router.add_post("/applications/{id}/owed/{material}/waive", waive_owed)
    for name, handler in (("approve", approve), ("reject", reject), ("pause", pause), ("resume", resume),
                          ("return", return_item)):
        app.router.add_post(f"/tasks/{{id}}/{name}", handler)
    return app
