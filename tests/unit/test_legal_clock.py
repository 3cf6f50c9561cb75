"""The law's clock in a case: the expected date on the critical path of what remains, legal and
promised limits side by side, the §42 extension, and warnings relative to each item's limit."""

import shutil
from datetime import datetime, timezone

import pytest

from onething.domain import extensions
from onething.domain.case import Case, CaseRuleError
from onething.domain.catalog_rules import CatalogInvalid
from onething.domain.clock import tick
from onething.domain.schedule import expected_completion
from onething.domain.states import State, TaskState
from onething.domain.catalog import WarningRule
from onething.services.reference import data_dir, load_catalog
from tests.support.builders import catalog, d, item, plain_calendar, thing
from tests.support.refusals import refused

CAL = plain_calendar(2026)
MONDAY = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)  # 10:00 in Shanghai, 2026-03-02


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T10:00:00+08:00")


def accepted(*items: dict, stages=None, limits=None) -> Case:
    built = catalog(thing(items=list(items), stages=stages) if items else thing(), limits=limits)
    case = Case(thing=built.things["opening"])
    case.submit(MONDAY, CAL)
    case.accept(MONDAY, CAL)
    return case


def errors_of(raw_thing, limits=None) -> str:
    with pytest.raises(CatalogInvalid) as caught:
        catalog(raw_thing, limits=limits)
    return "\n".join(caught.value.errors)


# -- expected completion: the critical path of what remains ------------------------------------

def test_after_intake_the_stage_not_yet_started_counts_with_its_promised_days():
    case = accepted()  # licence (3 days) then seal (3 days), both stages of the builder's thing
    assert case.task("licence").due_on == d("2026-03-05") and case.task("seal").state == TaskState.WAITING
    assert expected_completion(case, d("2026-03-02"), CAL) == d("2026-03-10")  # 03-05 + 3 working days


def test_an_early_approval_brings_the_expected_date_forward():
    case = accepted()
    case.approve("licence", at("2026-03-03"), CAL)
    assert case.task("seal").due_on == d("2026-03-06")
    assert expected_completion(case, d("2026-03-03"), CAL) == d("2026-03-06")


def test_a_late_stage_pushes_the_next_from_today_not_from_its_missed_date():
    case = accepted()
    # the licence was due 03-05 and is still open on 03-09: the seal cannot start before today
    assert expected_completion(case, d("2026-03-09"), CAL) == d("2026-03-12")


def test_a_paused_item_counts_with_its_date_as_it_stands_and_moves_when_it_resumes():
    case = accepted()
    case.pause("licence", "inspection", d("2026-03-03"))
    assert expected_completion(case, d("2026-03-04"), CAL) == d("2026-03-10")
    case.resume("licence", d("2026-03-05"), CAL)  # 2 working days paused: licence due 03-09
    assert case.task("licence").due_on == d("2026-03-09")
    assert expected_completion(case, d("2026-03-05"), CAL) == d("2026-03-12")


def test_parallel_items_of_a_stage_count_with_the_longest():
    case = accepted(item("licence"), item("seal", department="police", promised=1),
                    item("tax", promised=5), stages=[{"code": "one", "items": ["licence"]},
                                                     {"code": "two", "after": ["one"], "items": ["seal", "tax"]}])
    assert expected_completion(case, d("2026-03-02"), CAL) == d("2026-03-12")  # 03-05 + 5


def test_no_expected_date_outside_review():
    case = Case(thing=catalog().things["opening"])
    case.submit(MONDAY, CAL)
    assert expected_completion(case, d("2026-03-02"), CAL) is None
    case = accepted()
    case.approve("licence", MONDAY, CAL)
    case.approve("seal", MONDAY, CAL)
    assert case.state == State.APPROVED and expected_completion(case, d("2026-03-02"), CAL) is None


# -- legal and promised limits -------------------------------------------------------------

def test_each_task_carries_its_promised_and_its_legal_due_date():
    case = accepted(item("licence", legal=5, promised=2), item("seal", department="police"))
    licence = case.task("licence")
    assert (licence.due_on, licence.legal_due_on) == (d("2026-03-04"), d("2026-03-09"))


