"""Couriers (``/courier``): the page a label's QR code opens, and the same as JSON for courier apps."""

from .app import create_app

__all__ = ["create_app"]
