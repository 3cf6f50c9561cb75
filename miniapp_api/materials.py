"""Documents for a case: presigned upload then confirm, a streamed upload, or reuse from the wallet.

A document that was owed after acceptance (容缺) counts as received as soon as it is recorded: the
service does both in one transaction.
"""

from __future__ import annotations

from aiohttp import web

from onething.keys import catalog_key, object_store_key, redis_key
from onething.services import materials, pending_uploads, wallet
from onething.web.http import json_response, run_rule
from onething.web.validation import body, query

from .auth import current_citizen
from .cases import detail_json, find, workflow

CHUNK = 256 * 1024


def _material(request: web.Request) -> str:
    return request.match_info["material"]


async def upload_url(request: web.Request) -> web.Response:
    row = await find(request, own=True)
    sent = body(request)
    upload = await pending_uploads.start_upload(
        request.config_dict[object_store_key], request.config_dict[redis_key], request.config_dict[catalog_key],
        row, _material(request), filename=sent["filename"].strip(), content_type=sent["content_type"],
        size=sent["size"])
    return json_response({"method": upload.method, "url": upload.url, "fields": upload.fields,
                          "headers": upload.headers, "file_field": upload.file_field,
                          "max_size": upload.max_size, "expires_at": upload.expires_at.isoformat()})


async def confirm(request: web.Request) -> web.Response:
    row = await find(request, own=True)
    await run_rule(pending_uploads.confirm_upload(
        request.config_dict[object_store_key], request.config_dict[redis_key], workflow(request), row,
        await current_citizen(request), _material(request)))
    return json_response(await detail_json(request, row))


async def put(request: web.Request) -> web.Response:
    row = await find(request, own=True)
    content_type = (request.headers.get("Content-Type") or "").split(";")[0].strip()
    await run_rule(materials.direct_upload(
        request.config_dict[object_store_key], workflow(request), row, await current_citizen(request),
        _material(request), filename=query(request)["filename"], content_type=content_type,
        size=request.content_length, chunks=request.content.iter_chunked(CHUNK)))
    return json_response(await detail_json(request, row))


async def from_wallet(request: web.Request) -> web.Response:
    row = await find(request, own=True)
    await run_rule(wallet.attach_from_wallet(request.config_dict[object_store_key], workflow(request), row,
                                             await current_citizen(request), _material(request), body(request)["file"]))
    return json_response(await detail_json(request, row))
