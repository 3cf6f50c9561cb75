"""Results the applicant holds (电子证照): each approved item's certificate, shown to whoever may see
the case, kept in the wallet of its holder, and standing in for the materials the catalog names.

An issued certificate is an approved review task with a certificate attached. Its holder is the
enterprise for an enterprise case (every confirmed contact sees it), else the applicant: exactly
who may see the case that issued it (``applicant_cases.visible_to``).
"""

from __future__ import annotations

import hashlib
from contextlib import aclosing
from datetime import timedelta
from typing import TYPE_CHECKING

from onething.domain.catalog import Catalog
from onething.domain.states import TaskState
from onething.services.applicant_cases import visible_to
from onething.services.materials import MaterialRefused, check_editable, requirement
from onething.services.wallet import attach_kept, check_intact
from storage.models import Application, Citizen, MaterialFile, ReviewTask
from storage.objects import ObjectNotFound, ObjectStore

if TYPE_CHECKING:
    from onething.services.workflow import Workflow

DOWNLOAD_TTL = timedelta(minutes=5)


def _issued():
    return ReviewTask.filter(state=TaskState.APPROVED.value, certificate_key__isnull=False)


def _shown(catalog: Catalog, task: ReviewTask, application: Application) -> dict:
    item = catalog.item(task.item)[1]
    return {"id": task.id, "item": task.item, "item_name": item.name, "name": item.produces.name,
            "result_number": task.result_number, "application_id": application.id,
            "application_number": application.number,
            "stands_for": [{"material": m, "name": catalog.materials[m].name} for m in item.produces.stands_for]}


async def results(catalog: Catalog, store: ObjectStore, row: Application) -> list[dict]:
    """The certificates of a case the caller may see, each with a download link lasting minutes."""
    tasks = await _issued().filter(application_id=row.id).order_by("id")
    return [{**_shown(catalog, task, row),
             "download_url": await store.presign_download(task.certificate_key, expires=DOWNLOAD_TTL,
                                                          filename=f"{task.item}.pdf")}
            for task in tasks]


async def held(catalog: Catalog, citizen: Citizen) -> list[dict]:
    """The certificates in the citizen's wallet (their own and their enterprise's), newest first."""
    tasks = await _issued().filter(application_id__in=await _visible_ids(citizen)) \
        .order_by("-id").prefetch_related("application")
    return [_shown(catalog, task, task.application) for task in tasks]


async def _held_task(citizen: Citizen, task_id: int) -> ReviewTask | None:
    return await _issued().filter(id=task_id, application_id__in=await _visible_ids(citizen)) \
        .prefetch_related("application").first()


async def _visible_ids(citizen: Citizen) -> list[int]:
    return list(await Application.filter(visible_to(citizen)).values_list("id", flat=True))


async def attach_certificate(store: ObjectStore, flow: "Workflow", row: Application, citizen: Citizen,
                             material: str, task_id: int) -> MaterialFile:
    """The certificate stands for the material in this case: nothing is uploaded again (零材料)."""
    catalog = flow.catalog
    requirement(catalog, row, material)
    await check_editable(catalog, row, material)
    task = await _held_task(citizen, task_id)
    if task is None or material not in catalog.item(task.item)[1].produces.stands_for:
        raise MaterialRefused("certificate_not_held", "证照夹中没有可替代这项材料的电子证照。", status=404)
    file = await MaterialFile.get_or_none(certificate_task_id=task.id)
    if file is None:
        file = await _keep(store, task, material)
    else:
        await check_intact(store, file)
    name = catalog.item(task.item)[1].produces.name
    return await attach_kept(flow, row, citizen, material,
                             f"{material}（电子证照调用：{name}，办件 {task.application.number}）", file)


async def _keep(store: ObjectStore, task: ReviewTask, material: str) -> MaterialFile:
    """Record the certificate as a verified file the first time it is reused: its hash is taken now,
    so a later change to the kept object is caught as for any document in the wallet."""
    digest, size = hashlib.sha256(), 0
    try:
        async with aclosing(store.get(task.certificate_key)) as chunks:
            async for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
    except ObjectNotFound:
        raise MaterialRefused("wallet_file_changed", "证照夹中的这份文件核验未通过，不能直接使用，请重新上传。",
                              status=409) from None
    file, _ = await MaterialFile.get_or_create(
        certificate_task_id=task.id,
        defaults=dict(citizen_id=task.application.applicant_id, material=material, object_key=task.certificate_key,
                      filename=f"{task.item}.pdf", content_type="application/pdf", size=size,
                      sha256=digest.hexdigest(), verified=True))
    return file


async def sources(application_id: int) -> dict[int, dict]:
    """For staff: the files of a case that are issued certificates, with the case that issued each."""
    files = await MaterialFile.filter(attachments__application_id=application_id, certificate_task_id__isnull=False)
    tasks = {t.id: t for t in await ReviewTask.filter(id__in=[f.certificate_task_id for f in files])
             .prefetch_related("application")}
    return {f.id: {"task": t.id, "item": t.item, "application_id": t.application_id,
                   "application_number": t.application.number}
            for f in files if (t := tasks.get(f.certificate_task_id))}
