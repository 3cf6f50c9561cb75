"""Object store on MinIO (or any S3), through the synchronous ``minio`` client kept off the loop."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from typing import AsyncIterable, AsyncIterator
from urllib.parse import quote

from minio import Minio
from minio.commonconfig import CopySource
from minio.datatypes import PostPolicy
from minio.error import S3Error

from onething.settings import S3Location

from .base import CHUNK_SIZE, ObjectInfo, ObjectNotFound, ObjectTooLarge, PresignedUpload, check_key

PART_SIZE = 5 * 1024 * 1024  # S3's minimum; one part is buffered at a time
_MISSING = ("NoSuchKey", "NoSuchObject", "NoSuchBucket")


class _StreamReader:
    """A blocking ``read(n)`` over an async chunk stream, for minio in a worker thread.

    Each read hops to the event loop for the next chunk, so at most one chunk plus minio's
    current part are in memory. A size limit is enforced as bytes arrive.
    """

    def __init__(self, chunks: AsyncIterable[bytes], loop: asyncio.AbstractEventLoop, max_size: int | None):
        self._iter = chunks.__aiter__()
        self._loop = loop
        self._max_size = max_size
        self._buffer = bytearray()
        self._done = False
        self.size = 0

    def _next_chunk(self) -> bytes | None:
        future = asyncio.run_coroutine_threadsafe(anext(self._iter, None), self._loop)
        return future.result()

    def read(self, n: int = -1) -> bytes:
        while not self._done and (n < 0 or len(self._buffer) < n):
            chunk = self._next_chunk()
            if chunk is None:
                self._done = True
                break
            self.size += len(chunk)
            if self._max_size is not None and self.size > self._max_size:
                raise ObjectTooLarge(self._max_size)
            self._buffer += chunk
        if n < 0:
            n = len(self._buffer)
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        return data


class S3ObjectStore:
    def __init__(self, location: S3Location):
        self._loc = location
        self._client = Minio(
            location.endpoint, access_key=location.access_key, secret_key=location.secret_key,
            secure=location.secure, region=location.region,
        )
        # Presigned URLs carry the host they were signed for: sign with the public one.
        self._signer = Minio(
            location.public_endpoint or location.endpoint, access_key=location.access_key,
            secret_key=location.secret_key, region=location.region,
            secure=location.public_secure if location.public_endpoint else location.secure,
        )
        self.bucket = location.bucket

    async def open(self, *, create_bucket: bool = False) -> None:
        if create_bucket and not await asyncio.to_thread(self._client.bucket_exists, self.bucket):
            await asyncio.to_thread(self._client.make_bucket, self.bucket)

    async def close(self) -> None:
        await asyncio.to_thread(self._client._http.clear)

    async def ping(self) -> None:
        if not await asyncio.to_thread(self._client.bucket_exists, self.bucket):
            raise ObjectNotFound(f"bucket {self.bucket} does not exist")

    async def put(self, key, chunks: AsyncIterable[bytes], *, content_type, max_size=None) -> ObjectInfo:
        check_key(key)
        reader = _StreamReader(chunks, asyncio.get_running_loop(), max_size)
        result = await asyncio.to_thread(
            self._client.put_object, self.bucket, key, reader, length=-1,
            content_type=content_type, part_size=PART_SIZE, num_parallel_uploads=1,
        )
        return ObjectInfo(key=key, size=reader.size, content_type=content_type, etag=result.etag or "")

    async def get(self, key: str) -> AsyncIterator[bytes]:
        check_key(key)
        try:
            response = await asyncio.to_thread(self._client.get_object, self.bucket, key)
        except S3Error as exc:
            raise _translate(exc, key) from None
        try:
            while chunk := await asyncio.to_thread(response.read, CHUNK_SIZE):
                yield chunk
        finally:
            response.close()
            response.release_conn()

    async def stat(self, key: str) -> ObjectInfo:
        check_key(key)
        try:
            stat = await asyncio.to_thread(self._client.stat_object, self.bucket, key)
        except S3Error as exc:
            raise _translate(exc, key) from None
        return ObjectInfo(
            key=key, size=stat.size or 0, content_type=stat.content_type or "",
            etag=(stat.etag or "").strip('"'),
        )

    async def delete(self, key: str) -> None:
        check_key(key)
        await asyncio.to_thread(self._client.remove_object, self.bucket, key)

    async def move(self, source: str, target: str) -> ObjectInfo:
        # S3 has no rename: a server-side copy takes one whole version of the source, so a
        # write racing it lands either wholly before (and is what gets checked) or in the source.
        check_key(source), check_key(target)
        try:
            await asyncio.to_thread(self._client.copy_object, self.bucket, target, CopySource(self.bucket, source))
        except S3Error as exc:
            raise _translate(exc, source) from None
        await self.delete(source)
        return await self.stat(target)

    async def presign_upload(self, key, *, content_type, max_size, expires: timedelta) -> PresignedUpload:
        # A POST policy, unlike a presigned PUT, lets S3 itself refuse a wrong size or type.
        check_key(key)
        expires_at = datetime.now(timezone.utc) + expires
        policy = PostPolicy(self.bucket, expires_at)
        policy.add_equals_condition("key", key)
        policy.add_equals_condition("Content-Type", content_type)
        policy.add_content_length_range_condition(1, max_size)
        fields = await asyncio.to_thread(self._signer.presigned_post_policy, policy)
        scheme = "https" if (self._loc.public_secure if self._loc.public_endpoint else self._loc.secure) else "http"
        host = self._loc.public_endpoint or self._loc.endpoint
        return PresignedUpload(
            method="POST", url=f"{scheme}://{host}/{self.bucket}", expires_at=expires_at,
            max_size=max_size, content_type=content_type,
            fields={**fields, "key": key, "Content-Type": content_type},
        )

    async def presign_download(self, key, *, expires: timedelta, filename=None) -> str:
        check_key(key)
        # RFC 5987 keeps the header ASCII, so Chinese file names survive every proxy.
        disposition = f"attachment; filename*=UTF-8''{quote(filename, safe='')}" if filename else None
        headers = {"response-content-disposition": disposition} if disposition else None
        return await asyncio.to_thread(
            self._signer.presigned_get_object, self.bucket, key, expires=expires, response_headers=headers
        )


def _translate(exc: S3Error, key: str) -> Exception:
    return ObjectNotFound(key) if exc.code in _MISSING else exc
