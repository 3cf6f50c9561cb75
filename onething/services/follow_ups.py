"""Follow-ups of bad ratings (好差评: a rating of 1 or 2 is followed up within 15 working days)."""

from __future__ import annotations

from datetime import date

from tortoise.transactions import in_transaction

from onething.domain.calendar import local_date
from onething.domain.facts import Fact
from onething.domain.refusals import Refused
from onething.services import case_store, figures
from onething.services.case_store import Actor
from storage.models import Application, Evaluation


async def open_ones(today: date) -> list[dict]:
    """Follow-ups not yet closed, the nearest due first, each saying whether it is overdue."""
    rows = await Evaluation.filter(follow_up_due_on__isnull=False, follow_up_closed_at__isnull=True).order_by(
        "follow_up_due_on").select_related("application")
    return [{"id": e.id, "application_id": e.application_id, "number": e.application.number, "score": e.score,
             "comment": e.comment, "due_on": e.follow_up_due_on.isoformat(), "overdue": e.follow_up_due_on < today}
            for e in rows]


async def close(flow, evaluation_id: int, actor: Actor, note: str) -> dict:
    """Close one follow-up, noted in its case's trail in the same transaction."""
    evaluation = await Evaluation.get_or_none(id=evaluation_id, follow_up_due_on__isnull=False)
    if evaluation is None:
        raise Refused("not_found", status=404)
    now = flow.clock()
    async with in_transaction() as conn:
        # closed only if still open: of two supervisors closing it at once, one is told it is done
        closed = await Evaluation.filter(id=evaluation.id, follow_up_closed_at__isnull=True).using_db(conn).update(
            follow_up_closed_at=now)
        if not closed:
            raise Refused("follow_up_closed", status=409)
        await case_store.record(evaluation.application_id, actor, "close_follow_up", note, now, conn)
        await _count(flow, evaluation, now, conn)
    if flow.on_change is not None:
        await flow.on_change(evaluation.application_id)  # the applicant's timeline shows it
    return {"id": evaluation.id, "closed": True}


async def _count(flow, evaluation: Evaluation, now, conn) -> None:
    """The follow-up counts for the department and window the rating was attributed to, on time or not."""
    case = await Application.get(id=evaluation.application_id).using_db(conn)
    thing = flow.catalog.things.get(case.thing)
    on_time = int(local_date(now) <= evaluation.follow_up_due_on)
    fact = Fact("follow_up_closed", thing.lead_department if thing else "", case.window or "", case.thing,
                bucket=on_time)
    await figures.count(case.id, local_date(now), [fact], conn)
