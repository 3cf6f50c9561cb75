"""Object store in a local folder, for the embedded default.

Presigned URLs point back at this app (``/objects/...``), signed with the server secret,
so a phone can upload and download directly just as it would with MinIO.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import AsyncIterable, AsyncIterator
from urllib.parse import quote, urlencode

from .base import CHUNK_SIZE, ObjectInfo, ObjectNotFound, ObjectTooLarge, PresignedUpload, check_key


class InvalidSignedUrl(Exception):
    def __init__(self, reason: str):
        self.reason = reason  # "expired" or "signature"
        super().__init__(reason)


@dataclass(frozen=True)
class UrlGrant:
    """What a verified signed URL allows."""

    op: str
    key: str
    content_type: str
    max_size: int
    filename: str


class FolderObjectStore:
    def __init__(self, root: Path, *, secret: str, public_url: str):
        self._root = Path(root)
        self._objects = self._root / "objects"
        self._meta = self._root / "meta"
        self._tmp = self._root / "tmp"
        self._signing_key = hmac.new(secret.encode(), b"onething/folder-object-urls", "sha256").digest()
        self._public_url = public_url.rstrip("/")

    async def open(self) -> None:
        for folder in (self._objects, self._meta, self._tmp):
            await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)

    async def close(self) -> None:
        return None

    async def ping(self) -> None:
        if not await asyncio.to_thread(os.access, self._objects, os.W_OK):
            raise OSError(f"object folder {self._objects} is not writable")

    async def put(self, key, chunks: AsyncIterable[bytes], *, content_type, max_size=None) -> ObjectInfo:
        check_key(key)
        tmp = self._tmp / f"{os.getpid()}-{time.monotonic_ns()}"
        md5, size = hashlib.md5(usedforsecurity=False), 0
        try:
            handle = await asyncio.to_thread(open, tmp, "wb")
            try:
                async for chunk in chunks:
                    size += len(chunk)
                    if max_size is not None and size > max_size:
                        raise ObjectTooLarge(max_size)
                    md5.update(chunk)
                    await asyncio.to_thread(handle.write, chunk)
            finally:
                await asyncio.to_thread(handle.close)
            info = ObjectInfo(key=key, size=size, content_type=content_type, etag=md5.hexdigest())
            await asyncio.to_thread(self._commit, tmp, info)
            return info
        finally:
            await asyncio.to_thread(tmp.unlink, missing_ok=True)

    def _commit(self, tmp: Path, info: ObjectInfo) -> None:
        target, meta = self._objects / info.key, self._meta / f"{info.key}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        meta.parent.mkdir(parents=True, exist_ok=True)
        meta.write_text(json.dumps({"content_type": info.content_type, "etag": info.etag}))
        os.replace(tmp, target)

    async def get(self, key: str) -> AsyncIterator[bytes]:
        check_key(key)
        try:
            handle = await asyncio.to_thread(open, self._objects / key, "rb")
        except FileNotFoundError:
            raise ObjectNotFound(key) from None
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK_SIZE):
                yield chunk
        finally:
            # Closing a file read from flushes nothing: done at once, it also holds when the reader
            # is cancelled (a client gone, a server shutting down), where another await might not run.
            handle.close()

    async def stat(self, key: str) -> ObjectInfo:
        check_key(key)
        return await asyncio.to_thread(self._stat, key)

    def _stat(self, key: str) -> ObjectInfo:
        try:
            size = (self._objects / key).stat().st_size
            meta = json.loads((self._meta / f"{key}.json").read_text())
        except FileNotFoundError:
            raise ObjectNotFound(key) from None
        return ObjectInfo(key=key, size=size, content_type=meta["content_type"], etag=meta["etag"])

    async def move(self, source: str, target: str) -> ObjectInfo:
        check_key(source), check_key(target)
        await asyncio.to_thread(self._move, source, target)
        return await self.stat(target)

    def _move(self, source: str, target: str) -> None:
        # An upload commits by renaming a new file over its key, never by writing into the old
        # one: after this rename, nothing sent to ``source`` reaches the file now at ``target``.
        meta = self._meta / f"{source}.json"
        try:
            content = meta.read_text()
        except FileNotFoundError:
            raise ObjectNotFound(source) from None
        for folder in (self._objects, self._meta):
            (folder / target).parent.mkdir(parents=True, exist_ok=True)
        (self._meta / f"{target}.json").write_text(content)
        try:
            os.replace(self._objects / source, self._objects / target)
        except FileNotFoundError:
            (self._meta / f"{target}.json").unlink(missing_ok=True)
            raise ObjectNotFound(source) from None
        meta.unlink(missing_ok=True)

    async def delete(self, key: str) -> None:
        check_key(key)
        for path in (self._objects / key, self._meta / f"{key}.json"):
            await asyncio.to_thread(path.unlink, missing_ok=True)

    async def presign_upload(self, key, *, content_type, max_size, expires: timedelta) -> PresignedUpload:
        expires_at = datetime.now(timezone.utc) + expires
        url = self._sign("put", key, expires_at, content_type=content_type, max_size=max_size)
        return PresignedUpload(
            method="PUT", url=url, expires_at=expires_at, max_size=max_size,
            content_type=content_type, headers={"Content-Type": content_type},
        )

    async def presign_download(self, key, *, expires: timedelta, filename=None) -> str:
        return self._sign("get", key, datetime.now(timezone.utc) + expires, filename=filename or "")

    def _sign(self, op, key, expires_at, *, content_type="", max_size=0, filename="") -> str:
        check_key(key)
        params = {"op": op, "exp": str(int(expires_at.timestamp()))}
        if content_type:
            params |= {"ct": content_type, "max": str(max_size)}
        if filename:
            params["fn"] = filename
        params["sig"] = self._signature(key, params)
        return f"{self._public_url}/objects/{quote(key)}?{urlencode(params)}"

    def _signature(self, key: str, params: dict[str, str]) -> str:
        message = "\n".join([key] + [f"{k}={params[k]}" for k in sorted(params) if k != "sig"])
        return hmac.new(self._signing_key, message.encode(), hashlib.sha256).hexdigest()

    def verify(self, key: str, params: dict[str, str], *, now: float | None = None) -> UrlGrant:
        """Check a signed URL's query; raise InvalidSignedUrl if tampered with or expired."""
        check_key(key)
        expected = self._signature(key, params)
        if not hmac.compare_digest(expected, params.get("sig", "")):
            raise InvalidSignedUrl("signature")
        if int(params.get("exp", "0")) < (time.time() if now is None else now):
            raise InvalidSignedUrl("expired")
        return UrlGrant(
            op=params.get("op", ""), key=key, content_type=params.get("ct", ""),
            max_size=int(params.get("max", "0")), filename=params.get("fn", ""),
        )

    def wipe(self) -> None:
        """Remove everything (tests)."""
        shutil.rmtree(self._root, ignore_errors=True)
