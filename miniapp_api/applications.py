"""A citizen's cases: create from the one form, follow, submit, withdraw, resubmit, delivery, rating."""

from __future__ import annotations

from aiohttp import web
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from onething.domain.identity import valid_credit_code, valid_mobile
from onething.domain.personal import keep_masked
from onething.domain.states import State
from onething.keys import calendar_key, catalog_key, id_cipher_key, redis_key, workflow_key
from onething.services import case_store, case_views, materials
from onething.services.case_store import Actor
from onething.services.enterprises import EnterpriseError
from onething.services.forms import form_problems, mask, seal, unseal
from onething.web.errors import ApiError
from onething.web.http import int_id, integer, json_response, read_json, run_rule, text
from onething.services.presenters import application_summary, applicant_detail
from onething.web.provisional import mark_provisional
from storage.models import Application, AttachedMaterial, AuditEvent, Citizen, Evaluation, ReviewTask

from .auth import CITIZEN_ID, PREFETCHED, current_citizen

PAGE_SIZE = 20
DELIVERY_OPEN = {State.DRAFT, State.SUBMITTED, State.RETURNED, State.ACCEPTED, State.IN_REVIEW, State.APPROVED,
                 State.PARTLY_APPROVED, State.RESULTS_READY}


def visible_to(citizen: Citizen) -> Q:
    mine = Q(applicant_id=citizen.id)
    if citizen.enterprise_code and citizen.enterprise_verified:
        return mine | Q(enterprise_code=citizen.enterprise_code)
    return mine


async def find(request: web.Request, *, own: bool = False) -> Application:
    """The case with this id if the citizen may see it; any other id simply does not exist (404)."""
    citizen = await current_citizen(request)
    row = await Application.filter(visible_to(citizen), id=int_id(request)).first()
    if row is None:
        raise web.HTTPNotFound()
    if own and row.applicant_id != citizen.id:
        raise ApiError("not_applicant", "只有申请人本人可以办理此操作。", status=403)
    return row


def actor(request: web.Request) -> Actor:
    return Actor(f"citizen:{request[CITIZEN_ID]}", "citizen")


async def create(request: web.Request) -> web.Response:
    body = await read_json(request)
    catalog = request.config_dict[catalog_key]
    thing = catalog.things.get(body.get("thing") if isinstance(body.get("thing"), str) else "")
    if thing is None:
        raise ApiError("unknown_thing", "没有找到要办理的事项。", status=422, details={"field": "thing"})
    problems = form_problems(thing.form, body.get("form", {}), complete=False)
    if problems:
        raise ApiError("invalid_form", "表单填写有误，请按提示修改。", status=422, details={"fields": problems})
    enterprise = _enterprise(body, thing)
    try:
        row = await case_store.create_draft(thing.code, await current_citizen(request),
                                            seal(thing.form, body.get("form", {}), cipher(request)),
                                            workflow(request).clock(), enterprise_code=enterprise)
    except EnterpriseError as exc:
        raise ApiError(exc.code, exc.message, status=exc.status, details={"field": "enterprise"}) from None
    return json_response(await detail_json(request, row), status=201)


def _enterprise(body: dict, thing) -> str | None:
    """The credit code a case is to be named on, in its stored form; whether the citizen may is the service's."""
    value = body.get("enterprise")
    if value is None:
        return None
    if thing.audience != "enterprise":
        raise ApiError("not_enterprise_thing", "该事项由个人办理，不能以企业名义申请。", status=422,
                       details={"field": "enterprise"})
    code = value.strip().upper() if isinstance(value, str) else ""
    if not valid_credit_code(code):
        raise ApiError("invalid_credit_code", "统一社会信用代码不正确，请核对（18位，含校验码）。", status=422,
                       details={"field": "enterprise"})
    return code


