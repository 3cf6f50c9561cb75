"""Marking the dates a person reads that were counted over a provisional year.

A due date that falls in a year whose official holiday schedule is not yet imported may still
move: beside each such ``x_on`` field a view gets ``x_provisional: true`` (false otherwise), and
every text that shows it says 预计…（以国务院公布的放假安排为准）.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from onething.keys import calendar_key
from onething.services.presenters import mark_provisional
from onething.web.http import json_response


def dated_json(request: web.Request, view: Any, **kwargs) -> web.Response:
    """A JSON response whose due dates are marked against the calendar this process uses now."""
    return json_response(mark_provisional(view, request.config_dict[calendar_key].current), **kwargs)
