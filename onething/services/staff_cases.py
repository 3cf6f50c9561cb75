"""What the back office reads of a case: the intake queue and one case in full, for whoever may.

Clerks, supervisors and admins read any case; a reviewer only a case one of their department's
items belongs to. For anyone else the case does not exist (404), so ids tell nothing.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from onething.domain.catalog import Catalog
from onething.domain.refusals import Refused
from onething.services import credit
from onething.services.file_checks import same_size
from onething.services.presenters import application_detail, application_summary
from onething.services.staff import StaffSession
from storage.models import Application, AttachedMaterial, AuditEvent, ReviewTask

READ_ALL = ("clerk", "supervisor", "admin")
DOWNLOAD_TTL = timedelta(minutes=5)
QUEUE_SIZE = 200
PREVIEWABLE = ("application/pdf", "image/jpeg", "image/png")


def not_found() -> Refused:
    return Refused("not_found", status=404)


async def intake_queue(catalog: Catalog, state: str) -> list[dict]:
    """Cases in one state (the submitted ones by default), the nearest intake deadline first."""
    rows = await Application.filter(state=state).order_by("intake_due_on", "id").limit(QUEUE_SIZE)
    return [application_summary(catalog, r) for r in rows]


async def exists(application_id: int) -> bool:
    return await Application.exists(id=application_id)


async def detail(catalog: Catalog, cipher, store, session: StaffSession, application_id: int, *,
                 previews: bool = False) -> dict:
    """One case as staff see it: masked form, tasks with their certificates, trail, documents, credit;
    ``previews``: each PDF or picture also gets a link a page can show inline (the console's)."""
    row = await Application.get_or_none(id=application_id)
    if row is None:
        raise not_found()
    tasks = await ReviewTask.filter(application_id=row.id).order_by("id")
    if session.role == "reviewer" and not any(t.department == session.department for t in tasks):
        raise not_found()  # a reviewer sees only cases their department works on
    events = await AuditEvent.filter(application_id=row.id).order_by("seq")
    view = application_detail(catalog, row, tasks, events, cipher)
    view["materials"] = await _materials(catalog, store, row.id, previews)
    view["credit"] = await credit.case_credit(row)  # staff only: never in the applicant's own view
    for shown, task in zip(view["tasks"], tasks):
        shown["certificate_url"] = await store.presign_download(
            task.certificate_key, expires=DOWNLOAD_TTL, filename=f"{task.item}.pdf") if task.certificate_key else None
    return view


async def _materials(catalog: Catalog, store, application_id: int, previews: bool) -> list[dict]:
    """The documents of a case, each with a download link that expires in minutes; a kept copy that
    no longer matches its record (``intact: false``) gets no link."""
    attached = await AttachedMaterial.filter(application_id=application_id).select_related("file")
    intact = await asyncio.gather(*(same_size(store, a.file) for a in attached))
    shown = [
        {"material": a.material, "name": catalog.materials[a.material].name, "filename": a.file.filename,
         "content_type": a.file.content_type, "size": a.file.size, "sha256": a.file.sha256, "intact": ok,
         "download_url": await store.presign_download(a.file.object_key, expires=DOWNLOAD_TTL,
                                                      filename=a.file.filename or f"{a.material}.bin") if ok else None}
        for a, ok in zip(attached, intact)
    ]
    if previews:
        for view, a, ok in zip(shown, attached, intact):
            # no file name, so no attachment header: the browser shows it in the page
            view["preview_url"] = await store.presign_download(a.file.object_key, expires=DOWNLOAD_TTL) \
                if ok and a.file.content_type in PREVIEWABLE else None
    return shown