async def list_mine(request: web.Request) -> web.Response:
    try:
        page = max(1, int(request.query.get("page", "1")))
    except ValueError:
        page = 1
    query = Application.filter(visible_to(await current_citizen(request)))
    rows = await query.order_by("-id").offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    catalog = request.config_dict[catalog_key]
    items = mark_provisional([application_summary(catalog, r) for r in rows], calendar(request))
    return json_response({"items": items, "page": page,
                              "page_size": PAGE_SIZE, "total": await query.count()})


async def get(request: web.Request) -> web.Response:
    redis, revision = request.config_dict[redis_key], request.config_dict[calendar_key].revision
    if PREFETCHED in request:
        hit = case_views.parse(request[PREFETCHED], revision)
    else:
        hit = await case_views.cached(redis, int_id(request), revision)
    if hit is not None and hit[0] == request[CITIZEN_ID]:
        return _raw_json(hit[1])  # the common case: an applicant following their case
    row = await find(request)  # anyone else: the visibility rules decide, as for every other call
    view = await detail_json(request, row)
    if row.applicant_id == request[CITIZEN_ID]:  # a colleague's view masks more: it is not the one kept
        await case_views.remember(redis, row.id, row.applicant_id, view, revision)
    return json_response(view)


get.prefetch = lambda request: case_views.key(int_id(request))  # read with the session (auth.py)


def _raw_json(body: bytes) -> web.Response:
    return web.Response(body=body, content_type="application/json")


async def changed(request: web.Request, row: Application) -> None:
    """Something the applicant sees changed outside the workflow: drop the cached view."""
    await case_views.forget(request.config_dict[redis_key], row.id)


async def update_form(request: web.Request) -> web.Response:
    row = await find(request, own=True)
    catalog = request.config_dict[catalog_key]
    schema = catalog.things[row.thing].form
    stored = unseal(schema, row.form, cipher(request), row.id)
    # personal values are shown masked: one sent back as shown keeps what is stored
    form = keep_masked(schema, (await read_json(request)).get("form", {}), stored, mask)
    in_review = row.state == State.IN_REVIEW
    if in_review:
        await _check_correctable(catalog, row, form, stored)
    elif row.state not in (State.DRAFT, State.RETURNED):
        raise ApiError("form_locked", "办件已提交，当前不能修改表单。", status=409)
    problems = form_problems(schema, form, complete=in_review)
    if problems:
        raise ApiError("invalid_form", "表单填写有误，请按提示修改。", status=422, details={"fields": problems})
    async with in_transaction() as conn:
        await Application.filter(id=row.id).using_db(conn).update(form=seal(schema, form, cipher(request)))
        await case_store.record(row.id, actor(request), "update_form", "", workflow(request).clock(), conn)
    await changed(request, row)
    return json_response(await detail_json(request, row))


async def submit(request: web.Request) -> web.Response:
    row = await find(request, own=True)
    await _check_complete(request, row)
    await run_rule(workflow(request).submit(row.id, actor(request)))
    return await get(request)


async def resubmit(request: web.Request) -> web.Response:
    row = await find(request, own=True)
    await _check_complete(request, row)
    await run_rule(workflow(request).resubmit(row.id, actor(request)))
    return await get(request)


async def _check_correctable(catalog, row: Application, form, stored: dict) -> None:
    """During review only the fields of the items a reviewer returned for correction may change."""
    if not isinstance(form, dict):
        return  # form_problems names what is wrong with it
    allowed = {f for code in await materials.returned_items(row.id) for f in catalog.item(code)[1].fields}
    changed_fields = sorted(k for k in set(stored) | set(form) if stored.get(k) != form.get(k))
    locked = [k for k in changed_fields if k not in allowed]
    if not allowed or locked:
        raise ApiError("form_locked", "办件审查中，只能修改被退回补正事项的内容。", status=409,
                       details={"fields": locked})


