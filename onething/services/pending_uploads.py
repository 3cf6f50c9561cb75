"""Presigned uploads: a link to send the file straight to the store, then a confirm that moves it to
a key no link reaches, checks it and records it.

Between the two, the upload waits in Redis. A confirm takes the record (GETDEL), so two confirms at
once never both move and record one file; the other is told to wait, or finds the file recorded. A
confirm that fails after taking it, other than by refusing the file (the store or the database
away), puts it back, so the citizen's retry finds it again instead of being told to upload anew.
Once the file is at its kept key the record says ``moved``: the retry examines that copy, since the
upload key holds nothing by then, or only what was sent to the link afterwards.
"""

from __future__ import annotations

import json
import logging
from contextlib import aclosing, suppress
from datetime import datetime, timedelta

import redis.asyncio as aioredis
from tortoise.exceptions import IntegrityError

from onething.domain.catalog import Catalog, Material
from onething.domain.refusals import Refused
from onething.services.file_checks import Examiner
from onething.services.materials import (
    MaterialRefused, check_declared, check_editable, keys_for, problem_with, record, requirement,
)
from storage.models import Application, AttachedMaterial, Citizen, MaterialFile
from storage.objects import ObjectNotFound, ObjectStore, PresignedUpload

UPLOAD_TTL = timedelta(minutes=15)
_PENDING_TTL = int(UPLOAD_TTL.total_seconds()) + 60
_BUSY_TTL = 60  # seconds: a confirm checks one file of at most tens of MB
log = logging.getLogger("onething.uploads")


async def start_upload(store: ObjectStore, redis: aioredis.Redis, catalog: Catalog, row: Application,
                       material: str, *, filename: str, content_type: str, size: int) -> PresignedUpload:
    spec = requirement(catalog, row, material)
    await check_editable(catalog, row, material)
    check_declared(spec, content_type, size)
    upload_key, key = keys_for(row, material)
    upload = await store.presign_upload(upload_key, content_type=content_type, max_size=size, expires=UPLOAD_TTL)
    await _save(redis, row.id, material, {
        "upload_key": upload_key, "key": key, "filename": filename[:255], "content_type": content_type,
        "size": size})
    return upload


async def confirm_upload(store: ObjectStore, redis: aioredis.Redis, catalog: Catalog, row: Application,
                         citizen: Citizen, material: str, now: datetime | None = None) -> MaterialFile:
    """``now`` is the workflow's clock, the time its audit entry is traced at."""
    spec = requirement(catalog, row, material)
    await check_editable(catalog, row, material)
    pending = await _take(redis, row.id, material)  # a second confirm at once finds none
    if pending is None or "upload_key" not in pending:  # none, or one started before uploads had keys of their own
        if pending is None and await redis.exists(_busy(row.id, material)):
            raise Refused("confirm_in_progress", status=409)
        current = await AttachedMaterial.get_or_none(application_id=row.id, material=material).select_related("file")
        if current is not None and pending is None:
            return current.file  # already recorded by the confirm that took it
        raise Refused("no_upload", status=409)
    try:
        await redis.set(_busy(row.id, material), 1, ex=_BUSY_TTL)
        return await _confirm(store, spec, row, citizen, material, pending, now)
    except (MaterialRefused, Refused) as refused:
        if refused.code == "not_uploaded" and not pending.get("moved"):
            await _put_back(redis, row.id, material, pending)  # still on its way
        raise
    except BaseException:  # the store or the database failed, not the file: the retry finds it again
        await _put_back(redis, row.id, material, pending)
        raise
    finally:
        with suppress(Exception):  # left behind, it lapses by itself
            await redis.delete(_busy(row.id, material))


async def _confirm(store: ObjectStore, spec: Material, row: Application, citizen: Citizen, material: str,
                   pending: dict, now: datetime | None) -> MaterialFile:
    if pending.get("moved"):
        recorded = await MaterialFile.get_or_none(object_key=pending["key"])
        if recorded is not None:
            return recorded  # a retry after a recording whose answer never arrived
    else:
        try:
            # What is checked below is the moved copy: bytes sent to the link from now on go nowhere read.
            await store.move(pending["upload_key"], pending["key"])
        except ObjectNotFound:
            raise _not_uploaded() from None
        pending["moved"] = True  # from here a failure puts it back as moved (see confirm_upload)
    try:
        async with aclosing(store.get(pending["key"])) as kept:
            with Examiner(kept) as examiner:
                async for _ in examiner.stream():
                    pass
                problem = await problem_with(spec, pending["content_type"], examiner, declared_size=pending["size"])
    except ObjectNotFound:
        raise _not_uploaded() from None  # the kept copy is gone: nothing left to retry
    if problem:
        await store.delete(pending["key"])  # a refused file is kept nowhere; the citizen uploads another
        raise problem
    try:
        return await record(row, citizen, material, pending["key"], pending["filename"], examiner.inspector, now)
    except IntegrityError:  # the same key recorded by a retry of a recording thought lost
        return await MaterialFile.get(object_key=pending["key"])


def _not_uploaded() -> Refused:
    return Refused("not_uploaded", status=409)


def _key(application_id: int, material: str) -> str:
    return f"upload:{application_id}:{material}"


def _busy(application_id: int, material: str) -> str:
    """Set while a confirm holds the upload, so another one at once is told to wait, not to upload anew."""
    return f"upload:{application_id}:{material}:confirming"


async def _save(redis: aioredis.Redis, application_id: int, material: str, pending: dict) -> None:
    await redis.set(_key(application_id, material), json.dumps(pending), ex=_PENDING_TTL)


async def _take(redis: aioredis.Redis, application_id: int, material: str) -> dict | None:
    """The waiting upload, now this confirm's alone; None when there is none."""
    raw = await redis.getdel(_key(application_id, material))
    return None if raw is None else json.loads(raw)


async def _put_back(redis: aioredis.Redis, application_id: int, material: str, pending: dict) -> None:
    """Return a taken upload for a retry. Never over a newer upload started meanwhile (NX), and never
    raising: the failure that brought us here is what the caller must report."""
    try:
        restored = await redis.set(_key(application_id, material), json.dumps(pending), ex=_PENDING_TTL, nx=True)
    except Exception as exc:  # noqa: BLE001 - Redis away too: the citizen uploads again
        restored = False
        log.warning("pending upload not put back", extra={"error": type(exc).__name__})
    if not restored and pending.get("moved"):
        log.warning("kept copy of an unconfirmed upload left behind", extra={"object_key": pending["key"]})
