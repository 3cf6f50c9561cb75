"""Enterprises for the service managers (``/staff/api/v1/enterprises``): register, assign, serve.

A manager sees and acts for their own enterprises only; another's answers 404, so ids do not
tell what exists. Supervisors and admins see all and assign managers.
"""

from __future__ import annotations

from aiohttp import web

from onething.domain import scenes
from onething.domain.calendar import local_date
from onething.domain.identity import mask_name
from onething.keys import catalog_key, workflow_key
from onething.services import credit, enterprises
from onething.services.enterprises import EnterpriseError
from onething.web.errors import ApiError
from onething.web.http import int_id, json_response, read_json, text
from onething.web.routes import Route
from .outbox import scene_code
from onething.services.presenters import application_summary, task_json
from onething.web.provisional import dated_json
from .session import staff
from .credit import flag_json as credit_flag_json
from storage.models import Enterprise, EnterpriseContact, EnterpriseEvent, StaffUser

SERVE = ("manager", "supervisor", "admin")


async def find(request: web.Request, *roles: str) -> Enterprise:
    session = staff(request, *roles)
    enterprise = await enterprises.visible(session).filter(id=int_id(request)).first()
    if enterprise is None:
        raise web.HTTPNotFound()
    return enterprise


def _error(exc: EnterpriseError) -> ApiError:
    return ApiError(exc.code, exc.message, status=exc.status)


def summary(enterprise: Enterprise) -> dict:
    """(with its manager fetched)"""
    return {"id": enterprise.id, "name": enterprise.name, "credit_code": enterprise.credit_code,
            "manager": enterprise.manager.username if enterprise.manager_id else None,
            "created_at": enterprise.created_at.isoformat()}


async def create(request: web.Request) -> web.Response:
    session = staff(request, *SERVE)
    body = await read_json(request)
    # a manager who registers an enterprise serves it; others assign one later
    manager = await StaffUser.get(id=session.id) if session.role == "manager" else None
    try:
        enterprise = await enterprises.create(text(body, "name", max_length=128), text(body, "credit_code", max_length=18),
                                              f"staff:{session.username}", request.config_dict[workflow_key].clock(),
                                              manager=manager)
    except EnterpriseError as exc:
        raise _error(exc) from None
    await enterprise.fetch_related("manager")
    return json_response(summary(enterprise), status=201)


async def list_(request: web.Request) -> web.Response:
    session = staff(request, *SERVE)
    rows = await enterprises.visible(session).order_by("name").prefetch_related("manager")
    return json_response({"items": [summary(e) for e in rows]})


async def detail(request: web.Request) -> web.Response:
    enterprise = await find(request, *SERVE)
    await enterprise.fetch_related("manager")
    catalog = request.config_dict[catalog_key]
    today = local_date(request.config_dict[workflow_key].clock())
    contacts = await EnterpriseContact.filter(enterprise_id=enterprise.id).prefetch_related("citizen").order_by("id")
    cases = await enterprises.cases_of(enterprise, today)
    return dated_json(request, {
        **summary(enterprise),
        "contacts": [{"id": c.id, "bound_via": c.bound_via, "verified": c.verified, "on_wechat": c.follower_id is not None,
                      "name": mask_name(c.citizen.real_name or "") if c.citizen else ""} for c in contacts],
        "cases": [{**application_summary(catalog, row), "tasks": [task_json(catalog, t) for t in tasks],
                   "overdue": any(t.overdue for t in tasks), "warned": any(t.warned for t in tasks)}
                  for row, tasks in cases],
        "managers": [{"manager": a.manager.username if a.manager else None, "assigned_by": a.assigned_by,
                      "note": a.note, "at": a.at.isoformat()} for a in await enterprises.history(enterprise)],
        "events": [{"seq": e.seq, "actor": e.actor, "action": e.action, "note": e.note, "at": e.at.isoformat()}
                   for e in await EnterpriseEvent.filter(enterprise_id=enterprise.id).order_by("seq", "id")],
        "credit": credit_flag_json(flag) if (flag := await credit.enterprise_flag(enterprise.credit_code)) else None,
    })


async def assign(request: web.Request) -> web.Response:
    session = staff(request, "supervisor", "admin")
    enterprise = await find(request, "supervisor", "admin")
    body = await read_json(request)
    try:
        await enterprises.assign_manager(enterprise, text(body, "manager", max_length=64), f"staff:{session.username}",
                                         request.config_dict[workflow_key].clock(), text(body, "note", required=False))
    except EnterpriseError as exc:
        raise _error(exc) from None
    return await detail(request)


async def verify_contact(request: web.Request) -> web.Response:
    enterprise = await find(request, "manager")
    contact = await EnterpriseContact.get_or_none(id=int_id(request, "contact"), enterprise_id=enterprise.id)
    if contact is None:
        raise web.HTTPNotFound()
    await enterprises.verify_contact(contact, f"staff:{staff(request).username}")
    return json_response({"id": contact.id, "verified": True})


async def wechat_code(request: web.Request) -> web.Response:
    """The code a manager hands an enterprise's people: scanning it makes them its contacts."""
    enterprise = await find(request, "manager", "admin")
    return await scene_code(request, scenes.ENTERPRISE, enterprise.credit_code)


STRING = {"type": "string"}
ROUTES = [
    Route("POST", "/enterprises", create, "登记企业（统一社会信用代码校验）；经理登记的由其服务", {
        "type": "object", "required": ["name", "credit_code"], "properties": {"name": STRING, "credit_code": STRING}},
        responses={"201": "已登记"}),
    Route("GET", "/enterprises", list_, "企业列表（经理：仅本人服务的）"),
    Route("GET", "/enterprises/{id}", detail, "企业详情：联系人、在办件（按紧急程度排序）、经理变更记录、操作记录、失信标记"),
    Route("PUT", "/enterprises/{id}/manager", assign, "指定或更换项目服务经理（保留历史）", {
        "type": "object", "required": ["manager"], "properties": {"manager": STRING, "note": STRING}}),
    Route("POST", "/enterprises/{id}/contacts/{contact}/verify", verify_contact, "确认小程序中自行绑定的企业联系人"),
    Route("POST", "/enterprises/{id}/wechat-code", wechat_code, "企业专属公众号二维码：扫码即成为企业联系人"),
]
