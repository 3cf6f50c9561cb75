"""The credit blacklist (失信) for supervisors and admins: ``/staff/api/v1/credit``.

Set (``PUT``) and clear (``DELETE``) a flag on a person by ID number or on an enterprise by
credit code, each with the reason and the decision's document number. Other roles are refused.
A person's ID number is taken in the body, never in the address (addresses end up in logs), and
only ever shown back masked.
"""

from __future__ import annotations

from aiohttp import web

from onething.domain import credit as rules
from onething.keys import id_cipher_key, workflow_key
from onething.services import credit
from onething.services.credit import flag_json  # noqa: F401  (enterprises show their flag the same way)
from onething.web.http import json_response
from onething.web.routes import Route
from onething.web.schemas import enum, items_of, obj, required_text
from onething.web.validation import body, query
from .session import actor, staff
from .shapes import FLAG

FLAG_ROLES = ("supervisor", "admin")


async def _change(request: web.Request, subject: rules.Subject, clear: bool) -> web.Response:
    given = body(request)
    flag = await credit.change(subject, request.config_dict[id_cipher_key], actor(staff(request)),
                               request.config_dict[workflow_key].clock(), clear=clear,
                               reason=given["reason"], document=given["document"])
    return json_response(flag)


async def set_citizen(request: web.Request) -> web.Response:
    return await _change(request, rules.citizen(body(request)["id_number"]), clear=False)


async def clear_citizen(request: web.Request) -> web.Response:
    return await _change(request, rules.citizen(body(request)["id_number"]), clear=True)


async def set_enterprise(request: web.Request) -> web.Response:
    return await _change(request, rules.enterprise(request.match_info["credit_code"]), clear=False)


async def clear_enterprise(request: web.Request) -> web.Response:
    return await _change(request, rules.enterprise(request.match_info["credit_code"]), clear=True)


async def list_(request: web.Request) -> web.Response:
    return json_response({"items": await credit.listed(include_cleared=query(request).get("state") == "all")})


BASIS = {"reason": required_text(rules.REASON_MAX, "理由"),
         "document": required_text(rules.DOCUMENT_MAX, "文书号", description="认定（或信用修复）文书号")}
CITIZEN = obj({"id_number": required_text(32, "身份证号"), **BASIS}, required=("id_number", "reason", "document"))
ENTERPRISE = obj(BASIS, required=("reason", "document"))
CREDIT_CODE = {"credit_code": {"type": "string", "minLength": 1, "maxLength": 32, "title": "统一社会信用代码"}}


def _route(method: str, path: str, handler, summary: str, schema: dict, **more) -> Route:
    return Route(method, path, handler, summary, schema, roles=FLAG_ROLES, response=FLAG, **more)


ROUTES = [
    Route("GET", "/credit", list_, "失信名单：现有标记及其设置、解除记录（?state=all 含已解除的）",
          query={"state": enum(("active", "all"), "范围")}, roles=FLAG_ROLES, response=items_of(FLAG)),
    _route("PUT", "/credit/citizens", set_citizen, "将个人列入失信名单（身份证号）：不适用容缺受理", CITIZEN),
    _route("DELETE", "/credit/citizens", clear_citizen, "解除个人的失信标记", CITIZEN),
    _route("PUT", "/credit/enterprises/{credit_code}", set_enterprise, "将企业列入失信名单（统一社会信用代码）",
           ENTERPRISE, params=CREDIT_CODE),
    _route("DELETE", "/credit/enterprises/{credit_code}", clear_enterprise, "解除企业的失信标记", ENTERPRISE,
           params=CREDIT_CODE),
]
