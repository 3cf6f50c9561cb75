"""The efficiency ranking (效能排行榜): the formula, ties, an empty period, periods and the rules file."""

from datetime import date

import pytest

from onething.domain import ranking
from onething.domain.ranking import RankingRulesInvalid, UnitFigures, build_rules, rank, score
from onething.services.reference import load_ranking_rules

RULES = build_rules({"dimensions": {
    "efficiency": {"weight": 40, "components": {"on_time": 70, "speed": 30}},
    "quality": {"weight": 30, "components": {"correction_free": 60, "refusals_upheld": 40}},
    "attitude": {"weight": 30, "components": {"satisfaction": 70, "follow_ups_on_time": 30}},
}})


def unit(code, **figures):
    return UnitFigures(code, code.upper(), **figures)


def test_the_formula_weighs_components_into_dimensions_and_dimensions_into_the_total():
    figures = unit("tax", decided=10, on_time=9, days_taken=10, days_promised=40, cases=10, corrections=1,
                   refusals=2, overturned=1, ratings=10, satisfied=8, follow_ups=2, follow_ups_on_time=1)
    s = score(RULES, figures)
    # efficiency: 0.9*0.7 + 0.75*0.3 = 0.855; quality: 0.9*0.6 + 0.5*0.4 = 0.74; attitude: 0.8*0.7 + 0.5*0.3 = 0.71
    assert s.dimensions == {"efficiency": 85.5, "quality": 74.0, "attitude": 71.0}
    assert s.total == round(85.5 * 0.4 + 74.0 * 0.3 + 71.0 * 0.3, 2) == 77.7


def test_a_component_with_nothing_to_measure_leaves_its_weight_to_the_others():
    # no refusals, no ratings, no follow-ups: quality is correction-free alone, attitude drops out
    s = score(RULES, unit("fire", decided=4, on_time=4, days_taken=0, days_promised=20, cases=4, corrections=2))
    assert s.dimensions == {"efficiency": 100.0, "quality": 50.0, "attitude": None}
    assert s.total == round((100.0 * 40 + 50.0 * 30) / 70, 2)


def test_late_work_beyond_the_promise_scores_no_speed_rather_than_less_than_nothing():
    s = score(RULES, unit("cdc", decided=2, on_time=0, days_taken=30, days_promised=10))
    assert s.components["speed"] == 0.0 and s.dimensions["efficiency"] == 0.0


def test_ties_split_by_efficiency_then_quality_then_share_the_rank_listed_by_code():
    a = unit("a", decided=10, on_time=10, days_taken=10, days_promised=10, cases=10, corrections=0)
    b = unit("b", decided=10, on_time=10, days_taken=10, days_promised=10, cases=10, corrections=0)
    # the same total as c2 below, reached with more efficiency: ranked first
    c = unit("c", decided=10, on_time=10, days_taken=0, days_promised=10, cases=10, corrections=10)
    c2 = unit("c2", decided=4, on_time=1, days_taken=3, days_promised=4, cases=10, corrections=0)
    places = rank(RULES, [b, c2, a, c])
    assert [(p.score.code, p.rank) for p in places] == [("a", 1), ("b", 1), ("c", 3), ("c2", 4)]
    assert places[2].score.total == places[3].score.total
    # the same figures in any order give the same ranking
    assert [(p.score.code, p.rank) for p in rank(RULES, [c, a, c2, b])] == [(p.score.code, p.rank) for p in places]


def test_each_rank_shows_its_change_against_the_previous_period():
    good = unit("good", decided=5, on_time=5, days_promised=5)
    bad = unit("bad", decided=5, on_time=1, days_taken=5, days_promised=5)
    new = unit("new", decided=5, on_time=3, days_taken=2, days_promised=5)
    places = {p.score.code: p for p in rank(RULES, [good, bad, new], previous={"good": 3, "bad": 1})}
    assert (places["good"].rank, places["good"].change) == (1, 2)
    assert (places["bad"].rank, places["bad"].change) == (3, -2)
    assert (places["new"].rank, places["new"].change) == (2, None)


def test_an_empty_period_ranks_nobody_and_lists_the_units_unranked():
    assert rank(RULES, []) == []
    places = rank(RULES, [unit("tax"), unit("market")], previous={"tax": 1})
    assert [(p.score.code, p.rank, p.change, p.score.total) for p in places] == [
        ("market", None, None, None), ("tax", None, None, None)]


def test_periods_are_iso_weeks_and_calendar_months():
    assert ranking.period_bounds("month", "2026-12") == (date(2026, 12, 1), date(2026, 12, 31))
    assert ranking.period_bounds("week", "2026-W53") == (date(2026, 12, 28), date(2027, 1, 3))
    assert ranking.previous_period("month", "2026-01") == "2025-12"
    assert ranking.previous_period("week", "2027-W01") == "2026-W53"
    assert ranking.period_of("week", date(2027, 1, 3)) == "2026-W53"
    assert not ranking.has_ended("month", "2026-11", date(2026, 11, 30))
    assert ranking.has_ended("month", "2026-11", date(2026, 12, 1))


def test_the_shipped_rules_load():
    rules = load_ranking_rules()
    assert set(rules.dimensions) == set(ranking.DIMENSIONS)


def test_a_broken_rules_file_names_the_file_and_every_entry(tmp_path):
    path = tmp_path / "ranking.yaml"
    path.write_text("dimensions:\n  efficiency: {weight: 0, components: {on_time: 1, haste: 2}}\n"
                    "  quality: {weight: 1, components: {correction_free: yes}}\n", encoding="utf-8")
    with pytest.raises(RankingRulesInvalid) as caught:
        load_ranking_rules(path)
    message = str(caught.value)
    assert str(path) in message
    assert "dimensions.attitude: missing" in message
    assert "dimensions.efficiency: weight must be" in message
    assert "dimensions.efficiency.components.haste: unknown component" in message
    assert "dimensions.quality.components.correction_free: weight must be" in message


def test_the_ranking_reads_refusals_and_rejections_and_those_overturned_from_the_figures():
    from onething.domain.figures import Figures
    from onething.domain.grades import DEFAULT_RULES
    from onething.services.bulletins import unit_figures

    figures = Figures("2026-03", "2026-03-01", "2026-03-31", received=10, returned=1, refused=1, rejected=3,
                      overturned=2)
    read = unit_figures("market", "县市场监督管理局", figures, DEFAULT_RULES)
    assert (read.refusals, read.overturned) == (4, 2)
    assert score(RULES, read).components["refusals_upheld"] == 0.5
