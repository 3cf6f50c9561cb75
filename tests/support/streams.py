"""Large payloads generated on the fly, so a test never holds them whole."""

from __future__ import annotations

import hashlib
from typing import AsyncIterator

MiB = 1024 * 1024


def block(index: int, size: int) -> bytes:
    seed = hashlib.sha256(index.to_bytes(8, "big")).digest()
    return (seed * (size // len(seed) + 1))[:size]


async def generated(total: int, chunk: int = 256 * 1024) -> AsyncIterator[bytes]:
    sent, index = 0, 0
    while sent < total:
        size = min(chunk, total - sent)
        yield block(index, size)
        sent += size
        index += 1


def generated_sha256(total: int, chunk: int = 256 * 1024) -> str:
    digest, sent, index = hashlib.sha256(), 0, 0
    while sent < total:
        size = min(chunk, total - sent)
        digest.update(block(index, size))
        sent += size
        index += 1
    return digest.hexdigest()


async def sha256_of(chunks: AsyncIterator[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    async for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size