def test_passing_the_promise_is_overdue_and_passing_the_law_is_the_graver_flag():
    case = accepted(item("licence", legal=5, promised=2), item("seal", department="police"))
    tick(case, at("2026-03-05"), CAL)
    licence = case.task("licence")
    assert licence.overdue and not licence.legal_overdue
    assert [e.action for e in case.events][-1] == "overdue"
    assert not tick(case, at("2026-03-09"), CAL)  # the legal due day itself is still in time
    assert tick(case, at("2026-03-10"), CAL)
    assert licence.legal_overdue and case.events[-1].action == "legal_overdue"
    assert "法定办理期限 2026-03-09" in case.events[-1].note
    assert not tick(case, at("2026-03-11"), CAL)  # flagged once


def test_a_pause_moves_the_legal_date_by_the_same_days():
    case = accepted(item("licence", legal=5, promised=2), item("seal", department="police"))
    case.pause("licence", "hearing", d("2026-03-03"))
    case.resume("licence", d("2026-03-05"), CAL)  # 2 working days
    licence = case.task("licence")
    assert (licence.due_on, licence.legal_due_on) == (d("2026-03-06"), d("2026-03-11"))


# -- the §42 extension -------------------------------------------------------------------------

def test_an_approved_extension_moves_the_legal_date_by_ten_days_and_tells_the_applicant_why():
    case = accepted(item("licence", legal=5, promised=2), item("seal", department="police"))
    extensions.request(case, "licence", "需现场核查经营场所", d("2026-03-03"))
    assert case.task("licence").extension_state == "pending"
    assert case.events[-1].action == "request_extension" and "10个工作日" in case.events[-1].note
    extensions.approve(case, "licence", d("2026-03-04"), CAL, "同意")
    licence = case.task("licence")
    assert (licence.extension_state, licence.extension_days) == ("approved", 10)
    assert licence.legal_due_on == d("2026-03-23")  # 03-09 + 10 working days
    assert licence.due_on == d("2026-03-04")  # the promise does not move
    assert case.events[-1].action == "approve_extension" and "延至2026-03-23" in case.events[-1].note
    kind, payload = case.notices[-1]
    assert kind == "extended" and payload["reason"] == "需现场核查经营场所" and payload["legal_due_on"] == "2026-03-23"


def test_the_promise_passed_still_shows_after_an_extension():
    case = accepted(item("licence", legal=5, promised=2), item("seal", department="police"))
    extensions.request(case, "licence", "需专家论证", d("2026-03-03"))
    extensions.approve(case, "licence", d("2026-03-03"), CAL)
    tick(case, at("2026-03-12"), CAL)  # past the promise (03-04) and the first legal date (03-09)
    licence = case.task("licence")
    assert licence.overdue and not licence.legal_overdue


def test_joint_handling_extends_by_fifteen():
    joint = item("licence", legal=45, promised=5)
    joint["joint_handling"] = True
    case = accepted(joint, item("seal", department="police"))
    extensions.request(case, "licence", "多部门联合踏勘", d("2026-03-03"))
    extensions.approve(case, "licence", d("2026-03-03"), CAL)
    assert case.task("licence").extension_days == 15
    assert case.task("licence").legal_due_on == CAL.add_working_days(d("2026-03-02"), 60)


def test_one_pending_request_and_never_a_second_extension():
    case = accepted()
    with refused(CaseRuleError, "说明理由"):
        extensions.request(case, "licence", "  ", d("2026-03-03"))
    extensions.request(case, "licence", "需补充核查", d("2026-03-03"))
    with pytest.raises(CaseRuleError) as pending:
        extensions.request(case, "licence", "再申请", d("2026-03-03"))
    assert pending.value.code == "extension_pending"
    extensions.approve(case, "licence", d("2026-03-03"), CAL)
    with pytest.raises(CaseRuleError) as twice:
        extensions.request(case, "licence", "还要延", d("2026-03-04"))
    assert twice.value.code == "already_extended"
    with pytest.raises(CaseRuleError) as nothing:
        extensions.approve(case, "licence", d("2026-03-04"), CAL)
    assert nothing.value.code == "no_pending_extension"


