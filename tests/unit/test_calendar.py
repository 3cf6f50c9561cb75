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


def test_a_year_without_its_official_schedule_is_provisional_not_a_stop(calendar):
    # 2026-12-31 (Thu), then 2027: 01-01 元旦 (by the rule), the weekend, 01-04 Monday
    assert calendar.add_working_days(d("2026-12-30"), 2) == d("2027-01-04")
    assert calendar.is_provisional(d("2027-01-04")) and not calendar.is_provisional(d("2026-12-31"))
    assert calendar.official_years == frozenset({2025, 2026})


def test_the_provisional_year_has_the_statutory_days_dated_by_the_lunar_calendar(calendar):
    year = calendar.schedule(2027)
    assert year.provisional and year.workdays == frozenset()  # no make-up day is guessed
    spring = [d("2027-02-05"), d("2027-02-06"), d("2027-02-07"), d("2027-02-08")]  # 除夕 to 初三
    assert all(day in year.holidays for day in spring) and d("2027-02-09") not in year.holidays
    assert d("2027-04-05") in year.holidays  # 清明, the solar term, not a fixed date
    assert {d("2027-06-09"), d("2027-09-15")} <= year.holidays  # 端午 (五月初五), 中秋 (八月十五)
    assert {d("2027-05-01"), d("2027-05-02"), d("2027-10-01"), d("2027-10-03")} <= year.holidays
    assert len(year.holidays) == 13  # 1 + 4 + 1 + 2 + 1 + 1 + 3: nothing more than the rule fixes


def test_a_year_beyond_what_the_lunar_tables_cover_cannot_be_dated(calendar):
    assert calendar.schedule(2098).provisional  # far away, still dated by the rule
    with pytest.raises(UnknownYear, match="2150"):
        calendar.add_working_days(d("2150-03-01"), 5)


def test_the_statutory_rule_itself_is_checked():
    from onething.domain.holidays import provisional_schedule

    with pytest.raises(CalendarError, match="中秋"):
        provisional_schedule(2027, {"春节": d("2027-02-05"), "清明节": d("2027-04-05"), "端午节": d("2027-06-09")})


def test_schedules_are_checked():
    with pytest.raises(CalendarError, match="not a weekend day"):
        YearSchedule(2026, frozenset(), frozenset({d("2026-03-03")}))
    with pytest.raises(CalendarError, match="both"):
        YearSchedule(2026, frozenset({d("2026-03-07")}), frozenset({d("2026-03-07")}))


def test_a_remembered_answer_is_the_calendars_own_and_refusals_are_never_remembered(calendar):
    from onething.domain.calendar import WorkCalendar
    assert [calendar.add_working_days(d("2026-09-30"), 5) for _ in range(2)] == [d("2026-10-13")] * 2
    # the same question of a calendar whose October has no holiday: its own answer, not the other's
    plain = WorkCalendar((YearSchedule(2026, frozenset(), frozenset()),))
    assert plain.add_working_days(d("2026-09-30"), 5) == d("2026-10-07")
    for _ in range(2):
        with pytest.raises(CalendarError):
            calendar.add_working_days(d("2026-09-30"), -1)
        with pytest.raises(UnknownYear):
            plain.add_working_days(d("2026-12-30"), 5)
