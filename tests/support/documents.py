"""Small but real documents (a one-page PDF, a PNG, a JPEG) for uploads, each distinct by its text or size.

The PDF and PNG are written byte by byte here, not by the libraries that check them on upload.
"""

from __future__ import annotations

import io
import struct
import zlib


def pdf(text: str = "onething", *, xref_off_by: int = 0) -> bytes:
    """A one-page PDF whose page shows ``text`` (kept in the content stream, so each text gives other bytes).

    ``xref_off_by`` moves the startxref pointer that many bytes from the table, as some scanners and
    phone apps write it."""
    content = f"BT /F1 12 Tf 10 40 Td ({text.encode('unicode_escape').decode('ascii')}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 80] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref + xref_off_by)
    return bytes(out)


def png(width: int = 4, height: int = 3, *, colour: int = 0x80) -> bytes:
    """An 8-bit greyscale PNG of one colour."""
    rows = b"".join(b"\x00" + bytes([colour]) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def jpeg(width: int = 8, height: int = 8) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()
