"""Revealing one personal form field of a case to the staff member who needs it in full.

Every answer masks personal fields (onething.domain.personal), for staff too. Whoever may read
the case may ask for one field's full value, on purpose: a reviewer only for the fields their
own department's items use. Each reveal is an event in the case's trail naming who and which
field, never the value.
"""

from __future__ import annotations

from aiohttp import web
from tortoise.transactions import in_transaction

from onething.keys import catalog_key, id_cipher_key, redis_key, workflow_key
from onething.services import case_store, case_views
from onething.services.forms import Unreadable, unseal
from onething.domain.personal import locate
from onething.web.errors import ApiError
from onething.web.http import int_id, json_response, read_json, text
from onething.web.routes import Route
from .session import actor, staff
from storage.models import Application, ReviewTask

READ_ALL = ("clerk", "supervisor", "admin")  # who reads any case (as the case detail in staff.py)


async def reveal(request: web.Request) -> web.Response:
    session = staff(request, *READ_ALL, "reviewer")
    row = await Application.get_or_none(id=int_id(request))
    if row is None:
        raise web.HTTPNotFound()
    catalog = request.config_dict[catalog_key]
    thing = catalog.things[row.thing]
    if session.role == "reviewer":
        items = await ReviewTask.filter(application_id=row.id, department=session.department).values_list(
            "item", flat=True)
        if not items:
            raise web.HTTPNotFound()  # as the case detail: another department's case does not exist for them
        # an item renamed in the catalog since its task began opens no field
        allowed = {f for code in items if code in thing.items for f in thing.items[code].fields}
    else:
        allowed = set(thing.form.get("properties", {}))
    path = text(await read_json(request), "field", max_length=200)
    form = unseal(thing.form, row.form, request.config_dict[id_cipher_key], row.id)
    found = locate(thing.form, form, path)
    if found is None or not found[0].get("personal"):
        raise ApiError("not_personal", "表单中没有这个需要查看的个人信息栏目。", status=422,
                       details={"field": path})
    if path.split(".")[0] not in allowed:
        raise ApiError("forbidden", "您办理的事项不需要这一栏目，无权查看完整内容。", status=403,
                       details={"field": path})
    spec, value = found
    if not isinstance(value, str):
        raise ApiError("field_empty", "这一栏目尚未填写。", status=422, details={"field": path})
    if isinstance(value, Unreadable):
        raise ApiError("field_unreadable", "这一栏目保存的内容无法解密（服务密钥可能已更换），请联系系统管理员，"
                       "或请申请人重新填写。", status=409, details={"field": path})
    async with in_transaction() as conn:  # traced before it is shown: no reveal goes unrecorded
        await case_store.record(row.id, actor(session), "reveal_personal", path,
                                request.config_dict[workflow_key].clock(), conn)
    await case_views.forget(request.config_dict[redis_key], row.id)  # the applicant's timeline shows it
    return json_response({"field": path, "title": spec.get("title", path), "value": value},
                             headers={"Cache-Control": "no-store"})


ROUTES = [
    Route("POST", "/applications/{id}/form/reveal", reveal,
          "查看表单中一项个人信息的完整内容（身份证号、手机号、银行账号、地址）：记入办件轨迹", {
              "type": "object", "required": ["field"], "properties": {"field": {
                  "type": "string", "description": "栏目，如 legal_rep_id_number 或 shareholders.0.id_number"}}}),
]
