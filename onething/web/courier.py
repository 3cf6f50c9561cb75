"""Couriers' scan pages and API (``/courier``)."""

from aiohttp import web


def create_app() -> web.Application:
    return web.Application()
