"""A refusal that did not stand: an intake refusal (不予受理) or an item's rejection on review
(不予许可) overturned on administrative review (行政复议), in court (行政诉讼) or by the
supervisors on a complaint (投诉核查). The efficiency ranking's quality counts the refusals that
stood, so an overturn is recorded once for each refusal, and counted as the refusal was: under
the lead department and the window that refused a case, under an item's department and the
case's intake window for an item."""

from __future__ import annotations

from .facts import Fact

BASES = {"review": "行政复议", "litigation": "行政诉讼", "complaint": "投诉核查"}


def note_of(basis: str, note: str) -> str:
    """The audit event's note: the basis first, as the trail and the recount read it."""
    return f"{BASES[basis]}：{note}" if note else BASES[basis]


def fact_of(*, department: str, window: str, thing: str, item: str | None) -> Fact:
    return Fact("overturned", department, window, thing, item or "")
