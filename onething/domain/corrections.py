"""Composing the one complete list of problems a case goes back with (补正, 一次性告知).

The clerk ticks the materials and form fields that are wrong, says what is wrong with each (or
leaves the standard words), and may add lines of their own. Each problem names what it is
about in the applicant's words, so the list reads the same in the mini-program and on paper.
"""

from __future__ import annotations

from typing import Iterable

MATERIAL_DEFAULT = "不符合要求，请重新提交"
FIELD_DEFAULT = "填写有误，请核对后修改"
MAX_PROBLEM = 1000  # the API's limit for one problem


def compose(materials: Iterable[tuple[str, str]], fields: Iterable[tuple[str, str]], note: str) -> list[str]:
    """``materials`` and ``fields``: (name, what is wrong) of each ticked one; ``note``: a line a problem."""
    problems = [f"材料“{name}”：{(why.strip() or MATERIAL_DEFAULT)}" for name, why in materials]
    problems += [f"表单“{title}”：{(why.strip() or FIELD_DEFAULT)}" for title, why in fields]
    problems += [line.strip() for line in note.splitlines() if line.strip()]
    return [p[:MAX_PROBLEM] for p in problems]
