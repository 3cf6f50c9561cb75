"""What an applicant changes on a case outside the workflow: a new draft, the form, the delivery
choice; and the check that a case is complete before it is submitted.

Which states allow which change is decided here, and each change is saved with its audit entry
in one transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise.transactions import in_transaction

from onething.domain.identity import valid_credit_code
from onething.domain.personal import keep_masked
from onething.domain.refusals import Refused
from onething.domain.states import State
from onething.services import case_store, materials
from onething.services.case_store import Actor
from onething.services.enterprises import EnterpriseError
from onething.services.forms import form_problems, mask, seal, unseal
from storage.models import Application, Citizen

if TYPE_CHECKING:
    from onething.services.workflow import Workflow

# Until the results have gone out (or the case ended), how they reach the applicant may change.
DELIVERY_OPEN = {State.DRAFT, State.SUBMITTED, State.RETURNED, State.ACCEPTED, State.IN_REVIEW, State.APPROVED,
                 State.PARTLY_APPROVED, State.RESULTS_READY}
FORM_OPEN = {State.DRAFT, State.RETURNED}


async def open_case(flow: "Workflow", citizen: Citizen, thing_code: str, form: Any, enterprise: str | None,
                    cipher) -> Application:
    """A new draft; one named on an enterprise only by a confirmed contact of it (case_store)."""
    thing = flow.catalog.things.get(thing_code)
    if thing is None:
        raise Refused("unknown_thing", details={"field": "thing"})
    problems = form_problems(thing.form, form, complete=False)
    if problems:
        raise Refused("invalid_form", details={"fields": problems})
    code = _credit_code(enterprise, thing)
    try:
        return await case_store.create_draft(thing.code, citizen, seal(thing.form, form, cipher), flow.clock(),
                                             enterprise_code=code)
    except EnterpriseError as exc:
        raise Refused(exc.code, exc.message, status=exc.status, details={"field": "enterprise"}) from None


def _credit_code(value: str | None, thing) -> str | None:
    """The credit code a case is to be named on, in its stored form."""
    if value is None:
        return None
    if thing.audience != "enterprise":
        raise Refused("not_enterprise_thing", details={"field": "enterprise"})
    code = value.strip().upper()
    if not valid_credit_code(code):
        raise Refused("invalid_credit_code", details={"field": "enterprise"})
    return code


async def change_form(flow: "Workflow", row: Application, sent: Any, cipher, actor: Actor) -> None:
    """Before submission or on correction, any field; during review only the fields of the items a
    reviewer returned. Personal values are shown masked: one sent back as shown keeps what is stored."""
    schema = flow.catalog.things[row.thing].form
    stored = unseal(schema, row.form, cipher, row.id)
    form = keep_masked(schema, sent, stored, mask)
    in_review = row.state == State.IN_REVIEW
    if in_review:
        await _check_correctable(flow, row, form, stored)
    elif row.state not in FORM_OPEN:
        raise Refused("form_locked", status=409)
    problems = form_problems(schema, form, complete=in_review)
    if problems:
        raise Refused("invalid_form", details={"fields": problems})
    async with in_transaction() as conn:
        await Application.filter(id=row.id).using_db(conn).update(form=seal(schema, form, cipher))
        await case_store.record(row.id, actor, "update_form", "", flow.clock(), conn)
    await _changed(flow, row)


async def _check_correctable(flow: "Workflow", row: Application, form: Any, stored: dict) -> None:
    if not isinstance(form, dict):
        return  # form_problems names what is wrong with it
    returned = await materials.returned_items(row.id)
    allowed = {f for code in returned for f in flow.catalog.item(code)[1].fields}
    changed_fields = sorted(k for k in set(stored) | set(form) if stored.get(k) != form.get(k))
    locked = [k for k in changed_fields if k not in allowed]
    if not allowed or locked:
        raise Refused("form_locked", status=409, details={"fields": locked})


async def check_complete(flow: "Workflow", row: Application, cipher) -> None:
    """Every field filled in and every document not allowed to be owed attached, or all that is missing."""
    schema = flow.catalog.things[row.thing].form
    fields = form_problems(schema, unseal(schema, row.form, cipher, row.id), complete=True)
    missing = await materials.missing_essentials(flow.catalog, row)
    if fields or missing:
        raise Refused("incomplete", details={
            "fields": fields, "missing_materials": [{"code": m.code, "name": m.name} for m in missing]})


async def choose_delivery(flow: "Workflow", row: Application, sent: dict, actor: Actor) -> None:
    """Post (for a thing whose results may be posted) or pickup at the window, until the results go out."""
    if State(row.state) not in DELIVERY_OPEN:
        raise Refused("delivery_locked", status=409)
    if sent["method"] == "post":
        if not flow.catalog.things[row.thing].postable:
            raise Refused("not_postable")
        choice = {"method": "post", "recipient": sent["recipient"].strip(), "phone": sent["phone"].strip(),
                  "address": {k: sent["address"][k].strip() for k in ("province", "city", "district", "detail")}}
    else:
        choice = {"method": "pickup"}
    async with in_transaction() as conn:
        await Application.filter(id=row.id).using_db(conn).update(delivery=choice)
        await case_store.record(row.id, actor, "choose_delivery", "邮寄" if choice["method"] == "post" else "窗口领取",
                                flow.clock(), conn)
    await _changed(flow, row)


async def _changed(flow: "Workflow", row: Application) -> None:
    """Something the applicant sees changed outside the workflow: drop the cached view."""
    if flow.on_change is not None:
        await flow.on_change(row.id)
