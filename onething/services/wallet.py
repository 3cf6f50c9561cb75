"""The wallet (证照夹): documents a window accepted, offered again instead of being asked for twice."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from onething.domain.catalog import Catalog
from onething.services.file_checks import matches_record
from onething.services.materials import MaterialRefused, attach, check_editable, requirement
from storage.models import Application, Citizen, MaterialFile
from storage.objects import ObjectStore

if TYPE_CHECKING:
    from onething.services.workflow import Workflow

log = logging.getLogger("onething.materials")


async def attach_from_wallet(store: ObjectStore, flow: "Workflow", row: Application, citizen: Citizen,
                             material: str, file_id: int) -> MaterialFile:
    """Reuse a verified document; one owed after acceptance is received in the same transaction."""
    catalog = flow.catalog
    requirement(catalog, row, material)
    await check_editable(catalog, row, material)
    file = await MaterialFile.get_or_none(id=file_id, citizen_id=citizen.id, material=material, verified=True)
    if file is None or not catalog.materials[material].reusable:
        raise MaterialRefused("not_in_wallet", "证照夹中没有可直接使用的这项材料。", status=404)
    await check_intact(store, file)
    return await attach_kept(flow, row, citizen, material, f"{material}（证照夹调用）", file)


async def check_intact(store: ObjectStore, file: MaterialFile) -> None:
    """What a window accepted (or a department issued) is what the next case gets: the kept bytes
    must still hash to the record."""
    if not await matches_record(store, file):
        log.warning("a kept document no longer matches its record", extra={"file": file.id})
        raise MaterialRefused("wallet_file_changed", "证照夹中的这份文件核验未通过，不能直接使用，请重新上传。",
                              status=409)


async def attach_kept(flow: "Workflow", row: Application, citizen: Citizen, material: str, note: str,
                      file: MaterialFile) -> MaterialFile:
    """Attach a file already kept (nothing is uploaded): the same transaction as any attachment."""
    async def kept(conn) -> MaterialFile:
        return file

    return await attach(flow, row, citizen, material, note, kept)


async def wallet(citizen: Citizen, catalog: Catalog) -> list[MaterialFile]:
    """Verified documents that may be reused, newest first, one per material."""
    files = await MaterialFile.filter(citizen_id=citizen.id, verified=True).order_by("-created_at")
    seen, result = set(), []
    for file in files:
        if file.material not in seen and catalog.materials.get(file.material) and catalog.materials[file.material].reusable:
            seen.add(file.material)
            result.append(file)
    return result
