"""The WeChat official-account (服务号) endpoint: parse, route, reply."""

from .app import create_app, setup

__all__ = ["create_app", "setup"]
