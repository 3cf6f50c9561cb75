"""Marking the dates a person reads that were counted over a provisional year.

A due date that falls in a year whose official holiday schedule is not yet imported may still
move: beside each such ``x_on`` field a view gets ``x_provisional: true`` (false otherwise), and
every text that shows it says 预计…（以国务院公布的放假安排为准）.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp import web

from onething.domain.calendar import WorkCalendar
from onething.keys import calendar_key

DUE_FIELDS = ("due_on", "intake_due_on", "expected_completion_on", "legal_due_on")


def dated_json(request: web.Request, view: Any, **kwargs) -> web.Response:
    """A JSON response whose due dates are marked against the calendar this process uses now."""
    return web.json_response(mark_provisional(view, request.config_dict[calendar_key].current), **kwargs)


def mark_provisional(view: Any, calendar: WorkCalendar) -> Any:
    """Add the ``_provisional`` flags to every due date in ``view`` (dicts and lists, in place)."""
    if isinstance(view, list):
        for entry in view:
            mark_provisional(entry, calendar)
    elif isinstance(view, dict):
        for key in DUE_FIELDS:
            if key in view:
                value = view[key]
                view[key[:-3] + "_provisional"] = bool(value) and calendar.is_provisional(
                    value if isinstance(value, date) else date.fromisoformat(str(value)[:10]))
        for value in view.values():
            if isinstance(value, (dict, list)):
                mark_provisional(value, calendar)
    return view
