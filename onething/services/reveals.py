"""Revealing one personal form field of a case to the staff member who needs it in full.

Every answer masks personal fields (onething.domain.personal), for staff too. Whoever may read
the case may ask for one field's full value, on purpose: a reviewer only for the fields their
own department's items use. Each reveal is an event in the case's trail naming who and which
field, never the value, written before the value is shown.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from onething.domain.personal import locate
from onething.domain.refusals import Refused
from onething.services import case_store
from onething.services.case_store import Actor
from onething.services.forms import Unreadable, unseal
from onething.services.staff import StaffSession
from storage.models import Application, ReviewTask


async def reveal(flow, cipher, session: StaffSession, actor: Actor, application_id: int, path: str) -> dict:
    row = await Application.get_or_none(id=application_id)
    if row is None:
        raise Refused("not_found", status=404)
    thing = flow.catalog.things[row.thing]
    if session.role == "reviewer":
        items = await ReviewTask.filter(application_id=row.id, department=session.department).values_list(
            "item", flat=True)
        if not items:
            raise Refused("not_found", status=404)  # as the case detail: another department's case
        # an item renamed in the catalog since its task began opens no field
        allowed = {f for code in items if code in thing.items for f in thing.items[code].fields}
    else:
        allowed = set(thing.form.get("properties", {}))
    found = locate(thing.form, unseal(thing.form, row.form, cipher, row.id), path)
    if found is None or not found[0].get("personal"):
        raise Refused("not_personal", details={"field": path})
    if path.split(".")[0] not in allowed:
        raise Refused("field_not_needed", status=403, details={"field": path})
    spec, value = found
    if not isinstance(value, str):
        raise Refused("field_empty", details={"field": path})
    if isinstance(value, Unreadable):
        raise Refused("field_unreadable", status=409, details={"field": path})
    async with in_transaction() as conn:  # traced before it is shown: no reveal goes unrecorded
        await case_store.record(row.id, actor, "reveal_personal", path, flow.clock(), conn)
    if flow.on_change is not None:
        await flow.on_change(row.id)  # the applicant's timeline shows it
    return {"field": path, "title": spec.get("title", path), "value": value}
