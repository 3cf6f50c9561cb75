"""``onething calendar``: working-day arithmetic, and importing a year's official schedule.

When the State Council publishes next year's holiday notice, an operator saves its text (or a
YAML file in the shipped layout) and runs ``onething calendar import 2027 notice.txt``: it
prints what it read and what changes against the calendar in use; ``--apply`` stores it for
every process and recomputes the due dates of the open cases.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from datetime import date
from pathlib import Path

from onething.settings import Settings

WEEKDAYS = "一二三四五六日"


def add_parsers(sub) -> None:
    calendar = sub.add_parser("calendar", help="working days").add_subparsers(dest="action", required=True)
    due = calendar.add_parser("due", help="the Nth working day after a date")
    due.add_argument("start", type=date.fromisoformat)
    due.add_argument("days", type=int)
    between = calendar.add_parser("between", help="working days after A up to and including B")
    between.add_argument("start", type=date.fromisoformat)
    between.add_argument("end", type=date.fromisoformat)
    imported = calendar.add_parser("import", help="read a year's official holiday notice (text) or YAML file")
    imported.add_argument("year", type=int)
    imported.add_argument("file", type=Path)
    imported.add_argument("--apply", action="store_true",
                          help="store it for every process and recompute the open cases' due dates")


def calendar(args: argparse.Namespace, settings: Settings) -> int:
    from onething.domain.calendar import CalendarError

    try:
        if args.action == "import":
            return asyncio.run(_import(args, settings))
        cal = asyncio.run(_calendar_in_use(settings))
        if args.action == "due":
            day = cal.add_working_days(args.start, args.days)
            print(day.isoformat() + ("  (provisional: the year's official schedule is not imported)"
                                     if cal.is_provisional(day) else ""))
        else:
            print(cal.working_days_between(args.start, args.end))
    except CalendarError as exc:
        print(f"onething: {exc}", file=sys.stderr)
        return 2
    return 0


async def _calendar_in_use(settings: Settings):
    from onething.services.calendars import CalendarBook
    from onething.services.reference import load_seed_schedules
    from storage import db

    book = CalendarBook(load_seed_schedules())
    try:
        async with db.database(settings.database_url):
            return await book.fresh()
    except Exception as exc:  # no database yet (not migrated, unreachable): the shipped years still count
        print(f"onething: imported years not read ({type(exc).__name__}); counting with the shipped calendar",
              file=sys.stderr)
        return book.current


def read_schedule(year: int, path: Path):
    """The schedule in ``path``: the notice's plain text, or YAML in the shipped layout."""
    import yaml

    from onething.domain.calendar import CalendarError
    from onething.domain.holiday_notice import parse_notice
    from onething.services.reference import schedule_from_yaml

    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")  # saved from a page in the old Chinese encoding
        except UnicodeDecodeError:
            raise CalendarError(f"{path.name}: not text in UTF-8 or GB 18030") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            return schedule_from_yaml(yaml.safe_load(text), path.name, year), None, text
        except yaml.YAMLError as exc:
            raise CalendarError(f"{path.name}: not valid YAML: {exc}") from None
    notice = parse_notice(text, year)
    return notice.schedule(), notice, text


async def _import(args: argparse.Namespace, settings: Settings) -> int:
    from onething.app import create_core, started
    from onething.domain.holidays import changes
    from onething.keys import calendar_key, workflow_key
    from onething.services import calendars
    from onething.services.case_store import utcnow

    if not args.file.is_file():
        print(f"onething: {args.file}: no such file", file=sys.stderr)
        return 2
    schedule, notice, source = read_schedule(args.year, args.file)
    _print_schedule(schedule, notice)
    async with started(create_core(settings, run_jobs=False)) as app:
        book = app[calendar_key]
        before = (await book.fresh()).schedule(args.year)
        diff = changes(before, schedule)
        print(f"\nagainst the {'provisional' if before.provisional else 'official'} {args.year} in use:")
        _print_changes(diff)
        if not args.apply:
            print("\nnothing stored: run again with --apply to use it")
            return 0
        await calendars.store(schedule, source, getpass.getuser(), utcnow())
        book.expire()
        moved, failed = await app[workflow_key].reschedule_all(f"国务院{args.year}年放假安排已导入")
    print(f"\nstored the official {args.year} schedule; {moved} open case(s) had due dates moved "
          "(each has an audit event; their applicants are notified)")
    if failed:
        print(f"onething: {len(failed)} case(s) could not be counted again: {', '.join(failed)}; "
              "run the same import again (it changes nothing that is already right)", file=sys.stderr)
        return 1
    return 0


def _print_schedule(schedule, notice) -> None:
    print(f"{schedule.year}: {len(schedule.holidays)} day(s) off, {len(schedule.workdays)} make-up workday(s)")
    if notice is not None:
        for a in notice.arrangements:
            first, last = a.days_off[0], a.days_off[-1]
            span = f"{first}" if first == last else f"{first} .. {last}"
            workdays = "、".join(f"{d}（周{WEEKDAYS[d.weekday()]}）" for d in a.workdays)
            print(f"  {'、'.join(a.festivals)}：{span}，{len(a.days_off)}天" + (f"；{workdays}上班" if workdays else ""))
    else:
        print("  off: " + ", ".join(d.isoformat() for d in sorted(schedule.holidays)))
        print("  make-up workdays: " + (", ".join(d.isoformat() for d in sorted(schedule.workdays)) or "none"))


def _print_changes(diff) -> None:
    if diff.none:
        print("  no change: the same working days")
    for label, days in (("no longer working days", diff.now_off), ("now working days", diff.now_working)):
        if days:
            print(f"  {label}: " + ", ".join(f"{d}（周{WEEKDAYS[d.weekday()]}）" for d in days))
