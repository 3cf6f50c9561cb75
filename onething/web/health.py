"""``/healthz``: the process is alive. ``/readyz``: its database, Redis and object store answer."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from onething.keys import calendar_key, object_store_key, redis_key, workflow_key
from onething.web.http import json_response
from onething.services import calendar_watch
from storage import db

log = logging.getLogger("onething.health")
CHECK_TIMEOUT = 2.0


async def healthz(request: web.Request) -> web.Response:
    return json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    app = request.config_dict
    checks = {
        "database": db.ping(),
        "redis": app[redis_key].ping(),
        "object_store": app[object_store_key].ping(),
    }
    results = await asyncio.gather(
        *(asyncio.wait_for(check, CHECK_TIMEOUT) for check in checks.values()), return_exceptions=True
    )
    report, failed = {}, []
    for name, result in zip(checks, results):
        if isinstance(result, BaseException):
            failed.append(name)
            report[name] = "unavailable"
            log.warning("readiness check failed", extra={"check": name, "error": type(result).__name__})
        else:
            report[name] = "ok"
    warnings = []
    if "database" not in failed:
        # Not a failure (the service runs on over a provisional year), but operators must act.
        try:
            missing = await asyncio.wait_for(
                calendar_watch.missing(app[calendar_key], app[workflow_key].clock()), CHECK_TIMEOUT)
        except Exception as exc:  # the database went away since its check: say so, never a 500
            log.warning("readiness check failed", extra={"check": "calendar", "error": type(exc).__name__})
            missing, report["calendar"] = [], "unknown"
        for year in missing:
            warnings.append(f"the official {year} holiday schedule is not imported: "
                            f"due dates in {year} are provisional (onething calendar import {year} FILE --apply)")
        report.setdefault("calendar", "provisional" if warnings else "ok")
    status = 503 if failed else 200
    return json_response(
        {"status": "unavailable" if failed else "ok", "failed": failed, "checks": report, "warnings": warnings},
        status=status,
    )


def setup(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
