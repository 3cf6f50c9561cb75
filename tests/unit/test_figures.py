"""Supervision figures from counted facts: periods in Shanghai days, shares over nothing, the p90
read from a histogram, and the CSV a spreadsheet opens safely."""

from __future__ import annotations

import csv
import io

import pytest

from onething.domain.figures import Period, fold, percentile
from onething.services.figures import to_csv
from tests.support.builders import d

SATISFIED = frozenset({3, 4, 5})
MARCH = Period.of("month", d("2026-03-17"))


def test_periods_are_the_day_the_iso_week_and_the_month_holding_a_day():
    assert Period.of("day", d("2026-03-04")) == Period("day", d("2026-03-04"), d("2026-03-04"))
    assert Period.of("week", d("2026-03-04")) == Period("week", d("2026-03-02"), d("2026-03-08"))
    assert (MARCH.start, MARCH.end, MARCH.label()) == (d("2026-03-01"), d("2026-03-31"), "2026-03")
    february = Period.of("month", d("2028-02-10"))
    assert february.end == d("2028-02-29") and february.previous().label() == "2028-01"
    assert Period.of("week", d("2026-01-01")).label() == "2026-W01"
    assert Period.of("week", d("2026-03-04")).previous().start == d("2026-02-23")
    span = Period.between(d("2026-03-05"), d("2026-03-07"))
    assert span.label() == "2026-03-05..2026-03-07" and span.previous() == Period("range", d("2026-03-02"),
                                                                                     d("2026-03-04"))


@pytest.mark.parametrize("start, end", [("2026-03-05", "2026-03-04"), ("2024-01-01", "2026-03-04")])
def test_a_range_that_ends_before_it_starts_or_spans_over_two_years_is_refused(start, end):
    with pytest.raises(ValueError):
        Period.between(d(start), d(end))


def test_an_empty_period_has_zero_counts_and_no_shares():
    empty = fold(MARCH, {}, SATISFIED)
    assert (empty.received, empty.ratings, empty.red_cards) == (0, 0, 0)
    assert [empty.on_time_pct, empty.avg_days, empty.p90_days, empty.compression_ratio, empty.satisfaction_pct,
            empty.follow_ups_on_time_pct, empty.zero_trip_pct] == [None] * 7
    assert empty.rating_distribution == {"5": 0, "4": 0, "3": 0, "2": 0, "1": 0}


def test_the_figures_of_a_period_from_its_counts():
    counts = {("received", 0): 10, ("completed", 0): 4, ("zero_trip", 0): 3, ("decided", 0): 2, ("decided", 1): 5,
              ("decided", 4): 2, ("decided", 9): 1, ("on_time", 0): 8, ("promised", 1): 10, ("legal", 20): 5,
              ("legal", 3): 5, ("rating", 5): 6, ("rating", 3): 1, ("rating", 2): 2, ("rating", 1): 1,
              ("dissatisfied", 0): 3, ("follow_up_closed", 1): 2, ("follow_up_closed", 0): 1, ("red", 0): 1}
    f = fold(MARCH, counts, SATISFIED)
    assert (f.decided, f.on_time, f.on_time_pct) == (10, 8, 80.0)
    assert (f.avg_days, f.p90_days) == (2.2, 4)  # 9 of 10 took at most 4 working days
    assert (f.avg_promised_days, f.avg_legal_days, f.compression_ratio) == (1.0, 11.5, 0.087)
    assert (f.ratings, f.satisfaction_pct, f.dissatisfied) == (10, 70.0, 3)
    assert f.rating_distribution == {"5": 6, "4": 0, "3": 1, "2": 2, "1": 1}
    assert (f.follow_ups_closed, f.follow_ups_on_time_pct, f.zero_trip_pct, f.red_cards) == (3, 66.7, 75.0, 1)


def test_the_p90_is_the_nearest_rank_of_the_histogram():
    assert percentile({3: 1}, 0.9) == 3
    assert percentile({1: 9, 30: 1}, 0.9) == 1 and percentile({1: 8, 30: 2}, 0.9) == 30
    assert percentile({}, 0.9) is None


def test_the_csv_has_a_byte_order_mark_and_a_name_that_looks_like_a_formula_stays_text():
    data = to_csv([("=HYPERLINK(\"x\")", fold(MARCH, {("received", 0): 2}, SATISFIED)),
                   ("合计", fold(MARCH, {}, SATISFIED))], "部门")
    assert data.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["部门", "期间", "起", "止", "收件"] and rows[0][-5:] == ["5分", "4分", "3分", "2分", "1分"]
    assert rows[1][0] == "'=HYPERLINK(\"x\")" and rows[1][1:5] == ["2026-03", "2026-03-01", "2026-03-31", "2"]
    assert rows[2][0] == "合计" and "" in rows[2]  # a share over nothing is an empty cell, not 0
    assert data.count(b"\r\n") == 3
