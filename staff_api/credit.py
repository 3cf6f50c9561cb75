"""The credit blacklist (失信) for supervisors and admins: ``/staff/api/v1/credit``.

Set (``PUT``) and clear (``DELETE``) a flag on a person by ID number or on an enterprise by
credit code, each with the reason and the decision's document number. Other roles are refused.
A person's ID number is taken in the body, never in the address (addresses end up in logs), and
only ever shown back masked.
"""

from __future__ import annotations

from aiohttp import web

from onething.domain import credit as rules
from onething.domain.credit import CreditRuleError
from onething.keys import id_cipher_key, workflow_key
from onething.services import credit
from onething.web.errors import ApiError
from onething.web.http import json_response, read_json, text
from onething.web.routes import Route
from .session import actor, staff
from storage.models import Application, CreditFlag

FLAG = ("supervisor", "admin")


def flag_json(flag: CreditFlag, history: bool = False) -> dict:
    """(``history``: with its entries fetched)"""
    body = {"id": flag.id, "subject": flag.subject, "who": flag.hint, "active": flag.active, "reason": flag.reason,
            "document": flag.document, "updated_by": flag.updated_by, "updated_at": flag.updated_at.isoformat()}
    if history:
        body["history"] = [{"action": e.action, "actor": e.actor, "role": e.role, "reason": e.reason,
                            "document": e.document, "at": e.at.isoformat()}
                           for e in sorted(flag.entries, key=lambda e: e.id)]
    return body


async def case_credit(row: Application) -> dict:
    """What staff see on a case: whether its applicant (or their enterprise) gets no deferral, and why."""
    flags = await credit.flags_for_case(await row.applicant, row.enterprise_code)
    return {"blacklisted": bool(flags), "flags": [flag_json(f) for f in flags]}


async def _change(request: web.Request, subject_of, clear: bool) -> web.Response:
    session = staff(request, *FLAG)
    body = await read_json(request)
    try:
        subject = subject_of(body)
        change = credit.clear_flag if clear else credit.set_flag
        flag = await change(subject, request.config_dict[id_cipher_key], actor(session),
                            request.config_dict[workflow_key].clock(),
                            reason=text(body, "reason", max_length=rules.REASON_MAX),
                            document=text(body, "document", max_length=rules.DOCUMENT_MAX))
    except CreditRuleError as exc:
        raise ApiError(exc.code, exc.message, status=exc.status,
                       details={"field": exc.field} if exc.field else None) from None
    await flag.fetch_related("entries")
    return json_response(flag_json(flag, history=True))


def _citizen(body: dict) -> rules.Subject:
    value = body.get("id_number")
    return rules.citizen(value if isinstance(value, str) else "")


def _enterprise(request: web.Request):
    return lambda body: rules.enterprise(request.match_info["credit_code"])


async def set_citizen(request: web.Request) -> web.Response:
    return await _change(request, _citizen, clear=False)


async def clear_citizen(request: web.Request) -> web.Response:
    return await _change(request, _citizen, clear=True)


async def set_enterprise(request: web.Request) -> web.Response:
    return await _change(request, _enterprise(request), clear=False)


async def clear_enterprise(request: web.Request) -> web.Response:
    return await _change(request, _enterprise(request), clear=True)


async def list_(request: web.Request) -> web.Response:
    staff(request, *FLAG)
    flags = await credit.listing(include_cleared=request.query.get("state") == "all")
    return json_response({"items": [flag_json(f, history=True) for f in flags]})


STRING = {"type": "string"}
BASIS = {"reason": STRING, "document": {"type": "string", "description": "认定（或信用修复）文书号"}}
ROUTES = [
    Route("GET", "/credit", list_, "失信名单：现有标记及其设置、解除记录（?state=all 含已解除的）"),
    Route("PUT", "/credit/citizens", set_citizen, "将个人列入失信名单（身份证号）：不适用容缺受理", {
        "type": "object", "required": ["id_number", "reason", "document"],
        "properties": {"id_number": STRING, **BASIS}}),
    Route("DELETE", "/credit/citizens", clear_citizen, "解除个人的失信标记", {
        "type": "object", "required": ["id_number", "reason", "document"],
        "properties": {"id_number": STRING, **BASIS}}),
    Route("PUT", "/credit/enterprises/{credit_code}", set_enterprise, "将企业列入失信名单（统一社会信用代码）", {
        "type": "object", "required": ["reason", "document"], "properties": BASIS}),
    Route("DELETE", "/credit/enterprises/{credit_code}", clear_enterprise, "解除企业的失信标记", {
        "type": "object", "required": ["reason", "document"], "properties": BASIS}),
]
