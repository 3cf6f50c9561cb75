"""The wallet (证照夹): documents a window accepted, offered again instead of being asked for twice."""

from __future__ import annotations

import logging
from datetime import datetime

from tortoise.transactions import in_transaction

from onething.domain.catalog import Catalog
from onething.domain.refusals import Refused
from onething.services import case_store
from onething.services.file_checks import matches_record
from onething.services.materials import applicant, check_editable, requirement
from storage.models import Application, AttachedMaterial, Citizen, MaterialFile
from storage.objects import ObjectStore

log = logging.getLogger("onething.materials")


async def attach_from_wallet(store: ObjectStore, row: Application, citizen: Citizen, catalog: Catalog,
                             material: str, file_id: int, now: datetime | None = None) -> MaterialFile:
    """``now`` is the workflow's clock, the time its audit entry is traced at."""
    requirement(catalog, row, material)
    await check_editable(catalog, row, material)
    file = await MaterialFile.get_or_none(id=file_id, citizen_id=citizen.id, material=material, verified=True)
    if file is None or not catalog.materials[material].reusable:
        raise Refused("not_in_wallet", status=404)
    # What a window accepted is what the next case gets: the kept bytes must still hash to the record.
    if not await matches_record(store, file):
        log.warning("a kept document no longer matches its record", extra={"file": file.id})
        raise Refused("wallet_file_changed", status=409)
    async with in_transaction() as conn:
        await AttachedMaterial.update_or_create(defaults={"file_id": file.id}, application_id=row.id,
                                                material=material, using_db=conn)
        await case_store.record(row.id, applicant(citizen), "attach_material", f"{material}（证照夹调用）",
                                now or case_store.utcnow(), conn)
    return file


async def wallet(citizen: Citizen, catalog: Catalog) -> list[MaterialFile]:
    """Verified documents that may be reused, newest first, one per material."""
    files = await MaterialFile.filter(citizen_id=citizen.id, verified=True).order_by("-created_at")
    seen, result = set(), []
    for file in files:
        if file.material not in seen and catalog.materials.get(file.material) and catalog.materials[file.material].reusable:
            seen.add(file.material)
            result.append(file)
    return result
