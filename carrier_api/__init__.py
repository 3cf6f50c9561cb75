"""Carriers' signed tracking updates (``/courier/api/v1/carriers/{code}/updates``)."""

from .app import create_app

__all__ = ["create_app"]
