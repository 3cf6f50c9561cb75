"""Documents for a case: presigned upload then confirm, a streamed upload, or reuse from the wallet.

A document that was owed after acceptance (容缺) counts as received as soon as it is recorded.
"""

from __future__ import annotations

from aiohttp import web

from onething.domain.states import DECIDED, State
from onething.keys import catalog_key, object_store_key, redis_key
from onething.services import case_store, materials, pending_uploads, wallet
from onething.web.errors import ApiError
from onething.web.http import integer, json_response, read_json, run_rule, text

from .applications import actor, changed, detail_json, find, workflow
from .auth import current_citizen


def _material(request: web.Request) -> str:
    return request.match_info["material"]


async def _refusing(coroutine):
    try:
        return await coroutine
    except materials.MaterialRefused as exc:
        raise ApiError(exc.code, str(exc), status=exc.status) from None


async def upload_url(request: web.Request) -> web.Response:
    row = await find(request, own=True)
    body = await read_json(request)
    size = integer(body, "size", "请提供文件大小（字节）。")
    upload = await _refusing(pending_uploads.start_upload(
        request.config_dict[object_store_key], request.config_dict[redis_key], request.config_dict[catalog_key],
        row, _material(request), filename=text(body, "filename", max_length=255),
        content_type=text(body, "content_type", max_length=64), size=size,
    ))
    return json_response({"method": upload.method, "url": upload.url, "fields": upload.fields,
                              "headers": upload.headers, "file_field": upload.file_field,
                              "max_size": upload.max_size, "expires_at": upload.expires_at.isoformat()})


async def confirm(request: web.Request) -> web.Response:
    row = await find(request, own=True)
    await _refusing(pending_uploads.confirm_upload(
        request.config_dict[object_store_key], request.config_dict[redis_key], request.config_dict[catalog_key],
        row, await current_citizen(request), _material(request)))
    return await _recorded(request, row)


async def put(request: web.Request) -> web.Response:
    row = await find(request, own=True)
    content_type = (request.headers.get("Content-Type") or "").split(";")[0].strip()
    filename = request.query.get("filename", "")[:255]
    await _refusing(materials.direct_upload(
        request.config_dict[object_store_key], request.config_dict[catalog_key], row, await current_citizen(request),
        _material(request), filename=filename, content_type=content_type, size=request.content_length,
        chunks=request.content.iter_chunked(256 * 1024)))
    return await _recorded(request, row)


async def from_wallet(request: web.Request) -> web.Response:
    row = await find(request, own=True)
    file_id = integer(await read_json(request), "file", "请选择证照夹中的文件。")
    await _refusing(wallet.attach_from_wallet(request.config_dict[object_store_key], row, await current_citizen(request),
                                              request.config_dict[catalog_key], _material(request), file_id))
    return await _recorded(request, row)


async def _recorded(request: web.Request, row) -> web.Response:
    material = _material(request)
    await changed(request, row)
    if row.state in (State.IN_REVIEW, *DECIDED) and material in case_store.outstanding(row.owed):
        await run_rule(workflow(request).receive_owed(row.id, material, actor(request)))
    return json_response(await detail_json(request, row))
