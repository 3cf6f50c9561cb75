from datetime import date, datetime, timezone

import pytest

from onething.domain.calendar import SHANGHAI, CalendarError, UnknownYear, YearSchedule
from onething.services.reference import load_calendar
from tests.support.builders import d


@pytest.fixture(scope="module")
def calendar():
    return load_calendar()


@pytest.mark.parametrize("start, days, due", [
    ("2026-09-30", 5, "2026-10-13"),   # National Day week, then make-up Saturday 10-10 counts
    ("2026-02-13", 1, "2026-02-14"),   # make-up Saturday before Spring Festival is a working day
    ("2026-02-14", 1, "2026-02-24"),   # Spring Festival 02-15..02-23
    ("2026-02-14", 4, "2026-02-27"),
    ("2026-02-14", 5, "2026-02-28"),   # make-up Saturday after it
    ("2025-01-24", 2, "2025-01-27"),   # 01-26 is a make-up Sunday
    ("2025-09-30", 1, "2025-10-09"),   # National Day 2025 runs to 10-08
    ("2025-09-30", 2, "2025-10-10"),
    ("2025-09-30", 3, "2025-10-11"),   # make-up Saturday
    ("2025-12-31", 1, "2026-01-04"),   # across the year: 2026-01-01..03 off, 01-04 make-up Sunday
    ("2025-12-30", 2, "2026-01-04"),
    ("2026-04-30", 4, "2026-05-09"),   # Labour Day 05-01..05, make-up Saturday 05-09
])
def test_due_dates_across_holidays_and_make_up_days(calendar, start, days, due):
    assert calendar.add_working_days(d(start), days) == d(due)


def test_the_start_day_is_not_counted_and_due_is_the_end_of_the_day(calendar):
    accepted = datetime(2026, 3, 2, 1, 30, tzinfo=timezone.utc)  # Monday 09:30 in Shanghai
    due = calendar.due(accepted, 1)
    assert due.date() == date(2026, 3, 3) and due.tzinfo == SHANGHAI and (due.hour, due.minute) == (23, 59)


def test_a_utc_evening_is_already_the_next_day_in_shanghai(calendar):
    friday_night_utc = datetime(2026, 3, 5, 17, 0, tzinfo=timezone.utc)  # Friday 01:00 in Shanghai
    assert calendar.due(friday_night_utc, 1).date() == date(2026, 3, 9)


@pytest.mark.parametrize("start, end", [("2026-09-30", "2026-10-13"), ("2026-02-13", "2026-03-02"),
                                        ("2025-12-25", "2026-01-09")])
def test_between_is_the_inverse_of_due(calendar, start, end):
    n = calendar.working_days_between(d(start), d(end))
    assert calendar.add_working_days(d(start), n) == d(end)


def test_between_counts_after_start_up_to_end(calendar):
    assert calendar.working_days_between(d("2026-09-30"), d("2026-10-08")) == 1
    assert calendar.working_days_between(d("2026-10-08"), d("2026-10-08")) == 0


def test_a_year_without_a_schedule_is_an_error_not_a_guess(calendar):
    with pytest.raises(UnknownYear, match="2027"):
        calendar.add_working_days(d("2026-12-30"), 5)
    with pytest.raises(UnknownYear):
        calendar.is_working_day(d("2024-06-01"))


def test_schedules_are_checked():
    with pytest.raises(CalendarError, match="not a weekend day"):
        YearSchedule(2026, frozenset(), frozenset({d("2026-03-03")}))
    with pytest.raises(CalendarError, match="both"):
        YearSchedule(2026, frozenset({d("2026-03-07")}), frozenset({d("2026-03-07")}))
