"""A file is judged by its whole structure: a PDF must parse to its end, an image must decode."""

from __future__ import annotations

import io

import pytest

from onething.services import file_checks
from onething.services.file_checks import TOO_MANY_PIXELS, UNREADABLE, judge
from tests.support import documents

PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"


def verdict(data: bytes, content_type: str) -> str | None:
    return judge(io.BytesIO(data), content_type)


@pytest.mark.parametrize("data, content_type", [
    (documents.pdf(), PDF), (documents.pdf("第二份"), PDF), (documents.pdf() + b"\r\n\x00\x00", PDF),
    (documents.png(), PNG), (documents.png(300, 200), PNG), (documents.jpeg(), JPEG), (documents.jpeg(640, 480), JPEG),
])
def test_whole_documents_pass(data, content_type):
    assert verdict(data, content_type) is None


def test_a_pdf_header_followed_by_a_web_page_is_not_a_pdf():
    page = b"%PDF-1.7\n<html><body><script>alert(1)</script></body></html>\n"
    assert verdict(page, PDF) == UNREADABLE
    assert verdict(page + b"%%EOF\n", PDF) == UNREADABLE  # the end marker alone makes no document
    assert verdict(page + b"startxref\n9\n%%EOF\n", PDF) == UNREADABLE
    assert verdict(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", PDF) == UNREADABLE  # no pages, no xref


@pytest.mark.parametrize("off_by", [-4, -1, 2, 5, 40])
def test_a_pdf_whose_cross_reference_is_a_few_bytes_off_opens_as_viewers_open_it(off_by):
    assert verdict(documents.pdf(xref_off_by=off_by), PDF) is None
    assert verdict(documents.pdf("扫描件", xref_off_by=off_by) + b"\r\n", PDF) is None


def test_a_pdf_whose_objects_are_not_where_its_table_says_still_needs_every_object():
    whole = documents.pdf()
    middle = whole.index(b"2 0 obj")
    assert verdict(whole[:middle] + b"\n\n\n" + whole[middle:], PDF) is None  # each entry a few bytes off
    assert verdict(whole.replace(b"/Type /Page /Parent", b"<html> /Parent"), PDF) == UNREADABLE  # a page that is not
    assert verdict(whole.replace(b"/Kids [3 0 R]", b"/Kids [9 0 R]"), PDF) == UNREADABLE  # a page not there


def test_a_pdf_must_parse_to_its_end():
    whole = documents.pdf()
    assert verdict(whole + b"<script>alert(1)</script>", PDF) == UNREADABLE  # something after its end
    assert verdict(whole[: len(whole) // 2], PDF) == UNREADABLE  # cut short
    assert verdict(whole[: len(whole) // 2] + b"\n%%EOF\n", PDF) == UNREADABLE  # cut short, an end marker added
    assert verdict(whole[: whole.index(b"xref")], PDF) == UNREADABLE  # cut before its table


def test_an_image_must_decode():
    png, jpeg = documents.png(64, 64), documents.jpeg(64, 64)
    assert verdict(png[:-30], PNG) == UNREADABLE
    assert verdict(png[:-12], PNG) == UNREADABLE  # no end marker
    damaged = bytearray(png)
    damaged[-16] ^= 0xFF  # in the pixel data's checksum
    assert verdict(bytes(damaged), PNG) == UNREADABLE
    assert verdict(jpeg[: len(jpeg) // 2], JPEG) == UNREADABLE
    assert verdict(b"\xff\xd8\xff\xe0" + b"\x00" * 64, JPEG) == UNREADABLE
    assert verdict(b"\x89PNG\r\n\x1a\n<html></html>", PNG) == UNREADABLE


def test_an_image_too_large_to_decode_safely_is_refused_before_decoding(monkeypatch):
    monkeypatch.setattr(file_checks, "MAX_DECODED_BYTES", 100 * 100)
    assert verdict(documents.png(100, 100), PNG) is None
    assert verdict(documents.png(101, 100), PNG) == TOO_MANY_PIXELS


def test_a_file_of_no_known_kind_is_unreadable():
    assert verdict(b"MZ\x90\x00", None) == UNREADABLE
