"""The folder store's signed URLs, served by the app itself (MinIO serves its own)."""

from __future__ import annotations

import logging
from contextlib import aclosing
from urllib.parse import quote

from aiohttp import web

from onething.keys import object_store_key
from onething.web.errors import ApiError
from storage.objects import FolderObjectStore, InvalidSignedUrl, ObjectNotFound, ObjectTooLarge

log = logging.getLogger("onething.objects")


def _grant(request: web.Request, op: str):
    store = request.config_dict[object_store_key]
    assert isinstance(store, FolderObjectStore)
    key = request.match_info["key"]
    try:
        grant = store.verify(key, dict(request.query))
    except InvalidSignedUrl as exc:
        log.warning("refused signed object URL", extra={"reason": exc.reason, "op": op})
        if exc.reason == "expired":
            raise ApiError("link_expired", "链接已过期，请重新获取。", status=403) from None
        raise ApiError("link_invalid", "链接无效。", status=403) from None
    except ValueError:
        raise web.HTTPNotFound() from None
    if grant.op != op:
        raise ApiError("link_invalid", "链接无效。", status=403)
    return store, grant


async def upload(request: web.Request) -> web.Response:
    store, grant = _grant(request, "put")
    content_type = (request.headers.get("Content-Type") or "").split(";")[0].strip()
    if content_type != grant.content_type:
        raise ApiError("content_type_mismatch", "文件类型与申请上传时不一致。", status=415)
    if request.content_length is not None and request.content_length > grant.max_size:
        raise ApiError("material_too_large", "文件超过允许的大小。", status=413)
    try:
        info = await store.put(grant.key, request.content.iter_chunked(256 * 1024),
                               content_type=content_type, max_size=grant.max_size)
    except ObjectTooLarge:
        raise ApiError("material_too_large", "文件超过允许的大小。", status=413) from None
    return web.Response(status=200, headers={"ETag": f'"{info.etag}"'})


async def download(request: web.Request) -> web.StreamResponse:
    store, grant = _grant(request, "get")
    try:
        info = await store.stat(grant.key)
    except ObjectNotFound:
        raise web.HTTPNotFound() from None
    response = web.StreamResponse(headers={"Content-Type": info.content_type, "Content-Length": str(info.size)})
    if grant.filename:
        response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(grant.filename, safe='')}"
    await response.prepare(request)
    # closed at once when a write fails (the client hung up) or the handler is cancelled, not left to the GC
    async with aclosing(store.get(grant.key)) as chunks:
        async for chunk in chunks:
            await response.write(chunk)
    await response.write_eof()
    return response


def setup(app: web.Application) -> None:
    app.router.add_put("/objects/{key:.+}", upload)
    app.router.add_get("/objects/{key:.+}", download)
