"""The QR delivery code as an image: PNG for printers that want pixels, SVG for crisp labels."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M


def _code(data: str) -> qrcode.QRCode:
    # Medium correction survives a scuffed envelope; a 4-module border is what scanners expect.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(data)
    code.make(fit=True)
    return code


def png(data: str) -> bytes:
    buffer = io.BytesIO()
    _code(data).make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def svg(data: str) -> bytes:
    return _code(data).make_image(image_factory=qrcode.image.svg.SvgPathImage).to_string(encoding="unicode").encode()


def svg_data_uri(data: str) -> str:
    """For the slip: the image travels inside the page, so printing needs no second request."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg(data)).decode()