def test_a_refused_request_leaves_the_dates_and_may_be_asked_again():
    case = accepted()
    licence = case.task("licence")
    before = (licence.due_on, licence.legal_due_on)
    extensions.request(case, "licence", "需补充核查", d("2026-03-03"))
    with refused(CaseRuleError, "说明理由"):
        extensions.refuse(case, "licence", "")
    extensions.refuse(case, "licence", "理由不充分")
    assert (licence.due_on, licence.legal_due_on) == before and licence.extension_state == "refused"
    assert case.events[-1].action == "refuse_extension" and not any(k == "extended" for k, _ in case.notices)
    extensions.request(case, "licence", "已取得核查通知书", d("2026-03-04"))
    assert licence.extension_state == "pending" and licence.extension_note == ""


def test_no_extension_of_a_limit_already_passed_or_of_an_item_not_in_review():
    case = accepted(item("licence", legal=5, promised=2), item("seal", department="police"))
    with pytest.raises(CaseRuleError) as late:
        extensions.request(case, "licence", "来不及了", d("2026-03-10"))
    assert late.value.code == "legal_limit_passed"
    extensions.request(case, "licence", "需补充核查", d("2026-03-09"))
    with pytest.raises(CaseRuleError) as late_approval:
        extensions.approve(case, "licence", d("2026-03-10"), CAL)
    assert late_approval.value.code == "legal_limit_passed"
    with pytest.raises(CaseRuleError) as waiting:
        extensions.request(case, "seal", "尚未开始", d("2026-03-03"))
    assert waiting.value.code == "task_not_in_review"


# -- warnings relative to the item's limit ---------------------------------------------------

def test_a_one_day_item_is_not_warned_the_moment_it_starts():
    case = accepted(item("licence", promised=1), item("seal", department="police"))
    assert not tick(case, MONDAY, CAL)
    assert not case.task("licence").warned
    tick(case, at("2026-03-03"), CAL)  # its due day
    assert case.task("licence").warned and "还剩0个工作日" in case.events[-1].note


def test_the_default_share_warns_a_longer_item_with_days_to_spare():
    case = accepted(item("licence", promised=8), item("seal", department="police"))  # due 03-12
    tick(case, at("2026-03-09"), CAL)  # 3 working days left: more than a quarter of 8
    assert not case.task("licence").warned
    tick(case, at("2026-03-10"), CAL)  # 2 left
    assert case.task("licence").warned


def test_an_item_may_set_its_own_rule_in_days_or_as_a_share():
    by_days = item("licence", promised=5)
    by_days["warning"] = {"days": 3}
    case = accepted(by_days, item("seal", department="police"))  # due 03-09
    tick(case, at("2026-03-04"), CAL)  # 3 left
    assert case.task("licence").warned
    half = item("licence", promised=4)
    half["warning"] = {"share": 0.5}
    case = accepted(half, item("seal", department="police"))  # due 03-06
    tick(case, at("2026-03-03"), CAL)  # 3 left
    assert not case.task("licence").warned
    tick(case, at("2026-03-04"), CAL)  # 2 left
    assert case.task("licence").warned


def test_the_catalog_default_comes_from_its_data():
    case = accepted(item("licence", promised=4), item("seal", department="police"), limits={"warning": {"days": 2}})
    tick(case, at("2026-03-04"), CAL)  # due 03-06: 2 left
    assert case.task("licence").warned


