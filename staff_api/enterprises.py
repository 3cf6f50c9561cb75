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
from onething.services import enterprise_desk
from onething.services.manager_views import ENTERPRISE, ENTERPRISE_DETAIL
from onething.services.presenters import application_summary, task_json
from onething.web.http import json_response
from onething.web.provisional import dated_json
from onething.web.routes import Route
from onething.web.schemas import ID, items_of, obj, required_text, text
from onething.web.validation import body
from .credit import flag_json as credit_flag_json
from .outbox import scene_code
from .session import staff

SERVE = ("manager", "supervisor", "admin")
ASSIGN = ("supervisor", "admin")


def _now(request: web.Request):
    return request.config_dict[workflow_key].clock()


async def find(request: web.Request, *roles: str):
    """The enterprise of the path's ``{id}``, if this person may see it (404 otherwise)."""
    enterprise = await enterprise_desk.find(staff(request, *roles), int(request.match_info["id"]))
    if enterprise is None:
        raise web.HTTPNotFound()
    return enterprise


def summary(enterprise) -> dict:
    """(with its manager fetched)"""
    return {"id": enterprise.id, "name": enterprise.name, "credit_code": enterprise.credit_code,
            "manager": enterprise.manager.username if enterprise.manager_id else None,
            "created_at": enterprise.created_at.isoformat()}


async def create(request: web.Request) -> web.Response:
    sent = body(request)
    enterprise = await enterprise_desk.register(staff(request, *SERVE), sent["name"], sent["credit_code"],
                                                _now(request))
    return json_response(summary(enterprise), status=201)


async def list_(request: web.Request) -> web.Response:
    return json_response({"items": [summary(e) for e in await enterprise_desk.listing(staff(request, *SERVE))]})


async def detail(request: web.Request) -> web.Response:
    found = await enterprise_desk.dossier(staff(request, *SERVE), int(request.match_info["id"]),
                                          local_date(_now(request)))
    if found is None:
        raise web.HTTPNotFound()
    catalog = request.config_dict[catalog_key]
    return dated_json(request, {
        **summary(found.enterprise),
        "contacts": [{"id": c.id, "bound_via": c.bound_via, "verified": c.verified, "on_wechat": c.follower_id is not None,
                      "name": mask_name(c.citizen.real_name or "") if c.citizen else ""} for c in found.contacts],
        "cases": [{**application_summary(catalog, row), "tasks": [task_json(catalog, t) for t in tasks],
                   "overdue": any(t.overdue for t in tasks), "warned": any(t.warned for t in tasks)}
                  for row, tasks in found.cases],
        "managers": [{"manager": a.manager.username if a.manager else None, "assigned_by": a.assigned_by,
                      "note": a.note, "at": a.at.isoformat()} for a in found.managers],
        "events": [{"seq": e.seq, "actor": e.actor, "action": e.action, "note": e.note, "at": e.at.isoformat()}
                   for e in found.events],
        "credit": credit_flag_json(found.credit) if found.credit else None,
    })


async def assign(request: web.Request) -> web.Response:
    sent = body(request)
    if not await enterprise_desk.assign(staff(request, *ASSIGN), int(request.match_info["id"]), sent["manager"],
                                        sent.get("note", ""), _now(request)):
        raise web.HTTPNotFound()
    return await detail(request)


async def verify_contact(request: web.Request) -> web.Response:
    contact = await enterprise_desk.confirm_contact(staff(request, "manager"), int(request.match_info["id"]),
                                                    int(request.match_info["contact"]))
    if contact is None:
        raise web.HTTPNotFound()
    return json_response({"id": contact.id, "verified": True})


async def wechat_code(request: web.Request) -> web.Response:
    """The code a manager hands an enterprise's people: scanning it makes them its contacts."""
    enterprise = await find(request, "manager", "admin")
    return await scene_code(request, scenes.ENTERPRISE, enterprise.credit_code)


ROUTES = [
    Route("POST", "/enterprises", create, "登记企业（统一社会信用代码校验）；经理登记的由其服务", obj({
        "name": required_text(128, "企业名称"), "credit_code": required_text(18, "统一社会信用代码")},
        required=("name", "credit_code")), roles=SERVE, response=ENTERPRISE, status=201, responses={"201": "已登记"}),
    Route("GET", "/enterprises", list_, "企业列表（经理：仅本人服务的）", roles=SERVE, response=items_of(ENTERPRISE)),
    Route("GET", "/enterprises/{id}", detail, "企业详情：联系人、在办件（按紧急程度排序）、经理变更记录、操作记录、失信标记",
          roles=SERVE, response=ENTERPRISE_DETAIL),
    Route("PUT", "/enterprises/{id}/manager", assign, "指定或更换项目服务经理（保留历史）", obj({
        "manager": required_text(64, "项目服务经理"), "note": text(2000, "说明")}, required=("manager",)),
        roles=ASSIGN, response=ENTERPRISE_DETAIL),
    Route("POST", "/enterprises/{id}/contacts/{contact}/verify", verify_contact, "确认小程序中自行绑定的企业联系人",
          params={"contact": ID}, roles=("manager",), response={"type": "object", "required": ["id", "verified"]}),
    Route("POST", "/enterprises/{id}/wechat-code", wechat_code, "企业专属公众号二维码：扫码即成为企业联系人",
          roles=("manager", "admin"), response={"type": "object"}),
]
