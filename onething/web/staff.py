"""Back office for window clerks, reviewers, supervisors, managers and admins (``/staff/api/v1``)."""

from aiohttp import web


def create_app() -> web.Application:
    return web.Application()
