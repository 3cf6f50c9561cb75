"""Supervision grades (电子监察): 预警 near the promised limit, 黄牌 past it, 红牌 past the legal limit or
after staying yellow for some working days. The thresholds are data (``onething/data/supervision.yaml``,
the warning share in the catalog's ``limits.yaml``), checked when the service starts.

An item's grade is read from its flags (``warned``, ``overdue``, ``legal_overdue``, ``red_card``),
which the deadline job raises (``onething.domain.clock``); a case carries the worst of its items'.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Iterable

GRADE_CODES = ("warning", "yellow", "red")


class Grade(IntEnum):
    """Worse is larger, so the worst of several is their ``max``."""

    NONE = 0
    WARNING = 1  # 预警
    YELLOW = 2  # 黄牌
    RED = 3  # 红牌

    @property
    def code(self) -> str:
        return "none" if self is Grade.NONE else GRADE_CODES[self - 1]


# The audit event that raises each grade on an item: the trail says which rule fired.
GRADE_EVENTS = {"warned": Grade.WARNING, "overdue": Grade.YELLOW, "legal_overdue": Grade.RED, "red_card": Grade.RED}


class GradeRulesInvalid(ValueError):
    def __init__(self, source: str, errors: list[str]):
        self.errors = errors
        super().__init__(f"{source}: the supervision grades have errors:\n  - " + "\n  - ".join(errors))


@dataclass(frozen=True)
class GradeRules:
    names: dict[str, str]  # code -> 中文 name
    red_after_yellow_days: int
    satisfied_scores: frozenset[int]
    dissatisfied_scores: frozenset[int]

    def name(self, grade: Grade) -> str:
        return self.names.get(grade.code, "")


DEFAULT_RULES = GradeRules({"warning": "预警", "yellow": "黄牌", "red": "红牌"}, 5,
                           frozenset({3, 4, 5}), frozenset({1, 2}))
MAX_YELLOW_DAYS = 60
SCORES = frozenset({1, 2, 3, 4, 5})


def build_grade_rules(raw: Any, source: str = "supervision.yaml") -> GradeRules:
    """The rules from plain data; every problem is listed, naming the file and the entry."""
    if not isinstance(raw, dict):
        raise GradeRulesInvalid(source, ["must be a mapping with grades, red_after_yellow_days and the scores"])
    errors: list[str] = []
    unknown = set(raw) - {"grades", "red_after_yellow_days", "satisfied_scores", "dissatisfied_scores"}
    if unknown:
        errors.append(f"unknown keys {', '.join(sorted(map(str, unknown)))}")
    names = _grades(raw.get("grades"), errors)
    days = raw.get("red_after_yellow_days")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_YELLOW_DAYS:
        errors.append(f"red_after_yellow_days: must be a whole number of working days from 1 to {MAX_YELLOW_DAYS}")
    satisfied = _scores(raw.get("satisfied_scores"), "satisfied_scores", errors)
    dissatisfied = _scores(raw.get("dissatisfied_scores"), "dissatisfied_scores", errors)
    if satisfied & dissatisfied:
        errors.append(f"dissatisfied_scores: {sorted(satisfied & dissatisfied)} are also satisfied_scores")
    if errors:
        raise GradeRulesInvalid(source, errors)
    return GradeRules(names, days, satisfied, dissatisfied)


def _grades(entries: Any, errors: list[str]) -> dict[str, str]:
    if not isinstance(entries, list) or not entries:
        errors.append("grades: must be a list of warning, yellow and red")
        return {}
    names, ranks = {}, {}
    for i, entry in enumerate(entries):
        where = f"grades[{i}]"
        if not isinstance(entry, dict):
            errors.append(f"{where}: must be a mapping with code, name and rank")
            continue
        where = f"{where} {entry.get('code', '?')}"
        code, name, rank = entry.get("code"), entry.get("name"), entry.get("rank")
        if code not in GRADE_CODES:
            errors.append(f"{where}: code must be one of {', '.join(GRADE_CODES)}")
        elif code in names:
            errors.append(f"{where}: code appears twice")
        if not isinstance(name, str) or not name.strip():
            errors.append(f"{where}: name is required")
        if code in GRADE_CODES and rank != GRADE_CODES.index(code) + 1:
            errors.append(f"{where}: rank must be {GRADE_CODES.index(code) + 1} (warning < yellow < red)")
        unknown = set(entry) - {"code", "name", "rank"}
        if unknown:
            errors.append(f"{where}: unknown keys {', '.join(sorted(map(str, unknown)))}")
        if code in GRADE_CODES and isinstance(name, str):
            names[code], ranks[code] = name.strip(), rank
    missing = [c for c in GRADE_CODES if c not in names]
    if missing and not errors:
        errors.append(f"grades: missing {', '.join(missing)}")
    return names


def _scores(value: Any, key: str, errors: list[str]) -> frozenset[int]:
    if not isinstance(value, list) or not value or any(isinstance(v, bool) or v not in SCORES for v in value):
        errors.append(f"{key}: must be a non-empty list of scores from 1 to 5")
        return frozenset()
    return frozenset(value)


def task_grade(warned: bool, overdue: bool, legal_overdue: bool, red_card: bool) -> Grade:
    """An item's grade from its flags."""
    if legal_overdue or red_card:
        return Grade.RED
    if overdue:
        return Grade.YELLOW
    return Grade.WARNING if warned else Grade.NONE


def worst(grades: Iterable[Grade]) -> Grade:
    """A case's grade: the worst of its items' (NONE for a case with none)."""
    return max(grades, default=Grade.NONE)
