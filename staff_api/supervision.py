"""Supervision (``/staff/api/v1``): follow-up of bad ratings (好差评: closed within 15 working days)."""

from __future__ import annotations

from aiohttp import web
from tortoise.transactions import in_transaction

from onething.domain.calendar import local_date
from onething.keys import redis_key, workflow_key
from onething.services import case_store, case_views
from onething.web.errors import ApiError
from onething.web.http import int_id, json_response, read_json, text
from onething.web.provisional import dated_json
from .session import staff
from storage.models import Evaluation


async def follow_ups(request: web.Request) -> web.Response:
    """Open follow-ups of ratings 1-2, nearest due first, each saying whether it is overdue."""
    staff(request, "supervisor", "admin")
    today = local_date(request.config_dict[workflow_key].clock())
    rows = await Evaluation.filter(follow_up_due_on__isnull=False, follow_up_closed_at__isnull=True).order_by(
        "follow_up_due_on").select_related("application")
    return dated_json(request, {"items": [
        {"id": e.id, "application_id": e.application_id, "number": e.application.number, "score": e.score,
         "comment": e.comment, "due_on": e.follow_up_due_on.isoformat(), "overdue": e.follow_up_due_on < today}
        for e in rows
    ]})


async def close_follow_up(request: web.Request) -> web.Response:
    session = staff(request, "supervisor")
    note = text(await read_json(request), "note", max_length=1000)
    evaluation = await Evaluation.get_or_none(id=int_id(request), follow_up_due_on__isnull=False)
    if evaluation is None:
        raise web.HTTPNotFound()
    if evaluation.follow_up_closed_at is not None:
        raise ApiError("already_closed", "该差评回访已办结。", status=409)
    now = request.config_dict[workflow_key].clock()
    async with in_transaction() as conn:
        await Evaluation.filter(id=evaluation.id).using_db(conn).update(follow_up_closed_at=now)
        await case_store.record(evaluation.application_id, case_store.Actor(f"staff:{session.username}", session.role),
                                "close_follow_up", note, now, conn)
    await case_views.forget(request.config_dict[redis_key], evaluation.application_id)  # the timeline changed
    return json_response({"id": evaluation.id, "closed": True})


def setup(app: web.Application) -> None:
    app.router.add_get("/follow-ups", follow_ups)
    app.router.add_post("/follow-ups/{id}/close", close_follow_up)
