"""Whether an uploaded file is whole (a PDF that parses to its end, an image that decodes), and
whether a kept one is still the file recorded.

The first bytes (``domain.files.Inspector``) tell what a file claims to be; only its structure
tells whether it is one. ``%PDF-`` followed by a web page claims to be a PDF. The bytes pass
through a spool (memory up to 1 MiB, then a temporary file) on their way to the store, so the
check never holds a large file in memory; the parsers run in a thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import tempfile
from contextlib import aclosing
from typing import IO, AsyncIterable, AsyncIterator, Awaitable, Callable

from PIL import Image
from pypdf import PdfReader
from pypdf.generic import IndirectObject

from onething.domain.files import Inspector
from onething.domain.refusals import Refused
from storage.objects import ObjectNotFound, ObjectStore, ObjectTooLarge

UNREADABLE = "unreadable"
TOO_MANY_PIXELS = "too_many_pixels"
MAX_DECODED_BYTES = 64 * 1024 * 1024  # a decoded image (pixels x channels); JPEGs are decoded at 1/8 scale
_SPOOL_IN_MEMORY = 1024 * 1024
_PDF_TAIL = 1024
_TRAILING_BLANKS = b" \t\r\n\x0c\x00"
# A lenient parse warns of every repair it makes, quoting the file's own bytes: a citizen's
# document has no place in the log, and the verdict says all that is needed.
logging.getLogger("pypdf").setLevel(logging.ERROR)


class Examiner:
    """Passes a stream through an Inspector and into a spool, then judges what has arrived."""

    def __init__(self, chunks: AsyncIterable[bytes]):
        self.inspector = Inspector(chunks)
        self._spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)

    async def stream(self) -> AsyncIterator[bytes]:
        async for chunk in self.inspector.stream():
            await asyncio.to_thread(self._spool.write, chunk)
            yield chunk

    async def problem(self) -> str | None:
        """None when the whole file is what its first bytes say, else UNREADABLE or TOO_MANY_PIXELS."""
        return await asyncio.to_thread(judge, self._spool, self.inspector.sniffed_type)

    def close(self) -> None:
        self._spool.close()

    def __enter__(self) -> "Examiner":
        return self

    def __exit__(self, *_) -> None:
        self.close()


Check = Callable[["Examiner"], Awaitable[Refused | None]]
KINDS = {"application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG"}


async def store_checked(store: ObjectStore, key: str, chunks: AsyncIterable[bytes], *, content_type: str,
                        max_size: int, too_large: Refused, check: Check | None = None) -> Inspector:
    """Stream an upload into the store under ``key``, then judge the whole of it; what fails is
    deleted again and its refusal raised, so nothing unchecked stays kept.

    ``check`` is the caller's judgement of the examined file (its own codes and words); without
    one, the file must be what ``content_type`` says, and whole.
    """
    with Examiner(chunks) as examiner:
        try:
            await store.put(key, examiner.stream(), content_type=content_type, max_size=max_size)
        except ObjectTooLarge:
            raise too_large from None  # the store keeps nothing of an upload it stopped
        refusal = await (check or whole_file(content_type))(examiner)
    if refusal is not None:
        await store.delete(key)
        raise refusal
    return examiner.inspector


def whole_file(content_type: str) -> Check:
    """The plain judgement: the bytes are the declared type (415), and the file opens (422)."""
    async def check(examiner: Examiner) -> Refused | None:
        kind = KINDS.get(content_type, content_type)
        if examiner.inspector.sniffed_type != content_type:
            return Refused("type_mismatch", status=415, details={"kind": kind})
        verdict = await examiner.problem()
        if verdict == TOO_MANY_PIXELS:
            return Refused("too_many_pixels", details={"kind": kind})
        if verdict is not None:
            return Refused("unreadable_file", details={"kind": kind})
        return None
    return check


def judge(file: IO[bytes], content_type: str | None) -> str | None:
    file.seek(0)
    if content_type == "application/pdf":
        return _pdf(file)
    if content_type in ("image/png", "image/jpeg"):
        return _image(file, "PNG" if content_type == "image/png" else "JPEG")
    return UNREADABLE


def _pdf(file: IO[bytes]) -> str | None:
    file.seek(0, 2)
    file.seek(max(0, file.tell() - _PDF_TAIL))
    if not file.read().rstrip(_TRAILING_BLANKS).endswith(b"%%EOF"):
        return UNREADABLE  # something follows the document's end
    file.seek(0)
    try:
        # Not strict: scanners, WPS and phones often write a startxref or an xref entry a few bytes
        # off, which every viewer (and pypdf, by scanning for the objects) gets past. What must hold
        # is that the objects are there: a page tree of real pages, every object parsing.
        reader = PdfReader(file, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return UNREADABLE  # a clerk could not open it without the applicant's password
        if len(reader.pages) == 0 or any(page.get("/Type") != "/Page" for page in reader.pages):
            return UNREADABLE
        for generation, table in list(reader.xref.items()):
            for number in list(table):
                reader.get_object(IndirectObject(number, generation, reader))
                reader.resolved_objects.clear()  # keep one object at a time in memory
        for number in list(reader.xref_objStm):
            reader.get_object(number)
            reader.resolved_objects.clear()
    except Exception:  # noqa: BLE001 - whatever a malformed file makes the parser raise, it is unreadable
        return UNREADABLE
    return None


def _image(file: IO[bytes], kind: str) -> str | None:
    try:
        with Image.open(file, formats=[kind]) as image:
            if kind == "PNG":
                image.verify()  # every chunk's checksum, up to the end marker
        file.seek(0)
        with Image.open(file, formats=[kind]) as image:
            if kind == "JPEG":
                image.draft(None, (max(1, image.width // 8), max(1, image.height // 8)))
            if image.width * image.height * len(image.getbands()) > MAX_DECODED_BYTES:
                return TOO_MANY_PIXELS
            image.load()
    except Image.DecompressionBombError:
        return TOO_MANY_PIXELS
    except Exception:  # noqa: BLE001 - a file the decoder cannot read through is unreadable
        return UNREADABLE
    return None


async def matches_record(store: ObjectStore, file) -> bool:
    """Whether the kept bytes of a recorded file still hash to its sha256 (one streamed read)."""
    digest = hashlib.sha256()
    try:
        async with aclosing(store.get(file.object_key)) as chunks:
            async for chunk in chunks:
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
