"""A reviewer's electronic certificate (电子证照, a PDF) for their own item, kept in the object store."""

from __future__ import annotations

import uuid
from typing import AsyncIterable

from onething.domain.refusals import Refused
from onething.services.file_checks import store_checked
from storage.models import ReviewTask
from storage.objects import ObjectStore

CERTIFICATE_MAX = 20 * 1024 * 1024


async def reviewers_task(task_id: int, department: str | None) -> ReviewTask:
    """The task, if it is this department's; another department's task does not exist for them."""
    task = await ReviewTask.get_or_none(id=task_id)
    if task is None or task.department != department:
        raise Refused("not_found", status=404)
    return task


async def attach_certificate(store: ObjectStore, task: ReviewTask, content_type: str,
                             chunks: AsyncIterable[bytes]) -> ReviewTask:
    """Stream the certificate in; only a whole PDF is kept, and then named on the task."""
    if content_type != "application/pdf":
        raise Refused("unsupported_type", status=415, details={"kinds": "PDF"})
    key = f"certificates/{task.application_id}/{task.item}-{uuid.uuid4().hex}.pdf"
    await store_checked(store, key, chunks, content_type="application/pdf", max_size=CERTIFICATE_MAX,
                        too_large=Refused("document_too_large", status=413,
                                          details={"limit_mb": CERTIFICATE_MAX // 2**20}))
    await ReviewTask.filter(id=task.id).update(certificate_key=key)
    await task.refresh_from_db()
    return task