def test_broken_rules_are_refused_naming_file_and_entry():
    bad = item("licence", promised=2)
    bad["warning"] = {"days": 2}
    assert ("opening.yaml: thing opening: items[0] licence: its warning rule (2 working days left) would warn "
            "the moment the item starts") in errors_of(thing(items=[bad, item("seal", department="police")]))
    assert "items[0] licence: the catalog's default warning rule" in errors_of(
        thing(items=[item("licence", promised=1), item("seal", department="police")]), {"warning": {"days": 1}})
    for rule, message in (({"share": 1.5}, "share must be more than 0 and less than 1"),
                          ({"share": 0}, "share must be more than 0"), ({"days": -1}, "days must be a whole number"),
                          ({"days": 1.5}, "days must be a whole number"), ({"often": 1}, "warning must be"),
                          ("soon", "warning must be")):
        broken = item("seal", department="police")
        broken["warning"] = rule
        assert f"items[1] seal: warning: {message}" in errors_of(thing(items=[item("licence"), broken]))
    assert "limits.yaml: warning: share must be" in errors_of(thing(), {"warning": {"share": 2}})
    assert "limits.yaml: expected the default warning rule" in errors_of(thing(), {})


def test_joint_handling_is_a_yes_or_no_within_the_joint_limit():
    odd, long = item("licence"), item("seal", department="police", legal=60)
    odd["joint_handling"], long["joint_handling"] = "yes", True
    text = errors_of(thing(items=[odd, long]))
    assert "items[0] licence: joint_handling must be true or false" in text
    assert "items[1] seal: legal limit 60 is more than the 45 working days of joint handling" in text


def test_the_shipped_catalog_takes_its_default_rule_from_limits_yaml(tmp_path):
    folder = tmp_path / "catalog"
    shutil.copytree(data_dir() / "catalog", folder)
    assert load_catalog(folder).warning == WarningRule(share=0.25)
    (folder / "limits.yaml").write_text("warning: {days: 0}\n", encoding="utf-8")
    shipped = load_catalog(folder)
    assert shipped.warning == WarningRule(days=0)
    assert shipped.things["business-opening"].items["business-licence"].warning == WarningRule(days=0)
    (folder / "limits.yaml").write_text("warning: {days: 1}\n", encoding="utf-8")  # 1-day items would warn at once
    with pytest.raises(CatalogInvalid, match="business-licence: the catalog's default warning rule"):
        load_catalog(folder)


def test_an_extended_item_counts_with_its_extended_date_and_an_overdue_one_from_today():
    case = accepted(item("licence", legal=5, promised=2), item("seal", department="police", promised=1))
    assert expected_completion(case, d("2026-03-09"), CAL) == d("2026-03-10")  # overdue: today, then the seal
    extensions.request(case, "licence", "需专家论证", d("2026-03-03"))
    extensions.approve(case, "licence", d("2026-03-03"), CAL)
    assert expected_completion(case, d("2026-03-03"), CAL) == d("2026-03-24")  # 03-23, then one more day


def test_tacit_approval_waits_for_an_extended_legal_date():
    case = accepted(item("licence", legal=5, promised=2, tacit=True), item("seal", department="police"))
    extensions.request(case, "licence", "需现场核查", d("2026-03-03"))
    extensions.approve(case, "licence", d("2026-03-03"), CAL)
    tick(case, at("2026-03-12"), CAL)  # past the promise, within the extension (to 03-23)
    assert case.task("licence").state == TaskState.IN_REVIEW and case.task("licence").overdue
    tick(case, at("2026-03-24"), CAL)
    assert case.task("licence").state == TaskState.APPROVED


def test_an_item_started_before_legal_limits_were_kept_gets_its_own_at_the_next_sweep():
    case = accepted(item("licence", legal=5, promised=2), item("seal", department="police"))
    licence = case.task("licence")
    licence.legal_days, licence.legal_due_on = 0, None  # as stored before the migration
    case.events.clear()
    assert tick(case, at("2026-03-03"), CAL) is True
    assert (licence.legal_days, licence.legal_due_on) == (5, d("2026-03-09"))
    assert case.events[0].action == "legal_limit_recorded"


def test_the_expected_date_is_told_only_while_the_case_is_in_review():
    from onething.domain.schedule import as_told

    assert as_told(State.IN_REVIEW, d("2026-03-10")) == d("2026-03-10")
    assert as_told(State.IN_REVIEW, None) is None
    for state in (State.SUBMITTED, State.APPROVED, State.CLOSED):
        assert as_told(state, d("2026-03-10")) is None
