"""Object store: one interface, a folder implementation and a MinIO/S3 implementation."""

from onething.settings import Settings

from .base import (
    ObjectInfo, ObjectNotFound, ObjectStore, ObjectStoreError, ObjectTooLarge, PresignedUpload, check_key,
)
from .folder import FolderObjectStore, InvalidSignedUrl
from .s3 import S3ObjectStore


async def open_object_store(settings: Settings) -> ObjectStore:
    location = settings.object_store
    if location.s3 is not None:
        store = S3ObjectStore(location.s3)
        await store.open()
        return store
    folder = FolderObjectStore(location.folder, secret=settings.secret_key, public_url=settings.public_url)
    await folder.open()
    return folder


__all__ = [
    "FolderObjectStore", "InvalidSignedUrl", "ObjectInfo", "ObjectNotFound", "ObjectStore",
    "ObjectStoreError", "ObjectTooLarge", "PresignedUpload", "S3ObjectStore", "check_key",
    "open_object_store",
]
