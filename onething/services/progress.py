"""What the bot tells a follower about their cases: each item's state and the expected date.

Only their own cases, and those whose receipt code they scanned: a case number alone opens
nothing, so guessing numbers shows nobody else's case.
"""

from __future__ import annotations

import re

import jinja2

from onething.domain.calendar import WorkCalendar
from onething.domain.catalog import Catalog
from onething.domain.states import State, TaskState
from onething.services.presenters import application_summary, expected_completion, mark_provisional, task_json
from onething.services import shipment_views
from onething.services.followers import linked_applications
from storage.models import Application, Follower, ReviewTask

CASE_NUMBER = re.compile(r"YS\d{8}-\d{4,}")
SHOWN = 5  # a chat bubble, not a report: the latest few, the mini-program has them all


def case_number_in(text: str) -> str | None:
    found = CASE_NUMBER.search(text.upper())
    return found.group(0) if found else None


async def cases_of(catalog: Catalog, follower: Follower, number: str | None = None) -> list[dict]:
    ids = set(await linked_applications(follower))
    if follower.citizen_id is not None:
        ids |= set(await Application.filter(applicant_id=follower.citizen_id).values_list("id", flat=True))
    if not ids:
        return []
    return await cases_for_ids(catalog, ids, number)


async def cases_for_ids(catalog: Catalog, ids, number: str | None = None) -> list[dict]:
    query = Application.filter(id__in=ids).exclude(state=State.DRAFT.value)
    if number:
        query = query.filter(number=number)
    rows = await query.order_by("-id").limit(SHOWN)
    tasks = await ReviewTask.filter(application_id__in=[r.id for r in rows]).order_by("id")
    views = []
    for row in rows:
        own = [t for t in tasks if t.application_id == row.id]
        views.append({**application_summary(catalog, row), "tasks": [_with_certificate(catalog, t) for t in own],
                      "expected_completion_on": expected_completion(row)})
    return views


def _with_certificate(catalog: Catalog, task: ReviewTask) -> dict:
    issued = task.state == TaskState.APPROVED.value and task.certificate_key is not None
    return {**task_json(catalog, task), "certificate": issued}


def render(env: jinja2.Environment, cases: list[dict], *, linked: bool, number: str | None, public_url: str,
           calendar: WorkCalendar) -> str:
    mark_provisional(cases, calendar)  # a date over a year not yet officially scheduled says so
    return env.get_template("bot_progress.txt.j2").render(
        cases=cases, linked=linked, number=number, public_url=public_url)


async def parcels_text(env: jinja2.Environment, catalog: Catalog, follower: Follower, public_url: str) -> str:
    """The applicant's own shipments, with the pickup code while on the way: never for a scanned
    receipt, as the code is what hands the certificates over."""
    parcels = await shipment_views.shipments_of_citizen(follower.citizen_id) if follower.citizen_id else []
    return env.get_template("bot_parcels.txt.j2").render(
        parcels=parcels, linked=follower.citizen_id is not None, public_url=public_url,
        thing_names={code: t.name for code, t in catalog.things.items()})
