"""A reviewer's electronic certificate (PDF) for their item, streamed into the object store."""

from __future__ import annotations

from aiohttp import web

from onething.keys import catalog_key, object_store_key
from onething.services import certificates
from onething.services.presenters import task_json
from onething.web.http import int_id
from onething.web.provisional import dated_json
from .session import staff


async def certificate(request: web.Request) -> web.Response:
    """Store the electronic certificate (PDF) of an item before or with its approval."""
    session = staff(request, "reviewer")
    task = await certificates.reviewers_task(int_id(request), session.department)
    content_type = (request.headers.get("Content-Type") or "").split(";")[0].strip()
    task = await certificates.attach_certificate(request.config_dict[object_store_key], task, content_type,
                                                 request.content.iter_chunked(256 * 1024))
    return dated_json(request, task_json(request.config_dict[catalog_key], task))
