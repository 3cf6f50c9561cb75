"""The cases a citizen may see, as they read them: which ones, their list, one case, its shipment.

An applicant sees their own cases; a confirmed contact of an enterprise also sees the cases named
on it (read-only: what changes a case is the applicant's alone). Any other case does not exist for
them: the answer is the same 404 as for an id nobody has.
"""

from __future__ import annotations

from tortoise.expressions import Q

from onething.domain.calendar import WorkCalendar
from onething.domain.catalog import Catalog
from onething.domain.refusals import Refused
from onething.services.presenters import applicant_detail, application_summary, mark_provisional
from onething.services.shipment_views import citizen_view, scans_of
from storage.models import Application, AttachedMaterial, AuditEvent, Citizen, Evaluation, ReviewTask, Shipment

PAGE_SIZE = 20


async def citizen(citizen_id: int) -> Citizen | None:
    return await Citizen.get_or_none(id=citizen_id)


def visible_to(citizen: Citizen) -> Q:
    mine = Q(applicant_id=citizen.id)
    if citizen.enterprise_code and citizen.enterprise_verified:
        return mine | Q(enterprise_code=citizen.enterprise_code)
    return mine


async def find(citizen: Citizen, application_id: int, *, own: bool = False) -> Application:
    """The case if the citizen may see it (``own``: act on it, which only its applicant may)."""
    row = await Application.filter(visible_to(citizen), id=application_id).first()
    if row is None:
        raise Refused("not_found", status=404)
    if own and row.applicant_id != citizen.id:
        raise Refused("not_applicant", status=403)
    return row


async def page_of(catalog: Catalog, citizen: Citizen, page: int, calendar: WorkCalendar) -> dict:
    """One page of the citizen's cases, newest first."""
    query = Application.filter(visible_to(citizen))
    rows = await query.order_by("-id").offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    items = mark_provisional([application_summary(catalog, r) for r in rows], calendar)
    return {"items": items, "page": page, "page_size": PAGE_SIZE, "total": await query.count()}


async def detail(catalog: Catalog, row: Application, cipher, calendar: WorkCalendar, viewer_id: int) -> dict:
    """The case as it is now, masked for whoever is not its applicant."""
    await row.refresh_from_db()
    tasks = await ReviewTask.filter(application_id=row.id).order_by("id")
    events = await AuditEvent.filter(application_id=row.id).order_by("seq")
    attached = await AttachedMaterial.filter(application_id=row.id).select_related("file")
    rating = await Evaluation.get_or_none(application_id=row.id)
    result = applicant_detail(catalog, row, tasks, events, attached, cipher, own=row.applicant_id == viewer_id)
    result["evaluation"] = {"score": rating.score, "comment": rating.comment} if rating else None
    return mark_provisional(result, calendar)


async def shipment(row: Application, viewer_id: int) -> dict:
    """The latest shipment of the case; the pickup code is for the applicant alone."""
    latest = await Shipment.filter(application_id=row.id).order_by("-id").first()
    if latest is None:
        raise Refused("no_shipment", status=404)
    return citizen_view(latest, row.number, await scans_of(latest), applicant=row.applicant_id == viewer_id)