async def resubmit_item(request: web.Request) -> web.Response:
    """审查中补正: the applicant has fixed what the reviewer listed; that item's clock runs again."""
    row = await find(request, own=True)
    await run_rule(workflow(request).resubmit_item(row.id, request.match_info["item"], actor(request)))
    return await get(request)


async def withdraw(request: web.Request) -> web.Response:
    row = await find(request, own=True)
    reason = text(await read_json(request), "reason", required=False, max_length=200)
    await run_rule(workflow(request).withdraw(row.id, actor(request), reason))
    return await get(request)


async def _check_complete(request: web.Request, row: Application) -> None:
    catalog = request.config_dict[catalog_key]
    schema = catalog.things[row.thing].form
    fields = form_problems(schema, unseal(schema, row.form, cipher(request), row.id), complete=True)
    missing = await materials.missing_essentials(catalog, row)
    if fields or missing:
        raise ApiError("incomplete", "还有未完成的内容，请补充后再提交。", status=422, details={
            "fields": fields, "missing_materials": [{"code": m.code, "name": m.name} for m in missing]})


async def delivery(request: web.Request) -> web.Response:
    row = await find(request, own=True)
    if State(row.state) not in DELIVERY_OPEN:
        raise ApiError("delivery_locked", "结果已送出或办件已结束，不能再修改领取方式。", status=409)
    body = await read_json(request)
    method = body.get("method")
    if method == "pickup":
        choice = {"method": "pickup"}
    elif method == "post":
        if not request.config_dict[catalog_key].things[row.thing].postable:
            raise ApiError("not_postable", "该事项的办理结果须到窗口领取，不能邮寄。", status=422)
        address = body.get("address") if isinstance(body.get("address"), dict) else {}
        parts = {key: text(address, key, max_length=100 if key == "detail" else 20)
                 for key in ("province", "city", "district", "detail")}
        phone = text(body, "phone", max_length=11)
        if not valid_mobile(phone):
            raise ApiError("invalid_field", "请填写收件人的11位手机号码。", status=422, details={"field": "phone"})
        choice = {"method": "post", "recipient": text(body, "recipient", max_length=30), "phone": phone,
                  "address": parts}
    else:
        raise ApiError("invalid_field", "请选择邮寄（post）或窗口领取（pickup）。", status=422,
                       details={"field": "method"})
    async with in_transaction() as conn:
        await Application.filter(id=row.id).using_db(conn).update(delivery=choice)
        await case_store.record(row.id, actor(request), "choose_delivery",
                                "邮寄" if choice["method"] == "post" else "窗口领取", workflow(request).clock(), conn)
    await changed(request, row)
    return json_response(await detail_json(request, row))


async def evaluate(request: web.Request) -> web.Response:
    row = await find(request, own=True)
    body = await read_json(request)
    score = integer(body, "score", "评价须为 1 到 5 分。")
    comment = text(body, "comment", required=False, max_length=500)
    await run_rule(workflow(request).evaluate(row.id, actor(request), score, comment))
    return json_response(await detail_json(request, row), status=201)


def workflow(request: web.Request):
    return request.config_dict[workflow_key]


def cipher(request: web.Request):
    return request.config_dict[id_cipher_key]


def calendar(request: web.Request):
    return request.config_dict[calendar_key].current


async def detail_json(request: web.Request, row: Application) -> dict:
    await row.refresh_from_db()
    tasks = await ReviewTask.filter(application_id=row.id).order_by("id")
    events = await AuditEvent.filter(application_id=row.id).order_by("seq")
    attached = await AttachedMaterial.filter(application_id=row.id).select_related("file")
    rating = await Evaluation.get_or_none(application_id=row.id)
    result = applicant_detail(request.config_dict[catalog_key], row, tasks, events, attached, cipher(request),
                              own=row.applicant_id == request[CITIZEN_ID])
    result["evaluation"] = {"score": rating.score, "comment": rating.comment} if rating else None
    return mark_provisional(result, calendar(request))
