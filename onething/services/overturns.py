"""Recording a refusal that was overturned (onething.domain.overturns): a supervisor's action on a
closed case, in its trail, in the figures and in the department's reviewers' inbox, in one
transaction."""

from __future__ import annotations

import jinja2
from tortoise.transactions import in_transaction

from onething.domain import overturns
from onething.domain.calendar import local_date
from onething.domain.refusals import Refused
from onething.services import case_store, figures, staff_inbox
from onething.services.case_store import Actor
from storage import updates
from storage.models import Application, AuditEvent, ReviewTask, StaffNotice, StaffUser

KIND = "overturned"


async def overturn(flow, templates: jinja2.Environment, application_id: int, item: str | None, basis: str,
                   note: str, actor: Actor) -> dict:
    """Record that the case's refusal (``item`` None) or its item's rejection was overturned."""
    case = await Application.get_or_none(id=application_id)
    if case is None:
        raise Refused("not_found", status=404)
    thing = flow.catalog.things.get(case.thing)
    if thing is None:  # a thing since taken out of the catalog: its figures are no one's to rank
        raise Refused("not_found", status=404)
    if item is None:
        if case.state != "refused":
            raise Refused("not_refused", status=409)
        refusal = await AuditEvent.filter(application_id=case.id, action="refuse").order_by("-seq").first()
        department, window, what = thing.lead_department, refusal.actor if refusal else "", "不予受理决定"
    else:
        task = await ReviewTask.get_or_none(application_id=case.id, item=item)
        if task is None:
            raise Refused("no_such_item", status=404)
        named = thing.items[item].name if item in thing.items else item
        if task.state != "rejected":
            raise Refused("not_rejected", status=409, details={"item": named})
        refusal = await AuditEvent.filter(application_id=case.id, action="reject_item", item=item).order_by(
            "-seq").first()
        department, window = task.department, case.window or ""
        what = f"事项《{named}》（{flow.supervision.departments.get(department, department)}）的不予许可决定"
    now = flow.clock()
    # counted on the refusal's day, in the refusal's period: the share of a period's refusals that
    # stood, however long the review or the court took (a ranking already published stays as it was)
    refused_on = local_date(refusal.at if refusal else now)
    async with in_transaction() as conn:
        # the record bumps the case's version under its row lock: of two supervisors recording the
        # same overturn at once, the second waits and then finds the first's event
        await case_store.record(case.id, actor, "overturn", overturns.note_of(basis, note), now, conn, item=item)
        if await AuditEvent.filter(application_id=case.id, action="overturn", item=item).using_db(conn).count() > 1:
            raise Refused("already_overturned", status=409)
        fact = overturns.fact_of(department=department, window=window, thing=case.thing, item=item)
        await figures.count(case.id, refused_on, [fact], conn)
        reviewers = await StaffUser.filter(role="reviewer", department=department, active=True).using_db(
            conn).order_by("id").values_list("id", flat=True)
        context = {"number": case.number, "thing_name": thing.name, "what": what,
                   "basis_name": overturns.BASES[basis], "note": note}
        notices = staff_inbox.rows_to(templates, KIND, context, now, [{"role": "supervisor"}] + [
            {"staff_id": staff_id} for staff_id in reviewers], payload={"application_id": case.id, "item": item})
        await updates.insert_many(conn, StaffNotice, notices)
    if flow.on_change is not None:
        await flow.on_change(case.id)
    return {"application_id": case.id, "item": item, "basis": basis, "department": department}
