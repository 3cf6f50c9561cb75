"""Whether a kept file is still the file recorded."""

from __future__ import annotations

import hashlib
import hmac

from storage.objects import ObjectNotFound, ObjectStore


async def matches_record(store: ObjectStore, file) -> bool:
    """Whether the kept bytes of a recorded file still hash to its sha256 (one streamed read)."""
    digest = hashlib.sha256()
    try:
        async for chunk in store.get(file.object_key):
            digest.update(chunk)
    except ObjectNotFound:
        return False
    return hmac.compare_digest(digest.hexdigest(), file.sha256)


async def same_size(store: ObjectStore, file) -> bool:
    """The check cheap enough for every listing: the kept object still has the recorded size."""
    try:
        return (await store.stat(file.object_key)).size == file.size
    except ObjectNotFound:
        return False
