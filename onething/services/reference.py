"""Loading the reference data shipped with the service: the catalog and the working-day calendar."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from onething.domain.calendar import CalendarError, WorkCalendar, YearSchedule
from onething.domain.catalog import Catalog
from onething.domain.catalog_rules import CatalogInvalid, build_catalog
from onething.domain.grades import GradeRules, GradeRulesInvalid, build_grade_rules
from onething.domain.issues import Ladder, LadderInvalid, build_ladder
from onething.domain.ranking import RankingRulesInvalid, Rules, build_rules


def data_dir() -> Path:
    return Path(str(resources.files("onething.data")))


def load_catalog(folder: Path | None = None) -> Catalog:
    folder = folder or data_dir() / "catalog"
    errors: list[str] = []
    departments = _read(folder / "departments.yaml", errors)
    materials = _read(folder / "materials.yaml", errors)
    limits = _read(folder / "limits.yaml", errors)
    things = [(path.name, _read(path, errors)) for path in sorted((folder / "things").glob("*.yaml"))]
    if not things:
        errors.append(f"{folder / 'things'}: no things found")
    for file, raw in things:
        form = raw.get("form") if isinstance(raw, dict) else None
        try:
            Draft202012Validator.check_schema(form or {})
        except SchemaError as exc:
            errors.append(f"{file}: thing {raw.get('code', '?')}: form is not a valid JSON Schema: {exc.message}")
    if errors:
        raise CatalogInvalid(errors)
    return build_catalog(("departments.yaml", departments), ("materials.yaml", materials), things,
                         ("limits.yaml", limits))


def load_calendar(folder: Path | None = None) -> WorkCalendar:
    """The shipped schedules, with provisional years beyond them (no imported years: see calendars.py)."""
    from onething.services.calendars import build

    return build(load_seed_schedules(folder))


def load_seed_schedules(folder: Path | None = None) -> tuple[YearSchedule, ...]:
    folder = folder or data_dir() / "calendar"
    schedules = []
    for path in sorted(folder.glob("*.yaml")):
        errors: list[str] = []
        raw = _read(path, errors)
        if errors:
            raise CalendarError("; ".join(errors))
        schedules.append(schedule_from_yaml(raw, path.name))
    return tuple(schedules)


def schedule_from_yaml(raw: Any, name: str, year: int | None = None) -> YearSchedule:
    """A year in the shipped YAML layout; ``year``, when given, must be the one the file names."""
    try:
        schedule = YearSchedule(
            year=int(raw["year"]), holidays=frozenset(_days(raw.get("holidays") or [])),
            workdays=frozenset(_days(raw.get("workdays") or [])),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CalendarError(f"{name}: {exc}") from None
    if year is not None and schedule.year != year:
        raise CalendarError(f"{name}: the file is for {schedule.year}, not {year}")
    return schedule


def load_ladder(path: Path | None = None) -> Ladder:
    """The issue ledger's escalation ladder (对号销号), refused at startup naming the file when wrong."""
    return _checked(path or data_dir() / "escalation.yaml", LadderInvalid, build_ladder)


def load_grade_rules(path: Path | None = None) -> GradeRules:
    """The supervision grades (预警, 黄牌, 红牌), refused at startup naming the file when wrong."""
    return _checked(path or data_dir() / "supervision.yaml", GradeRulesInvalid, build_grade_rules)


def _checked(path: Path, invalid, build):
    """A YAML file built by ``build(raw, source)``; unreadable, ``invalid(source, errors)`` is raised."""
    errors: list[str] = []
    raw = _read(path, errors)
    if errors:
        raise invalid(str(path), errors)
    return build(raw, str(path))


def load_ranking_rules(path: Path | None = None) -> Rules:
    """The efficiency ranking's weights and components, refused at startup naming the file and entries when wrong."""
    path = path or data_dir() / "ranking.yaml"
    errors: list[str] = []
    raw = _read(path, errors)
    if errors:
        raise RankingRulesInvalid(str(path), errors)
    return build_rules(raw, str(path))


def _days(entries: list[Any]):
    # Entries are a date or a range "YYYY-MM-DD..YYYY-MM-DD" (both ends included).
    for entry in entries:
        if isinstance(entry, dt.date):
            yield entry
            continue
        first, _, last = str(entry).partition("..")
        start = dt.date.fromisoformat(first.strip())
        end = dt.date.fromisoformat(last.strip()) if last else start
        if end < start:
            raise ValueError(f"range {entry} ends before it starts")
        while start <= end:
            yield start
            start += dt.timedelta(days=1)


def _read(path: Path, errors: list[str]) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError:
        errors.append(f"{path}: missing")
    except yaml.YAMLError as exc:
        errors.append(f"{path.name}: not valid YAML: {exc}")
    return {}
