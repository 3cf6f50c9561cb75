"""What a file really is, told from its first bytes, not from its name or the client's word."""

from __future__ import annotations

import hashlib
from typing import AsyncIterable, AsyncIterator

ALLOWED_TYPES = {"image/jpeg": "JPG", "image/png": "PNG", "application/pdf": "PDF"}
_SIGNATURES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"%PDF-", "application/pdf"))
HEAD = 8


def sniff(head: bytes) -> str | None:
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


class Inspector:
    """Passes a stream through while counting, hashing and keeping its first bytes."""

    def __init__(self, chunks: AsyncIterable[bytes]):
        self._chunks = chunks
        self.size = 0
        self.head = b""
        self._digest = hashlib.sha256()

    async def stream(self) -> AsyncIterator[bytes]:
        async for chunk in self._chunks:
            if len(self.head) < HEAD:
                self.head += chunk[: HEAD - len(self.head)]
            self.size += len(chunk)
            self._digest.update(chunk)
            yield chunk

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    @property
    def sniffed_type(self) -> str | None:
        return sniff(self.head)
