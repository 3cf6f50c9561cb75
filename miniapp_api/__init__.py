"""The JSON API the WeChat mini-program calls, under ``/api/v1``."""

from .app import create_app

__all__ = ["create_app"]
