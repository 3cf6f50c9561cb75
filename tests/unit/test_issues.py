"""The issue ledger's rules (对号销号): deadlines, escalation up the ladder, closing and reopening."""

import csv
import io
from datetime import timedelta

import pytest
from hypothesis import given, settings, strategies as st

from onething.domain import issues as rules
from onething.domain.issues import IssueRuleError, IssueState, LadderInvalid, build_ladder
from onething.services.reference import load_ladder
from tests.support.builders import d, plain_calendar

CAL = plain_calendar(2026, 2027)
LADDER = build_ladder({"levels": [
    {"code": "manager", "name": "项目服务经理", "owner": "project-manager", "days": 3},
    {"code": "centre", "name": "县重大项目服务处", "owner": "role:supervisor", "days": 5},
    {"code": "leader", "name": "项目县级责任领导", "owner": "user:county-head", "days": 10},
]})
MONDAY = d("2026-03-02")


def test_the_shipped_ladder_loads_and_starts_with_the_project_manager():
    ladder = load_ladder()
    assert ladder[0].owner == "project-manager" and len(ladder) >= 3
    assert [level.name for level in ladder.levels][1:3] == ["县重大项目服务处", "项目县级责任领导"]


def test_an_issue_is_due_on_the_requested_date_and_overdue_the_day_after():
    issue = rules.open_issue("用地指标未落实", d("2026-03-06"), MONDAY)
    assert (issue.state, issue.level, issue.due_on) == (IssueState.OPEN, 0, d("2026-03-06"))
    assert not rules.is_overdue(issue, d("2026-03-06"))
    assert rules.is_overdue(issue, d("2026-03-07"))
    with pytest.raises(IssueRuleError) as past:
        rules.open_issue("x", MONDAY - timedelta(days=1), MONDAY)
    assert (past.value.code, past.value.status) == ("requested_by_past", 422)
    with pytest.raises(IssueRuleError) as blank:
        rules.open_issue("  ", MONDAY, MONDAY)
    assert blank.value.code == "title_required"


def test_escalation_climbs_one_level_with_a_fresh_allowance_in_working_days():
    issue = rules.open_issue("施工图审查意见未反馈", d("2026-03-06"), MONDAY)  # a Friday
    assert rules.escalate(issue, d("2026-03-06"), LADDER, CAL) is None  # not yet
    change = rules.escalate(issue, d("2026-03-07"), LADDER, CAL)  # Saturday: past it
    assert change.action == "escalate" and change.issue.level == 1
    assert change.issue.due_on == d("2026-03-13")  # 5 working days after Saturday 7th
    assert "县重大项目服务处" in change.note
    top = rules.escalate(change.issue, d("2026-03-16"), LADDER, CAL).issue
    assert top.level == 2 and top.due_on == d("2026-03-30")
    assert rules.escalate(top, d("2026-05-01"), LADDER, CAL) is None  # the last level: stays overdue
    assert rules.is_overdue(top, d("2026-05-01"))


def test_closing_needs_a_resolution_and_reopening_a_reason():
    issue = rules.start(rules.open_issue("供电接入", d("2026-03-06"), MONDAY)).issue
    with pytest.raises(IssueRuleError) as empty:
        rules.close(issue, "   ")
    assert empty.value.code == "resolution_required"
    closed = rules.close(issue, "供电公司已完成线路接入").issue
    assert closed.state == IssueState.CLOSED and closed.resolution == "供电公司已完成线路接入"
    assert rules.escalate(closed, d("2026-06-01"), LADDER, CAL) is None  # closed issues never escalate
    with pytest.raises(IssueRuleError) as again:
        rules.close(closed, "再次销号")
    assert (again.value.code, again.value.status) == ("already_closed", 409)  # the state is in the way
    with pytest.raises(IssueRuleError) as no_reason:
        rules.reopen(closed, "", d("2026-03-09"), LADDER, CAL)
    assert no_reason.value.code == "reason_required"
    reopened = rules.reopen(closed, "企业反映仍未通电", d("2026-03-09"), LADDER, CAL)
    assert reopened.issue.state == IssueState.REOPENED and reopened.issue.resolution == ""
    assert reopened.issue.due_on == d("2026-03-12") and reopened.issue.reopened == 1  # level 0: 3 working days
    assert reopened.note == "企业反映仍未通电"
    with pytest.raises(IssueRuleError):
        rules.reopen(reopened.issue, "x", d("2026-03-09"), LADDER, CAL)


