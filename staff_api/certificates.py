"""A reviewer's electronic certificate (PDF) for their item, streamed into the object store.

(The sniff-and-store of uploads is being made one implementation; until then this handler keeps
its own, unchanged.)
"""

from __future__ import annotations

import uuid

from aiohttp import web

from onething.keys import catalog_key, object_store_key
from onething.services.file_checks import Examiner
from onething.services.presenters import task_json
from onething.web.errors import ApiError
from onething.web.http import int_id
from onething.web.provisional import dated_json
from storage.models import ReviewTask
from storage.objects import ObjectTooLarge
from .session import staff

CERTIFICATE_MAX = 20 * 1024 * 1024


async def certificate(request: web.Request) -> web.Response:
    """Store the electronic certificate (PDF) of an item before or with its approval."""
    session = staff(request, "reviewer")
    task = await ReviewTask.get_or_none(id=int_id(request))
    if task is None or task.department != session.department:
        raise web.HTTPNotFound()
    if (request.headers.get("Content-Type") or "").split(";")[0].strip() != "application/pdf":
        raise ApiError("unsupported_type", "电子证照须为 PDF 文件。", status=415)
    key = f"certificates/{task.application_id}/{task.item}-{uuid.uuid4().hex}.pdf"
    store = request.config_dict[object_store_key]
    with Examiner(request.content.iter_chunked(256 * 1024)) as examiner:
        try:
            await store.put(key, examiner.stream(), content_type="application/pdf", max_size=CERTIFICATE_MAX)
        except ObjectTooLarge:
            raise ApiError("certificate_too_large", "电子证照不能超过 20MB。", status=413) from None
        if examiner.inspector.sniffed_type != "application/pdf":
            await store.delete(key)
            raise ApiError("type_mismatch", "文件内容不是 PDF。", status=415)
        if await examiner.problem():
            await store.delete(key)
            raise ApiError("unreadable_file", "文件不是一份完整的 PDF，无法打开，请重新导出后上传。", status=422)
    await ReviewTask.filter(id=task.id).update(certificate_key=key)
    await task.refresh_from_db()
    return dated_json(request, task_json(request.config_dict[catalog_key], task))
