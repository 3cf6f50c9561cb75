"""Revealing one personal form field of a case to the staff member who needs it in full
(``/staff/api/v1/applications/{id}/form/reveal``); the rules and the trace are in
``onething.services.reveals``."""

from __future__ import annotations

from aiohttp import web

from onething.domain.refusals import Refused
from onething.keys import id_cipher_key, workflow_key
from onething.services import reveals
from onething.services.staff_cases import READ_ALL
from onething.web.http import json_response
from onething.web.routes import Route
from onething.web.schemas import obj, required_text
from onething.web.validation import body
from .session import actor, forbidden, staff
from .shapes import REVEALED


async def reveal(request: web.Request) -> web.Response:
    session = staff(request)
    try:
        shown = await reveals.reveal(request.config_dict[workflow_key], request.config_dict[id_cipher_key], session,
                                     actor(session), int(request.match_info["id"]), body(request)["field"])
    except Refused as exc:
        if exc.code == "field_not_needed":  # to clients a 403 is ``forbidden``, whatever the reason
            raise forbidden(request, exc.code, **exc.details) from None
        raise
    return json_response(shown, headers={"Cache-Control": "no-store"})


ROUTES = [
    Route("POST", "/applications/{id}/form/reveal", reveal,
          "查看表单中一项个人信息的完整内容（身份证号、手机号、银行账号、地址）：记入办件轨迹",
          obj({"field": required_text(200, "栏目", description="栏目，如 legal_rep_id_number 或 shareholders.0.id_number")},
              required=("field",)), roles=(*READ_ALL, "reviewer"), response=REVEALED),
]