@pytest.mark.parametrize("levels, message", [
    ([], "non-empty"),
    ([{"code": "a", "name": "甲", "owner": "role:supervisor", "days": 3}], "the first level is the project"),
    ([{"code": "a", "name": "甲", "owner": "project-manager", "days": 0}], "days must be"),
    ([{"code": "a", "name": "甲", "owner": "project-manager", "days": 3},
      {"code": "a", "name": "乙", "owner": "role:clerk", "days": 3}], "code appears twice"),
    ([{"code": "a", "name": "甲", "owner": "project-manager", "days": 3},
      {"code": "b", "name": "乙", "owner": "role:courier", "days": 3}], "owner must be"),
    ([{"code": "a", "name": "甲", "owner": "project-manager", "days": 3},
      {"code": "b", "name": "乙", "owner": "project-manager", "days": 3}], "only the first level"),
    ([{"code": "a", "name": "", "owner": "project-manager", "days": 3, "extra": 1}], "unknown keys extra"),
])
def test_a_broken_ladder_is_refused_naming_the_file_and_entry(levels, message):
    with pytest.raises(LadderInvalid) as error:
        build_ladder({"levels": levels}, "escalation.yaml")
    assert "escalation.yaml" in str(error.value) and message in str(error.value)


def test_a_ladder_file_that_is_missing_or_not_yaml_is_named(tmp_path):
    with pytest.raises(LadderInvalid, match="missing"):
        load_ladder(tmp_path / "escalation.yaml")
    (tmp_path / "escalation.yaml").write_text("levels: [", encoding="utf-8")
    with pytest.raises(LadderInvalid, match="escalation.yaml"):
        load_ladder(tmp_path / "escalation.yaml")


ACTIONS = st.lists(st.tuples(st.sampled_from(["start", "close", "reopen", "escalate"]), st.integers(0, 6),
                             st.sampled_from(["", "  ", "已协调解决"])), max_size=30)


@settings(max_examples=200, deadline=None)
@given(ACTIONS)
def test_any_sequence_of_actions_keeps_the_ledger_honest(actions):
    today = MONDAY
    issue = rules.open_issue("问题", today + timedelta(days=2), today)
    for action, days_later, words in actions:
        today += timedelta(days=days_later)
        before = issue
        try:
            if action == "start":
                change = rules.start(issue)
            elif action == "close":
                change = rules.close(issue, words)
            elif action == "reopen":
                change = rules.reopen(issue, words, today, LADDER, CAL)
            else:
                change = rules.escalate(issue, today, LADDER, CAL)
        except IssueRuleError:
            continue
        if change is None:
            assert action == "escalate" and (not rules.is_overdue(issue, today) or issue.level == len(LADDER) - 1)
            continue
        issue = change.issue
        assert 0 <= issue.level < len(LADDER) and issue.level >= before.level  # never down the ladder
        assert (issue.state == IssueState.CLOSED) == bool(issue.resolution.strip())  # closed only with a resolution
        if action == "escalate":
            assert issue.level == before.level + 1 and rules.is_overdue(before, today) and issue.due_on > today
        if action in ("close", "reopen"):
            assert words.strip() and change.note == words.strip()  # a resolution, a reason: never blank
        if action == "reopen":
            assert before.state == IssueState.CLOSED and issue.due_on > today and issue.level == before.level


def test_the_ledger_csv_opens_in_excel_and_quotes_what_needs_it():
    from onething.services.ledger import Row, month_bounds, to_csv

    raw = to_csv([Row("wang", '王"小明", 城关', opened=2, open=1), Row(None, "=HYPERLINK(1)", closed=1)], "2026-12",
                 "manager")
    assert raw.startswith("\ufeff".encode()) and b"\r\n" in raw
    text = raw.decode("utf-8-sig")
    assert '"王""小明"", 城关"' in text and "'=HYPERLINK(1)" in text
    assert list(csv.reader(io.StringIO(text)))[1] == ["2026-12", '王"小明", 城关', "wang", "2", "1", "0", "0", "0"]
    start, end = month_bounds(2026, 12)
    assert (start.isoformat(), end.isoformat()) == ("2026-12-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00")
