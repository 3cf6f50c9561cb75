"""The object store contract every part of the service uses for documents and certificates.

Bytes always travel as async streams of chunks: nothing here ever holds a whole file in memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import AsyncIterable, AsyncIterator, Protocol

CHUNK_SIZE = 256 * 1024
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


class ObjectStoreError(Exception):
    """The store could not do what was asked."""


class ObjectNotFound(ObjectStoreError):
    pass


class ObjectTooLarge(ObjectStoreError):
    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"object exceeds {limit} bytes")


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    content_type: str
    etag: str = ""


@dataclass(frozen=True)
class PresignedUpload:
    """How a client sends one object straight to the store, without passing through the app."""

    method: str  # "PUT" (body is the file) or "POST" (multipart form: fields, then the file)
    url: str
    expires_at: datetime
    max_size: int
    content_type: str
    fields: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    file_field: str = "file"


def check_key(key: str) -> str:
    """Keys are made by the service, never by a user; refuse anything path-like or odd."""
    if len(key) > 512 or ".." in key or not _KEY.match(key):
        raise ValueError(f"invalid object key {key!r}")
    return key


class ObjectStore(Protocol):
    async def put(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        *,
        content_type: str,
        max_size: int | None = None,
    ) -> ObjectInfo:
        """Store a stream; past ``max_size`` raise ObjectTooLarge and keep nothing."""

    def get(self, key: str) -> AsyncIterator[bytes]:
        """Stream an object's bytes; raises ObjectNotFound."""

    async def stat(self, key: str) -> ObjectInfo: ...

    async def move(self, source: str, target: str) -> ObjectInfo:
        """Move an object to a key no URL was issued for, inside the store (its bytes never pass
        through the app). Whatever is written to ``source`` afterwards does not reach ``target``.
        Raises ObjectNotFound when ``source`` is missing."""

    async def delete(self, key: str) -> None:
        """Delete; deleting a missing object is not an error."""

    async def presign_upload(
        self, key: str, *, content_type: str, max_size: int, expires: timedelta
    ) -> PresignedUpload: ...

    async def presign_download(
        self, key: str, *, expires: timedelta, filename: str | None = None
    ) -> str: ...

    async def ping(self) -> None:
        """Raise if the store cannot be reached (readiness)."""

    async def close(self) -> None: ...
